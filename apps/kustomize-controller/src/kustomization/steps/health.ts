/**
 * The health step: `wait: true` checks every applied object, else `healthChecks` (kstatus, plus CEL
 * `healthCheckExprs`), within `spec.timeout` and failing fast on a failed object; sets Healthy (removed when nothing
 * is checked) and, once healthy, `lastAppliedRevision`. A timeout or failure is HealthCheckFailed.
 */
import {
  HealthCheckFailedReason,
  HealthyCondition,
  InvalidCELExpressionReason,
  ProgressingReason,
  SucceededReason,
} from '@flux-ts/api';
import {
  GenericError,
  Result,
  StallingError,
  conditions,
  errMessage,
  formatGoDuration,
  progressiveStatus,
} from '@flux-ts/runtime';
import type { KubeClient } from '@flux-ts/runtime';
import { HealthChecker } from '@flux-ts/ssa';
import type { HealthRef, PendingObject } from '@flux-ts/ssa';
import { StatusFieldManager, kustomizationReadyConditions } from '../conditions.ts';
import type { KustomizationObject, KustomizationState } from '../state.ts';

/** The objects to check: every applied one with `wait`, else `spec.healthChecks`. */
function healthRefs(obj: KustomizationObject, state: KustomizationState): HealthRef[] {
  if (obj.spec.wait)
    return (state.objects ?? []).map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
    }));
  return (obj.spec.healthChecks ?? []).map((h) => ({
    apiVersion: h.apiVersion ?? 'v1',
    kind: h.kind,
    metadata: { name: h.name, namespace: h.namespace || obj.metadata.namespace || '' },
  }));
}

