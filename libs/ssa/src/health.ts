/**
 * Health assessment of applied objects: kstatus `Compute` rules for the built-in workloads (Deployments,
 * StatefulSets, DaemonSets, ReplicaSets, Jobs, Pods, PVCs, CRDs, Namespaces) and the generic
 * `Ready`/`Stalled`/`observedGeneration` rules for everything else (Flux kinds included), plus Flux's
 * `healthCheckExprs` CEL checks (`inProgress`, then `failed`, then `current`, over the object's top-level fields).
 * {@link HealthChecker.waitForSet} polls a set until every object is Current, with a timeout and fail-fast.
 */
import type { CelInput } from '@bufbuild/cel';
import { errMessage, isNotFound, sleep } from '@flux-ts/runtime';
import type { KubeObject, ObjectReader } from '@flux-ts/runtime';
import { loadCel, type CelEngine, type CelProgram } from '@flux-ts/schema/lazy-cel';
import { formatSubject } from './object-ref.ts';
import type { ObjMetadata } from './object-ref.ts';

/** kstatus statuses. */
export type HealthStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating' | 'NotFound' | 'Unknown';

/** The status of one object with kstatus' message. */
export interface StatusResult {
  status: HealthStatus;
  message: string;
}

/** `spec.healthCheckExprs[]` of a Kustomization. */
export interface CustomHealthCheck {
  apiVersion: string;
  kind?: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

interface Cond {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** An object of any kind as kstatus reads it: spec and status unknown until checked. */
type Observed = KubeObject & { spec?: unknown; status?: unknown };

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const num = (v: unknown, d = 0): number => (typeof v === 'number' ? v : d);

function condition(obj: Observed, type: string): Cond | undefined {
  const cs = rec(obj['status'])['conditions'];
  return Array.isArray(cs) ? (cs as Cond[]).find((c) => c?.type === type) : undefined;
}

const current = (message = 'Resource is current'): StatusResult => ({ status: 'Current', message });
const inProgress = (message: string): StatusResult => ({ status: 'InProgress', message });
const failed = (message: string): StatusResult => ({ status: 'Failed', message });

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function deploymentStatus(obj: Observed): StatusResult {
  const spec = rec(obj['spec']);
  const st = rec(obj['status']);
  const replicas = num(spec['replicas'], 1);
  const progressing = condition(obj, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return failed(`Progress deadline exceeded`);
  if (spec['paused'] === true) return inProgress('Deployment is paused');
  const updated = num(st['updatedReplicas']);
  const ready = num(st['readyReplicas']);
  const available = num(st['availableReplicas']);
  const total = num(st['replicas']);
  if (updated < replicas) return inProgress(`Updated: ${updated}/${replicas}`);
  if (total > updated) return inProgress(`Pending termination: ${total - updated}`);
  if (available < updated) return inProgress(`Available: ${available}/${updated}`);
  if (ready < replicas) return inProgress(`Ready: ${ready}/${replicas}`);
  if (condition(obj, 'Available')?.status === 'False') return inProgress('Deployment not Available');
  return current(`Deployment is available. Replicas: ${total}`);
}

function statefulSetStatus(obj: Observed): StatusResult {
  const spec = rec(obj['spec']);
  const st = rec(obj['status']);
  const replicas = num(spec['replicas'], 1);
  const ready = num(st['readyReplicas']);
  const currentReplicas = num(st['currentReplicas']);
  if (ready < replicas) return inProgress(`Ready: ${ready}/${replicas}`);
  const strategy = rec(spec['updateStrategy'])['type'];
  if (strategy !== 'OnDelete') {
    const updated = num(st['updatedReplicas']);
    if (updated < replicas) return inProgress(`Updated: ${updated}/${replicas}`);
    if (st['currentRevision'] !== undefined && st['currentRevision'] !== st['updateRevision'])
      return inProgress(`Rolling update in progress, current revision ${String(st['currentRevision'])}`);
  } else if (currentReplicas > 0 && currentReplicas < replicas) {
    return inProgress(`Current: ${currentReplicas}/${replicas}`);
  }
  return current(`Partition rollout complete. updated: ${replicas}`);
}

function daemonSetStatus(obj: Observed): StatusResult {
  const st = rec(obj['status']);
  const desired = num(st['desiredNumberScheduled']);
  if (st['desiredNumberScheduled'] === undefined) return inProgress('Missing .status.desiredNumberScheduled');
  const updated = num(st['updatedNumberScheduled']);
  const available = num(st['numberAvailable']);
  const ready = num(st['numberReady']);
  if (updated < desired) return inProgress(`Updated: ${updated}/${desired}`);
  if (available < desired) return inProgress(`Available: ${available}/${desired}`);
  if (ready < desired) return inProgress(`Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function replicaSetStatus(obj: Observed): StatusResult {
  const spec = rec(obj['spec']);
  const st = rec(obj['status']);
  const replicas = num(spec['replicas'], 1);
  const ready = num(st['readyReplicas']);
  if (ready < replicas) return inProgress(`Ready: ${ready}/${replicas}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
}

function jobStatus(obj: Observed): StatusResult {
  if (condition(obj, 'Failed')?.status === 'True')
    return failed(`Job Failed. failed: ${num(rec(obj['status'])['failed'])}`);
  if (condition(obj, 'Complete')?.status === 'True') return current('Job Completed');
  return inProgress('Job in progress');
}

function podStatus(obj: Observed): StatusResult {
  const phase = rec(obj['status'])['phase'];
  if (phase === 'Succeeded') return current('Pod has completed successfully');
  if (phase === 'Failed') return failed('Pod has completed, but not successfully');
  if (phase === 'Running' && condition(obj, 'Ready')?.status === 'True') return current('Pod is Ready');
  return inProgress(`Pod phase: ${typeof phase === 'string' ? phase : 'Pending'}`);
}

function genericStatus(obj: Observed): StatusResult {
  const st = rec(obj['status']);
  const gen = obj.metadata.generation;
  const observed = st['observedGeneration'];
  if (typeof observed === 'number' && gen !== undefined && observed < gen)
    return inProgress(`Generation ${gen} is not observed yet (observed ${observed})`);
  const stalled = condition(obj, 'Stalled');
  if (stalled?.status === 'True') return failed(stalled.message ?? 'Stalled');
  const reconciling = condition(obj, 'Reconciling');
  if (reconciling?.status === 'True') return inProgress(reconciling.message ?? 'Reconciling');
  const ready = condition(obj, 'Ready');
  if (ready) {
    if (ready.status === 'True') return current(ready.message || 'Resource is Ready');
    return inProgress(ready.message || 'Resource is not Ready');
  }
  return current();
}

/** kstatus `Compute` for one object. */
export function computeStatus(obj: Observed): StatusResult {
  if (obj.metadata.deletionTimestamp) return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const group = groupOf(obj.apiVersion);
  const observed = rec(obj['status'])['observedGeneration'];
  const gen = obj.metadata.generation;
  const builtIn = group === 'apps' || group === 'batch';
  if (builtIn && gen !== undefined && (typeof observed !== 'number' || observed < gen))
    return inProgress(`${obj.kind} generation is ${gen}, but latest observed generation is ${num(observed)}`);
  if (group === 'apps') {
    if (obj.kind === 'Deployment') return deploymentStatus(obj);
    if (obj.kind === 'StatefulSet') return statefulSetStatus(obj);
    if (obj.kind === 'DaemonSet') return daemonSetStatus(obj);
    if (obj.kind === 'ReplicaSet') return replicaSetStatus(obj);
  }
  if (group === 'batch' && obj.kind === 'Job') return jobStatus(obj);
  if (group === '') {
    if (obj.kind === 'Pod') return podStatus(obj);
    if (obj.kind === 'PersistentVolumeClaim') {
      const phase = rec(obj['status'])['phase'];
      return phase === 'Bound'
        ? current('PVC is Bound')
        : inProgress(`PVC is not Bound. phase: ${String(phase ?? '')}`);
    }
    if (obj.kind === 'Namespace') {
      const phase = rec(obj['status'])['phase'];
      return phase === 'Terminating' ? inProgress('Namespace is terminating') : current('Namespace is Active');
    }
  }
  if (group === 'apiextensions.k8s.io' && obj.kind === 'CustomResourceDefinition') {
    if (condition(obj, 'NamesAccepted')?.status === 'False') return failed('CRD names are not accepted');
    return condition(obj, 'Established')?.status === 'True'
      ? current('CRD is established')
      : inProgress('CRD is not established');
  }
  return genericStatus(obj);
}

type Program = CelProgram;

/** A compiled `healthCheckExprs` item (see {@link compileHealthChecks}). */
export interface CompiledCheck {
  cel: CelEngine;
  apiVersion: string;
  kind: string | undefined;
  inProgress?: Program;
  failed?: Program;
  current: Program;
}

function compile(cel: CelEngine, expr: string, field: string, check: CustomHealthCheck): Program {
  try {
    return cel.plan(cel.celEnv({ funcs: cel.strings }), cel.parse(expr));
  } catch (err) {
    throw new Error(
      `failed to parse the '${field}' expression of the health check for ${check.kind ?? '*'} in ${check.apiVersion}: ${errMessage(err)}`,
      { cause: err },
    );
  }
}

/**
 * Compiles `healthCheckExprs` (the CEL engine is imported on first use, and only when there are checks); rejects
 * (with the field and kind named) for an expression that does not parse.
 */
export async function compileHealthChecks(checks: readonly CustomHealthCheck[]): Promise<CompiledCheck[]> {
  if (checks.length === 0) return [];
  const cel = await loadCel();
  return checks.map((c) => ({
    cel,
    apiVersion: c.apiVersion,
    kind: c.kind,
    current: compile(cel, c.current, 'current', c),
    ...(c.inProgress ? { inProgress: compile(cel, c.inProgress, 'inProgress', c) } : {}),
    ...(c.failed ? { failed: compile(cel, c.failed, 'failed', c) } : {}),
  }));
}

function evalBool(cel: CelEngine, p: Program, obj: KubeObject, what: string): boolean {
  // Flux binds the object's top-level fields (`status.conditions…`), as kstatus' CEL reader does.
  const vars: Record<string, CelInput> = { spec: new Map(), status: new Map() };
  for (const [k, v] of Object.entries(obj)) vars[k] = cel.toCel(v);
  const r = p(vars as never);
  if (cel.isCelError(r)) throw new Error(`failed to evaluate the ${what} expression: ${r.message}`);
  if (typeof r !== 'boolean') throw new Error(`the ${what} expression must return a bool, got ${typeof r}`);
  return r;
}

/** A reference to an object to check (inventory entry, `healthChecks[]` item or applied object). */
export interface HealthRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** Client reads of the checker (a `KubeClient`, or the manager's `Cache`). */
export type HealthClient = ObjectReader;

/** Options of a {@link HealthChecker}. */
export interface HealthCheckerOptions {
  client: HealthClient;
  /** `spec.healthCheckExprs`. */
  exprs?: readonly CustomHealthCheck[];
}

/** Options of {@link HealthChecker.waitForSet}. */
export interface WaitOptions {
  /** Poll interval in ms (default 2000). */
  interval?: number;
  /** Give up after this many ms. */
  timeout: number;
  /** Stop at the first Failed object (Flux's default; `DisableFailFastBehavior` turns it off). */
  failFast?: boolean;
  signal?: AbortSignal | undefined;
  /**
   * Objects already read moments ago (by `Kind/namespace/name`), e.g. the live objects an apply found unchanged:
   * the first round computes their status from these instead of reading them again.
   */
  observed?: ReadonlyMap<string, KubeObject>;
  /**
   * Called before each pause with the objects still pending; resolves as soon as some of them changed since the
   * `resourceVersion` their status came from (e.g. watches got events), with those. The next round then starts at
   * once and reads only these again: the others keep the status of their last read, as nothing about them changed.
   * A pause that ends by `interval` reads every pending object again, as without it. `signal` ends the call when the
   * pause ends; a rejection or an empty list leaves the plain interval. Without it the wait only polls.
   */
  changed?: (pending: readonly PendingObject[], signal: AbortSignal) => Promise<readonly HealthRef[]>;
}

/** An object {@link HealthChecker.waitForSet} still waits for: its reference and the version its status came from. */
export interface PendingObject {
  ref: HealthRef;
  /** `metadata.resourceVersion` of the object last seen; empty when it was not found. */
  resourceVersion: string;
}

/** The error of a failed wait; `statuses` has the last status of every object that was not Current. */
export class HealthCheckError extends Error {
  readonly statuses: ReadonlyMap<string, StatusResult>;
  constructor(message: string, statuses: ReadonlyMap<string, StatusResult>) {
    super(message);
    this.name = 'HealthCheckError';
    this.statuses = statuses;
  }
}

/** Computes and waits for the health of objects. */
export class HealthChecker {
  readonly #client: HealthClient;
  readonly #checks: CompiledCheck[];

  /**
   * A checker with `opts.exprs` compiled (the CEL engine imported on first use).
   * @throws Error when a `healthCheckExprs` expression does not parse
   */
  static async create(opts: HealthCheckerOptions): Promise<HealthChecker> {
    return new HealthChecker(opts, await compileHealthChecks(opts.exprs ?? []));
  }

  /**
   * A checker with kstatus only, or with checks compiled by {@link compileHealthChecks}; `opts.exprs` need
   * {@link HealthChecker.create}, which compiles them.
   * @throws Error when `opts.exprs` has checks and `compiled` is not given
   */
  constructor(opts: HealthCheckerOptions, compiled?: CompiledCheck[]) {
    if (compiled === undefined && (opts.exprs?.length ?? 0) > 0) {
      throw new Error('healthCheckExprs must be compiled first: build the checker with HealthChecker.create');
    }
    this.#client = opts.client;
    this.#checks = compiled ?? [];
  }

  /** The status of an object: a matching CEL check first, else kstatus. */
  status(obj: KubeObject): StatusResult {
    const check = this.#checks.find(
      (c) => c.apiVersion === obj.apiVersion && (c.kind === undefined || c.kind === obj.kind),
    );
    if (!check) return computeStatus(obj);
    if (obj.metadata.deletionTimestamp) return { status: 'Terminating', message: 'Resource scheduled for deletion' };
    try {
      if (check.inProgress && evalBool(check.cel, check.inProgress, obj, 'inProgress'))
        return inProgress('Resource is in progress');
      if (check.failed && evalBool(check.cel, check.failed, obj, 'failed')) return failed('Resource has failed');
      if (evalBool(check.cel, check.current, obj, 'current')) return current('Resource is current');
    } catch (err) {
      return { status: 'Unknown', message: errMessage(err) };
    }
    return inProgress('Resource is in progress');
  }

  /** Reads and computes the status of one object (NotFound when it does not exist). */
  async check(ref: HealthRef, signal?: AbortSignal): Promise<StatusResult> {
    const obj = await this.#read(ref, signal);
    return obj ? this.status(obj) : NOT_FOUND;
  }

  /** Reads the object; undefined when it does not exist. */
  async #read(ref: HealthRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    try {
      const key = ref.metadata.namespace
        ? { namespace: ref.metadata.namespace, name: ref.metadata.name }
        : { name: ref.metadata.name };
      return await this.#client.get({ apiVersion: ref.apiVersion, kind: ref.kind }, key, { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Polls `refs` until all are Current. Throws {@link HealthCheckError} `timeout waiting for: [<Kind/ns/name>
   * status: '<status>', …]` on timeout, or `failed early due to stalled resources: […]` with fail-fast.
   */
  async waitForSet(refs: readonly HealthRef[], opts: WaitOptions): Promise<void> {
    const deadline = Date.now() + opts.timeout;
    const interval = opts.interval ?? 2000;
    const pending = new Map<string, HealthRef>();
    for (const r of refs) pending.set(subjectOf(r), r);
    const last = new Map<string, StatusResult>();
    const versions = new Map<string, string>();
    let observed = opts.observed;
    let changed: ReadonlySet<string> | undefined;
    for (;;) {
      for (const [subject, ref] of [...pending]) {
        if (changed && !changed.has(subject)) continue;
        const seen = observed?.get(subject);
        const obj = seen?.apiVersion === ref.apiVersion ? seen : await this.#read(ref, opts.signal);
        const st = obj ? this.status(obj) : NOT_FOUND;
        if (st.status === 'Current') {
          pending.delete(subject);
          last.delete(subject);
        } else {
          last.set(subject, st);
          versions.set(subject, obj?.metadata.resourceVersion ?? '');
        }
      }
      if (pending.size === 0) return;
      observed = undefined;
      const list = (only?: HealthStatus) =>
        [...last]
          .filter(([, s]) => only === undefined || s.status === only)
          .map(([subj, s]) => `${subj} status: '${s.status}'`)
          .join(', ');
      if (opts.failFast !== false && [...last.values()].some((s) => s.status === 'Failed'))
        throw new HealthCheckError(`failed early due to stalled resources: [${list('Failed')}]`, new Map(last));
      if (Date.now() + interval > deadline)
        throw new HealthCheckError(`timeout waiting for: [${list()}]`, new Map(last));
      const waiting = [...pending].map(([subject, ref]) => ({ ref, resourceVersion: versions.get(subject) ?? '' }));
      changed = await pause(interval, waiting, opts);
    }
  }
}

const NOT_FOUND: StatusResult = { status: 'NotFound', message: 'Resource not found' };

/** Waits `interval`, or less when `opts.changed` resolves first; returns the subjects that changed then. */
async function pause(
  interval: number,
  pending: readonly PendingObject[],
  opts: WaitOptions,
): Promise<ReadonlySet<string> | undefined> {
  if (!opts.changed) {
    await sleep(interval, opts.signal);
    return undefined;
  }
  const round = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, round.signal]) : round.signal;
  try {
    const slept = sleep(interval, signal).then(
      () => undefined,
      () => undefined,
    );
    const seen = await Promise.race([
      slept,
      opts.changed(pending, signal).then(
        (refs) => (refs.length > 0 ? refs : slept),
        () => slept,
      ),
    ]);
    opts.signal?.throwIfAborted();
    return seen ? new Set(seen.map(subjectOf)) : undefined;
  } finally {
    round.abort();
  }
}

function subjectOf(r: HealthRef): string {
  const m: Pick<ObjMetadata, 'namespace' | 'name' | 'kind'> = {
    namespace: r.metadata.namespace ?? '',
    name: r.metadata.name,
    kind: r.kind,
  };
  return formatSubject(m);
}
