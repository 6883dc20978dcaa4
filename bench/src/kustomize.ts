// `bench kustomize` (issue 6): @flux-ts/kustomize's build()+toYaml() in-process and as its CLI (node on
// libs/kustomize/bin) versus `kubectl kustomize DIR` on three generated inputs, after checking the three outputs are
// byte-identical.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, toYaml } from '@flux-ts/kustomize';
import { manyDeployments, manyResources, smallOverlay } from './gen-kustomize.ts';
import { fmtMb, fmtMs, fmtRatio, median, medianOrNull, ratio, table, timedSpawnOk } from './measure.ts';

export interface KustomizeBenchOptions {
  /** Timed runs of each side per input (default 5). */
  runs?: number;
  /** Deployments of the second input (default 500). */
  deployments?: number;
  /** Resources of the third input (default 4000). */
  resources?: number;
  /** Only these inputs (names as in the result: small, deployments, resources); default all. */
  only?: readonly string[];
  /** kubectl binary (default /usr/bin/kubectl). */
  kubectl?: string;
  tmpRoot?: string;
  log?: (line: string) => void;
}

export interface KustomizeInputResult {
  name: string;
  description: string;
  objects: number;
  outputBytes: number;
  /** build()+toYaml() in this process: the first (cold) call, then `runs` timed calls. */
  inProcess: { firstMs: number; ms: number[]; median: number };
  /** `node libs/kustomize/bin/flux-ts-kustomize.js build DIR`, whole process. */
  cli: { ms: number[]; median: number; peakRssKb: number | null };
  kubectl: { ms: number[]; median: number; peakRssKb: number | null };
  ratio: { inProcess: number | null; cli: number | null; cliPeakRss: number | null };
}

export interface KustomizeBenchResult {
  scenario: 'kustomize';
  env: { node: string; kubectl: string; cpus: number; loadavg: number[] };
  runs: number;
  inputs: KustomizeInputResult[];
}

/** The outputs of the three sides differ: the benchmark would compare different work. */
export class OutputMismatchError extends Error {
  override name = 'OutputMismatchError';
}

const require = createRequire(import.meta.url);
/** libs/kustomize's bin, resolved through the workspace link. */
export const KUSTOMIZE_BIN = join(dirname(require.resolve('@flux-ts/kustomize')), '..', 'bin', 'flux-ts-kustomize.js');

function firstDifference(a: string, b: string): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++)
    if (al[i] !== bl[i])
      return `line ${i + 1}:\n  kubectl: ${JSON.stringify(bl[i] ?? '<end of output>')}\n  ours:    ${JSON.stringify(al[i] ?? '<end of output>')}`;
  return 'no line differs (trailing bytes?)';
}

async function buildInProcess(dir: string): Promise<{ ms: number; yaml: string; objects: number }> {
  const t0 = performance.now();
  const objs = await build(dir);
  const yaml = toYaml(objs);
  return { ms: performance.now() - t0, yaml, objects: objs.length };
}

