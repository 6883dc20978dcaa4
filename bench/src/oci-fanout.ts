// `bench oci-fanout` (issue 21): N OCIRepositories to Ready from the testbed's docker-registry, each pulling its own
// repository, as flux-benchmark's OCIRepository test; then a no-op pass (requestedAt on every object) that must
// cost one manifest HEAD per object and no blob download. source-controller runs as a child process on the embedded
// cluster (cluster.ts); the registry, the API server and the driver are peers in this process (and the registry's
// own process).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { OCI_MANIFEST_MEDIA_TYPE, RegistryClient, parseReference } from '@flux-ts/oci';
import { startRegistry } from '@flux-ts/testbed';
import type { Registry, RegistryCounts } from '@flux-ts/testbed';
import { create } from 'tar';
import { Cluster, controllerTotals, gitCommit, machineInfo, planPinning, readyOf, runPhase } from './cluster.ts';
import type { ControllerTotals, MachineInfo, Obj, PhaseResult, Pinning } from './cluster.ts';
import { APP_FILES } from './fanout.ts';
import { median, table } from './measure.ts';

/** flux-benchmark's published OCIRepository figures at N=1000 (`RESULTS.md`, Flux v2.8.0). */
export const FLUX_OCI_1000 = Object.freeze({ wallS: 85, sourceControllerMaxMemoryMiB: 67, version: 'v2.8.0' });

/** Options of {@link runOciFanout}. */
export interface OciFanoutOptions {
  n: number;
  /** Runs, each on a fresh cluster and registry (default 1). */
  runs?: number;
  /** source-controller `--concurrent` (default 10, flux-benchmark's). */
  concurrent?: number;
  /** Pin the peers and the controller to different CPUs with taskset when possible (default true). */
  pin?: boolean;
  /** Timeout of each phase, ms (default 120 s + 1 s per object). */
  phaseTimeoutMs?: number;
  /** Emulated container memory limit of source-controller, MiB (default none). */
  memoryLimitMiB?: number;
  /** Parallel pushes while preparing the registry (default 8). */
  pushConcurrency?: number;
  tmpRoot?: string;
  log?: (line: string) => void;
}

/** One run: the phases, the registry requests of each, and source-controller's lifetime figures. */
export interface OciFanoutRun {
  loadavg: { before: number[]; after: number[] };
  /** Untimed preparation: pushing N artifacts, ms. */
  pushMs: number;
  phases: Record<string, PhaseResult & { registry: RegistryCounts }>;
  controllers: Record<string, ControllerTotals>;
}

/** The result of `bench oci-fanout`. */
export interface OciFanoutResult {
  scenario: 'oci-fanout';
  n: number;
  runs: number;
  date: string;
  commit: string;
  dirty: boolean;
  diffSha256: string | null;
  machine: MachineInfo;
  pinning: Pinning | null;
  settings: { controllers: Record<string, string[]>; memoryLimitMiB: number | null; phaseTimeoutMs: number };
  samples: OciFanoutRun[];
  /** Median over the runs of the figures the table shows. */
  median: Record<string, number | null>;
  flux: typeof FLUX_OCI_1000;
}

const NS = 'flux-system';
const OCIR = ['source.toolkit.fluxcd.io/v1', 'OCIRepository'] as const;
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const SETTLE_MS = 1000;
const FLUX_CONTENT = 'application/vnd.cncf.flux.content.v1.tar+gzip';
const FLUX_CONFIG = 'application/vnd.cncf.flux.config.v1+json';

const name = (i: number): string => `app-${i}`;
const statusOf = (o: Obj): Obj => (o['status'] as Obj | undefined) ?? {};
const objName = (o: Obj): string => String((o['metadata'] as Obj)['name']);
const readyNow = (o: Obj): boolean =>
  readyOf(o).ready && statusOf(o)['observedGeneration'] === (o['metadata'] as Obj)['generation'];
const withArtifact = (o: Obj): boolean =>
  readyNow(o) && typeof (statusOf(o)['artifact'] as Obj | undefined)?.['digest'] === 'string';

