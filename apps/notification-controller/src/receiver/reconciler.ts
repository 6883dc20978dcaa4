/**
 * The Receiver reconciler (notification-controller `internal/controller/receiver_controller.go`) on the runtime's
 * reconcile skeleton: the CEL filters and OIDC providers are checked (a bad one stalls), the token Secret is read,
 * and `status.webhookPath` becomes `/hook/` + hex(sha256(token + name + namespace)) (`generic-oidc`: no token).
 * Ready=True "Receiver initialized for path: …" on success; a missing Secret or `token` key gives Ready=False
 * TokenNotFound, an empty webhook path and a retry with backoff. Requeued after `spec.interval` (default 10m).
 */
import { createHash } from 'node:crypto';
import {
  FailedReason,
  InvalidCELExpressionReason,
  NotificationReasons,
  ProgressingReason,
  ReceiverGroupVersion,
  ReceiverWebhookPath,
  DefaultReceiverInterval,
  SucceededReason,
  normalizeReceiver,
} from '@flux-ts/api';
import type { Receiver } from '@flux-ts/api';
import {
  GenericError,
  Result,
  StallingError,
  conditions,
  errMessage,
  formatGoDuration,
  parseGoDuration,
  reconcileWith,
} from '@flux-ts/runtime';
import type {
  EventSink,
  KubeObject,
  Logger,
  LoopContext,
  ObjectReader,
  PatchClient,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
  StatusObject,
} from '@flux-ts/runtime';
import { compileOIDCProviders, loadReceiverCel, validateOIDCProvidersSpec, validateResourceFilter } from './cel.ts';
import { receiverReadyCondition } from './conditions.ts';

/** The Receiver kind as the reconciler reads it. */
export const receiverGVK = Object.freeze({ apiVersion: ReceiverGroupVersion, kind: 'Receiver' });

/** The Secret kind. */
export const secretGVK = Object.freeze({ apiVersion: 'v1', kind: 'Secret' });

/** A Receiver as the steps handle it. */
export type ReceiverObject = Receiver & StatusObject;

/** A Secret as the reconciler and the receiver server read it. */
export type SecretObject = KubeObject & { data?: Record<string, string> };

/** The receiver type that authenticates with OIDC tokens instead of a Secret. */
export const GenericOIDCReceiverType = 'generic-oidc';

/** What the steps of one reconcile share. */
export interface ReceiverState {
  log: Logger;
  signal: AbortSignal;
  /** The webhook path computed by the run, for the Ready message. */
  webhookPath?: string;
}

/** `/hook/` + hex(sha256(token + name + namespace)) (upstream `Receiver.GetWebhookPath`). */
export function webhookPathFor(token: string, name: string, namespace: string): string {
  return (
    ReceiverWebhookPath +
    createHash('sha256')
      .update(token + name + namespace, 'utf8')
      .digest('hex')
  );
}

/** The Ready=True message of a Receiver serving `path`. */
export function receiverInitializedMessage(path: string): string {
  return `Receiver initialized for path: ${path}`;
}

/** `spec.interval` in ms (default 10m). */
export function receiverInterval(obj: Pick<Receiver, 'spec'>): number {
  return parseGoDuration(obj.spec.interval ?? DefaultReceiverInterval);
}

/** Dependencies and settings of {@link ReceiverReconciler}; only `main.ts` derives them from flags and env. */
export interface ReceiverReconcilerOptions {
  /** Reads Receiver objects (the informer cache). */
  reader: ObjectReader;
  /** Reads the token Secrets (the Kubernetes client: Secrets are not cached, as with Flux's defaults). */
  secretReader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
}

/** Upstream's `token`: the `token` key of the Receiver's Secret, or the error Flux puts on Ready. */
export async function readReceiverToken(
  reader: ObjectReader,
  obj: Pick<Receiver, 'metadata' | 'spec'>,
  signal?: AbortSignal,
): Promise<string> {
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.spec.secretRef?.name ?? '';
  const secretName = `${namespace}/${name}`;
  let secret: SecretObject;
  try {
    secret = await reader.get<SecretObject>(secretGVK, { namespace, name }, signal ? { signal } : {});
  } catch (err) {
    throw new Error(`unable to read token from secret '${secretName}' error: ${errMessage(err)}`, { cause: err });
  }
  const token = secret.data?.['token'];
  if (token === undefined) throw new Error(`invalid '${secretName}' secret data: required fields 'token'`);
  return Buffer.from(token, 'base64').toString('utf8');
}

