/**
 * Push-to-applied latency through the whole chain, on the embedded cluster with every controller as a process:
 * a `git push` to the demo repository → its post-receive hook → GitHub's signed push webhook to the Receiver →
 * notification-controller annotates the GitRepository → source-controller stores the new artifact →
 * kustomize-controller applies it and waits for it to be healthy. The clock runs from the push's start to the
 * Kustomization's `lastAppliedRevision` naming the pushed commit (set once the health check passed, as upstream).
 * There is no reference tool to run beside it: Flux's own figure without a Receiver is the GitRepository's interval
 * (1m in the getting-started guide), and issue 17's goal is a p50 under 1 s.
 *
 * Each push is broken down into stages from watch events the bench receives (it hosts the API server, so an event
 * arrives within a millisecond or so of the write) and from notification-controller's log line of the webhook
 * request (pino `ts`, the same wall clock).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { allReady, fluxRows, startEmbedded } from '@flux-ts/embedded';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { freePort, run } from '@flux-ts/testbed';

/** Options of {@link runPushLatency}. */
export interface PushLatencyOptions {
  workspace: string;
  /** Pushes to time (default 20). */
  pushes?: number;
  /** Delay after which a simulated Deployment is rolled out (default 100 ms). */
  simulateReadyMs?: number;
  log?: (line: string) => void;
}

/** The stages of one push, in ms from the push's start (undefined when the stage was not observed). */
export interface PushStages {
  /** `git push` returned (the post-receive hook has handed the push over). */
  pushed: number;
  /** notification-controller logged the webhook request. */
  webhook?: number | undefined;
  /** The GitRepository got its new `reconcile.fluxcd.io/requestedAt`. */
  annotated?: number | undefined;
  /** The GitRepository's status names the new artifact. */
  artifact?: number | undefined;
  /** The demo Deployment was written at its new generation (build, dry-run and apply done). */
  applied?: number | undefined;
  /** The simulated rollout finished. */
  rolledOut?: number | undefined;
  /** The Kustomization's `lastAppliedRevision` names the commit: the end of the clock. */
  ready: number;
}

/** The stage names in chain order (`pushed` stands apart: the webhook is sent while `git push` still runs). */
export const STAGES = ['webhook', 'annotated', 'artifact', 'applied', 'rolledOut', 'ready'] as const;

/** What {@link runPushLatency} measured, in ms. */
export interface PushLatencyResult {
  /** When the pushes started (ISO). */
  date: string;
  /** The 1-, 5- and 15-minute load averages before the first push and after the last (the machine is shared). */
  loadAverage: { before: number[]; after: number[] };
  pushes: number;
  /** The git server's requests over the pushes (the pushes' own included; the GitRepository's interval may add some). */
  gitRequests: { infoRefs: number; uploadPack: number; receivePack: number };
  samplesMs: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Per push, the stages in ms from its start. */
  stages: PushStages[];
  /** Per step (`a → b`), the median of the differences over the pushes where both were observed. */
  stepMediansMs: Record<string, number>;
}

const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

