// `idle-bundle` (issue 22, the bundle lever): each controller idle against libs/apiserver, started from its
// type-stripped sources (`apps/<app>/bin/…js`) and from its esbuild bundle (tools/image's `bundleApp`), one after
// the other, alone on the machine's controller CPUs: start → /readyz, RSS at /readyz and after the idle period,
// heapUsed (through src/probe.ts), with the ratio bundle/source.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '@flux-ts/apiserver';
import { CONTROLLER_ENV_DEFAULTS, CONTROLLER_NODE_FLAGS } from '@flux-ts/embedded';
import { APPS, BUNDLE_ENTRY, bundleApp } from '@flux-ts/image';
import type { AppName } from '@flux-ts/image';
import { freePort } from '@flux-ts/testbed';
import { WORKSPACE, gitCommit, machineInfo, procMemory } from './cluster.ts';
import type { MachineInfo } from './cluster.ts';
import { median, medianOrNull, ratio, table } from './measure.ts';
import { probeReport } from './probe-report.ts';

const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));
const MIB = 1024 * 1024;

/** Options of {@link runIdleBundle}. */
export interface IdleBundleOptions {
  /** The controllers to measure (default all seven). */
  apps?: readonly AppName[];
  /** Idle time after /readyz before the second memory reading (default 10 000 ms). */
  idleMs?: number;
  /** Measurements of each side per app; the figures are medians, the order of the sides alternates (default 1). */
  runs?: number;
  log?: ((line: string) => void) | undefined;
}

/** One controller process, idle. */
export interface IdleFigures {
  /** Spawn to the first 200 of /readyz, ms. */
  readyMs: number;
  /** RSS right after /readyz, bytes. */
  rssReady: number;
  /** RSS after the idle period, bytes. */
  rssIdle: number;
  /** heapUsed after the idle period, bytes (null if the probe did not answer). */
  heapUsedIdle: number | null;
  /** Peak RSS of the process (VmHWM), bytes. */
  peakRss: number;
}

/** One controller from source and from its bundle. */
export interface IdleBundleApp {
  app: AppName;
  /** Medians over the runs. */
  source: IdleFigures;
  bundle: IdleFigures;
  /** Every run of each side. */
  runs: { source: IdleFigures[]; bundle: IdleFigures[] };
  /** Bytes of the bundle's main.mjs. */
  bundleBytes: number;
}

