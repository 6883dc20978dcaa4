// The harness of the controller-level scenarios: libs/apiserver in this process (CRDs from deploy/crds, the
// workload simulation on, optional injected latency), the testbed's smart-HTTP git server, and the controllers as
// child processes started by @flux-ts/embedded's startControllers (their real bins and flags, over HTTPS). The
// driver creates and patches objects through the API server's storage core, not over HTTP, so that the request
// counters hold the controllers' requests only.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATCH_TYPES, bucketOf, startApiServer } from '@flux-ts/apiserver';
import type { ApiServer, ResourceDef, WriteOptions } from '@flux-ts/apiserver';
import { startControllers, stopControllers } from '@flux-ts/embedded';
import type { ControllerProcess } from '@flux-ts/embedded';
import { freePort, startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpRequestCounts, GitHttpServer } from '@flux-ts/testbed';
import type { ProbeReport } from './probe.ts';
import { probeReport } from './probe-report.ts';

/** The workspace root (holds deploy/crds and apps/). */
export const WORKSPACE = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));

export type Obj = Record<string, unknown>;

// ---- machine and pinning ---------------------------------------------------------------------------------------

/** The machine a result was measured on. */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalMiB: number;
  node: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    // not Linux
  }
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalMiB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    kernel,
  };
}

/**
 * The commit of the workspace, whether tracked files had uncommitted changes, and a sha256 of `git diff HEAD` over
 * apps/ and libs/ (so two dirty runs can be told apart) — read-only git commands.
 */
export function gitCommit(): { commit: string; dirty: boolean; diffSha256: string | null } {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: WORKSPACE, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    const commit = git('rev-parse', 'HEAD').trim();
    const diff = git('diff', 'HEAD', '--', 'apps', 'libs');
    const status = git('status', '--porcelain', '--untracked-files=no');
    return {
      commit,
      dirty: status.trim() !== '',
      diffSha256: diff === '' ? null : createHash('sha256').update(diff).digest('hex'),
    };
  } catch {
    return { commit: 'unknown', dirty: true, diffSha256: null };
  }
}

/** Which CPUs ran what, when pinned with taskset. */
export interface Pinning {
  /** This process: the API server, the git server (and its `git http-backend` children), the driver. */
  peers: string;
  /** The controller processes. */
  controllers: string;
}

const TASKSET = '/usr/bin/taskset';

/**
 * The pinning used when asked for and possible (taskset installed, at least 2 CPUs): CPU 0 for the peers, the
 * others for the controllers.
 */
export function planPinning(want: boolean): Pinning | null {
  // cpus(), not availableParallelism(): the latter is this process's affinity, which an earlier run narrowed.
  const n = cpus().length;
  if (!want || n < 2 || !existsSync(TASKSET)) return null;
  return { peers: '0', controllers: n === 2 ? '1' : `1-${n - 1}` };
}

/** `taskset -p [-a] -c <cpus> <pid>`: `all` moves every thread, else only the thread whose id is `pid`. */
function taskset(cpuList: string, pid: number, all: boolean): void {
  execFileSync(TASKSET, [...(all ? ['-a'] : []), '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}

// ---- /proc and /metrics ----------------------------------------------------------------------------------------

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** User + system CPU seconds of a live process (its threads included), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after the command: state(3) … utime(14) stime(15) cutime(16) cstime(17)
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return ticks / ticksPerSecond();
}

/** `VmHWM` (peak RSS over the process's life) and `VmRSS` of a live process, bytes. */
export function procMemory(pid: number): { peakRss: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakRss: kb('VmHWM') * 1024, rss: kb('VmRSS') * 1024 };
}

/** Prometheus text samples by series (`name{labels}` exactly as exposed). */
export type Samples = Map<string, number>;

export function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    if (sp < 0) continue;
    const v = Number(line.slice(sp + 1));
    if (!Number.isNaN(v)) out.set(line.slice(0, sp), v);
  }
  return out;
}

