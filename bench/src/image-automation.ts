/**
 * Tag-to-applied latency of image automation (issue 19), on the embedded cluster with source-, kustomize-,
 * image-reflector- and image-automation-controller as processes: a tag pushed to Debian's docker-registry → the
 * registry's webhook (`reconcile.fluxcd.io/requestedAt` on the ImageRepository, as a Receiver would set it) → scan →
 * ImagePolicy (alphabetical asc) elects the tag → ImageUpdateAutomation commits and pushes it to the fleet
 * repository's `eks` → the git host's webhook (the same annotation on the GitRepository once the branch moved) →
 * artifact → Kustomization applies the Deployment. Each sample runs from the start of the tag's push to
 * `lastAppliedRevision` naming the automation's commit, split at the policy's election and the commit's arrival.
 * There is no reference tool to run beside it: without both webhooks, Flux's own figure is bounded by the
 * ImageRepository's interval plus the GitRepository's (the automation runs when the policy's `latestRef` changes).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmbedded } from '@flux-ts/embedded';
import type { Embedded } from '@flux-ts/embedded';
import { RegistryClient, pushImage } from '@flux-ts/oci';
import type { KubeObject } from '@flux-ts/runtime';
import { freePort, run, startRegistry } from '@flux-ts/testbed';
import { quantile } from './push-latency.ts';

/** Options of {@link runImageAutomationLatency}. */
export interface ImageAutomationLatencyOptions {
  workspace: string;
  /** Tags to time (default 10). */
  tags?: number;
  log?: (line: string) => void;
}

/** One tag's way through the loop, in ms from the start of its push. */
export interface ImageAutomationSample {
  policyMs: number;
  commitMs: number;
  appliedMs: number;
}

