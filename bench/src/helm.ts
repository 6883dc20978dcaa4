// `bench helm` (issue 9): @flux-ts/helm's loadChart + helmTemplate (renderChart, SortManifests, output assembly)
// in-process and as its CLI (node on libs/helm/bin) versus the `helm template` binary (3.18.0) on the chart
// `helm create` makes and on a generated chart of N objects, after checking the three outputs are byte-identical.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { helmTemplate, loadChart } from '@flux-ts/helm';
import { HELM_VERSION, helmEnv, installHelm } from '@flux-ts/testbed';
import { helmCreateChart, manyObjectsChart } from './helm-gen.ts';
import { OutputMismatchError } from './kustomize.ts';
import { fmtMb, fmtMs, fmtRatio, median, medianOrNull, ratio, table, timedSpawnOk } from './measure.ts';

/** Options of {@link runHelmBench}. */
export interface HelmBenchOptions {
  /** Timed runs of each side per input (default 7). */
  runs?: number;
  /** Objects of the generated chart (default 600). */
  objects?: number;
  /** Only these inputs (create, many); default both. */
  only?: readonly string[];
  /** helm binary (default: installHelm() of @flux-ts/testbed). */
  helm?: string;
  tmpRoot?: string;
  log?: (line: string) => void;
}

/** The result of one input. */
export interface HelmInputResult {
  name: string;
  description: string;
  /** `# Source:` blocks in the output. */
  objects: number;
  outputBytes: number;
  /** loadChart + helmTemplate in this process: the first (cold) call, then `runs` timed calls. */
  inProcess: { firstMs: number; ms: number[]; median: number };
  /** `node libs/helm/bin/flux-ts-helm.js template rel DIR`, whole process. */
  cli: { ms: number[]; median: number; peakRssKb: number | null };
  helm: { ms: number[]; median: number; peakRssKb: number | null };
  ratio: { inProcess: number | null; cli: number | null; cliPeakRss: number | null };
}

/** The result of {@link runHelmBench}. */
export interface HelmBenchResult {
  scenario: 'helm';
  env: { node: string; helm: string; cpus: number; loadavg: number[] };
  runs: number;
  inputs: HelmInputResult[];
}

const require = createRequire(import.meta.url);
/** libs/helm's bin, resolved through the workspace link. */
export const HELM_TS_BIN = join(dirname(require.resolve('@flux-ts/helm')), '..', 'bin', 'flux-ts-helm.js');

const RELEASE = 'rel';

function firstDifference(a: string, b: string): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++)
    if (al[i] !== bl[i])
      return `line ${i + 1}:\n  helm: ${JSON.stringify(bl[i] ?? '<end of output>')}\n  ours: ${JSON.stringify(al[i] ?? '<end of output>')}`;
  return 'no line differs (trailing bytes?)';
}

function renderInProcess(dir: string): { ms: number; yaml: string } {
  const t0 = performance.now();
  const yaml = helmTemplate(loadChart(dir), {}, { release: { name: RELEASE, namespace: 'default', revision: 1 } });
  return { ms: performance.now() - t0, yaml };
}

