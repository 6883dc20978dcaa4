/**
 * The optional workload simulation: a timer that does what a controller manager and kubelets would. Deployments
 * get ReplicaSets, ReplicaSets get Pods, Pods turn Running and Ready, and each writes the status its controller
 * writes (`src/workload`: `syncDeployment`, `syncReplicaSet`, `podStatus`, `replicaSetStatusFromPods`,
 * `deploymentStatus`); StatefulSets, DaemonSets and Jobs get their status only (`simulateWorkloadStatus`). Deleted
 * Deployments and ReplicaSets leave nothing behind through the server's ownerReference garbage collection.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ResourceDef } from '../resources.ts';
import { getPath, type Obj } from '../util.ts';
import { simulateWorkloadStatus, simulationReadyAt } from '../wiring/auth.ts';
import {
  deploymentStatus,
  deploymentStatusDueAt,
  isControlledBy,
  podReadyAt,
  podSettled,
  podStatus,
  REVISION_ANNOTATION,
  replicaSetStatusDueAt,
  replicaSetStatusFromPods,
  syncDeployment,
  syncReplicaSet,
  withoutTimes,
} from '../workload/index.ts';
import type { ServerContext } from './context.ts';

/** Settings of the simulation: how long a workload takes to become ready, how often the status is written. */
export interface SimulationSettings {
  readyAfterMs: number;
  intervalMs?: number;
  /** Namespaces whose Deployments another controller runs (their ReplicaSets and Pods are left alone too). */
  skipDeploymentsIn?: readonly string[];
}

/** A server's simulation: `set` starts it with new settings (or stops it with undefined). */
export interface WorkloadSimulation {
  set(sim: SimulationSettings | undefined): void;
}

/** The kinds that only get a status (their Pods are not simulated). */
const STATUS_ONLY = ['apps/statefulsets', 'apps/daemonsets', 'batch/jobs'];
const DEPLOYMENTS = 'apps/deployments';
const REPLICASETS = 'apps/replicasets';
const PODS = '/pods';

const sameButTimes = (a: unknown, b: unknown): boolean => isDeepStrictEqual(withoutTimes(a), withoutTimes(b));

/** The simulation's memory: what is settled until when, and when the Pods it made started. */
interface SimState {
  /**
   * Objects whose simulated state is final at a fingerprint (their resourceVersion and their dependents'): the
   * tick skips them until the fingerprint changes or `until` passes, so an idle cluster costs next to nothing.
   */
  settled: Map<string, { fp: string; until: number }>;
  /** Creation times (ms) of the Pods this simulation created (`creationTimestamp` has only seconds). */
  started: Map<string, number>;
}

const uidOf = (o: Obj): string => String(getPath(o, 'metadata.uid'));
const rvOf = (o: Obj): string => String(getPath(o, 'metadata.resourceVersion'));
const nsOf = (o: Obj): string => String(getPath(o, 'metadata.namespace') ?? '');
const nameOf = (o: Obj): string => String(getPath(o, 'metadata.name'));

/** Makes one tick's view of the server: definitions, owned objects and writes as kube-controller-manager. */
const controllerIo = (ctx: ServerContext) => {
  const defs = new Map<string, ResourceDef | undefined>();
  const def = (bucket: string): ResourceDef | undefined => {
    if (!defs.has(bucket)) {
      const [g, r] = bucket.split('/') as [string, string];
      defs.set(
        bucket,
        ctx.registry.all().find((d) => d.group === g && d.resource === r),
      );
    }
    return defs.get(bucket);
  };
  const opts = (fieldManager: string) => ({
    dryRun: false,
    fieldManager,
    fieldValidation: 'Ignore' as const,
    warnings: [],
  });
  /** A write that may lose a race with a client: the next tick retries. */
  const attempt = (fn: () => unknown): void => {
    try {
      fn();
    } catch {
      // a concurrent write won, or the namespace is terminating; the next tick looks again
    }
  };
  return {
    def,
    /** The objects of `bucket` the object with `uid` controls. */
    owned: (uid: string, bucket: string): Obj[] => {
      const out: Obj[] = [];
      for (const ref of ctx.store.dependentsOf(uid)) {
        if (ref.bucket !== bucket) continue;
        const o = ctx.store.bucket(bucket).get(ref.namespace, ref.name);
        if (o && isControlledBy(o, uid)) out.push(o);
      }
      return out;
    },
    create: (bucket: string, o: Obj): Obj | undefined => {
      const d = def(bucket);
      let made: Obj | undefined;
      if (d) attempt(() => (made = ctx.core.create(d, nsOf(o), o, opts('kube-controller-manager'))));
      return made;
    },
    update: (bucket: string, o: Obj, subresource?: 'status', manager = 'kube-controller-manager'): void => {
      const d = def(bucket);
      if (d) attempt(() => ctx.core.update(d, nsOf(o), nameOf(o), o, opts(manager), subresource));
    },
    remove: (bucket: string, ns: string, name: string): void => {
      const d = def(bucket);
      if (d) attempt(() => ctx.core.delete(d, ns, name, { propagationPolicy: 'Background' }, { dryRun: false }));
    },
    get: (bucket: string, o: Obj): Obj | undefined => ctx.store.bucket(bucket).get(nsOf(o), nameOf(o)),
  };
};

