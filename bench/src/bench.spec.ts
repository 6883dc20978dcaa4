// Keeps the benchmarks working: each scenario once at a tiny size. No timing assertions: the numbers only have to
// be well-formed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { histogramQuantile, parseMetrics, reconcileHistograms, summarizeRequests } from './cluster.ts';
import { formatFanoutResult, runFanout, writeFanoutResult } from './fanout.ts';
import type { FanoutResult } from './fanout.ts';
import { formatGitResult, runGitBench } from './git.ts';
import { formatHelmResult, runHelmBench } from './helm.ts';
import { formatHelmIndexResult, runHelmIndexBench } from './helm-index.ts';
import { formatIdleBundleResult, runIdleBundle } from './idle-bundle.ts';
import { formatKustomizeResult, runKustomizeBench } from './kustomize.ts';
import { median, ratio, table } from './measure.ts';
import { formatOciFanoutResult, runOciFanout, writeOciFanoutResult } from './oci-fanout.ts';

const positive = (x: number | null | undefined) => {
  expect(x).not.toBeNull();
  expect(Number.isFinite(x)).toBe(true);
  expect(x!).toBeGreaterThan(0);
};

describe('measure', () => {
  it('computes medians, ratios and tables', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, null)).toBeNull();
    expect(table(['a', 'bb'], [['x', '1']])).toBe('a  bb\n-  --\nx   1\n');
  });
});

describe('bench git', () => {
  it('clones a tiny repository with both sides and reports numbers', { timeout: 60_000 }, async () => {
    const r = await runGitBench({ runs: 1, files: 30, commits: 2, sweep: [10] });
    expect(r.clone.files).toBe(30);
    for (const x of [r.clone.ours.callMs, r.clone.ours.processMs, r.clone.ours.peakRssKb, r.clone.git.ms]) positive(x);
    positive(r.clone.ratio.call);
    positive(r.clone.packBytes);
    expect(r.noop.requests).toEqual({ infoRefs: 1, uploadPack: 0 });
    positive(r.noop.ratio);
    expect(r.sweep.map((p) => p.files)).toEqual([10]);
    positive(r.sweep[0]!.ours.peakRssKb);
    expect(formatGitResult(r)).toContain('git clone --depth 1');
  });
});

describe('bench kustomize', () => {
  it('builds tiny inputs on every side, identically, and reports numbers', { timeout: 60_000 }, async () => {
    const r = await runKustomizeBench({ runs: 1, deployments: 10, resources: 40 });
    expect(r.inputs.map((i) => i.name)).toEqual(['small', 'deployments', 'resources']);
    expect(r.inputs.map((i) => i.objects)).toEqual([3, 11, 40]);
    for (const i of r.inputs) {
      for (const x of [i.inProcess.median, i.cli.median, i.kubectl.median, i.ratio.inProcess, i.ratio.cli]) positive(x);
      expect(i.cli.ms).toHaveLength(1);
    }
    expect(formatKustomizeResult(r)).toContain('kubectl');
  });
});

describe('bench helm', () => {
  it(
    'renders the helm create chart and a tiny generated chart on every side, identically',
    { timeout: 90_000 },
    async () => {
      const r = await runHelmBench({ runs: 1, objects: 6 });
      expect(r.inputs.map((i) => i.name)).toEqual(['create', 'many']);
      expect(r.inputs[1]!.objects).toBe(6);
      expect(r.inputs[0]!.objects).toBeGreaterThanOrEqual(4);
      for (const i of r.inputs) {
        for (const x of [i.inProcess.median, i.cli.median, i.helm.median, i.ratio.inProcess, i.ratio.cli]) positive(x);
        expect(i.cli.ms).toHaveLength(1);
      }
      expect(formatHelmResult(r)).toContain('helm template');
    },
  );
});

describe('bench helm-index', () => {
  it(
    'loads a tiny generated index on every side, with the entries helm lists, and reports numbers',
    { timeout: 90_000 },
    async () => {
      const r = await runHelmIndexBench({ runs: 1, charts: 5, versions: 2 });
      expect([r.charts, r.versions]).toEqual([5, 2]);
      positive(r.indexBytes);
      for (const t of [r.loadIndex, r.reference, r.download, r.helm]) {
        positive(t.median);
        positive(t.mbPerS);
      }
      for (const x of [r.helmStartup.median, r.ratio.loadIndexVsReference, r.ratio.downloadVsHelm]) positive(x);
      expect(formatHelmIndexResult(r)).toContain('helm repo add');
    },
  );
});

