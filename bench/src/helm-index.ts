// `bench helm-index`: loading a large chart repository index. @flux-ts/helm's loadIndex (js-yaml with go-yaml's
// scalar rules) and loadIndexReference (the `yaml` library, what loadIndex was before) in-process, and
// HttpChartRepository.loadIndex (GET index.yaml from a local server + loadIndex, what a HelmRepository reconcile
// does), versus `helm repo add --force-update` (helm 3.18.0: the same GET, repo.loadIndex, then the index and the
// chart list written to its cache) against the same server. Before timing, the entries helm lists
// (`helm search repo --versions`) are checked to be the ones loadIndex returns, and loadIndex's result to equal the
// reference's.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { HttpChartRepository, loadIndex, loadIndexReference, type IndexFile } from '@flux-ts/helm';
import { HELM_VERSION, helmEnv, installHelm, startChartRepoServer } from '@flux-ts/testbed';
import { generateIndex } from './helm-index-gen.ts';
import { OutputMismatchError } from './kustomize.ts';
import { fmtMs, fmtRatio, median, ratio, table, timedSpawnOk } from './measure.ts';

/** Options of {@link runHelmIndexBench}. */
export interface HelmIndexBenchOptions {
  /** Charts in the generated index (default 2000). */
  charts?: number;
  /** Versions of each chart (default 10). */
  versions?: number;
  /** Timed runs of loadIndex, the download + load and helm (default 5). */
  runs?: number;
  /** Timed runs of loadIndexReference, 10-20x slower (default 1). */
  referenceRuns?: number;
  /** helm binary (default: installHelm() of @flux-ts/testbed). */
  helm?: string;
  tmpRoot?: string;
  log?: (line: string) => void;
}

/** Milliseconds of each timed run, their median, and the index's megabytes per second at the median. */
export interface Timing {
  ms: number[];
  median: number;
  mbPerS: number;
}

/** The result of {@link runHelmIndexBench}. */
export interface HelmIndexBenchResult {
  scenario: 'helm-index';
  env: { node: string; helm: string; cpus: number; loadavg: number[] };
  charts: number;
  versions: number;
  indexBytes: number;
  runs: number;
  /** loadIndex(bytes) in this process. */
  loadIndex: Timing;
  /** loadIndexReference(bytes): the `yaml` library's parse, the implementation before js-yaml. */
  reference: Timing;
  /** HttpChartRepository.loadIndex: GET from the local server + loadIndex. */
  download: Timing;
  /** `helm repo add --force-update`, whole process. */
  helm: Timing;
  /** `helm version --short`, whole process: helm's start-up, part of every helm sample. */
  helmStartup: { ms: number[]; median: number };
  ratio: { loadIndexVsReference: number | null; downloadVsHelm: number | null; downloadVsHelmNet: number | null };
}

const timing = (ms: number[], bytes: number): Timing => {
  const m = median(ms);
  return { ms, median: m, mbPerS: bytes / 1e6 / (m / 1000) };
};

/** name@version@appVersion of every entry, sorted. */
function entryKeys(index: IndexFile): string[] {
  return Object.entries(index.entries)
    .flatMap(([name, vs]) => vs.map((cv) => `${name}@${cv.version}@${cv.appVersion ?? ''}`))
    .sort();
}

