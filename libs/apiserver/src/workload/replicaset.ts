/**
 * The ReplicaSet controller and the kubelet, as far as the simulation needs them (k8s.io/kubernetes
 * pkg/controller/replicaset, pkg/kubelet/status): a ReplicaSet gets `spec.replicas` Pods made from its template
 * and controlled by it; a Pod turns Running and Ready `readyAfterMs` after it was created (or stays Pending in
 * `ImagePullBackOff` when its template is annotated `flux-ts.dev/simulate: fail`); the ReplicaSet's status
 * counts its Pods. Pure functions: the server's simulation reads the store and writes what they return. Pod names
 * are `<replicaset>-<5 characters>` as with `generateName`, but derived from the ReplicaSet's uid and
 * resourceVersion, so runs are deterministic.
 */
import { fnv1a32 } from './hash.ts';
import {
  conditionOf,
  controllerRef,
  counters,
  deleting,
  int,
  metaOf,
  ms,
  nameOf,
  obj,
  strMap,
  ts,
  uidOf,
  type Obj,
} from './meta.ts';
import { SIMULATE_ANNOTATION } from './simulate.ts';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character name suffix of the `index`-th Pod name candidate for a seed. */
const suffix = (seed: string, index: number): string => {
  let h = fnv1a32(`${seed}/${index}`);
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += ALPHANUMS[h % ALPHANUMS.length];
    h = Math.floor(h / ALPHANUMS.length);
  }
  return out;
};

/** A Pod of the ReplicaSet (what the controller posts: the template's metadata and spec, a controller ref). */
export const podFor = (rs: Record<string, unknown>, name: string): Record<string, unknown> => {
  const template = obj(obj(rs['spec'])['template']);
  const tmeta = obj(template['metadata']);
  const metadata: Obj = {
    name,
    generateName: `${nameOf(rs)}-`,
    namespace: String(metaOf(rs)['namespace'] ?? ''),
    labels: strMap(tmeta['labels']),
  };
  const annotations = strMap(tmeta['annotations']);
  if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
  metadata['ownerReferences'] = [controllerRef(rs)];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(obj(template['spec'])) };
};

const isReady = (pod: Obj): boolean => conditionOf(pod, 'Ready')?.['status'] === 'True';

/** What the ReplicaSet controller does for one ReplicaSet: Pods to create, names of Pods to delete. */
export interface ReplicaSetSync {
  create: Record<string, unknown>[];
  remove: string[];
}

/**
 * One sync of a ReplicaSet given the Pods it controls: create the missing Pods, or delete the surplus (not
 * ready ones first, then the newest, as `getPodsToDelete` ranks them).
 */
export const syncReplicaSet = (
  rs: Record<string, unknown>,
  pods: readonly Record<string, unknown>[],
): ReplicaSetSync => {
  const out: ReplicaSetSync = { create: [], remove: [] };
  if (deleting(rs)) return out;
  const active = pods.filter((p) => !deleting(p));
  const diff = int(obj(rs['spec'])['replicas'], 1) - active.length;
  if (diff > 0) {
    const taken = new Set(pods.map(nameOf));
    // seeded by the ReplicaSet's uid and resourceVersion, so that a replaced Pod gets a new name
    const seed = `${uidOf(rs)}/${String(metaOf(rs)['resourceVersion'] ?? '')}`;
    for (let i = 0; out.create.length < diff; i++) {
      const name = `${nameOf(rs)}-${suffix(seed, i)}`;
      if (taken.has(name)) continue;
      taken.add(name);
      out.create.push(podFor(rs, name));
    }
  } else if (diff < 0) {
    const ranked = [...active].sort(
      (a, b) =>
        Number(isReady(a)) - Number(isReady(b)) ||
        (ms(metaOf(b)['creationTimestamp']) ?? 0) - (ms(metaOf(a)['creationTimestamp']) ?? 0) ||
        (nameOf(a) < nameOf(b) ? 1 : -1),
    );
    out.remove = ranked.slice(0, -diff).map(nameOf);
  }
  return out;
};

/** Options of `podStatus`. */
export interface PodStatusOptions {
  now: Date;
  /** When the Pod started (the simulation's memory of its creation, else its `creationTimestamp`). */
  startedAt: Date;
  /** How long after it started the Pod becomes ready. */
  readyAfterMs: number;
}

