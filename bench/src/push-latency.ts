/**
 * Push-to-applied latency through the whole chain, on the embedded cluster with every controller as a process:
 * a `git push` to the demo repository → GitHub's signed push webhook to the Receiver → notification-controller
 * annotates the GitRepository → source-controller stores the new artifact → kustomize-controller applies it. The
 * clock runs from the push's start to the Kustomization's `lastAppliedRevision` naming the pushed commit. There is no
 * reference tool to run beside it: Flux's own figure without a Receiver is the GitRepository's interval (1m in the
 * getting-started guide), and issue 17's goal is a p50 under 1 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allReady, fluxRows, startEmbedded } from '@flux-ts/embedded';
import type { KubeObject } from '@flux-ts/runtime';
import { run } from '@flux-ts/testbed';

/** Options of {@link runPushLatency}. */
export interface PushLatencyOptions {
  workspace: string;
  /** Pushes to time (default 20). */
  pushes?: number;
  log?: (line: string) => void;
}

/** What {@link runPushLatency} measured, in ms. */
export interface PushLatencyResult {
  pushes: number;
  samplesMs: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Times `pushes` pushes from `git push` to the Kustomization applying the commit. */
export async function runPushLatency(opts: PushLatencyOptions): Promise<PushLatencyResult> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-bench-push-'));
  const e = await startEmbedded({
    workspace: opts.workspace,
    stateDir: join(dir, '.flux-ts'),
    apiPort: 0,
    gitPort: 0,
    chartPort: 0,
    storagePort: await freePort(),
    persist: false,
    simulateReadyMs: 100,
  });
  try {
    const deadline = Date.now() + 180_000;
    while (!allReady(await fluxRows(e.client))) {
      if (Date.now() > deadline) throw new Error('the demo did not reach all Ready in 180 s');
      await sleep(200);
    }
    const work = e.demo!.workTree;
    const file = join(work, 'apps/demo/overlays/dev/kustomization.yaml');
    const samples: number[] = [];
    for (let i = 0; i < (opts.pushes ?? 20); i++) {
      const text = readFileSync(file, 'utf8').replace(/PODINFO_UI_MESSAGE=.*/, `PODINFO_UI_MESSAGE=push ${i}`);
      writeFileSync(file, text);
      await run('git', ['-C', work, 'commit', '-qam', `push ${i}`]);
      const sha = (await run('git', ['-C', work, 'rev-parse', 'HEAD'])).trim();
      const t0 = performance.now();
      await run('git', ['-C', work, 'push', '-q']);
      for (;;) {
        const ks = await e.client.get<KubeObject & { status?: { lastAppliedRevision?: string } }>(KS, {
          namespace: 'flux-system',
          name: 'demo',
        });
        if (ks.status?.lastAppliedRevision === `main@sha1:${sha}`) break;
        if (performance.now() - t0 > 120_000) throw new Error(`push ${i} was not applied within 120 s`);
        await sleep(20);
      }
      const ms = performance.now() - t0;
      samples.push(ms);
      log(`push ${i + 1}: ${ms.toFixed(0)} ms`);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      pushes: samples.length,
      samplesMs: samples.map((s) => Math.round(s)),
      p50Ms: Math.round(quantile(sorted, 0.5)),
      p99Ms: Math.round(quantile(sorted, 0.99)),
      maxMs: Math.round(sorted.at(-1) ?? Number.NaN),
    };
  } finally {
    await e.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as the table `npm run bench` prints. */
export function formatPushLatencyResult(r: PushLatencyResult): string {
  return [
    `push → Receiver → GitRepository → Kustomization applied, ${r.pushes} pushes`,
    `  p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms   max ${r.maxMs} ms   (goal: p50 under 1000 ms; Flux without a Receiver: the interval)`,
  ].join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