describe('fan-out helpers', () => {
  it('classifies the API server counters into writes, dry-runs and reads', () => {
    const s = summarizeRequests({
      'get deployments.apps': 4,
      'dryrun-patch deployments.apps': 2,
      'patch deployments.apps': 1,
      'patch kustomizations.kustomize.toolkit.fluxcd.io/status': 3,
      'patch kustomizations.kustomize.toolkit.fluxcd.io': 1,
      'create events': 2,
      'update leases.coordination.k8s.io': 1,
    });
    expect(s.total).toBe(14);
    expect(s.byVerb).toEqual({ get: 4, 'dryrun-patch': 2, patch: 5, create: 2, update: 1 });
    expect(s.writes).toEqual({ applied: 1, fluxStatus: 3, fluxObject: 1, events: 2, other: 1 });
    expect(s.dryRuns).toBe(2);
  });

  it('interpolates quantiles of the reconcile-time histogram between two scrapes', () => {
    const h = (a: number, b: number, inf: number) =>
      parseMetrics(
        [
          '# TYPE controller_runtime_reconcile_time_seconds histogram',
          `controller_runtime_reconcile_time_seconds_bucket{le="1",controller="k"} ${a}`,
          `controller_runtime_reconcile_time_seconds_bucket{le="2",controller="k"} ${b}`,
          `controller_runtime_reconcile_time_seconds_bucket{le="+Inf",controller="k"} ${inf}`,
          `controller_runtime_reconcile_time_seconds_count{controller="k"} ${inf}`,
        ].join('\n'),
      );
    const d = reconcileHistograms(h(1, 1, 1), h(3, 11, 11))['k']!;
    expect(d.count).toBe(10);
    expect(d.buckets).toEqual([
      [1, 2],
      [2, 10],
      [Infinity, 10],
    ]);
    expect(histogramQuantile(0.5, d)).toBeCloseTo(1.375);
    expect(histogramQuantile(0.1, d)).toBeCloseTo(0.5);
    expect(histogramQuantile(0.5, { count: 0, sum: 0, buckets: [] })).toBeNull();
  });
});