/** Runs the whole `bench kustomize` scenario; throws {@link OutputMismatchError} when outputs are not identical. */
export async function runKustomizeBench(opts: KustomizeBenchOptions = {}): Promise<KustomizeBenchResult> {
  const runs = Math.max(1, opts.runs ?? 5);
  const kubectl = opts.kubectl ?? '/usr/bin/kubectl';
  const log = opts.log ?? (() => {});
  const tmp = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'flux-ts-bench-kustomize-'));
  try {
    const kubectlVersion = (await timedSpawnOk(kubectl, ['version', '--client'], { noRss: true })).stdout
      .trim()
      .replace(/\n/g, ', ');
    const deployments = opts.deployments ?? 500;
    const resources = opts.resources ?? 4000;
    const all = [
      { name: 'small', description: 'base + overlay (prefix, labels, images, generator, patch)', make: smallOverlay },
      {
        name: 'deployments',
        description: `${deployments} Deployments with patches and generators`,
        make: (root: string) => manyDeployments(root, deployments),
      },
      {
        name: 'resources',
        description: `${resources} resources, namespace/prefix/labels/annotations`,
        make: (root: string) => manyResources(root, resources),
      },
    ];
    const inputs = all.filter((i) => !opts.only?.length || opts.only.includes(i.name));
    const results: KustomizeInputResult[] = [];
    for (const input of inputs) {
      const dir = input.make(tmp);
      log(`${input.name}: checking outputs are identical`);
      const first = await buildInProcess(dir);
      // the checking runs of the CLI and kubectl are their first timed samples (kubectl takes minutes on big inputs)
      const cliOut = await timedSpawnOk(process.execPath, [KUSTOMIZE_BIN, 'build', dir]);
      const kOut = await timedSpawnOk(kubectl, ['kustomize', dir]);
      if (first.yaml !== kOut.stdout)
        throw new OutputMismatchError(
          `bench kustomize: in-process output of '${input.name}' differs from kubectl kustomize at ${firstDifference(first.yaml, kOut.stdout)}`,
        );
      if (cliOut.stdout !== kOut.stdout)
        throw new OutputMismatchError(
          `bench kustomize: CLI output of '${input.name}' differs from kubectl kustomize at ${firstDifference(cliOut.stdout, kOut.stdout)}`,
        );
      log(`${input.name}: ${first.objects} objects, ${runs} runs of each side`);
      const inMs: number[] = [];
      const cli: { ms: number; rss: number | null }[] = [{ ms: cliOut.ms, rss: cliOut.maxRssKb }];
      const kub: { ms: number; rss: number | null }[] = [{ ms: kOut.ms, rss: kOut.maxRssKb }];
      for (let i = 0; i < runs; i++) {
        const sides = [
          async () => inMs.push((await buildInProcess(dir)).ms),
          async () => {
            const r = await timedSpawnOk(process.execPath, [KUSTOMIZE_BIN, 'build', dir]);
            cli.push({ ms: r.ms, rss: r.maxRssKb });
          },
          async () => {
            const r = await timedSpawnOk(kubectl, ['kustomize', dir]);
            kub.push({ ms: r.ms, rss: r.maxRssKb });
          },
        ];
        // rotate the order so no side always runs first (or right after another's GC); the processes' first
        // samples came from the check above
        for (let j = 0; j < sides.length; j++) {
          const k = (i + j) % sides.length;
          if (i === runs - 1 && k > 0) continue;
          await sides[k]!();
        }
      }
      const inMedian = median(inMs);
      const cliMedian = median(cli.map((c) => c.ms));
      const kMedian = median(kub.map((c) => c.ms));
      const cliRss = medianOrNull(cli.map((c) => c.rss));
      const kRss = medianOrNull(kub.map((c) => c.rss));
      results.push({
        name: input.name,
        description: input.description,
        objects: first.objects,
        outputBytes: Buffer.byteLength(first.yaml),
        inProcess: { firstMs: first.ms, ms: inMs, median: inMedian },
        cli: { ms: cli.map((c) => c.ms), median: cliMedian, peakRssKb: cliRss },
        kubectl: { ms: kub.map((c) => c.ms), median: kMedian, peakRssKb: kRss },
        ratio: { inProcess: ratio(inMedian, kMedian), cli: ratio(cliMedian, kMedian), cliPeakRss: ratio(cliRss, kRss) },
      });
    }
    return {
      scenario: 'kustomize',
      env: { node: process.version, kubectl: kubectlVersion, cpus: cpus().length, loadavg: loadavg() },
      runs,
      inputs: results,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The human-readable report of {@link runKustomizeBench}. */
export function formatKustomizeResult(r: KustomizeBenchResult): string {
  let s = `bench kustomize: ${r.env.kubectl}; node ${r.env.node}, ${r.env.cpus} cpus, load ${r.env.loadavg.map((x) => x.toFixed(2)).join(' ')}\n`;
  s += `outputs byte-identical (in-process, CLI, kubectl) on every input; median of ${r.runs} runs, wall ms\n\n`;
  s += table(
    [
      'input',
      'objects',
      'in-process',
      'cold',
      'CLI',
      'kubectl',
      'in-proc/kubectl',
      'CLI/kubectl',
      'CLI MB',
      'kubectl MB',
    ],
    r.inputs.map((i) => [
      i.name,
      String(i.objects),
      fmtMs(i.inProcess.median),
      fmtMs(i.inProcess.firstMs),
      fmtMs(i.cli.median),
      fmtMs(i.kubectl.median),
      fmtRatio(i.ratio.inProcess),
      fmtRatio(i.ratio.cli),
      fmtMb(i.cli.peakRssKb),
      fmtMb(i.kubectl.peakRssKb),
    ]),
  );
  s += '(cold: the first in-process build, before the timed runs; CLI MB / kubectl MB: peak RSS)\n';
  return s;
}