const podCondition = (type: string, status: string, at: number, reason?: string, message?: string): Obj => {
  const c: Obj = { lastProbeTime: null, lastTransitionTime: ts(at), status, type };
  if (reason) c['reason'] = reason;
  if (message) c['message'] = message;
  return c;
};

/** A stable container ID for a container of a Pod. */
const containerId = (podUid: string, container: Obj): string =>
  `containerd://${fnv1a32(`${podUid}/${String(container['name'])}`)
    .toString(16)
    .padStart(8, '0')}`;

/** A stable pod IP in 10.244.0.0/16 for a Pod uid. */
const podIp = (uid: string): string => {
  const h = fnv1a32(uid);
  return `10.244.${(h >>> 8) & 0xff}.${Math.max(2, h & 0xff) % 254}`;
};

const qosClass = (spec: Obj): string => {
  const containers = Array.isArray(spec['containers']) ? spec['containers'].map(obj) : [];
  const res = containers.map((c) => obj(c['resources']));
  if (res.every((r) => Object.keys(obj(r['requests'])).length === 0 && Object.keys(obj(r['limits'])).length === 0))
    return 'BestEffort';
  const guaranteed = res.every((r) => {
    const limits = strMapAny(r['limits']);
    const requests = { ...limits, ...strMapAny(r['requests']) };
    return (
      ['cpu', 'memory'].every((k) => limits[k] !== undefined) &&
      Object.entries(limits).every(([k, v]) => requests[k] === v)
    );
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
};
const strMapAny = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));

/** When a Pod is due to become ready (`startedAt + readyAfterMs`). */
export const podReadyAt = (opts: PodStatusOptions): number => opts.startedAt.getTime() + Math.max(0, opts.readyAfterMs);

/**
 * The status the kubelet would write for a Pod: Pending with its containers `ContainerCreating` until
 * `startedAt + readyAfterMs`, then Running with every container running and ready and the conditions
 * PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled True. A Pod annotated
 * `flux-ts.dev/simulate: fail` stays Pending in `ImagePullBackOff`, never ready. A Pod with `restartPolicy`
 * Never or OnFailure (a Job's, a `helm test` hook) runs to completion instead: Succeeded, every container
 * terminated with exit code 0 (`Completed`), or Failed with exit code 1 (`Error`) when annotated to fail.
 */
export const podStatus = (pod: Record<string, unknown>, opts: PodStatusOptions): Record<string, unknown> => {
  const spec = obj(pod['spec']);
  const containers = Array.isArray(spec['containers']) ? spec['containers'].map(obj) : [];
  const started = opts.startedAt.getTime();
  const readyAt = podReadyAt(opts);
  const due = opts.now.getTime() >= readyAt;
  const fails = strMap(metaOf(pod)['annotations'])[SIMULATE_ANNOTATION] === 'fail';
  const ready = due && !fails;
  const names = containers.map((c) => String(c['name'] ?? '')).join(' ');
  const uid = uidOf(pod);
  const restartPolicy = String(spec['restartPolicy'] ?? 'Always');
  if (due && restartPolicy !== 'Always') return completedPodStatus(pod, opts, fails);
  const containerStatuses = containers.map((c) => {
    const image = String(c['image'] ?? '');
    const cs: Obj = {
      image,
      imageID: '',
      lastState: {},
      name: String(c['name'] ?? ''),
      ready,
      restartCount: 0,
      started: ready,
    };
    if (ready) {
      cs['containerID'] = containerId(uid, c);
      cs['state'] = { running: { startedAt: ts(readyAt) } };
    } else if (due) {
      cs['state'] = { waiting: { message: `Back-off pulling image "${image}"`, reason: 'ImagePullBackOff' } };
    } else {
      cs['state'] = { waiting: { reason: 'ContainerCreating' } };
    }
    return cs;
  });
  const notReady = `containers with unready status: [${names}]`;
  const status: Obj = {
    conditions: [
      podCondition('PodReadyToStartContainers', due ? 'True' : 'False', due ? readyAt : started),
      podCondition('Initialized', 'True', started),
      ready
        ? podCondition('Ready', 'True', readyAt)
        : podCondition('Ready', 'False', started, 'ContainersNotReady', notReady),
      ready
        ? podCondition('ContainersReady', 'True', readyAt)
        : podCondition('ContainersReady', 'False', started, 'ContainersNotReady', notReady),
      podCondition('PodScheduled', 'True', started),
    ],
    containerStatuses,
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    phase: ready ? 'Running' : 'Pending',
  };
  if (due) {
    status['podIP'] = podIp(uid);
    status['podIPs'] = [{ ip: status['podIP'] }];
  }
  status['qosClass'] = qosClass(spec);
  status['startTime'] = ts(started);
  return status;
};

