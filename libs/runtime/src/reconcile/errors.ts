/**
 * Typed reconcile errors (source-controller `internal/error`): the error type is the control flow.
 * - {@link StallingError}: cannot proceed without a spec change → Stalled=True, no requeue, no error to the queue.
 * - {@link WaitingError}: something else must happen first → requeue after `requeueAfter`, no error to the queue.
 * - {@link GenericError}: a classified failure with event/log config; `ignore` makes it a no-op success.
 * Anything else is transient and goes back to the queue for a rate-limited retry.
 */

/** Kubernetes event type of an error event, or 'None' for no event. */
export type ErrorEventType = 'Normal' | 'Warning' | 'None';

/** How an error is reported (source-controller `serror.Config`). */
export interface ErrorConfig {
  /** Event type to record ('None' = no event). */
  event: ErrorEventType;
  /** Log the error (info for Normal/None, error for Warning). */
  log: boolean;
  /** Also send a Normal event to notification-controller (Warning events always are). */
  notification: boolean;
  /** Treat as a no-op: the reconcile succeeds (GenericError only). */
  ignore: boolean;
}

/** Options of the typed errors: `cause` plus any {@link ErrorConfig} override. */
export interface TypedErrorOptions extends Partial<ErrorConfig> {
  cause?: unknown;
}

function config(defaults: ErrorConfig, opts: TypedErrorOptions): ErrorConfig {
  return {
    event: opts.event ?? defaults.event,
    log: opts.log ?? defaults.log,
    notification: opts.notification ?? defaults.notification,
    ignore: opts.ignore ?? defaults.ignore,
  };
}

/** The reconcile cannot succeed until the spec changes: Stalled=True with `reason`, no requeue. */
export class StallingError extends Error {
  readonly reason: string;
  readonly config: ErrorConfig;
  constructor(message: string, reason: string, opts: TypedErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StallingError';
    this.reason = reason;
    this.config = config({ event: 'Warning', log: true, notification: true, ignore: false }, opts);
  }
}

/** The reconcile must wait for something else: requeue after `requeueAfter` ms (0 = the success interval). */
export class WaitingError extends Error {
  readonly reason: string;
  readonly requeueAfter: number;
  readonly config: ErrorConfig;
  constructor(message: string, reason: string, requeueAfter: number, opts: TypedErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WaitingError';
    this.reason = reason;
    this.requeueAfter = requeueAfter;
    this.config = config({ event: 'Normal', log: true, notification: false, ignore: false }, opts);
  }
}

/** A classified failure; retried with backoff unless `ignore` is set. */
export class GenericError extends Error {
  readonly reason: string;
  readonly config: ErrorConfig;
  constructor(message: string, reason: string, opts: TypedErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GenericError';
    this.reason = reason;
    this.config = config({ event: 'Warning', log: true, notification: true, ignore: false }, opts);
  }
  /** Shorthand for the event type of the config. */
  get event(): ErrorEventType {
    return this.config.event;
  }
  /** Shorthand for the log flag of the config. */
  get log(): boolean {
    return this.config.log;
  }
  /** Shorthand for the ignore flag of the config. */
  get ignore(): boolean {
    return this.config.ignore;
  }
}

/** One of the typed reconcile errors. */
export type TypedReconcileError = StallingError | WaitingError | GenericError;

/** True for {@link StallingError}, {@link WaitingError} or {@link GenericError}. */
export function isTypedReconcileError(err: unknown): err is TypedReconcileError {
  return err instanceof StallingError || err instanceof WaitingError || err instanceof GenericError;
}
