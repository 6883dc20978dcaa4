/**
 * The single exit of a reconcile (source-controller `summarize.Helper.SummarizeAndPatch`): records the handled
 * reconcile request, turns the step result and error into the queue result, summarizes the owned conditions into
 * Ready (only this function sets Ready/Stalled summaries), emits the events the outcome calls for, patches the object
 * through the SerialPatcher and returns the queue result or throws for a backoff retry.
 */
import {
  FailedReason,
  ProgressingReason,
  ProgressingWithRetryReason,
  ReadyCondition,
  ReconcileRequestAnnotation,
  StalledCondition,
  SucceededReason,
} from '@flux-ts/api';
import { conditions } from '../conditions/index.ts';
import type { EventObject, RecordEvent } from '../events/index.ts';
import type { Logger } from '../observability/index.ts';
import type { SerialPatcher } from '../patch/index.ts';
import { isNotFoundError, type StatusObject } from '../patch/types.ts';
import { errMessage } from '../util/err-message.ts';
import { GenericError, StallingError, WaitingError, type ErrorConfig } from './errors.ts';
import { analyzeReconcileResult, type RequeueResult, type Result } from './result.ts';

/** The condition table of a reconciler (fluxcd/pkg `reconcile.Conditions`). */
export interface ReconcileConditions {
  /** The summary condition, usually Ready. */
  target: string;
  /** Condition types this reconciler owns: its values win patch conflicts. */
  owned: readonly string[];
  /** Types summarized into the target, in priority order. */
  summarize: readonly string[];
  /** Types of `summarize` with abnormal-true polarity. */
  negativePolarity: readonly string[];
}

/** Records events (satisfied by `EventRecorder`). */
export interface EventSink {
  event(obj: EventObject, ev: RecordEvent): Promise<void>;
}

/** Options of {@link summarizeAndPatch}. */
export interface SummarizeAndPatchOptions<T extends StatusObject> {
  patcher: SerialPatcher<T>;
  /** Condition tables to summarize (usually one, for Ready). */
  conditions: readonly ReconcileConditions[];
  /** Result of the reconcile steps. */
  result: Result;
  /** Error of the reconcile steps, if any. */
  error?: unknown;
  /** `spec.interval` in ms. */
  interval: number;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number;
  /** Random source for the jitter (tests). */
  random?: () => number;
  recorder?: EventSink;
  log?: Logger;
  /** Field manager of the status patches (e.g. `gotk-kustomize-controller`). */
  fieldManager?: string;
  /** Ignore NotFound from the patch while the object is being deleted (finalizer removed). */
  ignoreNotFound?: boolean;
  /** Ready message when the reconcile succeeded but no summarized condition set Ready. */
  readySuccessMessage?: string;
  /**
   * For a reconciler whose Ready is not a summary of other conditions (kustomize-controller): the Ready=True a
   * success ends with (e.g. ReconciliationSucceeded, `Applied revision: …`).
   */
  readyOnSuccess?: { reason: string; message: string };
  /**
   * Ready is not a summary (kustomize-controller): every failure shows on Ready=False with its reason (an untyped
   * error with {@link failureReason}), replacing an older failure, and a failure that is retried shows
   * Reconciling=ProgressingWithRetry with the same message.
   */
  readyFromError?: boolean;
  /** Ready reason of an untyped error (default `Failed`). */
  failureReason?: string;
  /** Event to emit when the reconcile ends Ready (e.g. reason ReconciliationSucceeded, "Applied revision: …"). */
  successEvent?: Omit<RecordEvent, 'type'> & { type?: 'Normal' | 'Trace' };
  /** Metadata attached to error events (e.g. `{ revision }`). */
  eventMetadata?: Record<string, string>;
  /**
   * Runs once the conditions are final and before the patch, to record what depends on them (e.g. `status.history`
   * keyed by the Ready reason). It must not change conditions.
   */
  beforePatch?: (obj: T) => void;
  signal?: AbortSignal;
}

function configOf(err: unknown): { reason: string; config: ErrorConfig } | undefined {
  if (err instanceof StallingError || err instanceof WaitingError || err instanceof GenericError)
    return { reason: err.reason, config: err.config };
  return undefined;
}

/** Copies `reconcile.fluxcd.io/requestedAt` into `status.lastHandledReconcileAt`. */
export function recordReconcileRequest(obj: StatusObject): void {
  const v = obj.metadata.annotations?.[ReconcileRequestAnnotation];
  if (v !== undefined && v !== '') {
    obj.status ??= {};
    obj.status.lastHandledReconcileAt = v;
  }
}

function logError(
  log: Logger | undefined,
  err: Error,
  cfg: ErrorConfig,
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  if (!log || !cfg.log) return;
  if (cfg.event === 'Warning') log.error({ err: err.message, ...fields }, msg);
  else log.info({ reason: err.message, ...fields }, msg);
}

/**
 * Finalizes a reconcile: see the module comment. Returns the queue result, or throws the error that should be
 * retried with backoff (the step error, a not-Ready success, or a patch failure).
 */