function pendingOf(c: Cluster, done: (o: Obj) => boolean): string[] {
  return c
    .list(OCIR[0], OCIR[1], NS)
    .filter((o) => !done(o))
    .map(objName);
}

function describeOf(c: Cluster): (key: string) => string {
  return (key) => {
    const o = c.list(OCIR[0], OCIR[1], NS).find((x) => objName(x) === key);
    if (!o) return `${key}: missing`;
    const r = readyOf(o);
    return `${key}: Ready=${r.ready} ${r.reason} ${r.message.slice(0, 200)}`;
  };
}

/** The flux-benchmark application as `flux push artifact` packs it: a gzipped tarball of `app/`. */
async function appLayer(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const entries = Object.entries(APP_FILES);
  // tar's `create` reads files from disk; the application is written to a scratch directory first.
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-bench-oci-app-'));
  for (const [p, content] of entries) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  try {
    const stream = create({ gzip: true, cwd: dir, portable: true, mtime: new Date(0) }, Object.keys(APP_FILES));
    for await (const c of Readable.from(stream)) chunks.push(Buffer.from(c as Buffer));
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pushes the application in Flux's artifact format to `bench/app-<i>:latest` for every i, `concurrency` at a time. */
async function pushAll(reg: Registry, n: number, concurrency: number): Promise<void> {
  const client = new RegistryClient({ insecure: true });
  try {
    const layer = await appLayer();
    const config = new TextEncoder().encode('{}');
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < n; i = next++) {
        const repo = `bench/${name(i)}`;
        const signal = AbortSignal.timeout(60_000);
        const configDigest = await client.pushBlob(reg.host, repo, config, signal);
        const layerDigest = await client.pushBlob(reg.host, repo, layer, signal);
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST_MEDIA_TYPE,
          config: { mediaType: FLUX_CONFIG, digest: configDigest, size: config.byteLength },
          layers: [{ mediaType: FLUX_CONTENT, digest: layerDigest, size: layer.byteLength }],
          annotations: {
            'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
            'org.opencontainers.image.source': 'https://github.com/fluxcd/flux-benchmark',
            'org.opencontainers.image.revision': `main@sha1:${'0'.repeat(39)}${i % 10}`,
          },
        });
        await client.pushManifest(
          parseReference(`${reg.host}/${repo}:latest`),
          new TextEncoder().encode(manifest),
          OCI_MANIFEST_MEDIA_TYPE,
          signal,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  } finally {
    client.close();
  }
}

function ociRepository(i: number, host: string): Obj {
  return {
    apiVersion: OCIR[0],
    kind: OCIR[1],
    metadata: { name: name(i), namespace: NS },
    spec: { url: `oci://${host}/bench/${name(i)}`, ref: { tag: 'latest' }, insecure: true, interval: '60m' },
  };
}

async function oneRun(
  c: Cluster,
  reg: Registry,
  n: number,
  timeoutMs: number,
  log?: (l: string) => void,
): Promise<Omit<OciFanoutRun, 'loadavg' | 'pushMs'>> {
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const phases: OciFanoutRun['phases'] = {};
  const phase = async (key: string, o: Parameters<typeof runPhase>[1]): Promise<boolean> => {
    reg.resetCounts();
    const r = await runPhase(c, o);
    phases[key] = { ...r, registry: reg.counts() };
    if (r.timedOut)
      log?.(`${key} timed out with ${r.timedOut.pending} objects not done, e.g.:\n  ${r.timedOut.sample.join('\n  ')}`);
    return !r.timedOut;
  };
  log?.(`install: ${n} OCIRepositories, one repository each`);
  const installed = await phase('install', {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++) c.create(ociRepository(i, reg.host));
    },
    pending: () => pendingOf(c, withArtifact),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c),
  });
  if (installed) {
    log?.('no-op: requestedAt on every OCIRepository');
    const token = new Date().toISOString();
    await phase('noop', {
      objects: n,
      start: () => {
        for (let i = 0; i < n; i++)
          c.mergePatch(OCIR[0], OCIR[1], NS, name(i), { metadata: { annotations: { [REQUESTED_AT]: token } } });
      },
      pending: () => pendingOf(c, (o) => readyNow(o) && statusOf(o)['lastHandledReconcileAt'] === token),
      timeoutMs,
      settleMs: SETTLE_MS,
      describe: describeOf(c),
    });
  }
  return { phases, controllers: controllerTotals(c, Object.values(phases)) };
}

