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
import { GenericError, Result, StallingError, conditions, errMessage, formatGoDuration } from '@flux-ts/runtime';
import { HealthChecker } from '@flux-ts/ssa';
import type { HealthRef } from '@flux-ts/ssa';
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
  try {
    checker = new HealthChecker({ client: state.applyClient ?? opts.client, exprs: obj.spec.healthCheckExprs ?? [] });
  } catch (err) {
    throw new StallingError(errMessage(err), InvalidCELExpressionReason, { cause: err });
  }
  if (!conditions.isTrue(obj, HealthyCondition) || obj.status?.lastAppliedRevision !== revision)
    conditions.markUnknown(
      obj,
      HealthyCondition,
      ProgressingReason,
      `Running health checks for revision ${revision} with a timeout of ${formatGoDuration(state.timeout)}`,
    );
  const start = Date.now();
  try {
    await checker.waitForSet(refs, {
      timeout: state.timeout,
      interval: opts.pollInterval ?? 2000,
      failFast: !(opts.featureGates?.DisableFailFastBehavior ?? false),
      signal,
      // Objects the apply found unchanged were read a moment ago: their first status comes from that read.
      observed: state.changeSet.observed(),
    });
  } catch (err) {
    if (signal.aborted) throw err;
    const msg = `health check failed after ${formatGoDuration(Date.now() - start)}: ${errMessage(err)}`;
    conditions.markFalse(obj, HealthyCondition, HealthCheckFailedReason, msg);
    throw new GenericError(msg, HealthCheckFailedReason, { cause: err });
  }
  conditions.markTrue(obj, HealthyCondition, SucceededReason, 'Health check passed');
}