/** Reconciles Receiver objects. */
export class ReceiverReconciler {
  readonly #o: ReceiverReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link ReceiverState}. */
  readonly steps: readonly ReceiverStep[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: ReceiverReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'validateSpec', run: (obj) => this.validateSpec(obj) },
      { name: 'reconcileWebhookPath', run: (obj, state) => this.reconcileWebhookPath(obj, state) },
    ];
    this.reconcile = reconcileWith<ReceiverObject, ReceiverState>({
      gvk: receiverGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: receiverReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'requeue',
      decode: (raw) => normalizeReceiver(raw).object as ReceiverObject,
      finalize: async () => {
        // a Receiver owns nothing outside itself: only the finalizer goes
      },
      open: async (_obj, ctx: LoopContext<ReceiverObject>) => ({ log: ctx.log, signal: ctx.signal }),
      steps: this.steps,
      notify: (_old, obj, _state, _result, error) => {
        // Flux records every failed reconcile as a Warning event with reason Failed (the Ready reason differs).
        if (error instanceof GenericError && error.reason === NotificationReasons.TokenNotFound)
          void this.#o.recorder?.event(obj, { type: 'Warning', reason: FailedReason, message: error.message });
      },
      exit: (obj, outcome, ctx) => {
        const interval = receiverInterval(obj);
        const path = outcome.state?.webhookPath ?? obj.status?.webhookPath ?? '';
        const finished = `Reconciliation finished, next run in ${formatGoDuration(interval)}`;
        return {
          interval,
          jitterPercent: 0,
          recorder: this.#o.recorder,
          log: ctx.log,
          readyFromError: true,
          readyOnSuccess: { reason: SucceededReason, message: receiverInitializedMessage(path) },
          successEvent: { reason: SucceededReason, message: finished },
          beforePatch: (o) => {
            if (conditions.isReady(o)) ctx.log.info(finished);
          },
        };
      },
    });
  }

  /**
   * The configuration checks upstream runs first: `resourceFilter` and every `resources[].filter` must parse
   * (InvalidCELExpression), `oidcProviders` must be well-formed (ValidationFailed) and compile (InvalidCELExpression).
   */
  async validateSpec(obj: ReceiverObject): Promise<Result> {
    const terminal = (detail: string, reason: string, cause?: unknown): StallingError =>
      new StallingError(`Reconciliation failed terminally due to configuration error: ${detail}`, reason, {
        ...(cause === undefined ? {} : { cause }),
      });
    const filters = [
      obj.spec.resourceFilter,
      ...(obj.spec.resources ?? []).map((r) => (r as { filter?: string }).filter),
    ];
    if (filters.some(Boolean) || obj.spec.type === GenericOIDCReceiverType) await loadReceiverCel();
    for (const f of filters) {
      if (!f) continue;
      try {
        validateResourceFilter(f);
      } catch (err) {
        throw terminal(errMessage(err), InvalidCELExpressionReason, err);
      }
    }
    if (obj.spec.type === GenericOIDCReceiverType) {
      const providers = obj.spec.oidcProviders ?? [];
      const invalid = validateOIDCProvidersSpec(providers);
      if (invalid !== undefined) throw terminal(invalid, NotificationReasons.ValidationFailed);
      const bad = compileOIDCProviders(providers);
      if (bad !== undefined) throw terminal(bad, InvalidCELExpressionReason);
    }
    return Result.Success;
  }

  /** Reads the token (unless `generic-oidc`) and publishes the webhook path; a missing token clears it. */
  async reconcileWebhookPath(obj: ReceiverObject, state: ReceiverState): Promise<Result> {
    conditions.markReconciling(obj, ProgressingReason, 'Reconciliation in progress');
    const name = obj.metadata.name;
    const namespace = obj.metadata.namespace ?? '';
    let token = '';
    if (obj.spec.type !== GenericOIDCReceiverType) {
      try {
        token = await readReceiverToken(this.#o.secretReader, obj, state.signal);
      } catch (err) {
        if (obj.status) delete obj.status.webhookPath;
        throw new GenericError(errMessage(err), NotificationReasons.TokenNotFound, {
          cause: err,
          event: 'None',
        });
      }
    }
    const path = webhookPathFor(token, name, namespace);
    state.webhookPath = path;
    if (obj.status?.webhookPath !== path) {
      obj.status = { ...obj.status, webhookPath: path };
      state.log.info(receiverInitializedMessage(path));
    }
    return Result.Success;
  }
}

/** One step of the Receiver reconciler. */
export type ReceiverStep = ReconcileStep<ReceiverObject, ReceiverState>;
