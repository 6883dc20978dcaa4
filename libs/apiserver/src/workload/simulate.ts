/**
 * Simulated workload status (a test hook, off by default): without kubelets or controllers, Deployments,
 * StatefulSets, DaemonSets, ReplicaSets and Jobs report a progressing status until `readyAfterMs` have passed
 * since their last spec change, then the status their controllers write once every pod is ready. The statuses
 * are shaped so that kstatus (sigs.k8s.io/cli-utils pkg/kstatus) computes InProgress before and Current after
 * (a Job annotated `flux-ts.dev/simulate: fail` ends Failed instead).
 */
import { podTemplateHash } from './hash.ts';

/**
 * Pod-template annotation `flux-ts.dev/simulate: fail`: a simulated Job fails (`BackoffLimitExceeded`) instead of
 * completing, and the simulated Pods of a Deployment or ReplicaSet never become ready (`ImagePullBackOff`).
 */
export const SIMULATE_ANNOTATION = 'flux-ts.dev/simulate';

/** Options of `simulateWorkloadStatus`. */
export interface SimulateOptions {
  /** The current time. */
  now: Date;
  /** How long after a spec change the workload becomes ready (0 = at once). */
  readyAfterMs: number;
  /**
   * When `metadata.generation` last changed (the storage knows); defaults to `metadata.creationTimestamp`, then
   * to `now`.
   */
  changedAt?: Date;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const int = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt);
/** RFC 3339 without fractional seconds, as Kubernetes prints times. */
const ts = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const SIMULATED = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job']);