/** The result of {@link runIdleBundle}. */
export interface IdleBundleResult {
  date: string;
  commit: ReturnType<typeof gitCommit>;
  machine: MachineInfo;
  idleMs: number;
  runs: number;
  /** Wall time of bundling every measured app with esbuild (sequentially, one build each), ms. */
  bundleMs: number;
  apps: IdleBundleApp[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts one controller (`entry`: its bin or bundle) against `kubeconfig` with its real flags, and measures it idle
 * (see {@link IdleFigures}); `nodeArgs` go before the entry, after the controllers' own Node flags.
 */
export async function measureOne(
  app: AppName,
  entry: string,
  kubeconfig: string,
  dir: string,
  idleMs: number,
  nodeArgs: readonly string[] = [],
): Promise<IdleFigures> {
  const probeDir = join(dir, 'probe');
  const storage = join(dir, 'storage');
  mkdirSync(probeDir, { recursive: true });
  mkdirSync(storage, { recursive: true });
  const healthPort = await freePort();
  const args = [
    '--kubeconfig',
    kubeconfig,
    '--metrics-addr',
    `127.0.0.1:${await freePort()}`,
    '--health-addr',
    `127.0.0.1:${healthPort}`,
  ];
  if (app === 'source-controller' || app === 'source-watcher') {
    const addr = `127.0.0.1:${await freePort()}`;
    args.push('--storage-path', storage, '--storage-addr', addr, '--storage-adv-addr', addr);
  }
  if (app === 'notification-controller')
    args.push('--events-addr', `127.0.0.1:${await freePort()}`, '--receiverAddr', `127.0.0.1:${await freePort()}`);
  const nodeOptions = [process.env['NODE_OPTIONS'] ?? '', `--import=${PROBE}`].join(' ').trim();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...CONTROLLER_NODE_FLAGS, ...nodeArgs, entry, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...CONTROLLER_ENV_DEFAULTS, ...process.env, NODE_OPTIONS: nodeOptions, FLUX_TS_BENCH_PROBE_DIR: probeDir },
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => void (stderr = (stderr + b.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${app} (${entry}) exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
      try {
        if ((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${app} (${entry}) not ready after 60 s: ${stderr}`);
      await sleep(20);
    }
    const readyMs = performance.now() - t0;
    const pid = child.pid!;
    const rssReady = procMemory(pid).rss;
    await sleep(idleMs);
    const report = await probeReport(probeDir, pid);
    const mem = procMemory(pid);
    return { readyMs, rssReady, rssIdle: mem.rss, heapUsedIdle: report?.heapUsed ?? null, peakRss: mem.peakRss };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Medians of each figure over runs. */
export function medianFigures(xs: readonly IdleFigures[]): IdleFigures {
  return {
    readyMs: median(xs.map((x) => x.readyMs)),
    rssReady: median(xs.map((x) => x.rssReady)),
    rssIdle: median(xs.map((x) => x.rssIdle)),
    heapUsedIdle: medianOrNull(xs.map((x) => x.heapUsedIdle)),
    peakRss: median(xs.map((x) => x.peakRss)),
  };
}

/** Bundles the apps, then measures each idle from source and from its bundle against one libs/apiserver. */
export async function runIdleBundle(opts: IdleBundleOptions = {}): Promise<IdleBundleResult> {
  const apps = opts.apps ?? APPS;
  const idleMs = opts.idleMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-bench-idle-bundle-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const server = await startApiServer({ crdsDir: join(WORKSPACE, 'deploy', 'crds'), kubeconfigPath: kubeconfig });
  try {
    const t0 = performance.now();
    const bundles = new Map<AppName, { entry: string; bytes: number }>();
    for (const app of apps) {
      const out = join(dir, 'bundles', app);
      await bundleApp(WORKSPACE, app, out);
      const entry = join(out, BUNDLE_ENTRY);
      bundles.set(app, { entry, bytes: statSync(entry).size });
    }
    const bundleMs = performance.now() - t0;
    opts.log?.(`bundled ${apps.length} apps in ${(bundleMs / 1000).toFixed(1)} s`);
    const runs = opts.runs ?? 1;
    const results: IdleBundleApp[] = [];
    for (const app of apps) {
      const b = bundles.get(app)!;
      const src = join(WORKSPACE, 'apps', app, 'bin', `flux-ts-${app}.js`);
      const all = { source: [] as IdleFigures[], bundle: [] as IdleFigures[] };
      for (let i = 0; i < runs; i++) {
        const sides = i % 2 === 0 ? (['source', 'bundle'] as const) : (['bundle', 'source'] as const);
        for (const side of sides) {
          const entry = side === 'source' ? src : b.entry;
          all[side].push(await measureOne(app, entry, kubeconfig, join(dir, 'run', app, `${side}-${i}`), idleMs));
        }
      }
      const source = medianFigures(all.source);
      const bundle = medianFigures(all.bundle);
      opts.log?.(
        `${app}: source ${(source.rssIdle / MIB).toFixed(0)} MiB ${source.readyMs.toFixed(0)} ms, ` +
          `bundle ${(bundle.rssIdle / MIB).toFixed(0)} MiB ${bundle.readyMs.toFixed(0)} ms`,
      );
      results.push({ app, source, bundle, runs: all, bundleBytes: b.bytes });
    }
    return {
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine: machineInfo(),
      idleMs,
      runs,
      bundleMs,
      apps: results,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table of {@link runIdleBundle}: MiB and ms, source / bundle / ratio bundle÷source for each figure. */
export function formatIdleBundleResult(r: IdleBundleResult): string {
  const mib = (b: number | null): string => (b === null ? '-' : (b / MIB).toFixed(1));
  const rat = (a: number | null, b: number | null): string => {
    const x = ratio(a, b);
    return x === null ? '-' : x.toFixed(2);
  };
  const rows = r.apps.map((a) => [
    a.app,
    `${mib(a.source.rssReady)} / ${mib(a.bundle.rssReady)} / ${rat(a.bundle.rssReady, a.source.rssReady)}`,
    `${mib(a.source.rssIdle)} / ${mib(a.bundle.rssIdle)} / ${rat(a.bundle.rssIdle, a.source.rssIdle)}`,
    `${mib(a.source.heapUsedIdle)} / ${mib(a.bundle.heapUsedIdle)} / ${rat(a.bundle.heapUsedIdle, a.source.heapUsedIdle)}`,
    `${a.source.readyMs.toFixed(0)} / ${a.bundle.readyMs.toFixed(0)} / ${rat(a.bundle.readyMs, a.source.readyMs)}`,
    (a.bundleBytes / MIB).toFixed(1),
  ]);
  const sum = (f: (x: IdleBundleApp) => number): number => r.apps.reduce((s, a) => s + f(a), 0);
  const srcIdle = sum((a) => a.source.rssIdle);
  const bunIdle = sum((a) => a.bundle.rssIdle);
  return (
    `idle-bundle: each controller idle against libs/apiserver, ${r.idleMs / 1000} s, median of ${r.runs} run(s); ` +
    `source / bundle / ratio\n` +
    table(
      ['controller', 'RSS at /readyz MiB', 'RSS idle MiB', 'heapUsed idle MiB', 'start → /readyz ms', 'bundle MiB'],
      rows,
    ) +
    `all ${r.apps.length}: idle RSS ${mib(srcIdle)} MiB from source, ${mib(bunIdle)} MiB bundled (${rat(bunIdle, srcIdle)}); ` +
    `bundling took ${(r.bundleMs / 1000).toFixed(1)} s\n`
  );
}