function checkShape(r: FanoutResult, phases: string[], controllers: string[]): void {
  expect(r.samples).toHaveLength(1);
  expect(r.machine.nproc).toBeGreaterThan(0);
  expect(r.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
  expect(Object.keys(r.settings.controllers)).toEqual(controllers);
  const run = r.samples[0]!;
  expect(Object.keys(run.phases)).toEqual(phases);
  for (const p of phases) {
    const x = run.phases[p]!;
    expect(x.objects).toBe(5);
    positive(x.wallMs);
    positive(x.requests.total);
    expect(x.requests.writes.fluxStatus).toBeGreaterThanOrEqual(5);
    for (const c of controllers) expect(x.controllers[c]!.cpuSeconds).toBeGreaterThanOrEqual(0);
    positive(r.median[`${p}.wallS`] ?? null);
  }
  for (const c of controllers) {
    positive(run.controllers[c]!.peakRss);
    positive(run.controllers[c]!.heapUsedPeak);
    positive(run.controllers[c]!.startRss);
  }
  const main = controllers.at(-1)!;
  expect(run.phases['install']!.controllers[main]!.reconciles).toBeGreaterThanOrEqual(5);
  positive(run.phases['install']!.controllers[main]!.reconcileP50);
}

describe('bench kustomization and source (N=5 smoke)', () => {
  it('brings 5 Kustomizations to Ready, upgrades them, and runs a no-op pass', { timeout: 90_000 }, async () => {
    const r = await runFanout('kustomization', { n: 5, runs: 1, pin: false, phaseTimeoutMs: 40_000 });
    checkShape(r, ['install', 'upgrade', 'noop'], ['source-controller', 'kustomize-controller']);
    const [install, upgrade, noop] = ['install', 'upgrade', 'noop'].map((p) => r.samples[0]!.phases[p]!);
    expect(install!.requests.writes.applied).toBeGreaterThanOrEqual(20); // 4 objects each
    expect(upgrade!.requests.writes.applied).toBeGreaterThanOrEqual(20); // every object changed
    expect(noop!.requests.dryRuns).toBeGreaterThanOrEqual(20);
    expect(noop!.git.uploadPack).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    try {
      const file = writeFanoutResult(r, dir);
      expect(file).toMatch(/kustomization-5-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
      const back = JSON.parse(readFileSync(file, 'utf8')) as FanoutResult;
      expect(back.n).toBe(5);
      expect(back.median['noop.writes.applied']).toBe(noop!.requests.writes.applied);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(formatFanoutResult(r)).toContain('kustomize-controller');
  });

  it('idle: brings sources and Kustomizations to Ready, then leaves them alone', { timeout: 90_000 }, async () => {
    const r = await runFanout('idle', { n: 4, runs: 1, pin: false, phaseTimeoutMs: 40_000, idleMs: 2_000 });
    const run = r.samples[0]!;
    expect(Object.keys(run.phases)).toEqual(['install', 'idle']);
    const { install, idle } = run.phases;
    expect(install!.git.uploadPack).toBeGreaterThanOrEqual(2); // one repository per GitRepository
    expect(install!.requests.writes.applied).toBeGreaterThanOrEqual(8); // 2 Kustomizations, 4 objects each
    expect(idle!.wallMs).toBeGreaterThanOrEqual(2_000);
    expect(idle!.requests.writes.applied).toBe(0);
    expect(r.median['idle.kustomize-controller.reconciles']).toBe(
      idle!.controllers['kustomize-controller']!.reconciles,
    );
    expect(formatFanoutResult(r)).toMatch(/idle phase \(0\.0 min, 4 objects\): [\d.]+ API requests\/min/);
  });

  it(
    'brings 5 HelmReleases to Ready, upgrades them, and runs a no-op pass that writes no release',
    { timeout: 120_000 },
    async () => {
      const r = await runFanout('helmrelease', { n: 5, runs: 1, pin: false, phaseTimeoutMs: 60_000 });
      checkShape(r, ['install', 'upgrade', 'noop'], ['source-controller', 'helm-controller']);
      const [install, upgrade, noop] = ['install', 'upgrade', 'noop'].map((p) => r.samples[0]!.phases[p]!);
      // 4 objects and a release Secret each; the upgrade rewrites all four and adds a release Secret
      expect(install!.requests.byKey['create secrets']).toBeGreaterThanOrEqual(5);
      expect(install!.requests.writes.applied).toBeGreaterThanOrEqual(25);
      expect(upgrade!.requests.writes.applied).toBeGreaterThanOrEqual(25);
      expect(noop!.requests.writes.applied).toBe(0);
      expect(noop!.requests.writes.fluxStatus).toBeGreaterThanOrEqual(5); // lastHandledReconcileAt
      expect(formatFanoutResult(r)).toContain('helm-controller');
    },
  );

  it('brings 5 GitRepositories to Ready and re-checks them without a clone', { timeout: 60_000 }, async () => {
    const r = await runFanout('source', { n: 5, runs: 1, pin: false, phaseTimeoutMs: 40_000 });
    checkShape(r, ['install', 'noop'], ['source-controller']);
    const { install, noop } = r.samples[0]!.phases;
    expect(install!.git.uploadPack).toBeGreaterThanOrEqual(5);
    expect(noop!.git).toMatchObject({ infoRefs: 5, uploadPack: 0 });
    expect(noop!.requests.writes.applied).toBe(0);
    expect(formatFanoutResult(r)).toContain('source-controller');
  });
});

describe('bench oci-fanout (N=3 smoke)', () => {
  it(
    'brings 3 OCIRepositories to Ready from the registry, then re-checks them with a HEAD each',
    { timeout: 90_000 },
    async () => {
      const r = await runOciFanout({ n: 3, runs: 1, pin: false, phaseTimeoutMs: 40_000 });
      const run = r.samples[0]!;
      expect(Object.keys(run.phases)).toEqual(['install', 'noop']);
      expect(run.phases['install']!.timedOut).toBeUndefined();
      expect(run.phases['install']!.registry).toMatchObject({ 'GET manifest': 3, 'GET blob': 3 });
      expect(run.phases['noop']!.registry).toEqual({ 'HEAD manifest': 3 });
      positive(r.median['install.wallS']);
      positive(r.median['source-controller.peakRssMiB']);
      const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
      try {
        expect(writeOciFanoutResult(r, dir)).toMatch(/oci-fanout-3-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(formatOciFanoutResult(r)).toContain('Flux v2.8.0 (flux-benchmark, N=1000)');
    },
  );
});

describe('bench idle-bundle', () => {
  it('starts one controller from source and from its bundle and reads its memory', { timeout: 120_000 }, async () => {
    const r = await runIdleBundle({ apps: ['image-reflector-controller'], idleMs: 100 });
    expect(r.apps.map((a) => a.app)).toEqual(['image-reflector-controller']);
    const a = r.apps[0]!;
    for (const f of [a.source, a.bundle])
      for (const x of [f.readyMs, f.rssReady, f.rssIdle, f.heapUsedIdle]) positive(x);
    positive(a.bundleBytes);
    positive(r.bundleMs);
    expect(formatIdleBundleResult(r)).toContain('image-reflector-controller');
  });
});