/** Runs `bench oci-fanout` `runs` times, each on a fresh cluster and registry. */
export async function runOciFanout(opts: OciFanoutOptions): Promise<OciFanoutResult> {
  const n = opts.n;
  const runs = opts.runs ?? 1;
  const timeoutMs = opts.phaseTimeoutMs ?? 120_000 + 1000 * n;
  const pinning = planPinning(opts.pin ?? true);
  const controllers = [{ name: 'source-controller', args: ['--concurrent', String(opts.concurrent ?? 10)] }];
  const tmpRoot = opts.tmpRoot ?? tmpdir();
  mkdirSync(tmpRoot, { recursive: true });
  const samples: OciFanoutRun[] = [];
  const { commit, dirty, diffSha256 } = gitCommit();
  const date = new Date().toISOString();
  for (let r = 0; r < runs; r++) {
    opts.log?.(`oci-fanout n=${n}: run ${r + 1} of ${runs}`);
    const dir = mkdtempSync(join(tmpRoot, 'flux-ts-bench-oci-fanout-'));
    const reg = await startRegistry({ dir: join(dir, 'registry') });
    try {
      const t0 = performance.now();
      await pushAll(reg, n, opts.pushConcurrency ?? 8);
      const pushMs = performance.now() - t0;
      opts.log?.(`pushed ${n} artifacts in ${(pushMs / 1000).toFixed(1)} s`);
      const loadBefore = loadavg();
      const cluster = await Cluster.start({
        dir,
        controllers,
        memoryLimitMiB: opts.memoryLimitMiB,
        pinning,
        log: opts.log,
      });
      try {
        const measured = await oneRun(cluster, reg, n, timeoutMs, opts.log);
        samples.push({ loadavg: { before: loadBefore, after: loadavg() }, pushMs, ...measured });
        opts.log?.(
          Object.entries(measured.phases)
            .map(([p, x]) => `${p} ${(x.wallMs / 1000).toFixed(1)} s`)
            .join(', ') + `; load average ${loadBefore[0]?.toFixed(2)} -> ${loadavg()[0]?.toFixed(2)}`,
        );
      } finally {
        await cluster.stop();
      }
    } finally {
      await reg.close();
    }
  }
  const figs = samples.map(ociFigures);
  const med: Record<string, number | null> = {};
  for (const key of Object.keys(figs[0] ?? {})) {
    const xs = figs.map((f) => f[key]).filter((x): x is number => typeof x === 'number');
    med[key] = xs.length ? median(xs) : null;
  }
  return {
    scenario: 'oci-fanout',
    n,
    runs,
    date,
    commit,
    dirty,
    diffSha256,
    machine: machineInfo(),
    pinning,
    settings: {
      controllers: Object.fromEntries(controllers.map((c) => [c.name, c.args])),
      memoryLimitMiB: opts.memoryLimitMiB ?? null,
      phaseTimeoutMs: timeoutMs,
    },
    samples,
    median: med,
    flux: FLUX_OCI_1000,
  };
}

const SC = 'source-controller';

/** The flat figures of one run (registry requests per object by `<METHOD> <kind>`). */
export function ociFigures(run: OciFanoutRun): Record<string, number | null> {
  const f: Record<string, number | null> = {};
  for (const [p, x] of Object.entries(run.phases)) {
    f[`${p}.wallS`] = x.wallMs / 1000;
    f[`${p}.timedOutPending`] = x.timedOut?.pending ?? 0;
    f[`${p}.objectsPerS`] = x.objectsPerSecond;
    f[`${p}.cpuSPerObject`] = x.controllers[SC]?.cpuSecondsPerObject ?? null;
    f[`${p}.apiRequestsPerObject`] = x.requestsPerObject.total;
    f[`${p}.reconcileP50S`] = x.controllers[SC]?.reconcileP50 ?? null;
    f[`${p}.reconcileP99S`] = x.controllers[SC]?.reconcileP99 ?? null;
    for (const [k, v] of Object.entries(x.registry)) f[`${p}.registry.${k}`] = v / x.objects;
  }
  const t = run.controllers[SC];
  f['pushS'] = run.pushMs / 1000;
  f[`${SC}.startRssMiB`] = t?.startRss == null ? null : t.startRss / 2 ** 20;
  f[`${SC}.peakRssMiB`] = t ? t.peakRss / 2 ** 20 : null;
  f[`${SC}.heapUsedPeakMiB`] = t?.heapUsedPeak == null ? null : t.heapUsedPeak / 2 ** 20;
  f[`${SC}.cpuS`] = t?.cpuSeconds ?? null;
  return f;
}