/** Runs the whole `bench helm-index` scenario; throws {@link OutputMismatchError} when the sides disagree. */
export async function runHelmIndexBench(opts: HelmIndexBenchOptions = {}): Promise<HelmIndexBenchResult> {
  const runs = Math.max(1, opts.runs ?? 5);
  const referenceRuns = Math.max(1, opts.referenceRuns ?? 1);
  const charts = opts.charts ?? 2000;
  const versions = opts.versions ?? 10;
  const log = opts.log ?? (() => {});
  const helm = opts.helm ?? (await installHelm());
  const tmp = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'flux-ts-bench-helm-index-'));
  const env = helmEnv(tmp);
  const signal = new AbortController().signal;
  try {
    const dir = join(tmp, 'repo');
    mkdirSync(dir);
    const bytes = new TextEncoder().encode(generateIndex({ charts, versions }));
    writeFileSync(join(dir, 'index.yaml'), bytes);
    log(`index: ${charts} charts x ${versions} versions, ${(bytes.byteLength / 1e6).toFixed(1)} MB`);
    await using server = await startChartRepoServer({ dir });
    const repoAdd = ['repo', 'add', 'bench', server.url, '--force-update'];

    log('checking loadIndex = loadIndexReference = the entries helm lists');
    let first: IndexFile | undefined = loadIndex(bytes, server.url);
    const refMs = [0];
    {
      const t0 = performance.now();
      const ref = loadIndexReference(bytes, server.url);
      refMs[0] = performance.now() - t0;
      if (!isDeepStrictEqual(first, ref))
        throw new OutputMismatchError('bench helm-index: loadIndex differs from loadIndexReference');
    }
    const ourKeys = entryKeys(first);
    first = undefined; // not kept alive (and scanned by the GC) while timing
    const helmFirst = await timedSpawnOk(helm, repoAdd, { env, noRss: true });
    const listed = await timedSpawnOk(helm, ['search', 'repo', 'bench/', '--versions', '--devel', '-o', 'json'], {
      env,
      noRss: true,
    });
    const theirs = (JSON.parse(listed.stdout) as { name: string; version: string; app_version: string }[])
      .map((e) => `${e.name.replace(/^bench\//, '')}@${e.version}@${e.app_version}`)
      .sort();
    if (!isDeepStrictEqual(theirs, ourKeys))
      throw new OutputMismatchError(
        `bench helm-index: helm lists ${theirs.length} entries, loadIndex has ${ourKeys.length} (or others)`,
      );

    log(`${runs} runs of each side (${referenceRuns} of the reference)`);
    const ours: number[] = [];
    const dl: number[] = [];
    const hb: number[] = [helmFirst.ms];
    const startup: number[] = [];
    for (let i = 0; i < runs; i++) {
      const sides = [
        () => {
          const t = performance.now();
          loadIndex(bytes, server.url);
          ours.push(performance.now() - t);
          return Promise.resolve();
        },
        async () => {
          const t = performance.now();
          await new HttpChartRepository({ url: server.url }).loadIndex(signal);
          dl.push(performance.now() - t);
        },
        async () => {
          if (i > 0) hb.push((await timedSpawnOk(helm, repoAdd, { env, noRss: true })).ms);
          startup.push((await timedSpawnOk(helm, ['version', '--short'], { env, noRss: true })).ms);
        },
      ];
      // rotate the order so no side always runs first
      for (let j = 0; j < sides.length; j++) await sides[(i + j) % sides.length]!();
    }
    for (let i = 1; i < referenceRuns; i++) {
      const t = performance.now();
      loadIndexReference(bytes, server.url);
      refMs.push(performance.now() - t);
    }
    const n = bytes.byteLength;
    const r = {
      loadIndex: timing(ours, n),
      reference: timing(refMs, n),
      download: timing(dl, n),
      helm: timing(hb, n),
      helmStartup: { ms: startup, median: median(startup) },
    };
    return {
      scenario: 'helm-index',
      env: { node: process.version, helm: HELM_VERSION, cpus: cpus().length, loadavg: loadavg() },
      charts,
      versions,
      indexBytes: n,
      runs,
      ...r,
      ratio: {
        loadIndexVsReference: ratio(r.reference.median, r.loadIndex.median),
        downloadVsHelm: ratio(r.download.median, r.helm.median),
        downloadVsHelmNet: ratio(r.download.median, r.helm.median - r.helmStartup.median),
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The human-readable report of {@link runHelmIndexBench}. */
export function formatHelmIndexResult(r: HelmIndexBenchResult): string {
  let s = `bench helm-index: helm ${r.env.helm}; node ${r.env.node}, ${r.env.cpus} cpus, load ${r.env.loadavg.map((x) => x.toFixed(2)).join(' ')}\n`;
  s += `index: ${r.charts} charts x ${r.versions} versions, ${(r.indexBytes / 1e6).toFixed(1)} MB; loadIndex = loadIndexReference = helm search repo's entries\n`;
  s += `median of ${r.runs} runs (reference: ${r.reference.ms.length}), wall ms\n\n`;
  const row = (name: string, t: Timing): string[] => [name, fmtMs(t.median), t.mbPerS.toFixed(1)];
  s += table(
    ['side', 'ms', 'MB/s'],
    [
      row('loadIndex (js-yaml)', r.loadIndex),
      row('loadIndexReference (yaml, before)', r.reference),
      row('HttpChartRepository.loadIndex (GET + load)', r.download),
      row('helm repo add --force-update', r.helm),
      ['helm version (start-up)', fmtMs(r.helmStartup.median), '-'],
    ],
  );
  s += `\nloadIndex vs before: ${fmtRatio(r.ratio.loadIndexVsReference)} faster; GET + load / helm repo add: ${fmtRatio(r.ratio.downloadVsHelm)} (${fmtRatio(r.ratio.downloadVsHelmNet)} against helm without its start-up)\n`;
  return s;
}
