// `idle-lean` (issue 22, the levers after the bundle): each controller idle against libs/apiserver in several
// variants measured side by side in one run, the order of the variants rotating between runs: `client-node` (the
// sources with @kubernetes/client-node's KubeConfig put back by src/idle-lean-client-node.ts: before the kubeconfig
// lever), `sources` (the type-stripped sources as they are), `bundle` (tools/image's esbuild bundle of the sources as
// they are), and the sources with V8 flags: `optimize-for-size` (`--optimize-for-size`), `single-threaded`
// (`--single-threaded`: no V8 worker threads for GC and compilation). V8's `--lite-mode` is not a variant: it turns
// WebAssembly off, which Node's type stripping (the sources, src/probe.ts) and ssh2's poly1305 module need.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '@flux-ts/apiserver';
import { APPS, BUNDLE_ENTRY, bundleApp } from '@flux-ts/image';
import type { AppName } from '@flux-ts/image';
import { WORKSPACE, gitCommit, machineInfo } from './cluster.ts';
import type { MachineInfo } from './cluster.ts';
import { measureOne, medianFigures } from './idle-bundle.ts';
import type { IdleFigures } from './idle-bundle.ts';
import { table } from './measure.ts';

const CLIENT_NODE_HOOK = fileURLToPath(new URL('./idle-lean-client-node.ts', import.meta.url));
const MIB = 1024 * 1024;

/** The variants {@link runIdleLean} knows. */
export const IDLE_LEAN_VARIANTS = ['client-node', 'sources', 'bundle', 'optimize-for-size', 'single-threaded'] as const;
/** One variant of a controller start. */
export type IdleLeanVariant = (typeof IDLE_LEAN_VARIANTS)[number];

const NODE_ARGS: Record<IdleLeanVariant, string[]> = {
  'client-node': [`--import=${CLIENT_NODE_HOOK}`],
  sources: [],
  bundle: [],
  'optimize-for-size': ['--optimize-for-size'],
  'single-threaded': ['--single-threaded'],
};

/** Options of {@link runIdleLean}. */
export interface IdleLeanOptions {
  /** The controllers to measure (default all seven). */
  apps?: readonly AppName[];
  /** The variants, in the order of the first run (default `client-node`, `sources`, `bundle`). */
  variants?: readonly IdleLeanVariant[];
  /** Idle time after /readyz before the second memory reading (default 10 000 ms). */
  idleMs?: number;
  /** Measurements of each variant per app; the figures are medians (default 1). */
  runs?: number;
  log?: ((line: string) => void) | undefined;
}

/** The result of {@link runIdleLean}. */
export interface IdleLeanResult {
  date: string;
  commit: ReturnType<typeof gitCommit>;
  machine: MachineInfo;
  idleMs: number;
  runs: number;
  variants: IdleLeanVariant[];
  apps: {
    app: AppName;
    medians: Partial<Record<IdleLeanVariant, IdleFigures>>;
    runs: Partial<Record<IdleLeanVariant, IdleFigures[]>>;
  }[];
}

/** Measures every app in every variant against one libs/apiserver. */
export async function runIdleLean(opts: IdleLeanOptions = {}): Promise<IdleLeanResult> {
  const apps = opts.apps ?? APPS;
  const variants = [...(opts.variants ?? (['client-node', 'sources', 'bundle'] as const))];
  const idleMs = opts.idleMs ?? 10_000;
  const runs = opts.runs ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-bench-idle-lean-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const server = await startApiServer({ crdsDir: join(WORKSPACE, 'deploy', 'crds'), kubeconfigPath: kubeconfig });
  try {
    const out: IdleLeanResult['apps'] = [];
    for (const app of apps) {
      const src = join(WORKSPACE, 'apps', app, 'bin', `flux-ts-${app}.js`);
      let bundle: string | undefined;
      if (variants.includes('bundle')) {
        await bundleApp(WORKSPACE, app, join(dir, 'bundles', app));
        bundle = join(dir, 'bundles', app, BUNDLE_ENTRY);
      }
      const all: Partial<Record<IdleLeanVariant, IdleFigures[]>> = {};
      for (let i = 0; i < runs; i++) {
        const order = [...variants.slice(i % variants.length), ...variants.slice(0, i % variants.length)];
        for (const v of order) {
          const entry = v === 'bundle' ? bundle! : src;
          const nodeArgs = NODE_ARGS[v];
          const fig = await measureOne(app, entry, kubeconfig, join(dir, 'run', app, `${v}-${i}`), idleMs, nodeArgs);
          (all[v] ??= []).push(fig);
        }
      }
      const medians: Partial<Record<IdleLeanVariant, IdleFigures>> = {};
      for (const v of variants) medians[v] = medianFigures(all[v] ?? []);
      opts.log?.(`${app}: ` + variants.map((v) => `${v} ${(medians[v]!.rssIdle / MIB).toFixed(0)} MiB`).join(', '));
      out.push({ app, medians, runs: all });
    }
    return {
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine: machineInfo(),
      idleMs,
      runs,
      variants,
      apps: out,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table of {@link runIdleLean}: for each figure, the variants side by side (`a / b / c`). */
export function formatIdleLeanResult(r: IdleLeanResult): string {
  const mib = (b: number | null | undefined): string => (b === null || b === undefined ? '-' : (b / MIB).toFixed(1));
  const side = (a: IdleLeanResult['apps'][number], f: (x: IdleFigures) => string): string =>
    r.variants.map((v) => (a.medians[v] ? f(a.medians[v]) : '-')).join(' / ');
  const rows = r.apps.map((a) => [
    a.app,
    side(a, (x) => mib(x.rssReady)),
    side(a, (x) => mib(x.rssIdle)),
    side(a, (x) => mib(x.heapUsedIdle)),
    side(a, (x) => x.readyMs.toFixed(0)),
  ]);
  const total = r.variants.map((v) => mib(r.apps.reduce((s, a) => s + (a.medians[v]?.rssIdle ?? 0), 0))).join(' / ');
  return (
    `idle-lean: each controller idle against libs/apiserver, ${r.idleMs / 1000} s, median of ${r.runs} run(s); ` +
    `${r.variants.join(' / ')}\n` +
    table(['controller', 'RSS at /readyz MiB', 'RSS idle MiB', 'heapUsed idle MiB', 'start → /readyz ms'], rows) +
    `all ${r.apps.length}, idle RSS MiB: ${total}\n`
  );
}