const fx = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined ? '-' : x.toFixed(digits);
const minSec = (s: number | null | undefined): string =>
  s === null || s === undefined ? '-' : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;

/** The table of the medians, with flux-benchmark's published figures beside. */
export function formatOciFanoutResult(r: OciFanoutResult): string {
  const m = r.median;
  const head =
    `bench oci-fanout: n=${r.n}, median of ${r.runs} run(s); ${r.machine.nproc} CPUs (${r.machine.cpuModel}), ` +
    `Node ${r.machine.node}; ${r.pinning ? `peers on CPU ${r.pinning.peers}, controller on CPU ${r.pinning.controllers}` : 'not pinned'}; ` +
    `source-controller ${r.settings.controllers[SC]?.join(' ') ?? ''}; load average ${r.samples
      .map((s) => `${fx(s.loadavg.before[0], 2)} -> ${fx(s.loadavg.after[0], 2)}`)
      .join(', ')}\n`;
  const registryOf = (p: string): string =>
    Object.keys(m)
      .filter((k) => k.startsWith(`${p}.registry.`))
      .map((k) => `${k.slice(`${p}.registry.`.length)} ${fx(m[k], 2)}`)
      .join(', ');
  const phases = ['install', 'noop'].filter((p) => m[`${p}.wallS`] !== undefined);
  const t1 = table(
    ['phase', 'wall', 'obj/s', 'CPU-s/obj', 'API req/obj', 'p50 s', 'p99 s'],
    phases.map((p) => [
      p,
      (m[`${p}.timedOutPending`] ?? 0) > 0
        ? `>${minSec(m[`${p}.wallS`])} (${m[`${p}.timedOutPending`]} not done)`
        : minSec(m[`${p}.wallS`]),
      fx(m[`${p}.objectsPerS`]),
      fx(m[`${p}.cpuSPerObject`], 3),
      fx(m[`${p}.apiRequestsPerObject`]),
      fx(m[`${p}.reconcileP50S`], 2),
      fx(m[`${p}.reconcileP99S`], 2),
    ]),
  );
  const t2 = table(
    ['', 'time to all Ready', 'source-controller peak memory'],
    [
      ['flux-ts (VmHWM RSS)', minSec(m['install.wallS']), `${fx(m[`${SC}.peakRssMiB`])} MiB`],
      [
        `Flux ${FLUX_OCI_1000.version} (flux-benchmark, N=1000)`,
        minSec(FLUX_OCI_1000.wallS),
        `${FLUX_OCI_1000.sourceControllerMaxMemoryMiB} Mi`,
      ],
    ],
  );
  return (
    `${head}\n${t1}\nregistry requests per object:\n${phases.map((p) => `  ${p}: ${registryOf(p)}`).join('\n')}\n\n` +
    `source-controller: idle RSS ${fx(m[`${SC}.startRssMiB`])} MiB, peak RSS ${fx(m[`${SC}.peakRssMiB`])} MiB, ` +
    `peak heapUsed ${fx(m[`${SC}.heapUsedPeakMiB`])} MiB, CPU ${fx(m[`${SC}.cpuS`])} s; pushing took ${fx(m['pushS'])} s (untimed)\n\n${t2}`
  );
}

/** Writes `<dir>/oci-fanout-<n>-<date>.json` and returns its path. */
export function writeOciFanoutResult(r: OciFanoutResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = r.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `oci-fanout-${r.n}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}