/** What {@link runImageAutomationLatency} measured, in ms. */
export interface ImageAutomationLatencyResult {
  tags: number;
  samples: ImageAutomationSample[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p50 of each step: push → policy, policy → commit, commit → applied. */
  p50StepsMs: { policy: number; commit: number; applied: number };
}

const GVK = {
  git: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
  ks: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
  repo: { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository' },
  policy: { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' },
};
const GIT_ENV = {
  PATH: process.env['PATH'],
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  HOME: '/nonexistent',
};
type Flux = KubeObject & {
  status?: {
    lastAppliedRevision?: string;
    latestRef?: { tag: string };
    conditions?: { type: string; status: string }[];
  };
};

/** A timestamp tag as CI makes them (`20260101000000` + i seconds). */
const tagOf = (i: number): string => String(20260101000000 + i);

/** Times `tags` tags from their push to the Kustomization applying the automation's commit. */
export async function runImageAutomationLatency(
  opts: ImageAutomationLatencyOptions,
): Promise<ImageAutomationLatencyResult> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-bench-image-'));
  const registry = await startRegistry({ dir: join(dir, 'registry') });
  let e: Embedded | undefined;
  try {
    e = await startEmbedded({
      workspace: opts.workspace,
      stateDir: join(dir, '.flux-ts'),
      gitPort: await freePort(),
      storagePort: await freePort(),
      demo: false,
      persist: false,
      simulateReadyMs: 100,
      controllers: [
        'source-controller',
        'kustomize-controller',
        'image-reflector-controller',
        'image-automation-controller',
      ],
    });
    const client = e.client;
    const image = `${registry.host}/shop/account`;
    const bare = join(e.layout.git, 'fleet.git');
    await run('git', ['init', '-q', '--bare', '-b', 'eks', bare], { env: GIT_ENV });
    await run('git', ['-C', bare, 'config', 'http.receivepack', 'true'], { env: GIT_ENV });
    const work = join(dir, 'fleet');
    await run('git', ['init', '-q', '-b', 'eks', work], { env: GIT_ENV });
    const files: Record<string, string> = {
      'clusters/eks/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
      'clusters/eks/account.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: account
  namespace: shop
spec:
  selector:
    matchLabels:
      app: account
  template:
    metadata:
      labels:
        app: account
    spec:
      containers:
      - name: account
        image: ${image}:${tagOf(0)} # {"$imagepolicy": "flux-system:account"}
`,
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, p)), { recursive: true });
      writeFileSync(join(work, p), text);
    }
    const git = (...args: string[]): Promise<string> => run('git', ['-C', work, ...args], { env: GIT_ENV });
    await git('add', '-A');
    await git('-c', 'user.name=bench', '-c', 'user.email=bench@flux-ts.local', 'commit', '-qm', 'fleet');
    await git('push', '-q', `${e.git.url}/fleet.git`, 'eks');
    const eksHead = async (): Promise<string> =>
      (await run('git', ['--git-dir', bare, 'rev-parse', 'eks'], { env: GIT_ENV })).trim();

    await pushTag(registry.host, tagOf(0));
    const meta = (name: string) => ({ name, namespace: 'flux-system' });
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
      {
        ...GVK.git,
        metadata: meta('flux-system'),
        spec: { interval: '1h', url: `${e.git.url}/fleet.git`, ref: { branch: 'eks' } },
      },
      {
        ...GVK.ks,
        metadata: meta('flux-system'),
        spec: {
          interval: '1h',
          path: './clusters/eks',
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        },
      },
      { ...GVK.repo, metadata: meta('account'), spec: { image, interval: '1h', insecure: true } },
      {
        ...GVK.policy,
        metadata: meta('account'),
        spec: { imageRepositoryRef: { name: 'account' }, policy: { alphabetical: { order: 'asc' } } },
      },
      {
        apiVersion: 'image.toolkit.fluxcd.io/v1',
        kind: 'ImageUpdateAutomation',
        metadata: meta('flux-system'),
        spec: {
          interval: '1h',
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          git: {
            checkout: { ref: { branch: 'eks' } },
            commit: {
              author: { name: 'fluxbot', email: 'fluxbot@example.com' },
              messageTemplate: 'An automated update from FluxBot\n',
            },
            push: { branch: 'eks' },
          },
          update: { strategy: 'Setters', path: './clusters/eks' },
        },
      },
    ];
    for (const o of objects) await client.create(o as KubeObject);
    const ksApplied = async (commit: string): Promise<boolean> =>
      (await client.get<Flux>(GVK.ks, meta('flux-system'))).status?.lastAppliedRevision === `eks@sha1:${commit}`;
    const initial = await eksHead();
    await waitFor('the fleet applied', () => ksApplied(initial), 120_000);
    await waitFor(
      'the first tag elected',
      async () => (await client.get<Flux>(GVK.policy, meta('account'))).status?.latestRef?.tag === tagOf(0),
      60_000,
    );

    const annotate = (g: { apiVersion: string; kind: string }, name: string) =>
      client.patch(
        g,
        meta(name),
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } },
        { type: 'merge' },
      );
    const samples: ImageAutomationSample[] = [];
    let head = initial;
    for (let i = 1; i <= (opts.tags ?? 10); i++) {
      const tag = tagOf(i);
      const t0 = performance.now();
      await pushTag(registry.host, tag);
      await annotate(GVK.repo, 'account');
      await waitFor(
        `${tag} elected`,
        async () => (await client.get<Flux>(GVK.policy, meta('account'))).status?.latestRef?.tag === tag,
      );
      const policyMs = performance.now() - t0;
      const previous = head;
      head = await waitFor(`a commit for ${tag}`, async () => {
        const h = await eksHead();
        return h !== previous ? h : undefined;
      });
      const commitMs = performance.now() - t0;
      await annotate(GVK.git, 'flux-system');
      const commit = head;
      await waitFor(`${commit} applied`, () => ksApplied(commit));
      const appliedMs = performance.now() - t0;
      samples.push({
        policyMs: Math.round(policyMs),
        commitMs: Math.round(commitMs),
        appliedMs: Math.round(appliedMs),
      });
      log(
        `tag ${i}: policy ${policyMs.toFixed(0)} ms, commit ${commitMs.toFixed(0)} ms, applied ${appliedMs.toFixed(0)} ms`,
      );
    }
    const p50 = (xs: number[]): number =>
      Math.round(
        quantile(
          [...xs].sort((a, b) => a - b),
          0.5,
        ),
      );
    const applied = samples.map((s) => s.appliedMs).sort((a, b) => a - b);
    return {
      tags: samples.length,
      samples,
      p50Ms: p50(applied),
      p99Ms: Math.round(quantile(applied, 0.99)),
      maxMs: applied.at(-1) ?? Number.NaN,
      p50StepsMs: {
        policy: p50(samples.map((s) => s.policyMs)),
        commit: p50(samples.map((s) => s.commitMs - s.policyMs)),
        applied: p50(samples.map((s) => s.appliedMs - s.commitMs)),
      },
    };
  } finally {
    await e?.stop();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as the table `npm run bench` prints. */
export function formatImageAutomationLatencyResult(r: ImageAutomationLatencyResult): string {
  return [
    `tag → ImageRepository → ImagePolicy → commit on eks → GitRepository → Kustomization applied, ${r.tags} tags`,
    `  p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms   max ${r.maxMs} ms`,
    `  p50 per step: push → policy ${r.p50StepsMs.policy} ms, policy → commit ${r.p50StepsMs.commit} ms, commit → applied ${r.p50StepsMs.applied} ms`,
  ].join('\n');
}

/** Pushes a tiny OCI image under `tag` to `shop/account`. */
async function pushTag(host: string, tag: string): Promise<void> {
  const client = new RegistryClient({ insecure: true });
  try {
    await pushImage(client, host, 'shop/account', [tag], `account ${tag}`, AbortSignal.timeout(30_000));
  } finally {
    client.close();
  }
}

/** Polls `fn` every 20 ms until it returns a value other than undefined/false. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