type Io = ReturnType<typeof controllerIo>;

const fingerprint = (o: Obj, dependents: readonly Obj[]): string => [rvOf(o), ...dependents.map(rvOf).sort()].join(',');

const fresh = (state: SimState, uid: string, fp: string, now: number): boolean => {
  const s = state.settled.get(uid);
  return s !== undefined && s.fp === fp && now < s.until;
};

/** The Deployment controller's writes for one Deployment: its ReplicaSets and its revision annotation. */
const syncDeploymentObjects = (io: Io, d: Obj): void => {
  const sync = syncDeployment(d, io.owned(uidOf(d), REPLICASETS));
  if (sync.create) io.create(REPLICASETS, sync.create);
  for (const rs of sync.update) io.update(REPLICASETS, rs);
  for (const name of sync.remove) io.remove(REPLICASETS, nsOf(d), name);
  if (sync.revision !== undefined) {
    const live = io.get(DEPLOYMENTS, d);
    if (!live) return;
    const next = structuredClone(live);
    const m = next['metadata'] as Obj;
    m['annotations'] = { ...((m['annotations'] as Obj | undefined) ?? {}), [REVISION_ANNOTATION]: sync.revision };
    io.update(DEPLOYMENTS, next);
  }
};

/**
 * The kubelet for one Pod: writes the status `podStatus` gives unless the Pod is ready or has ended already.
 * Returns when the Pod is next due for a change (Infinity when it is not).
 */
const kubelet = (io: Io, state: SimState, sim: SimulationSettings, pod: Obj, now: number): number => {
  if (getPath(pod, 'metadata.deletionTimestamp') || podSettled(pod)) return Infinity;
  const created = Date.parse(String(getPath(pod, 'metadata.creationTimestamp')));
  const startedAt = new Date(state.started.get(uidOf(pod)) ?? (Number.isNaN(created) ? now : created));
  const podOpts = { now: new Date(now), startedAt, readyAfterMs: sim.readyAfterMs };
  const status = podStatus(pod, podOpts);
  if (!isDeepStrictEqual(pod['status'], status))
    io.update(PODS, { ...structuredClone(pod), status }, 'status', 'kubelet');
  const readyAt = podReadyAt(podOpts);
  return readyAt > now ? readyAt : Infinity;
};

/** The ReplicaSet controller and the kubelet for one ReplicaSet: its Pods, their status, its status. */
const syncReplicaSetObjects = (io: Io, state: SimState, sim: SimulationSettings, rs: Obj, now: number): number => {
  const uid = uidOf(rs);
  const sync = syncReplicaSet(rs, io.owned(uid, PODS));
  for (const p of sync.create) {
    const made = io.create(PODS, p);
    if (made) state.started.set(uidOf(made), now);
  }
  for (const name of sync.remove) io.remove(PODS, nsOf(rs), name);
  let due = Infinity;
  for (const pod of io.owned(uid, PODS)) due = Math.min(due, kubelet(io, state, sim, pod, now));
  const live = io.get(REPLICASETS, rs);
  if (live) {
    const pods = io.owned(uid, PODS);
    const status = replicaSetStatusFromPods(live, pods, new Date(now));
    if (!isDeepStrictEqual(live['status'], status))
      io.update(REPLICASETS, { ...structuredClone(live), status }, 'status');
    const at = replicaSetStatusDueAt(live, pods);
    if (at !== undefined && at > now) due = Math.min(due, at);
  }
  return due;
};

/**
 * Deployments, ReplicaSets and Pods, in the order a rollout flows through their controllers, so that one tick
 * carries a change from the Deployment to its Pods and back to the Deployment's status.
 */