/** One controller's histogram of `controller_runtime_reconcile_time_seconds`, as the change between two scrapes. */
export interface Histogram {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound, ascending (the `+Inf` bucket last). */
  buckets: [number, number][];
}

const HIST = 'controller_runtime_reconcile_time_seconds';

/** The reconcile-time histogram of each controller (label `controller`) between two scrapes. */
export function reconcileHistograms(before: Samples, after: Samples): Record<string, Histogram> {
  const out: Record<string, Histogram> = {};
  const get = (name: string): Histogram => (out[name] ??= { count: 0, sum: 0, buckets: [] });
  for (const [series, v] of after) {
    if (!series.startsWith(HIST)) continue;
    const ctl = /controller="([^"]*)"/.exec(series)?.[1] ?? '';
    const d = v - (before.get(series) ?? 0);
    if (series.startsWith(`${HIST}_bucket{`)) {
      const le = /le="([^"]*)"/.exec(series)?.[1] ?? '+Inf';
      get(ctl).buckets.push([le === '+Inf' ? Infinity : Number(le), d]);
    } else if (series.startsWith(`${HIST}_count`)) get(ctl).count = d;
    else if (series.startsWith(`${HIST}_sum`)) get(ctl).sum = d;
  }
  for (const h of Object.values(out)) h.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

/**
 * PromQL's `histogram_quantile`: the bucket holding the q-th observation, linearly interpolated inside it (the
 * lower bound of the first bucket is 0; a quantile in the `+Inf` bucket is the highest finite bound). Null without
 * observations.
 */
