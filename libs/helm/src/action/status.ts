// Readiness of applied objects, kstatus style (sigs.k8s.io/cli-utils' status.Compute rules for the built-in kinds and
// the generic Ready/Reconciling/Stalled conditions), and a polling Waiter over a HelmKubeClient. Written here because
// libs/helm must not depend on libs/ssa (whose HealthChecker a controller may inject as its own Waiter instead).
import { setTimeout as sleep } from 'node:timers/promises';
import { refOf, type HelmKubeClient, type KubeObject, type WaitOptions, type Waiter } from './kube.ts';

/** kstatus' status of one object. */
export type ReadyStatus = 'Current' | 'InProgress' | 'Failed' | 'NotFound';

/** A status and why. */
export interface ObjectStatus {
  status: ReadyStatus;
  message: string;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const num = (v: unknown, d = 0): number => (typeof v === 'number' ? v : d);

interface Cond {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function condition(o: KubeObject, type: string): Cond | undefined {
  const cs = rec(o['status'])['conditions'];
  return Array.isArray(cs) ? (cs as Cond[]).find((c) => c?.type === type) : undefined;
}

const cur = (message: string): ObjectStatus => ({ status: 'Current', message });
const prog = (message: string): ObjectStatus => ({ status: 'InProgress', message });
const fail = (message: string): ObjectStatus => ({ status: 'Failed', message });

function generationObserved(o: KubeObject): boolean {
  const gen = o.metadata['generation'];
  const observed = rec(o['status'])['observedGeneration'];
  return typeof gen !== 'number' || typeof observed !== 'number' || observed >= gen;
}

function deployment(o: KubeObject): ObjectStatus {
  const spec = rec(o['spec']);
  const st = rec(o['status']);
  const replicas = num(spec['replicas'], 1);
  if (condition(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded') return fail('Progress deadline exceeded');
  if (spec['paused'] === true) return prog('Deployment is paused');
  const updated = num(st['updatedReplicas']);
  const available = num(st['availableReplicas']);
  const ready = num(st['readyReplicas']);
  const total = num(st['replicas']);
  if (updated < replicas) return prog(`Updated: ${updated}/${replicas}`);
  if (total > updated) return prog(`Pending termination: ${total - updated}`);
  if (available < updated) return prog(`Available: ${available}/${updated}`);
  if (ready < replicas) return prog(`Ready: ${ready}/${replicas}`);
  return cur(`Deployment is available. Replicas: ${total}`);
}

function statefulSet(o: KubeObject): ObjectStatus {
  const spec = rec(o['spec']);
  const st = rec(o['status']);
  const replicas = num(spec['replicas'], 1);
  const ready = num(st['readyReplicas']);
  if (ready < replicas) return prog(`Ready: ${ready}/${replicas}`);
  if (rec(spec['updateStrategy'])['type'] !== 'OnDelete') {
    const updated = num(st['updatedReplicas']);
    if (updated < replicas) return prog(`Updated: ${updated}/${replicas}`);
    if (st['currentRevision'] !== undefined && st['currentRevision'] !== st['updateRevision'])
      return prog(`Rolling update in progress`);
  }
  return cur(`Partition rollout complete. updated: ${replicas}`);
}

function daemonSet(o: KubeObject): ObjectStatus {
  const st = rec(o['status']);
  if (st['desiredNumberScheduled'] === undefined) return prog('Missing .status.desiredNumberScheduled');
  const desired = num(st['desiredNumberScheduled']);
  if (num(st['updatedNumberScheduled']) < desired)
    return prog(`Updated: ${num(st['updatedNumberScheduled'])}/${desired}`);
  if (num(st['numberAvailable']) < desired) return prog(`Available: ${num(st['numberAvailable'])}/${desired}`);
  if (num(st['numberReady']) < desired) return prog(`Ready: ${num(st['numberReady'])}/${desired}`);
  return cur(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function job(o: KubeObject): ObjectStatus {
  const failed = condition(o, 'Failed');
  if (failed?.status === 'True') return fail(failed.reason ?? 'Job failed');
  if (condition(o, 'Complete')?.status === 'True') return cur('Job Completed');
  return prog('Job in progress');
}

function pod(o: KubeObject): ObjectStatus {
  const phase = rec(o['status'])['phase'];
  if (phase === 'Succeeded') return cur('Pod has completed successfully');
  if (phase === 'Failed') return fail('Pod has completed, but not successfully');
  if (phase === 'Running' && condition(o, 'Ready')?.status === 'True') return cur('Pod is Ready');
  return prog(`Pod phase: ${typeof phase === 'string' ? phase : 'Pending'}`);
}

/** kstatus' Compute for one live object (undefined: NotFound). */
export function objectStatus(o: KubeObject | undefined): ObjectStatus {
  if (o === undefined) return { status: 'NotFound', message: 'Resource not found' };
  if (o.metadata['deletionTimestamp']) return prog('Resource scheduled for deletion');
  if (!generationObserved(o)) return prog('Generation not observed yet');
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  const gk = `${group}/${o.kind}`;
  switch (gk) {
    case 'apps/Deployment':
      return deployment(o);
    case 'apps/StatefulSet':
      return statefulSet(o);
    case 'apps/DaemonSet':
      return daemonSet(o);
    case 'apps/ReplicaSet': {
      const want = num(rec(o['spec'])['replicas'], 1);
      const ready = num(rec(o['status'])['readyReplicas']);
      return ready < want ? prog(`Ready: ${ready}/${want}`) : cur('ReplicaSet is available');
    }
    case 'batch/Job':
      return job(o);
    case '/Pod':
      return pod(o);
    case '/PersistentVolumeClaim':
      return rec(o['status'])['phase'] === 'Bound' ? cur('PVC is Bound') : prog('PVC is not Bound');
    case '/Service': {
      const spec = rec(o['spec']);
      if (spec['type'] !== 'LoadBalancer') return cur('Service is ready');
      const ing = rec(rec(o['status'])['loadBalancer'])['ingress'];
      return Array.isArray(ing) && ing.length > 0 ? cur('Service is ready') : prog('Pending external IP');
    }
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      if (condition(o, 'NamesAccepted')?.status === 'False') return fail('CRD names not accepted');
      return condition(o, 'Established')?.status === 'True' ? cur('CRD is established') : prog('CRD not established');
    default:
      break;
  }
  const stalled = condition(o, 'Stalled');
  if (stalled?.status === 'True') return fail(stalled.message ?? 'Stalled');
  const reconciling = condition(o, 'Reconciling');
  if (reconciling?.status === 'True') return prog(reconciling.message ?? 'Reconciling');
  const ready = condition(o, 'Ready');
  if (ready !== undefined && ready.status !== 'True') return prog(ready.message || 'Resource is not Ready');
  return cur('Resource is current');
}

/** WatchUntilReady's rule for a hook: Jobs until complete, Pods until succeeded, other kinds at once. */
export function hookStatus(o: KubeObject | undefined): ObjectStatus {
  if (o === undefined) return { status: 'NotFound', message: 'Resource not found' };
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  if (group === 'batch' && o.kind === 'Job') {
    const s = job(o);
    return s.status === 'Failed' ? fail(`job ${o.metadata.name} failed: ${s.message}`) : s;
  }
  if (group === '' && o.kind === 'Pod') {
    const phase = rec(o['status'])['phase'];
    if (phase === 'Succeeded') return cur('Pod has completed successfully');
    if (phase === 'Failed') return fail(`pod ${o.metadata.name} failed`);
    return prog(`Pod phase: ${typeof phase === 'string' ? phase : 'Pending'}`);
  }
  return cur('Resource is current');
}

/** Options of {@link StatusWaiter}. */
export interface StatusWaiterOptions {
  /** Time between two polls (default 500 ms); with `firstIntervalMs`, the longest one. */
  intervalMs?: number;
  /**
   * The wait after the first poll, doubled after each poll up to `intervalMs` (default: `intervalMs` throughout).
   * Helm polls every 2 s from the start; a short first wait spares a release whose objects are ready at once.
   */
  firstIntervalMs?: number;
  /** Another status rule for `wait` (for instance libs/ssa's kstatus); default {@link objectStatus}. */
  status?: (o: KubeObject | undefined) => ObjectStatus;
}

/** The error of a wait that timed out or saw an object fail. */
export class WaitError extends Error {
  override name = 'WaitError';
}

/** A {@link Waiter} polling the objects through a {@link HelmKubeClient}. */
export class StatusWaiter implements Waiter {
  private readonly client: HelmKubeClient;
  private readonly intervalMs: number;
  private readonly firstIntervalMs: number;
  private readonly status: (o: KubeObject | undefined) => ObjectStatus;

  constructor(client: HelmKubeClient, opts: StatusWaiterOptions = {}) {
    this.client = client;
    this.intervalMs = opts.intervalMs ?? 500;
    this.firstIntervalMs = Math.min(opts.firstIntervalMs ?? this.intervalMs, this.intervalMs);
    this.status = opts.status ?? objectStatus;
  }

  /** Until every object is Current (Jobs count as ready once created, as Helm's Wait without jobs). */
  wait(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    const rule = (o: KubeObject | undefined): ObjectStatus =>
      o !== undefined && o.kind === 'Job' && o.apiVersion.startsWith('batch/') ? cur('Job created') : this.status(o);
    return this.poll(objects, opts, rule, (s) => s === 'Current');
  }

  /** Until every object is Current, Jobs complete. */
  waitWithJobs(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    return this.poll(objects, opts, this.status, (s) => s === 'Current');
  }

  /** Until no object exists. */
  waitForDelete(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    return this.poll(objects, opts, objectStatus, (s) => s === 'NotFound', false);
  }

  /** Helm's hook watch: Jobs until complete, Pods until succeeded, others at once; a failure ends it. */
  watchUntilReady(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    return this.poll(objects, opts, hookStatus, (s) => s === 'Current');
  }

  private async poll(
    objects: readonly KubeObject[],
    opts: WaitOptions,
    rule: (o: KubeObject | undefined) => ObjectStatus,
    done: (s: ReadyStatus) => boolean,
    failFast = true,
  ): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    let pending = [...objects];
    let interval = this.firstIntervalMs;
    for (;;) {
      const next: KubeObject[] = [];
      let last = '';
      for (const o of pending) {
        const s = rule(await this.client.get(refOf(o), opts.signal));
        if (failFast && s.status === 'Failed') throw new WaitError(s.message);
        if (!done(s.status)) {
          next.push(o);
          if (last === '')
            last = `resource not ready, name: ${o.metadata.name}, kind: ${o.kind}, status: ${s.status}: ${s.message}`;
        }
      }
      pending = next;
      if (pending.length === 0) return;
      if (Date.now() >= deadline) throw new WaitError(`${last}: context deadline exceeded`);
      await sleep(Math.min(interval, Math.max(1, deadline - Date.now())), undefined, { signal: opts.signal });
      interval = Math.min(interval * 2, this.intervalMs);
    }
  }
}
