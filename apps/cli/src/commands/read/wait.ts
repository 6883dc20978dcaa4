import type { KubeClient, ObjectKey } from '@flux-ts/runtime';
import { computeStatus } from '@flux-ts/ssa';
import type { FluxKind } from '../shared/kinds.ts';
import { gvkOf, readyCondition, sleep, stringAt, type FluxObject } from '../shared/objects.ts';

/** How often a wait re-reads the object (flux's `--poll-interval` is 2s; a shorter one only answers sooner). */
export const POLL_INTERVAL_MS = 500;

/**
 * Polls the object until `done` returns true, as flux's `wait.PollUntilContextTimeout`; ends with flux's
 * `context deadline exceeded` when the signal fires first.
 */
export async function pollObject(
  client: KubeClient,
  kind: FluxKind,
  key: ObjectKey,
  signal: AbortSignal,
  done: (obj: FluxObject) => boolean,
): Promise<FluxObject> {
  for (;;) {
    let obj: FluxObject;
    try {
      obj = await client.get<FluxObject>(gvkOf(kind), key, { signal });
    } catch (err) {
      if (signal.aborted) throw new Error('context deadline exceeded', { cause: err });
      throw err;
    }
    if (done(obj)) return obj;
    try {
      await sleep(POLL_INTERVAL_MS, signal);
    } catch (err) {
      throw new Error('context deadline exceeded', { cause: err });
    }
  }
}

/** kstatus' `Compute` of a Flux object (as @flux-ts/ssa's health checks compute it). */
const kstatusOf = (obj: FluxObject) => computeStatus(obj as Parameters<typeof computeStatus>[0]);

/**
 * flux's `reconciliationHandled`: the request was handled and kstatus says Current. A Stalled object is not
 * Current, so `reconcile` keeps polling it until `--timeout`, as upstream does.
 */
export function isReconciliationHandled(obj: FluxObject, lastHandledReconcileAt: unknown): boolean {
  return obj.status?.lastHandledReconcileAt !== lastHandledReconcileAt && kstatusOf(obj).status === 'Current';
}

/**
 * flux's `isObjectReady` for an object with a dynamic status (`resume`): not ready until the Ready condition is for
 * the current generation; then kstatus Current is ready, InProgress is not, and anything else (Stalled: Failed)
 * ends the wait with kstatus' message.
 */
export function isObjectReady(obj: FluxObject): boolean {
  const observed = obj.status?.observedGeneration ?? 0;
  if (observed < 1) return false;
  const ready = readyCondition(obj);
  if (ready === undefined) return false;
  const gen = obj.metadata.generation ?? 0;
  const condGen = ready.observedGeneration ?? 0;
  if (condGen !== 0 && condGen !== gen) return false;
  if (condGen === 0 && observed !== gen) return false;
  const result = kstatusOf(obj);
  if (result.status === 'Current') return true;
  if (result.status === 'InProgress') return false;
  throw new Error(result.message);
}

/** flux's `successMessage()` of each kind (cmd/flux/reconcile_*.go). */
export function successMessage(kind: FluxKind, obj: FluxObject): string {
  switch (kind.kind) {
    case 'Kustomization':
      return `applied revision ${stringAt(obj, 'status.lastAppliedRevision')}`;
    case 'HelmRelease': {
      const history = obj.status?.['history'];
      const latest = Array.isArray(history) && history.length > 0 ? stringAt(history[0], 'chartVersion') : '';
      return `applied revision ${latest !== '' ? latest : stringAt(obj, 'status.lastAppliedRevision')}`;
    }
    case 'HelmChart':
      return `pulled '${stringAt(obj, 'spec.chart')}' chart with version '${stringAt(obj, 'status.artifact.revision')}'`;
    case 'ImageRepository':
      return `scan fetched ${stringAt(obj, 'status.lastScanResult.tagCount') || '0'} tags`;
    case 'ImagePolicy':
      return `selected ref ${stringAt(obj, 'status.latestRef.name')}:${stringAt(obj, 'status.latestRef.tag')}`;
    case 'ImageUpdateAutomation': {
      const ready = readyCondition(obj);
      if (ready) return ready.message;
      const last = stringAt(obj, 'status.lastAutomationRunTime');
      return last !== '' ? `last run ${last}` : 'automation not yet run';
    }
    case 'Receiver':
      return 'Receiver reconciliation completed';
    case 'Alert':
    case 'Provider':
      return readyCondition(obj)?.message ?? `${kind.kind} reconciliation completed`;
    case 'HelmRepository':
      // HelmRepositories of type oci have no artifact: flux reports their Ready message.
      if (stringAt(obj, 'spec.type') === 'oci') return readyCondition(obj)?.message ?? '';
      return `fetched revision ${stringAt(obj, 'status.artifact.revision')}`;
    default:
      return `fetched revision ${stringAt(obj, 'status.artifact.revision')}`;
  }
}