/** Runs the whole `bench helm` scenario; throws {@link OutputMismatchError} when outputs are not identical. */
export async function runHelmBench(opts: HelmBenchOptions = {}): Promise<HelmBenchResult> {
  const runs = Math.max(1, opts.runs ?? 7);
  const log = opts.log ?? (() => {});
  const helm = opts.helm ?? (await installHelm());
  const tmp = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'flux-ts-bench-helm-'));
  const env = helmEnv(tmp);
  try {
    const objects = opts.objects ?? 600;
    const all = [
      {
        name: 'create',
        description: 'the chart `helm create` makes (default values)',
        make: () => helmCreateChart(helm, tmp, env),
      },
      {
        name: 'many',
        description: `${objects} objects: ConfigMap, Service, Deployment per app (include, toYaml, range)`,
        make: async () => manyObjectsChart(tmp, objects),
      },
    ];
    const inputs = all.filter((i) => !opts.only?.length || opts.only.includes(i.name));
    const results: HelmInputResult[] = [];
    for (const input of inputs) {
      const dir = await input.make();
      log(`${input.name}: checking outputs are identical`);
      const first = renderInProcess(dir);
      const cliOut = await timedSpawnOk(process.execPath, [HELM_TS_BIN, 'template', RELEASE, dir], { env });
      const hOut = await timedSpawnOk(helm, ['template', RELEASE, dir], { env });
      if (first.yaml !== hOut.stdout)
        throw new OutputMismatchError(
          `bench helm: in-process output of '${input.name}' differs from helm template at ${firstDifference(first.yaml, hOut.stdout)}`,
        );
      if (cliOut.stdout !== hOut.stdout)
        throw new OutputMismatchError(
          `bench helm: CLI output of '${input.name}' differs from helm template at ${firstDifference(cliOut.stdout, hOut.stdout)}`,
        );
      log(`${input.name}: ${runs} runs of each side`);
      const inMs: number[] = [];
      const cli: { ms: number; rss: number | null }[] = [{ ms: cliOut.ms, rss: cliOut.maxRssKb }];
      const hb: { ms: number; rss: number | null }[] = [{ ms: hOut.ms, rss: hOut.maxRssKb }];
      for (let i = 0; i < runs; i++) {
        const sides = [
          async () => inMs.push(renderInProcess(dir).ms),
          async () => {
            const r = await timedSpawnOk(process.execPath, [HELM_TS_BIN, 'template', RELEASE, dir], { env });
            cli.push({ ms: r.ms, rss: r.maxRssKb });
          },
          async () => {
            const r = await timedSpawnOk(helm, ['template', RELEASE, dir], { env });
            hb.push({ ms: r.ms, rss: r.maxRssKb });
          },
        ];
        // rotate the order so no side always runs first; the processes' first samples came from the check above
        for (let j = 0; j < sides.length; j++) {
          const k = (i + j) % sides.length;
          if (i === runs - 1 && k > 0) continue;
          await sides[k]!();
        }
      }
      const inMedian = median(inMs);
      const cliMedian = median(cli.map((c) => c.ms));
      const hMedian = median(hb.map((c) => c.ms));
      const cliRss = medianOrNull(cli.map((c) => c.rss));
      const hRss = medianOrNull(hb.map((c) => c.rss));
      results.push({
        name: input.name,
        description: input.description,
        objects: (first.yaml.match(/^# Source: /gm) ?? []).length,
        outputBytes: Buffer.byteLength(first.yaml),
        inProcess: { firstMs: first.ms, ms: inMs, median: inMedian },
        cli: { ms: cli.map((c) => c.ms), median: cliMedian, peakRssKb: cliRss },
        helm: { ms: hb.map((c) => c.ms), median: hMedian, peakRssKb: hRss },
        ratio: { inProcess: ratio(inMedian, hMedian), cli: ratio(cliMedian, hMedian), cliPeakRss: ratio(cliRss, hRss) },
      });
    }
    return {
      scenario: 'helm',
      env: { node: process.version, helm: HELM_VERSION, cpus: cpus().length, loadavg: loadavg() },
      runs,
      inputs: results,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The human-readable report of {@link runHelmBench}. */
export function formatHelmResult(r: HelmBenchResult): string {
  let s = `bench helm: helm ${r.env.helm}; node ${r.env.node}, ${r.env.cpus} cpus, load ${r.env.loadavg.map((x) => x.toFixed(2)).join(' ')}\n`;
  s += `outputs byte-identical (in-process, CLI, helm template) on every input; median of ${r.runs} runs, wall ms\n\n`;
  s += table(
    ['input', 'objects', 'in-process', 'cold', 'CLI', 'helm', 'in-proc/helm', 'CLI/helm', 'CLI MB', 'helm MB'],
    r.inputs.map((i) => [
      i.name,
      String(i.objects),
      fmtMs(i.inProcess.median),
      fmtMs(i.inProcess.firstMs),
      fmtMs(i.cli.median),
      fmtMs(i.helm.median),
      fmtRatio(i.ratio.inProcess),
      fmtRatio(i.ratio.cli),
      fmtMb(i.cli.peakRssKb),
      fmtMb(i.helm.peakRssKb),
    ]),
  );
  s += '(cold: the first in-process render, before the timed runs; CLI MB / helm MB: peak RSS)\n';
  return s;
}