const groupKind = (o: Obj): string => {
  const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${group}/${typeof o['kind'] === 'string' ? o['kind'] : ''}`;
};

/** True for the kinds `simulateWorkloadStatus` handles (apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet; batch/v1 Job). */
export const isSimulatedWorkload = (o: Record<string, unknown>): boolean => SIMULATED.has(groupKind(o));

/** The `pod-template-hash` / controller revision suffix of a template (see `hash.ts`). */
const templateHash = (template: unknown): string => podTemplateHash(template);

const changedAtOf = (o: Obj, opts: SimulateOptions): Date => {
  if (opts.changedAt) return opts.changedAt;
  const created = obj(o['metadata'])['creationTimestamp'];
  if (typeof created === 'string') {
    const d = new Date(created);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return opts.now;
};

/**
 * When the simulated status of `o` turns ready (`changedAt + readyAfterMs`), or undefined for kinds that are not
 * simulated. The caller writes the status again at that time so that watchers see the change.
 */
export const simulationReadyAt = (o: Record<string, unknown>, opts: SimulateOptions): Date | undefined =>
  isSimulatedWorkload(o) ? new Date(changedAtOf(o, opts).getTime() + Math.max(0, opts.readyAfterMs)) : undefined;

const condition = (
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  at: Date,
  withUpdate: boolean,
): Obj => {
  const c: Obj = { type, status };
  if (withUpdate) c['lastUpdateTime'] = ts(at);
  c['lastTransitionTime'] = ts(at);
  c['reason'] = reason;
  c['message'] = message;
  return c;
};

/** Sets the non-zero integer fields of `values` (Kubernetes omits zero `omitempty` counters). */
const counters = (target: Obj, values: Record<string, number>): Obj => {
  for (const [k, v] of Object.entries(values)) if (v !== 0) target[k] = v;
  return target;
};

const deploymentStatus = (o: Obj, generation: number, ready: boolean, changedAt: Date, readyAt: Date): Obj => {
  const spec = obj(o['spec']);
  const name = String(obj(o['metadata'])['name'] ?? '');
  const replicas = int(spec['replicas'], 1);
  const rs = `${name}-${templateHash(spec['template'])}`;
  const status: Obj = { observedGeneration: generation };
  if (ready) {
    counters(status, { replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
    status['conditions'] = [
      condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', readyAt, true),
      condition(
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rs}" has successfully progressed.`,
        readyAt,
        true,
      ),
    ];
  } else {
    counters(status, { replicas, updatedReplicas: replicas, unavailableReplicas: replicas });
    status['conditions'] = [
      condition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        changedAt,
        true,
      ),
      condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`, changedAt, true),
    ];
  }
  return status;
};

const statefulSetStatus = (o: Obj, generation: number, ready: boolean): Obj => {
  const spec = obj(o['spec']);
  const name = String(obj(o['metadata'])['name'] ?? '');
  const replicas = int(spec['replicas'], 1);
  const updateRevision = `${name}-${templateHash(spec['template'])}`;
  const previous = obj(o['status'])['currentRevision'];
  // while rolling out, the current revision stays the one that was fully rolled out before this change
  const currentRevision = ready || typeof previous !== 'string' || previous === '' ? updateRevision : previous;
  const status: Obj = { observedGeneration: generation, replicas, availableReplicas: ready ? replicas : 0 };
  counters(status, {
    readyReplicas: ready ? replicas : 0,
    currentReplicas: currentRevision === updateRevision ? replicas : 0,
    updatedReplicas: replicas,
  });
  status['currentRevision'] = currentRevision;
  status['updateRevision'] = updateRevision;
  status['collisionCount'] = 0;
  return status;
};

const daemonSetStatus = (generation: number, ready: boolean): Obj => {
  // one simulated node that every DaemonSet schedules on
  const status: Obj = {
    currentNumberScheduled: 1,
    desiredNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: ready ? 1 : 0,
    observedGeneration: generation,
  };
  return counters(status, {
    updatedNumberScheduled: 1,
    numberAvailable: ready ? 1 : 0,
    numberUnavailable: ready ? 0 : 1,
  });
};

const replicaSetStatus = (o: Obj, generation: number, ready: boolean): Obj => {
  const replicas = int(obj(o['spec'])['replicas'], 1);
  const status: Obj = { replicas };
  counters(status, {
    fullyLabeledReplicas: replicas,
    readyReplicas: ready ? replicas : 0,
    availableReplicas: ready ? replicas : 0,
  });
  status['observedGeneration'] = generation;
  return status;
};

const jobStatus = (o: Obj, ready: boolean, changedAt: Date, readyAt: Date): Obj => {
  const spec = obj(o['spec']);
  const parallelism = int(spec['parallelism'], 1);
  const completions = int(spec['completions'], parallelism);
  if (spec['suspend'] === true) {
    return {
      conditions: [condition('Suspended', 'True', 'JobSuspended', 'Job suspended', changedAt, false)],
      ready: 0,
      terminating: 0,
    };
  }
  const annotations = obj(obj(obj(spec['template'])['metadata'])['annotations']);
  const fails = annotations[SIMULATE_ANNOTATION] === 'fail';
  if (!ready) {
    // the simulated pods are still pending: no startTime yet, which kstatus reports as InProgress (JobNotStarted)
    return counters(
      { ready: 0, terminating: 0, uncountedTerminatedPods: {} },
      { active: Math.min(parallelism, completions) },
    );
  }
  const withProbe = (c: Obj): Obj => ({ ...c, lastProbeTime: c['lastTransitionTime'] });
  if (fails) {
    const failed = int(spec['backoffLimit'], 6) + 1;
    const msg = 'Job has reached the specified backoff limit';
    return {
      conditions: [
        withProbe(condition('FailureTarget', 'True', 'BackoffLimitExceeded', msg, readyAt, false)),
        withProbe(condition('Failed', 'True', 'BackoffLimitExceeded', msg, readyAt, false)),
      ],
      failed,
      ready: 0,
      startTime: ts(changedAt),
      terminating: 0,
      uncountedTerminatedPods: {},
    };
  }
  const msg = 'Reached expected number of succeeded pods';
  return {
    completionTime: ts(readyAt),
    conditions: [
      withProbe(condition('SuccessCriteriaMet', 'True', 'CompletionsReached', msg, readyAt, false)),
      withProbe(condition('Complete', 'True', 'CompletionsReached', msg, readyAt, false)),
    ],
    ready: 0,
    startTime: ts(changedAt),
    succeeded: completions,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
};

/**
 * The `status` a workload's controller would write, given how long ago its spec changed; undefined for kinds
 * that are not simulated (see `isSimulatedWorkload`). Before `readyAfterMs` have passed: observedGeneration is
 * current, nothing is ready, kstatus says InProgress. After: every replica ready and available (a Job complete,
 * or failed when its pod template carries the annotation `flux-ts.dev/simulate: fail`), kstatus says Current
 * (Failed for the failing Job).
 */
export const simulateWorkloadStatus = (
  o: Record<string, unknown>,
  opts: SimulateOptions,
): Record<string, unknown> | undefined => {
  if (!isSimulatedWorkload(o)) return undefined;
  const changedAt = changedAtOf(o, opts);
  const readyAt = new Date(changedAt.getTime() + Math.max(0, opts.readyAfterMs));
  const ready = opts.now.getTime() >= readyAt.getTime();
  const generation = int(obj(o['metadata'])['generation'], 1);
  switch (groupKind(o)) {
    case 'apps/Deployment':
      return deploymentStatus(o, generation, ready, changedAt, readyAt);
    case 'apps/StatefulSet':
      return statefulSetStatus(o, generation, ready);
    case 'apps/DaemonSet':
      return daemonSetStatus(generation, ready);
    case 'apps/ReplicaSet':
      return replicaSetStatus(o, generation, ready);
    default:
      return jobStatus(o, ready, changedAt, readyAt);
  }
};
