/**
 * A test-side restatement of the kstatus rules (sigs.k8s.io/cli-utils pkg/kstatus/status, generic.go and core.go)
 * for the simulated kinds, so the simulated statuses are checked against kstatus, not against themselves.
 */
type Obj = Record<string, unknown>;
/** kstatus' verdicts. */
export type KStatus = 'InProgress' | 'Current' | 'Failed' | 'Terminating';
/** A dotted path of an object. */
export const get = (o: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>((cur, k) => (typeof cur === 'object' && cur !== null ? (cur as Obj)[k] : undefined), o);
const intField = (o: Obj, path: string, dflt: number): number => {
  const v = get(o, path);
  return typeof v === 'number' ? v : dflt;
};
const conditions = (o: Obj): Array<{ type: string; status: string; reason?: string }> =>
  (get(o, 'status.conditions') as Array<{ type: string; status: string; reason?: string }> | undefined) ?? [];

/** The kstatus verdict and reason of an object. */
export const kstatus = (o: Obj): { status: KStatus; reason: string } => {
  if (get(o, 'metadata.deletionTimestamp')) return { status: 'Terminating', reason: '' };
  const generation = get(o, 'metadata.generation');
  const observed = get(o, 'status.observedGeneration');
  if (typeof generation === 'number' && typeof observed === 'number' && generation !== observed) {
    return { status: 'InProgress', reason: 'LatestGenerationNotObserved' };
  }
  for (const c of conditions(o)) {
    if (c.type === 'Reconciling' && c.status === 'True') return { status: 'InProgress', reason: 'Reconciling' };
    if (c.type === 'Stalled' && c.status === 'True') return { status: 'Failed', reason: 'Stalled' };
  }
  const inProgress = (reason: string) => ({ status: 'InProgress' as const, reason });
  const current = { status: 'Current' as const, reason: '' };
  switch (`${String(o['apiVersion']).split('/')[0]}/${String(o['kind'])}`) {
    case 'apps/Deployment': {
      let progressing = intField(o, 'spec.progressDeadlineSeconds', 2 ** 31 - 1) === 2 ** 31 - 1;
      let available = false;
      for (const c of conditions(o)) {
        if (c.type === 'Progressing') {
          if (c.reason === 'ProgressDeadlineExceeded') return { status: 'Failed', reason: 'ProgressDeadlineExceeded' };
          if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
        }
        if (c.type === 'Available' && c.status === 'True') available = true;
      }
      const spec = intField(o, 'spec.replicas', 1);
      const replicas = intField(o, 'status.replicas', 0);
      const updated = intField(o, 'status.updatedReplicas', 0);
      const ready = intField(o, 'status.readyReplicas', 0);
      const avail = intField(o, 'status.availableReplicas', 0);
      if (spec > replicas) return inProgress('LessReplicas');
      if (spec > updated) return inProgress('LessUpdated');
      if (replicas > spec) return inProgress('ExtraPods');
      if (updated > avail) return inProgress('LessAvailable');
      if (spec > ready) return inProgress('LessReady');
      if (!progressing) return inProgress('ReplicaSetNotAvailable');
      if (!available) return inProgress('DeploymentNotAvailable');
      return current;
    }
    case 'apps/StatefulSet': {
      if (get(o, 'spec.updateStrategy.type') === 'OnDelete') return current;
      const spec = intField(o, 'spec.replicas', 1);
      const ready = intField(o, 'status.readyReplicas', 0);
      const cur = intField(o, 'status.currentReplicas', 0);
      const updated = intField(o, 'status.updatedReplicas', 0);
      const replicas = intField(o, 'status.replicas', 0);
      const partition = intField(o, 'spec.updateStrategy.rollingUpdate.partition', -1);
      if (spec > replicas) return inProgress('LessReplicas');
      if (spec > ready) return inProgress('LessReady');
      if (replicas > spec) return inProgress('ExtraPods');
      if (partition !== -1) return updated < spec - partition ? inProgress('PartitionRollout') : current;
      if (spec > cur) return inProgress('LessCurrent');
      if (get(o, 'status.currentRevision') !== get(o, 'status.updateRevision')) return inProgress('RevisionMismatch');
      return current;
    }
    case 'apps/DaemonSet': {
      if (typeof generation !== 'number') return inProgress('NoGeneration');
      if (typeof observed !== 'number') return inProgress('NoObservedGeneration');
      const desired = intField(o, 'status.desiredNumberScheduled', -1);
      if (desired === -1) return inProgress('NoDesiredNumber');
      if (desired > intField(o, 'status.currentNumberScheduled', 0)) return inProgress('LessCurrent');
      if (desired > intField(o, 'status.updatedNumberScheduled', 0)) return inProgress('LessUpdated');
      if (desired > intField(o, 'status.numberAvailable', 0)) return inProgress('LessAvailable');
      if (desired > intField(o, 'status.numberReady', 0)) return inProgress('LessReady');
      return current;
    }
    case 'apps/ReplicaSet': {
      if (conditions(o).some((c) => c.type === 'ReplicaFailure' && c.status === 'True'))
        return inProgress('ReplicaFailure');
      const spec = intField(o, 'spec.replicas', 1);
      if (spec > intField(o, 'status.fullyLabeledReplicas', 0)) return inProgress('LessLabelled');
      if (spec > intField(o, 'status.availableReplicas', 0)) return inProgress('LessAvailable');
      if (spec > intField(o, 'status.readyReplicas', 0)) return inProgress('LessReady');
      if (intField(o, 'status.replicas', 0) > spec) return inProgress('ExtraPods');
      return current;
    }
    case 'batch/Job': {
      for (const c of conditions(o)) {
        if (c.type === 'Complete' && c.status === 'True') return current;
        if (c.type === 'Failed' && c.status === 'True') return { status: 'Failed', reason: 'JobFailed' };
        if (c.type === 'Suspended' && c.status === 'True') return current;
      }
      return get(o, 'status.startTime') ? current : inProgress('JobNotStarted');
    }
    default:
      throw new Error(`no kstatus rule for ${String(o['kind'])}`);
  }
};