export async function summarizeAndPatch<T extends StatusObject>(
  obj: T,
  opts: SummarizeAndPatchOptions<T>,
): Promise<RequeueResult> {
  const err = opts.error;
  recordReconcileRequest(obj);

  // Outcome: queue result, error to surface, kstatus corrections of Stalled/Reconciling.
  const outcome = analyzeReconcileResult(obj, opts.result, err, {
    interval: opts.interval,
    jitterPercent: opts.jitterPercent,
    random: opts.random,
  });
  let retErr = outcome.error;

  // Summarize the owned conditions into the target (Ready).
  for (const c of opts.conditions) {
    conditions.setSummary(obj, c.target, { conditions: c.summarize, negativePolarity: c.negativePolarity });
  }

  // kstatus: a stalled object is not Ready, and Ready must carry the stall reason.
  const stalled = conditions.get(obj, StalledCondition);
  if (conditions.isStalled(obj) && stalled && !conditions.isFalse(obj, ReadyCondition)) {
    conditions.markFalse(obj, ReadyCondition, stalled.reason, stalled.message);
  }
  const failed = err !== undefined && err !== null && !outcome.success;
  if (opts.readyFromError && failed) {
    const message = errMessage(err);
    conditions.markFalse(obj, ReadyCondition, configOf(err)?.reason ?? opts.failureReason ?? FailedReason, message);
    if (!(err instanceof StallingError) && !(err instanceof WaitingError))
      conditions.markReconciling(obj, ProgressingWithRetryReason, message);
  } else if (err instanceof WaitingError) {
    // Waiting (e.g. DependencyNotReady) shows on Ready with its own reason.
    conditions.markFalse(obj, ReadyCondition, err.reason, err.message);
  } else if (retErr && (conditions.isUnknown(obj, ReadyCondition) || conditions.isTrue(obj, ReadyCondition))) {
    conditions.markFalse(
      obj,
      ReadyCondition,
      configOf(err)?.reason ?? opts.failureReason ?? FailedReason,
      retErr.message,
    );
  }
  if (outcome.success && !conditions.isStalled(obj) && opts.readyOnSuccess)
    conditions.markTrue(obj, ReadyCondition, opts.readyOnSuccess.reason, opts.readyOnSuccess.message);
  if (outcome.success && !conditions.isStalled(obj)) {
    if (!conditions.has(obj, ReadyCondition) && !conditions.isReconciling(obj)) {
      conditions.markTrue(obj, ReadyCondition, SucceededReason, opts.readySuccessMessage ?? 'reconciliation succeeded');
    }
    // A success that is not Ready must be retried (the Ready message explains why).
    if (!conditions.isReady(obj))
      retErr = new Error(
        conditions.getMessage(obj, ReadyCondition) || 'reconciliation succeeded but the object is not ready',
      );
  }

  // Log and record events for the outcome. Recording never throws and is not awaited (the recorder serialises its
  // Kubernetes writes; `EventRecorder.flush()` waits for delivery).
  const typed = configOf(err);
  const events: Promise<void>[] = [];
  if (err instanceof Error && typed) {
    const msg =
      err instanceof StallingError
        ? 'reconciliation stalled'
        : err instanceof WaitingError
          ? 'reconciliation waiting'
          : err.message;
    logError(opts.log, err, typed.config, msg, err instanceof WaitingError ? { requeueAfter: err.requeueAfter } : {});
    if (opts.recorder && typed.config.event !== 'None') {
      const type = typed.config.event === 'Warning' ? 'Warning' : typed.config.notification ? 'Normal' : 'Trace';
      events.push(
        opts.recorder.event(obj, { type, reason: typed.reason, message: err.message, metadata: opts.eventMetadata }),
      );
    }
  } else if (retErr && opts.recorder && err !== undefined) {
    // The Ready reason names the failure unless Ready only mirrors Reconciling (Progressing*).
    const readyReason = conditions.isFalse(obj, ReadyCondition) ? conditions.getReason(obj, ReadyCondition) : '';
    const reason =
      readyReason === '' || readyReason === ProgressingReason || readyReason === ProgressingWithRetryReason
        ? FailedReason
        : readyReason;
    events.push(
      opts.recorder.event(obj, { type: 'Warning', reason, message: retErr.message, metadata: opts.eventMetadata }),
    );
  } else if (!retErr && outcome.success && opts.recorder && opts.successEvent) {
    const { type, ...rest } = opts.successEvent;
    events.push(opts.recorder.event(obj, { type: type ?? 'Normal', ...rest }));
  }

  opts.beforePatch?.(obj);

  // Patch: owned conditions win, observedGeneration only on success, stall or ignored error.
  const owned = [...new Set(opts.conditions.flatMap((c) => c.owned))];
  try {
    await opts.patcher.patch(obj, {
      ownedConditions: owned,
      includeStatusObservedGeneration: outcome.observedGeneration && retErr === undefined,
      fieldManager: opts.fieldManager,
      signal: opts.signal,
    });
  } catch (patchErr) {
    const gone = opts.ignoreNotFound && obj.metadata.deletionTimestamp && isNotFoundPatch(patchErr);
    if (!gone) {
      const pe = patchErr instanceof Error ? patchErr : new Error(String(patchErr));
      retErr = retErr ? new AggregateError([retErr, pe], `${retErr.message}; ${pe.message}`) : pe;
    }
  }
  // events are delivered in the background (they never reject); the result does not wait for them
  void Promise.allSettled(events);
  if (retErr) throw retErr;
  return outcome.result;
}

function isNotFoundPatch(err: unknown): boolean {
  if (isNotFoundError(err)) return true;
  const errors = (err as { errors?: unknown[] }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(isNotFoundError);
}