const tickDeployments = (
  ctx: ServerContext,
  io: Io,
  state: SimState,
  sim: SimulationSettings,
  now: number,
  seen: Set<string>,
): void => {
  if (!io.def(DEPLOYMENTS) || !io.def(REPLICASETS) || !io.def(PODS)) return;
  const skip = new Set(sim.skipDeploymentsIn ?? []);
  const mine = (o: Obj): boolean => !skip.has(nsOf(o));
  const deployments = ctx.store.bucket(DEPLOYMENTS).list().filter(mine);
  for (const d of deployments) {
    if (getPath(d, 'metadata.deletionTimestamp')) continue;
    const uid = uidOf(d);
    if (fresh(state, uid, fingerprint(d, io.owned(uid, REPLICASETS)), now)) continue;
    syncDeploymentObjects(io, d);
  }
  for (const rs of ctx.store.bucket(REPLICASETS).list()) {
    if (getPath(rs, 'metadata.deletionTimestamp') || !mine(rs)) continue;
    const uid = uidOf(rs);
    seen.add(uid);
    if (fresh(state, uid, fingerprint(rs, io.owned(uid, PODS)), now)) continue;
    const until = syncReplicaSetObjects(io, state, sim, rs, now);
    const after = io.get(REPLICASETS, rs);
    if (after) state.settled.set(uid, { fp: fingerprint(after, io.owned(uid, PODS)), until });
  }
  for (const d of ctx.store.bucket(DEPLOYMENTS).list()) {
    if (getPath(d, 'metadata.deletionTimestamp') || !mine(d)) continue;
    const uid = uidOf(d);
    seen.add(uid);
    const owned = io.owned(uid, REPLICASETS);
    if (fresh(state, uid, fingerprint(d, owned), now)) continue;
    const status = deploymentStatus(d, owned, new Date(now));
    if (!isDeepStrictEqual(d['status'], status)) io.update(DEPLOYMENTS, { ...structuredClone(d), status }, 'status');
    const after = io.get(DEPLOYMENTS, d);
    if (after) {
      state.settled.set(uid, {
        fp: fingerprint(after, io.owned(uid, REPLICASETS)),
        until: deploymentStatusDueAt(after) ?? Infinity,
      });
    }
  }
  for (const uid of state.started.keys()) if (!ctx.store.locate(uid)) state.started.delete(uid);
};

/** The kubelet for the Pods no ReplicaSet controls (bare Pods such as `helm test` hooks, Pods of other owners). */
const tickOtherPods = (ctx: ServerContext, io: Io, state: SimState, sim: SimulationSettings, now: number): void => {
  if (!io.def(PODS)) return;
  const rsDef = io.def(REPLICASETS);
  for (const pod of ctx.store.bucket(PODS).list()) {
    if (podSettled(pod) || getPath(pod, 'metadata.deletionTimestamp')) continue;
    const refs = getPath(pod, 'metadata.ownerReferences');
    const rsControlled =
      rsDef !== undefined &&
      Array.isArray(refs) &&
      refs.some(
        (r: Obj) => r['controller'] === true && r['kind'] === 'ReplicaSet' && ctx.store.locate(String(r['uid'])),
      );
    if (!rsControlled) kubelet(io, state, sim, pod, now);
  }
};

/** StatefulSets, DaemonSets and Jobs: the status alone, from `simulateWorkloadStatus`. */
const tickStatusOnly = (
  ctx: ServerContext,
  io: Io,
  state: SimState,
  sim: SimulationSettings,
  now: number,
  seen: Set<string>,
): void => {
  for (const b of STATUS_ONLY) {
    if (!io.def(b)) continue;
    for (const o of ctx.store.bucket(b).list()) {
      if (getPath(o, 'metadata.deletionTimestamp')) continue;
      const uid = uidOf(o);
      const rv = rvOf(o);
      seen.add(uid);
      if (fresh(state, uid, rv, now)) continue;
      const changedAt = ctx.core.generationChangedAt(uid);
      const simOpts = {
        now: new Date(now),
        readyAfterMs: sim.readyAfterMs,
        ...(changedAt !== undefined ? { changedAt: new Date(changedAt) } : {}),
      };
      const status = simulateWorkloadStatus(o, simOpts);
      if (!status) continue;
      if (o['status'] !== undefined && isDeepStrictEqual(o['status'], status)) {
        const readyAt = simulationReadyAt(o, simOpts);
        if (readyAt !== undefined && readyAt.getTime() <= now) state.settled.set(uid, { fp: rv, until: Infinity });
        continue;
      }
      // Not changed since this server started (a restart from a snapshot): a stored status that differs from
      // the simulated one only in its timestamps is kept, so that a resumed cluster writes nothing.
      if (changedAt === undefined && o['status'] !== undefined && sameButTimes(o['status'], status)) {
        state.settled.set(uid, { fp: rv, until: Infinity });
        continue;
      }
      io.update(b, { ...structuredClone(o), status }, 'status');
    }
  }
};

/** One tick: every controller once, then the memory of objects that are gone is dropped. */
const tick = (ctx: ServerContext, sim: SimulationSettings, state: SimState): void => {
  const now = Date.now();
  const seen = new Set<string>();
  const io = controllerIo(ctx);
  tickDeployments(ctx, io, state, sim, now, seen);
  tickOtherPods(ctx, io, state, sim, now);
  tickStatusOnly(ctx, io, state, sim, now, seen);
  for (const uid of state.settled.keys()) if (!seen.has(uid)) state.settled.delete(uid);
};

/** Makes the (stopped) workload simulation of a server. */
export const workloadSimulation = (ctx: ServerContext): WorkloadSimulation => {
  let timer: NodeJS.Timeout | undefined;
  return {
    set: (sim) => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (!sim) return;
      const state: SimState = { settled: new Map(), started: new Map() };
      timer = setInterval(() => tick(ctx, sim, state), sim.intervalMs ?? 200);
      timer.unref();
    },
  };
};
