import { ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { KubeClient, ObjectKey } from '@flux-ts/runtime';
import type { FluxKind } from '../shared/kinds.ts';
import { conditionsOf, gvkOf, readyCondition, sleep, stringAt, type FluxObject } from '../shared/objects.ts';

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

/** kstatus' "current" for a Flux object: the generation observed, not reconciling, and Ready decided. */
export function isReconciled(obj: FluxObject): boolean {
  const conds = conditionsOf(obj);
  const gen = obj.metadata.generation ?? 0;
  const observed = obj.status?.observedGeneration ?? -1;
  if (observed < gen) return false;
  if (conds.some((c) => c.type === ReconcilingCondition && c.status === 'True')) return false;
  if (conds.some((c) => c.type === StalledCondition && c.status === 'True')) return true;
  const ready = readyCondition(obj);
  return ready !== undefined && ready.status !== 'Unknown';
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