const completedPodStatus = (pod: Obj, opts: PodStatusOptions, fails: boolean): Obj => {
  const spec = obj(pod['spec']);
  const containers = Array.isArray(spec['containers']) ? spec['containers'].map(obj) : [];
  const started = opts.startedAt.getTime();
  const done = podReadyAt(opts);
  const uid = uidOf(pod);
  const reason = fails ? 'PodFailed' : 'PodCompleted';
  return {
    conditions: [
      podCondition('PodReadyToStartContainers', 'False', done),
      podCondition('Initialized', 'True', started, 'PodCompleted'),
      podCondition('Ready', 'False', done, reason),
      podCondition('ContainersReady', 'False', done, reason),
      podCondition('PodScheduled', 'True', started),
    ],
    containerStatuses: containers.map((c) => ({
      containerID: containerId(uid, c),
      image: String(c['image'] ?? ''),
      imageID: '',
      lastState: {},
      name: String(c['name'] ?? ''),
      ready: false,
      restartCount: 0,
      started: false,
      state: {
        terminated: {
          containerID: containerId(uid, c),
          exitCode: fails ? 1 : 0,
          finishedAt: ts(done),
          reason: fails ? 'Error' : 'Completed',
          startedAt: ts(started),
        },
      },
    })),
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    phase: fails ? 'Failed' : 'Succeeded',
    podIP: podIp(uid),
    podIPs: [{ ip: podIp(uid) }],
    qosClass: qosClass(spec),
    startTime: ts(started),
  };
};

/** True when the kubelet has nothing more to write for the Pod: it is ready, or it has ended. */
export const podSettled = (pod: Record<string, unknown>): boolean => {
  const phase = obj(pod['status'])['phase'];
  return phase === 'Succeeded' || phase === 'Failed' || isReady(pod);
};

/**
 * The status the ReplicaSet controller writes (`calculateStatus`) from the Pods it controls: replicas (Pods not
 * being deleted), fullyLabeledReplicas, readyReplicas, availableReplicas (ready for `minReadySeconds`) and
 * observedGeneration; zero counters omitted.
 */
export const replicaSetStatusFromPods = (
  rs: Record<string, unknown>,
  pods: readonly Record<string, unknown>[],
  now: Date,
): Record<string, unknown> => {
  const active = pods.filter((p) => !deleting(p));
  const templateLabels = strMap(obj(obj(obj(rs['spec'])['template'])['metadata'])['labels']);
  const minReady = int(obj(rs['spec'])['minReadySeconds'], 0) * 1000;
  let labelled = 0;
  let ready = 0;
  let available = 0;
  for (const p of active) {
    const labels = strMap(metaOf(p)['labels']);
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) labelled++;
    if (!isReady(p)) continue;
    ready++;
    const since = ms(conditionOf(p, 'Ready')?.['lastTransitionTime']) ?? 0;
    if (minReady === 0 || since + minReady <= now.getTime()) available++;
  }
  const status: Obj = { replicas: active.length };
  counters(status, { fullyLabeledReplicas: labelled, readyReplicas: ready, availableReplicas: available });
  status['observedGeneration'] = int(metaOf(rs)['generation'], 1);
  return status;
};

/** When `replicaSetStatusFromPods` may next change without a write (a ready Pod reaching `minReadySeconds`). */
export const replicaSetStatusDueAt = (
  rs: Record<string, unknown>,
  pods: readonly Record<string, unknown>[],
): number | undefined => {
  const minReady = int(obj(rs['spec'])['minReadySeconds'], 0) * 1000;
  if (minReady === 0) return undefined;
  const times = pods
    .filter((p) => !deleting(p) && isReady(p))
    .map((p) => (ms(conditionOf(p, 'Ready')?.['lastTransitionTime']) ?? 0) + minReady);
  return times.length > 0 ? Math.max(...times) : undefined;
};
