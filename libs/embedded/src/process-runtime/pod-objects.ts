/**
 * The objects the process runtime writes as a cluster's controllers would: the Pod a ReplicaSet makes (with the
 * kubelet's status from the pod's process), the ReplicaSet's status, and the rollout step of a Deployment (the
 * Deployment controller's RollingUpdate and Recreate, over pods rather than ReplicaSet sizes). Pure functions.
 */
import { podFor } from '@flux-ts/apiserver';
import type { ContainerState, ContainerTermination } from './pod-process.ts';

type Obj = Record<string, unknown>;

/** The node every pod of the runtime is bound to (`spec.nodeName`). */
export const NODE_NAME = 'flux-ts-embedded';
/** The pod and host IP: every process listens on loopback. */
export const POD_IP = '127.0.0.1';

const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** A Pod name as `generateName: <replicaset>-` makes it (five random characters of Kubernetes' safe alphabet). */
export function podName(replicaSet: string, random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_CHARS[Math.floor(random() * SUFFIX_CHARS.length)];
  return `${replicaSet}-${suffix}`;
}

/**
 * The Pod the ReplicaSet controller posts (the template's labels, annotations and spec, a controller reference to
 * the ReplicaSet), bound to {@link NODE_NAME} as the scheduler would, with the ServiceAccount the kubelet runs it as.
 */
export function podObject(replicaSet: Obj, name: string): Obj {
  const pod = podFor(replicaSet, name);
  const spec = { ...(pod['spec'] as Obj) };
  spec['serviceAccountName'] = typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : 'default';
  spec['nodeName'] = NODE_NAME;
  return { ...pod, spec };
}

/** What the kubelet knows of a pod's single container. */
export interface PodFacts {
  /** The Pod's `metadata.uid` (in the CrashLoopBackOff message). */
  uid: string;
  name: string;
  namespace: string;
  container: string;
  image: string;
  /** When the pod was admitted (its `startTime`). */
  startedAt: Date;
  ready: boolean;
  restarts: number;
  /** The process id of the running container (its `containerID`). */
  pid: number | undefined;
  state: ContainerState;
  lastTermination: ContainerTermination | undefined;
}

const ts = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const terminated = (t: ContainerTermination): Obj => ({
  exitCode: t.exitCode,
  finishedAt: ts(t.finishedAt),
  reason: t.exitCode === 0 ? 'Completed' : 'Error',
  startedAt: ts(t.startedAt),
});

/**
 * The status the kubelet writes for a pod (`generateAPIPodStatus`): phase Pending until its container first
 * started, then Running (a container in CrashLoopBackOff keeps the pod Running, as with `restartPolicy: Always`);
 * the conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady (from the readiness probe) and
 * PodScheduled; the container's status with `ready`, `started`, `restartCount`, its state (running, waiting
 * `ContainerCreating` or `CrashLoopBackOff`, terminated with the exit code) and `lastState`; the pod IP and
 * `startTime`. Each condition keeps its `lastTransitionTime` from `previous` while its status is unchanged.
 */
export function podStatus(f: PodFacts, previous: Obj | undefined, now: Date): Obj {
  const prevConditions = Array.isArray(previous?.['conditions']) ? (previous['conditions'] as Obj[]) : [];
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
    const status = ok ? 'True' : 'False';
    const before = prevConditions.find((c) => c['type'] === type);
    return {
      lastProbeTime: null,
      lastTransitionTime: before?.['status'] === status ? before['lastTransitionTime'] : ts(now),
      ...(message ? { message } : {}),
      ...(reason ? { reason } : {}),
      status,
      type,
    };
  };
  const s = f.state;
  const everStarted = s.kind !== 'waiting' || s.reason !== 'ContainerCreating' || f.restarts > 0;
  let state: Obj;
  if (s.kind === 'running') state = { running: { startedAt: ts(s.startedAt) } };
  else if (s.kind === 'terminated') state = { terminated: terminated(s.termination) };
  else if (s.reason === 'CrashLoopBackOff')
    state = {
      waiting: {
        message: `back-off ${Math.round(s.backoffMs / 1000)}s restarting failed container=${f.container} pod=${f.name}_${f.namespace}(${f.uid})`,
        reason: 'CrashLoopBackOff',
      },
    };
  else state = { waiting: { reason: 'ContainerCreating' } };
  const notReady = `containers with unready status: [${f.container}]`;
  return {
    conditions: [
      condition('PodReadyToStartContainers', true),
      condition('Initialized', true),
      f.ready ? condition('Ready', true) : condition('Ready', false, 'ContainersNotReady', notReady),
      f.ready
        ? condition('ContainersReady', true)
        : condition('ContainersReady', false, 'ContainersNotReady', notReady),
      condition('PodScheduled', true),
    ],
    containerStatuses: [
      {
        ...(f.pid !== undefined ? { containerID: `flux-ts://${f.pid}` } : {}),
        image: f.image,
        imageID: '',
        lastState: f.lastTermination && f.restarts > 0 ? { terminated: terminated(f.lastTermination) } : {},
        name: f.container,
        ready: f.ready,
        restartCount: f.restarts,
        started: s.kind === 'running',
        state,
      },
    ],
    hostIP: POD_IP,
    hostIPs: [{ ip: POD_IP }],
    phase: everStarted ? 'Running' : 'Pending',
    podIP: POD_IP,
    podIPs: [{ ip: POD_IP }],
    qosClass: 'Burstable',
    startTime: ts(f.startedAt),
  };
}