type Watched = KubeObject & {
  spec?: { replicas?: number };
  status?: {
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
};

/** A watch event as the bench received it (wall-clock ms). */
interface Stamp {
  t: number;
  kind: string;
  obj: Watched;
}

/** Records every event of the demo's GitRepository, Kustomization and Deployment until `signal` aborts. */
function recordEvents(client: KubeClient, stamps: Stamp[], signal: AbortSignal): void {
  const targets = [
    { gvk: GIT, namespace: 'flux-system', name: 'demo' },
    { gvk: KS, namespace: 'flux-system', name: 'demo' },
    { gvk: DEPLOYMENT, namespace: 'default', name: 'demo' },
  ];
  for (const { gvk, namespace, name } of targets) {
    void (async () => {
      // the server ends a watch now and then: start again (the ADDED replay of the current state is harmless)
      while (!signal.aborted) {
        try {
          const events = client.watch<Watched>(gvk, {
            namespace,
            fieldSelector: `metadata.name=${name}`,
            timeoutSeconds: 300,
            signal,
          });
          for await (const ev of events) stamps.push({ t: Date.now(), kind: gvk.kind, obj: ev.object });
        } catch {
          // ended below
        }
        if (!signal.aborted) await sleep(50);
      }
    })();
  }
}

/** The first stamp at or after `from` that matches. */
function first(
  stamps: readonly Stamp[],
  kind: string,
  from: number,
  test: (o: Watched) => boolean,
): number | undefined {
  return stamps.find((s) => s.kind === kind && s.t >= from && test(s.obj))?.t;
}

/** The wall-clock ms of the first receiver-server "handling request" line at or after `from`. */
function webhookLogged(logFile: string, from: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('handling request')) continue;
    try {
      const t = Date.parse((JSON.parse(line) as { ts?: string }).ts ?? '');
      if (t >= from) return t;
    } catch {
      // not a JSON line (a warning on stderr)
    }
  }
  return undefined;
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
    simulateReadyMs: opts.simulateReadyMs ?? 100,
  });
  const recording = new AbortController();
  try {
    const deadline = Date.now() + 180_000;
    while (!allReady(await fluxRows(e.client))) {
      if (Date.now() > deadline) throw new Error('the demo did not reach all Ready in 180 s');
      await sleep(200);
    }
    const stamps: Stamp[] = [];
    recordEvents(e.client, stamps, recording.signal);
    // every watch has replayed its object: from now on no event is missed
    while (new Set(stamps.map((x) => x.kind)).size < 3) {
      if (Date.now() > deadline) throw new Error('the watches of the demo objects did not start');
      await sleep(20);
    }
    const notificationLog = join(e.layout.logs, 'notification-controller.log');
    const work = e.demo!.workTree;
    const file = join(work, 'apps/demo/overlays/dev/kustomization.yaml');
    const samples: number[] = [];
    const stages: PushStages[] = [];
    const date = new Date().toISOString();
    const loadBefore = loadavg();
    e.git.resetCounts();
    for (let i = 0; i < (opts.pushes ?? 20); i++) {
      const text = readFileSync(file, 'utf8').replace(/PODINFO_UI_MESSAGE=.*/, `PODINFO_UI_MESSAGE=push ${i}`);
      writeFileSync(file, text);
      await run('git', ['-C', work, 'commit', '-qam', `push ${i}`]);
      const sha = (await run('git', ['-C', work, 'rev-parse', 'HEAD'])).trim();
      const revision = `main@sha1:${sha}`;
      const [gitBefore, depBefore] = await Promise.all([
        e.client.get<Watched>(GIT, { namespace: 'flux-system', name: 'demo' }),
        e.client.get<Watched>(DEPLOYMENT, { namespace: 'default', name: 'demo' }),
      ]);
      const requestedBefore = gitBefore.metadata.annotations?.[REQUESTED_AT];
      const genBefore = depBefore.metadata.generation ?? 0;
      const t0 = Date.now();
      await run('git', ['-C', work, 'push', '-q']);
      const pushed = Date.now();
      let ready: number | undefined;
      while ((ready = first(stamps, KS.kind, t0, (o) => o.status?.lastAppliedRevision === revision)) === undefined) {
        if (Date.now() - t0 > 120_000) throw new Error(`push ${i} was not applied within 120 s`);
        await sleep(10);
      }
      const newGen = (o: Watched): boolean => (o.metadata.generation ?? 0) > genBefore;
      const at = (t: number | undefined): number | undefined => (t === undefined ? undefined : t - t0);
      const s: PushStages = {
        pushed: pushed - t0,
        webhook: at(webhookLogged(notificationLog, t0)),
        annotated: at(
          first(stamps, GIT.kind, t0, (o) => {
            const v = o.metadata.annotations?.[REQUESTED_AT];
            return v !== undefined && v !== requestedBefore;
          }),
        ),
        artifact: at(first(stamps, GIT.kind, t0, (o) => o.status?.artifact?.revision === revision)),
        applied: at(first(stamps, DEPLOYMENT.kind, t0, newGen)),
        rolledOut: at(
          first(
            stamps,
            DEPLOYMENT.kind,
            t0,
            (o) =>
              newGen(o) &&
              o.status?.observedGeneration === o.metadata.generation &&
              o.status?.updatedReplicas === (o.spec?.replicas ?? 1) &&
              o.status?.availableReplicas === (o.spec?.replicas ?? 1),
          ),
        ),
        ready: ready - t0,
      };
      stages.push(s);
      samples.push(s.ready);
      log(
        `push ${i + 1}: ${s.ready} ms (${['pushed', ...STAGES].map((k) => `${k} ${s[k as keyof PushStages] ?? '-'}`).join(', ')})`,
      );
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      date,
      loadAverage: { before: loadBefore, after: loadavg() },
      pushes: samples.length,
      gitRequests: (({ infoRefs, uploadPack, receivePack }) => ({ infoRefs, uploadPack, receivePack }))(e.git.counts()),
      samplesMs: samples,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      maxMs: sorted.at(-1) ?? Number.NaN,
      stages,
      stepMediansMs: stepMedians(stages),
    };
  } finally {
    recording.abort();
    await e.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The median of `git push` itself (`start → pushed`) and of each step between consecutive stages of the chain
 * (`start → webhook`, `webhook → annotated`, …), over the pushes where both ends were observed.
 */
export function stepMedians(stages: readonly PushStages[]): Record<string, number> {
  const out: Record<string, number> = {};
  const pushed = stages.map((s) => s.pushed).sort((x, y) => x - y);
  if (pushed.length > 0) out['start → pushed'] = quantile(pushed, 0.5);
  const names = ['start', ...STAGES] as const;
  for (let k = 1; k < names.length; k++) {
    const from = names[k - 1]!;
    const to = names[k]!;
    const diffs = stages
      .map((s) => {
        const a = from === 'start' ? 0 : s[from];
        const b = s[to as (typeof STAGES)[number]];
        return a === undefined || b === undefined ? undefined : b - a;
      })
      .filter((d): d is number => d !== undefined)
      .sort((x, y) => x - y);
    if (diffs.length > 0) out[`${from} → ${to}`] = quantile(diffs, 0.5);
  }
  return out;
}

/** Writes the result as `<dir>/push-latency-<n>-<date>.json`; returns the file. */
export function writePushLatencyResult(r: PushLatencyResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `push-latency-${r.pushes}-${r.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

/** The result as the table `npm run bench` prints. */
export function formatPushLatencyResult(r: PushLatencyResult): string {
  return [
    `push → Receiver → GitRepository → Kustomization applied, ${r.pushes} pushes`,
    `  p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms   max ${r.maxMs} ms   (goal: p50 under 1000 ms; Flux without a Receiver: the interval)`,
    `  git requests: ${r.gitRequests.infoRefs} ref listings, ${r.gitRequests.uploadPack} upload-packs, ${r.gitRequests.receivePack} receive-packs`,
    `  load average before ${r.loadAverage.before.map((x) => x.toFixed(1)).join(' ')}, after ${r.loadAverage.after.map((x) => x.toFixed(1)).join(' ')}`,
    '  median per step:',
    ...Object.entries(r.stepMediansMs).map(([step, ms]) => `    ${step.padEnd(24)} ${String(ms).padStart(6)} ms`),
  ].join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