const keyOf = (r: HealthRef): string => `${r.apiVersion}/${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;

/**
 * The health wait's wake-up (issue 17): one watch per pending object, from the resourceVersion its status came
 * from, kept open for the whole wait; {@link PendingWatches.changed} resolves with the objects whose watch saw an
 * event since the last call, so a finished rollout is seen at once rather than at the next 2 s poll (the poll still
 * bounds every pause). A watch the server ends is opened again at the next pause from the version last read; a
 * refused or failed one (e.g. no `watch` permission for the impersonated account, 410 Gone) is left to the poll for
 * the rest of the wait. `close` ends every watch (the health step calls it however the wait ends).
 */
export class PendingWatches {
  readonly #client: Pick<KubeClient, 'watch'>;
  readonly #lifetime = new AbortController();
  readonly #watching = new Map<string, AbortController>();
  readonly #failed = new Set<string>();
  readonly #changed = new Map<string, HealthRef>();
  #wake: (() => void) | undefined;

  constructor(client: Pick<KubeClient, 'watch'>) {
    this.#client = client;
  }

  /** `WaitOptions.changed` of @flux-ts/ssa. */
  readonly changed = async (pending: readonly PendingObject[], signal: AbortSignal): Promise<readonly HealthRef[]> => {
    const byKey = new Map(pending.map((p) => [keyOf(p.ref), p]));
    for (const [key, ctl] of this.#watching)
      if (!byKey.has(key)) {
        ctl.abort();
        this.#watching.delete(key);
      }
    for (const key of this.#changed.keys()) if (!byKey.has(key)) this.#changed.delete(key);
    for (const [key, p] of byKey) if (!this.#watching.has(key) && !this.#failed.has(key)) this.#start(key, p);
    for (;;) {
      if (this.#changed.size > 0) {
        const refs = [...this.#changed.values()];
        this.#changed.clear();
        return refs;
      }
      if (this.#watching.size === 0) throw new Error('no watch open');
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          this.#wake = undefined;
          resolve();
        };
        this.#wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  };

  /** Ends every watch. */
  close(): void {
    this.#lifetime.abort();
  }

  #start(key: string, { ref, resourceVersion }: PendingObject): void {
    const ctl = new AbortController();
    this.#watching.set(key, ctl);
    const signal = AbortSignal.any([this.#lifetime.signal, ctl.signal]);
    void (async () => {
      try {
        const events = this.#client.watch(
          { apiVersion: ref.apiVersion, kind: ref.kind },
          {
            ...(ref.metadata.namespace ? { namespace: ref.metadata.namespace } : {}),
            fieldSelector: `metadata.name=${ref.metadata.name}`,
            // not found: from now on, where an ADDED event is the object's creation
            ...(resourceVersion ? { resourceVersion } : {}),
            timeoutSeconds: 300,
            signal,
          },
        );
        for await (const ev of events) {
          if (ev.type === 'ERROR') throw new Error('watch error event');
          if (ev.type === 'BOOKMARK') continue;
          this.#changed.set(key, ref);
          this.#wake?.();
        }
      } catch {
        if (!signal.aborted) this.#failed.add(key);
      } finally {
        if (this.#watching.get(key) === ctl) this.#watching.delete(key);
        this.#wake?.();
      }
    })();
  }
}

/** Flux kustomize-controller's Ready message while a reconcile is in progress (capitalised, unlike fluxcd/pkg's). */
const KustomizationInProgressMessage = 'Reconciliation in progress';

/** Checks health and records `lastAppliedRevision`. */
export async function reconcileHealth(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const revision = state.revision ?? '';
  const refs = healthRefs(obj, state);
  if (refs.length > 0) await checkHealth(obj, state, refs, revision);
  else conditions.remove(obj, HealthyCondition);
  obj.status ??= {};
  obj.status.lastAppliedRevision = revision;
  return Result.Success;
}

async function checkHealth(
  obj: KustomizationObject,
  state: KustomizationState,
  refs: HealthRef[],
  revision: string,
): Promise<void> {
  const { opts } = state;
  const signal = state.ctx.signal;
  let checker: HealthChecker;
  const client = state.applyClient ?? opts.client;
  try {
    checker = await HealthChecker.create({ client, exprs: obj.spec.healthCheckExprs ?? [] });
  } catch (err) {
    throw new StallingError(errMessage(err), InvalidCELExpressionReason, { cause: err });
  }
  if (!conditions.isTrue(obj, HealthyCondition) || obj.status?.lastAppliedRevision !== revision) {
    // Flux shows the wait while it lasts (`flux get ks`: Unknown, "Running health checks for revision … with a
    // timeout of …"): Ready Unknown "Reconciliation in progress", Reconciling and Healthy with the message, patched
    // before the wait. Only here, where the wait is for a new revision or an unhealthy set: a steady state writes
    // nothing.
    const message = `Running health checks for revision ${revision} with a timeout of ${formatGoDuration(state.timeout)}`;
    progressiveStatus(obj, KustomizationInProgressMessage);
    conditions.markReconciling(obj, ProgressingReason, message);
    conditions.markUnknown(obj, HealthyCondition, ProgressingReason, message);
    await state.ctx.patcher.patch(obj, {
      ownedConditions: kustomizationReadyConditions.owned,
      fieldManager: StatusFieldManager,
      signal,
    });
  }
  const start = Date.now();
  const watches = new PendingWatches(client);
  try {
    await checker.waitForSet(refs, {
      timeout: state.timeout,
      interval: opts.pollInterval ?? 2000,
      failFast: !(opts.featureGates?.DisableFailFastBehavior ?? false),
      signal,
      // Objects the apply found unchanged were read a moment ago: their first status comes from that read.
      observed: state.changeSet.observed(),
      changed: watches.changed,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    const msg = `health check failed after ${formatGoDuration(Date.now() - start)}: ${errMessage(err)}`;
    conditions.markFalse(obj, HealthyCondition, HealthCheckFailedReason, msg);
    throw new GenericError(msg, HealthCheckFailedReason, { cause: err });
  } finally {
    watches.close();
  }
  conditions.markTrue(obj, HealthyCondition, SucceededReason, 'Health check passed');
}