export function histogramQuantile(q: number, h: Histogram): number | null {
  const total = h.buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of h.buckets) {
    if (count >= rank) {
      if (bound === Infinity) return prevBound;
      if (count === prevCount) return bound;
      return prevBound + (bound - prevBound) * ((rank - prevCount) / (count - prevCount));
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

// ---- request counters ------------------------------------------------------------------------------------------

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** API requests of one phase, as counted by libs/apiserver (`"<verb> <resource>"`, dry-runs as `dryrun-<verb>`). */
export interface RequestSummary {
  total: number;
  /** By verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `dryrun-patch`, …). */
  byVerb: Record<string, number>;
  /** The raw counters. */
  byKey: Record<string, number>;
  /** Writes (create, update, patch, delete; dry-runs excluded) by what they wrote. */
  writes: {
    /** The objects the Kustomizations apply (everything not Flux, not Event, not Lease). */
    applied: number;
    /** Status subresources of Flux objects. */
    fluxStatus: number;
    /** Flux objects themselves (finalizers, annotations). */
    fluxObject: number;
    /** Kubernetes Events. */
    events: number;
    /** Leases and anything else. */
    other: number;
  };
  /** Server-side dry-run writes (`dryRun=All`), which change nothing. */
  dryRuns: number;
}

export function summarizeRequests(counts: Record<string, number>): RequestSummary {
  const s: RequestSummary = {
    total: 0,
    byVerb: {},
    byKey: { ...counts },
    writes: { applied: 0, fluxStatus: 0, fluxObject: 0, events: 0, other: 0 },
    dryRuns: 0,
  };
  for (const [key, n] of Object.entries(counts)) {
    const [verb = '', resource = ''] = key.split(' ');
    s.total += n;
    s.byVerb[verb] = (s.byVerb[verb] ?? 0) + n;
    if (verb.startsWith('dryrun-')) {
      s.dryRuns += n;
      continue;
    }
    if (!WRITE_VERBS.has(verb)) continue;
    const [res = '', sub] = resource.split('/');
    if (res.endsWith('.toolkit.fluxcd.io')) {
      if (sub === 'status') s.writes.fluxStatus += n;
      else s.writes.fluxObject += n;
    } else if (res === 'events' || res === 'events.events.k8s.io') s.writes.events += n;
    else if (res.startsWith('leases.')) s.writes.other += n;
    else s.writes.applied += n;
  }
  return s;
}

// ---- the cluster -----------------------------------------------------------------------------------------------

export interface ControllerConfig {
  name: string;
  /** Flags besides --kubeconfig, --metrics-addr and --health-addr (and source-controller's storage flags). */
  args: string[];
}

export interface ClusterOptions {
  /** Temporary directory of this run (removed by stop()). */
  dir: string;
  controllers: readonly ControllerConfig[];
  /** Injected latency per API request, ms. */
  latencyMs?: number;
  /** Delay after which the simulated Deployments report rolled out (default 0: at the next 200 ms tick). */
  simulateReadyMs?: number;
  /**
   * Emulate a container memory limit of this many MiB: V8 sizes its old generation to a quarter of the memory it
   * sees (the cgroup limit in a container, 24 GiB on the bench machine), so each controller gets
   * `--max-old-space-size=<limit/4>`, what Node picks inside such a container.
   */
  memoryLimitMiB?: number | undefined;
  pinning: Pinning | null;
  log?: ((line: string) => void) | undefined;
}

/** A running controller process of the harness. */
export interface BenchController {
  name: string;
  pid: number;
  metricsUrl: string;
  healthUrl: string;
  logFile: string;
  proc: ControllerProcess;
}

/** A snapshot of every controller's CPU, memory and metrics at one moment. */
export interface Probe {
  at: number;
  controllers: Record<
    string,
    { cpuSeconds: number; peakRss: number; rss: number; metrics: Samples; report: ProbeReport | null }
  >;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Cluster {
  readonly server: ApiServer;
  readonly git: GitHttpServer;
  readonly gitRoot: string;
  readonly controllers: BenchController[];
  readonly dir: string;
  readonly probeDir: string;
  /** The controllers right after they answered /readyz, before any object exists. */
  baseline: Probe | undefined;
  readonly #wopts: WriteOptions = {
    dryRun: false,
    fieldManager: 'flux-ts-bench',
    fieldValidation: 'Strict',
    warnings: [],
  };

  private constructor(
    dir: string,
    server: ApiServer,
    git: GitHttpServer,
    gitRoot: string,
    controllers: BenchController[],
  ) {
    this.dir = dir;
    this.server = server;
    this.git = git;
    this.gitRoot = gitRoot;
    this.controllers = controllers;
    this.probeDir = join(dir, 'probe');
  }

  /**
   * Starts the API server and the git server in this process, then the controllers, and waits until every
   * controller answers /readyz. The git repositories must be created under `gitRoot` by the caller (the directory
   * exists before the server starts; repositories added later are served too).
   */
  static async start(opts: ClusterOptions): Promise<Cluster> {
    const { dir } = opts;
    const gitRoot = join(dir, 'git');
    const logs = join(dir, 'logs');
    const probeDir = join(dir, 'probe');
    for (const d of [gitRoot, logs, probeDir, join(dir, 'storage')]) mkdirSync(d, { recursive: true });
    if (opts.pinning) taskset(opts.pinning.peers, process.pid, true);
    const kubeconfig = join(dir, 'kubeconfig');
    const server = await startApiServer({
      crdsDir: join(WORKSPACE, 'deploy', 'crds'),
      kubeconfigPath: kubeconfig,
      latencyMs: opts.latencyMs ?? 0,
      simulation: { readyAfterMs: opts.simulateReadyMs ?? 0 },
    });
    let git: GitHttpServer | undefined;
    let procs: ControllerProcess[] = [];
    try {
      git = await startGitHttpServer({ root: gitRoot });
      const specs: { name: string; args: string[]; metricsPort: number; healthPort: number }[] = [];
      for (const c of opts.controllers) {
        const metricsPort = await freePort();
        const healthPort = await freePort();
        const args = ['--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', `127.0.0.1:${healthPort}`];
        if (c.name === 'source-controller') {
          const addr = `127.0.0.1:${await freePort()}`;
          args.push('--storage-path', join(dir, 'storage'), '--storage-addr', addr, '--storage-adv-addr', addr);
        }
        specs.push({ name: c.name, args: [...args, ...c.args], metricsPort, healthPort });
      }
      const heap = opts.memoryLimitMiB ? `--max-old-space-size=${Math.floor(opts.memoryLimitMiB / 4)}` : '';
      const nodeOptions = [process.env['NODE_OPTIONS'] ?? '', heap, `--import=${PROBE}`].join(' ').trim();
      // The children inherit the CPU mask of the thread that forks them: this thread moves to the controllers'
      // CPUs for the (synchronous) spawns and comes back.
      if (opts.pinning) taskset(opts.pinning.controllers, process.pid, false);
      try {
        procs = startControllers({
          workspace: WORKSPACE,
          kubeconfig,
          logsDir: logs,
          controllers: specs.map((s) => ({ name: s.name, args: s.args })),
          env: { ...process.env, NODE_OPTIONS: nodeOptions, FLUX_TS_BENCH_PROBE_DIR: probeDir },
        });
      } finally {
        if (opts.pinning) taskset(opts.pinning.peers, process.pid, false);
      }
      const controllers = procs.map((p, i) => ({
        name: p.name,
        pid: p.child.pid ?? -1,
        metricsUrl: `http://127.0.0.1:${specs[i]!.metricsPort}/metrics`,
        healthUrl: `http://127.0.0.1:${specs[i]!.healthPort}/readyz`,
        logFile: p.logFile,
        proc: p,
      }));
      const cluster = new Cluster(dir, server, git, gitRoot, controllers);
      await cluster.#waitReady();
      cluster.baseline = await cluster.probe();
      opts.log?.(`controllers ready: ${controllers.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}`);
      return cluster;
    } catch (err) {
      await stopControllers(procs);
      await git?.close();
      await server.close();
      throw err;
    }
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (const c of this.controllers) {
      for (;;) {
        this.assertAlive();
        try {
          const r = await fetch(c.healthUrl);
          if (r.ok) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`${c.name} not ready after 60 s:\n${this.logTail(c)}`);
        await sleep(100);
      }
    }
  }

  logTail(c: BenchController, lines = 20): string {
    try {
      return readFileSync(c.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Throws when a controller process has exited. */
  assertAlive(): void {
    for (const c of this.controllers) {
      const ch = c.proc.child;
      if (ch.exitCode !== null || ch.signalCode !== null)
        throw new Error(`${c.name} exited (${ch.exitCode ?? ch.signalCode}):\n${this.logTail(c)}`);
    }
  }

  // ---- the driver: storage-level reads and writes (not counted) ----

  def(apiVersion: string, kind: string): ResourceDef {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const d = this.server.core.registry.byKind(group!, version!, kind);
    if (!d) throw new Error(`no resource for ${apiVersion} ${kind}`);
    return d;
  }

  create(obj: Obj): void {
    const md = obj['metadata'] as { namespace?: string };
    this.server.core.create(this.def(String(obj['apiVersion']), String(obj['kind'])), md.namespace ?? '', obj, {
      ...this.#wopts,
      warnings: [],
    });
  }

  /** A JSON merge patch of one object. */
  mergePatch(apiVersion: string, kind: string, namespace: string, name: string, patch: Obj): void {
    this.server.core.patch(this.def(apiVersion, kind), namespace, name, PATCH_TYPES.merge, patch, {
      ...this.#wopts,
      warnings: [],
      force: false,
    });
  }

  /** The stored objects of a kind (not copies: read only). */
  list(apiVersion: string, kind: string, namespace?: string): Obj[] {
    return this.server.core.store.bucket(bucketOf(this.def(apiVersion, kind))).list(namespace);
  }

  // ---- measurement ----

  /** Asks every controller's probe for its heap peaks since the last ask (null if it did not answer in 2 s). */
  async #probeReports(): Promise<Record<string, ProbeReport | null>> {
    const out: Record<string, ProbeReport | null> = {};
    await Promise.all(
      this.controllers.map(async (c) => {
        out[c.name] = await probeReport(this.probeDir, c.pid);
      }),
    );
    return out;
  }

  /** CPU, memory, heap peaks (since the previous probe) and metrics of every controller. */
  async probe(): Promise<Probe> {
    this.assertAlive();
    const reports = await this.#probeReports();
    const p: Probe = { at: performance.now(), controllers: {} };
    for (const c of this.controllers) {
      const text = await (await fetch(c.metricsUrl)).text();
      p.controllers[c.name] = {
        cpuSeconds: cpuSeconds(c.pid),
        ...procMemory(c.pid),
        metrics: parseMetrics(text),
        report: reports[c.name] ?? null,
      };
    }
    return p;
  }

  gitCounts(): GitHttpRequestCounts {
    return this.git.counts();
  }

  async stop(): Promise<void> {
    await stopControllers(this.controllers.map((c) => c.proc));
    await this.git.close();
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The files left in the probe directory (for tests). */
  probeFiles(): string[] {
    return readdirSync(this.probeDir);
  }
}

// ---- phases ----------------------------------------------------------------------------------------------------

/** What one controller did during a phase. */
export interface ControllerPhase {
  cpuSeconds: number;
  /** CPU-seconds divided by the phase's object count. */
  cpuSecondsPerObject: number;
  /** Reconciles finished in the phase (`controller_runtime_reconcile_time_seconds_count`). */
  reconciles: number;
  /** From `controller_runtime_reconcile_time_seconds`, seconds (histogram interpolation). */
  reconcileP50: number | null;
  reconcileP99: number | null;
  /** Sampled every 100 ms inside the controller by the probe, bytes. */
  heapUsedPeak: number | null;
  rssPeakSampled: number | null;
}

/** One timed phase of a scenario. */
export interface PhaseResult {
  /** From the first driver write to the moment every object was done (or the timeout). */
  wallMs: number;
  /** Set when the phase hit its timeout: how many objects were not done, and a few of them described. */
  timedOut?: { pending: number; sample: string[] };
  /** How long after the last object was done the controllers still sent requests (counted in this phase). */
  trailingMs: number;
  /**
   * CPU-seconds of this process (the API server, the git server's Node side and the driver) until the last object
   * was done; `git http-backend` children not included.
   */
  peersCpuSeconds: number;
  objects: number;
  objectsPerSecond: number;
  requests: RequestSummary;
  /** Requests of the phase divided by its object count, by verb. */
  requestsPerObject: { total: number; byVerb: Record<string, number> };
  git: GitHttpRequestCounts;
  controllers: Record<string, ControllerPhase>;
}

export interface PhaseOptions {
  /** How many objects the phase acts on (for the per-object figures). */
  objects: number;
  /** The driver's writes that start the phase. */
  start: () => void;
  /** Which objects are not done yet (polled every 50 ms); an empty list ends the phase. */
  pending: () => string[];
  timeoutMs: number;
  /** After the last object is done, keep counting requests until none came for this long (default 1000 ms). */
  settleMs?: number;
  /** Describes a pending object for the timeout error. */
  describe?: (key: string) => string;
}

/** Runs one phase: resets the counters, starts it, waits for every object, and collects the figures. */
export async function runPhase(cluster: Cluster, o: PhaseOptions): Promise<PhaseResult> {
  const before = await cluster.probe();
  cluster.server.counters.reset();
  cluster.git.resetCounts();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  o.start();
  let pending = o.pending();
  let lastCheck = 0;
  let timedOut: PhaseResult['timedOut'];
  while (pending.length > 0) {
    if (performance.now() - t0 > o.timeoutMs) {
      timedOut = { pending: pending.length, sample: pending.slice(0, 5).map((k) => o.describe?.(k) ?? k) };
      break;
    }
    if (performance.now() - lastCheck > 1000) {
      cluster.assertAlive();
      lastCheck = performance.now();
    }
    await sleep(50);
    pending = o.pending();
  }
  const wallMs = performance.now() - t0;
  const cpuPeers = process.cpuUsage(cpu0);
  // Requests still queued behind the client's rate limiter (events, last status patches) belong to this phase:
  // count until the API server has seen no request for `settleMs`, at most 60 s.
  const settleMs = timedOut ? 0 : (o.settleMs ?? 1000);
  const total = (): number => Object.values(cluster.server.counters.snapshot()).reduce((a, b) => a + b, 0);
  const settleStart = performance.now();
  let last = total();
  let quietSince = performance.now();
  while (settleMs > 0 && performance.now() - quietSince < settleMs && performance.now() - settleStart < 60_000) {
    await sleep(100);
    const now = total();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
  }
  const trailingMs = quietSince - settleStart;
  const counts = cluster.server.counters.snapshot();
  const git = cluster.git.counts();
  const after = await cluster.probe();
  const requests = summarizeRequests(counts);
  const per = (x: number): number => x / o.objects;
  const controllers: Record<string, ControllerPhase> = {};
  for (const [name, a] of Object.entries(after.controllers)) {
    const b = before.controllers[name]!;
    const hists = Object.values(reconcileHistograms(b.metrics, a.metrics));
    const merged: Histogram = { count: 0, sum: 0, buckets: [] };
    for (const h of hists) {
      merged.count += h.count;
      merged.sum += h.sum;
      for (const [le, c] of h.buckets) {
        const at = merged.buckets.find((x) => x[0] === le);
        if (at) at[1] += c;
        else merged.buckets.push([le, c]);
      }
    }
    merged.buckets.sort((x, y) => x[0] - y[0]);
    const cpu = a.cpuSeconds - b.cpuSeconds;
    controllers[name] = {
      cpuSeconds: cpu,
      cpuSecondsPerObject: per(cpu),
      reconciles: merged.count,
      reconcileP50: histogramQuantile(0.5, merged),
      reconcileP99: histogramQuantile(0.99, merged),
      heapUsedPeak: a.report?.heapUsedPeak ?? null,
      rssPeakSampled: a.report?.rssPeak ?? null,
    };
  }
  return {
    wallMs,
    ...(timedOut ? { timedOut } : {}),
    trailingMs,
    peersCpuSeconds: (cpuPeers.user + cpuPeers.system) / 1e6,
    objects: o.objects,
    objectsPerSecond: o.objects / (wallMs / 1000),
    requests,
    requestsPerObject: {
      total: per(requests.total),
      byVerb: Object.fromEntries(Object.entries(requests.byVerb).map(([v, n]) => [v, per(n)])),
    },
    git,
    controllers,
  };
}

/** Peak RSS (VmHWM, the whole life of the process) and peak sampled heapUsed of each controller. */
export interface ControllerTotals {
  /** RSS and heapUsed once the controller was ready, before the first object (idle, nothing cached). */
  startRss: number | null;
  startHeapUsed: number | null;
  peakRss: number;
  heapUsedPeak: number | null;
  cpuSeconds: number;
}

/** Reads each controller's lifetime figures (call before stop()). */
export function controllerTotals(cluster: Cluster, phases: readonly PhaseResult[]): Record<string, ControllerTotals> {
  const out: Record<string, ControllerTotals> = {};
  for (const c of cluster.controllers) {
    const peaks = phases.map((p) => p.controllers[c.name]?.heapUsedPeak ?? null).filter((x) => x !== null);
    const base = cluster.baseline?.controllers[c.name];
    out[c.name] = {
      startRss: base?.rss ?? null,
      startHeapUsed: base?.report?.heapUsed ?? null,
      peakRss: procMemory(c.pid).peakRss,
      heapUsedPeak: peaks.length ? Math.max(...peaks) : null,
      cpuSeconds: cpuSeconds(c.pid),
    };
  }
  return out;
}

/** Ready=True condition and the fields the phases look at. */
export function readyOf(o: Obj): { ready: boolean; reason: string; message: string } {
  const conds = ((o['status'] as Obj | undefined)?.['conditions'] ?? []) as {
    type: string;
    status: string;
    reason?: string;
    message?: string;
  }[];
  const r = conds.find((c) => c.type === 'Ready');
  return { ready: r?.status === 'True', reason: r?.reason ?? '', message: r?.message ?? '' };
}