/** The ReplicaSet controller's status (`calculateStatus`) from its pods' readiness; zero counters omitted. */
export function replicaSetStatus(pods: readonly { ready: boolean }[], generation: number): Obj {
  const ready = pods.filter((p) => p.ready).length;
  const status: Obj = { replicas: pods.length };
  if (pods.length > 0) status['fullyLabeledReplicas'] = pods.length;
  if (ready > 0) {
    status['readyReplicas'] = ready;
    status['availableReplicas'] = ready; // minReadySeconds: 0
  }
  status['observedGeneration'] = generation;
  return status;
}

/** The inputs of one rollout step: the strategy and the pods of the new and of the old ReplicaSets. */
export interface RolloutInput {
  strategy: 'RollingUpdate' | 'Recreate';
  replicas: number;
  /** Resolved to pod counts (`deploymentutil.ResolveFenceposts`). */
  maxSurge: number;
  maxUnavailable: number;
  /** The new ReplicaSet's pods, oldest first. */
  current: readonly { ready: boolean }[];
  /** The old ReplicaSets' pods, oldest first. */
  old: readonly { ready: boolean }[];
}

/** One rollout step: how many pods of the new ReplicaSet to start, and which pods (indexes) to stop. */
export interface RolloutStep {
  create: number;
  removeCurrent: number[];
  removeOld: number[];
}

/** Not-ready first, then the newest: the ReplicaSet controller's order of pods to delete (`getPodsToDelete`). */
const deletionOrder = (pods: readonly { ready: boolean }[]): number[] =>
  pods.map((_, i) => i).sort((a, b) => Number(pods[a]!.ready) - Number(pods[b]!.ready) || b - a);

/**
 * The Deployment controller's next step over pods. The new ReplicaSet never keeps more than `replicas` pods.
 * Recreate: every old pod stops before any new one starts. RollingUpdate (`reconcileNewReplicaSet`,
 * `reconcileOldReplicaSets`): start new pods while all pods stay within `replicas + maxSurge`; stop old pods (the
 * not-ready ones first) only as far as `replicas - maxUnavailable` pods stay available, counting the new pods that
 * are not ready yet as unavailable. With one replica and the default 25%/25%: start the new pod, wait until it is
 * Ready, then stop the old one.
 */
export function rolloutStep(input: RolloutInput): RolloutStep {
  const { replicas, current, old } = input;
  const removeCurrent = deletionOrder(current).slice(0, Math.max(0, current.length - replicas));
  const kept = current.filter((_, i) => !removeCurrent.includes(i));
  if (input.strategy === 'Recreate') {
    return old.length > 0
      ? { create: 0, removeCurrent, removeOld: old.map((_, i) => i) }
      : { create: Math.max(0, replicas - kept.length), removeCurrent, removeOld: [] };
  }
  const total = kept.length + old.length;
  const create = Math.max(0, Math.min(replicas + input.maxSurge - total, replicas - kept.length));
  const minAvailable = replicas - input.maxUnavailable;
  const newUnavailable = kept.filter((p) => !p.ready).length + create;
  let budget = total + create - minAvailable - newUnavailable;
  const removeOld: number[] = [];
  // old pods that are not ready cost no availability: they go first
  for (const i of deletionOrder(old)) {
    if (budget <= 0 || old[i]!.ready) break;
    removeOld.push(i);
    budget--;
  }
  let available = kept.filter((p) => p.ready).length + old.filter((p) => p.ready).length;
  for (const i of deletionOrder(old)) {
    if (budget <= 0 || available <= minAvailable) break;
    if (!old[i]!.ready) continue;
    removeOld.push(i);
    budget--;
    available--;
  }
  return { create, removeCurrent, removeOld };
}
