/**
 * The reliability suite (issue 26): the embedded stack of `npm start` (libs/apiserver, the real smart-HTTP git
 * server, source-, kustomize- and helm-controller as their own processes) under kill -9 of each controller while
 * commits are pushed, kill -9 of `npm start` itself, API faults with dropped watches, and hostile git trees and
 * archives. Every round asserts convergence to the last commit, exact inventories, intact artifact digests, no
 * leftover temporary directory and no orphan process. The figures of the run are printed and written to
 * `.test-results/reliability.json` (e2e/README.md records those of the last run).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPLEMENTED_CONTROLLERS } from '@flux-ts/embedded';
import type { Embedded } from '@flux-ts/embedded';
import { KubeClient, isNotFound, processAlive } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { freePort } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import {
  PushedRepo,
  digestOf,
  findNamed,
  gzipBomb,
  pidsWithArg,
  restartController,
  seededRandom,
  tarGz,
} from './reliability-harness.ts';
import { GVK as gvk, WORKSPACE, startE2eStack } from './stack.ts';

/** Kills of a controller process: four of each, round-robin, each at a random moment of a push and reconcile. */
const KILLS = 12;
const SEED = Number(process.env['RELIABILITY_SEED'] ?? Date.now() % 1_000_000);
const random = seededRandom(SEED);
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The figures of this run (printed at the end, recorded in e2e/README.md). */
const figures = {
  seed: SEED,
  controllerKills: {} as Record<string, number>,
  commitsConverged: 0,
  npmStartKills: 0,
  writesAcknowledgedBeforeKill: 0,
  writesLost: 0,
  faults: [] as { rate: number; requests: number; injected: number; watchDrops: number; commits: number }[],
  hostileInputs: 0,
  refused: 0,
  /** Inputs that must work (the repetitive file) or are made safe (a symlink entry skipped). */
  accepted: 0,
  escapes: 0,
  /** `flux reconcile helmrelease` requests the fault phases made (see `converged`). */
  releaseReconcileRequests: 0,
  /** Wall-clock seconds of each part (a figure, not an assertion). */
  seconds: {} as Record<string, number>,
};
const since = (start: number): number => Math.round((Date.now() - start) / 100) / 10;

afterAll(() => {
  console.log(`reliability figures: ${JSON.stringify(figures)}`);
  const out = join(import.meta.dirname, '..', '.test-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'reliability.json'), `${JSON.stringify(figures, null, 2)}\n`);
});

const NS = 'rel';
const RELIABILITY_CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller'];
const key = (name: string, namespace = NS) => ({ namespace, name });

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Flux = KubeObject & {
  status?: {
    conditions?: Condition[];
    observedGeneration?: number;
    artifact?: { revision: string; digest?: string; url: string };
    lastAppliedRevision?: string;
    inventory?: { entries: { id: string; v: string }[] };
    history?: { chartVersion: string; status: string }[];
  };
};
type ConfigMap = KubeObject & { data?: Record<string, string> };

const condition = (o: Flux, type = 'Ready'): Condition | undefined =>
  o.status?.conditions?.find((c) => c.type === type);
const isReady = (o: Flux): boolean =>
  condition(o)?.status === 'True' && o.status?.observedGeneration === o.metadata.generation;

/** The repository at commit number `seq`: a random subset of ConfigMaps for the Kustomization, and a chart. */
function content(seq: number): { files: Record<string, string>; configMaps: string[] } {
  const configMaps = Array.from({ length: 6 }, (_, i) => `cm-${i}`).filter(() => random() < 0.6);
  if (configMaps.length === 0) configMaps.push('cm-0');
  const files: Record<string, string> = {
    'deploy/kustomization.yaml': `resources:\n${configMaps.map((c) => `  - ${c}.yaml\n`).join('')}`,
    'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'charts/app/values.yaml': `seq: "${seq}"\n`,
    'charts/app/templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  seq: {{ .Values.seq | quote }}\n',
  };
  for (const c of configMaps)
    files[`deploy/${c}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${c}\ndata:\n  seq: "${seq}"\n`;
  return { files, configMaps };
}

describe('reliability of the embedded stack', () => {
  let e: Embedded;
  let tmp: string;
  /** The controllers' TMPDIR, private to this run: their `flux-ts-<controller>-<pid>` directories live here. */
  let controllersTmp: string;
  const savedTmpdir = process.env['TMPDIR'];
  let repo: PushedRepo;
  let seq = 0;
  let last = { commit: '', seq: 0, configMaps: [] as string[] };

  /** Reads through injected faults: a failed read is retried until it succeeds. */
  const get = <T extends KubeObject>(
    g: { apiVersion: string; kind: string },
    k: { namespace?: string; name: string },
  ) => until(`${g.kind} ${k.name}`, () => e.client.get<T>(g, k), 30_000, 50);
  const write = (what: string, fn: () => Promise<unknown>) => until(what, async () => (await fn(), true), 30_000, 50);

  async function pushCommit(): Promise<void> {
    seq++;
    const c = content(seq);
    const commit = await repo.push(c.files, `seq ${seq}`);
    last = { commit, seq, configMaps: c.configMaps };
  }

  async function pushRound(): Promise<void> {
    await pushCommit();
    // what a Receiver does on a push: `flux reconcile source git` (a dead source-controller sees it when it restarts)
    await write('the reconcile request', () =>
      e.client.patch(
        gvk.git,
        key('rel'),
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': `${Date.now()}` } } },
        { type: 'merge' },
      ),
    );
  }

  /** Every object reconciled the last commit: the source, the Kustomization, the chart and the release. */
  /** What {@link converged} saw last, for the message of a timeout. */
  let seen = '';
  const shown = (o: Flux): string => `${o.kind} ${JSON.stringify(condition(o))}`;
  async function converged(): Promise<boolean> {
    const revision = `main@sha1:${last.commit}`;
    const src = await e.client.get<Flux>(gvk.git, key('rel'));
    seen = `${shown(src)} at ${src.status?.artifact?.revision}`;
    if (!isReady(src) || src.status?.artifact?.revision !== revision) return false;
    const ks = await e.client.get<Flux>(gvk.ks, key('rel'));
    seen = `${shown(ks)} at ${ks.status?.lastAppliedRevision}`;
    if (!isReady(ks) || ks.status?.lastAppliedRevision !== revision) return false;
    const hr = await e.client.get<Flux>(gvk.hr, key('app'));
    const release = hr.status?.history?.[0];
    seen = `${shown(hr)} with ${JSON.stringify(release)}`;
    if (isReady(hr) && release?.chartVersion === `0.1.0+${last.commit.slice(0, 12)}` && release.status === 'deployed')
      return true;
    // Under API faults a failing HelmRelease backs off exponentially (Flux: 750 ms doubling to 15 min), so there a
    // user's `flux reconcile helmrelease` is what brings it back soon: the test asks as often as every 5 s.
    if (nudgeRelease && Date.now() - lastNudge > 5000) {
      lastNudge = Date.now();
      figures.releaseReconcileRequests++;
      await e.client.patch(
        gvk.hr,
        key('app'),
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': `${lastNudge}` } } },
        { type: 'merge' },
      );
    }
    return false;
  }
  let nudgeRelease = false;
  let lastNudge = 0;
  const convergence = (what: string, timeoutMs: number) =>
    until(() => `${what} (seq ${last.seq}, ${last.commit}); last seen: ${seen}`, converged, timeoutMs);

  /** Exact inventory, applied objects at the last commit, and artifacts whose bytes match their digests. */
  async function assertConsistent(): Promise<void> {
    const expected = last.configMaps.map((c) => `${NS}_${c}__ConfigMap`).sort();
    const ks = await get<Flux>(gvk.ks, key('rel'));
    expect((ks.status?.inventory?.entries ?? []).map((x) => x.id).sort()).toEqual(expected);
    const applied = await until('the applied ConfigMaps', () =>
      e.client.list<ConfigMap>(gvk.cm, { namespace: NS, labelSelector: 'kustomize.toolkit.fluxcd.io/name=rel' }),
    );
    expect(applied.items.map((o) => `${NS}_${o.metadata.name ?? ''}__ConfigMap`).sort()).toEqual(expected);
    for (const o of applied.items) expect(o.data).toEqual({ seq: String(last.seq) });
    expect((await get<ConfigMap>(gvk.cm, key('app-config'))).data).toEqual({ seq: String(last.seq) });
    for (const [g, name] of [
      [gvk.git, 'rel'],
      [gvk.chart, `${NS}-app`],
    ] as const) {
      const artifact = (await get<Flux>(g, key(name))).status?.artifact;
      expect(artifact?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await until(`the ${g.kind} artifact`, () => digestOf(artifact!.url))).toBe(artifact?.digest);
    }
  }

  /** The controllers of this run are exactly the three that `e.controllers` holds: nothing orphaned. */
  function assertNoOrphans(): void {
    const live = e.controllers.map((c) => c.child.pid ?? 0).sort((a, b) => a - b);
    expect(pidsWithArg(e.layout.kubeconfig)).toEqual(live);
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flux-ts-reliability-'));
    controllersTmp = join(tmp, 'tmp');
    mkdirSync(controllersTmp);
    // the controllers inherit it (startControllers passes process.env): their temp dirs are this run's alone
    process.env['TMPDIR'] = controllersTmp;
    e = await startE2eStack(tmp, {
      simulateReadyMs: 200,
      // the controllers the GitOps loop of this suite runs through (the others reconcile nothing of it)
      controllers: RELIABILITY_CONTROLLERS,
    });
    repo = await PushedRepo.create(e, 'rel', tmp);
    await pushCommit();
    await e.client.create({ ...gvk.ns, metadata: { name: NS } });
    await e.client.create({
      ...gvk.git,
      metadata: key('rel'),
      spec: { url: repo.url, ref: { branch: 'main' }, interval: '1m' },
    });
    await e.client.create({
      ...gvk.ks,
      metadata: key('rel'),
      spec: {
        interval: '1m',
        retryInterval: '2s',
        timeout: '30s',
        sourceRef: { kind: 'GitRepository', name: 'rel' },
        path: './deploy',
        prune: true,
        targetNamespace: NS,
      },
    });
    await e.client.create({
      ...gvk.hr,
      metadata: key('app'),
      spec: {
        interval: '1m',
        timeout: '30s',
        // an upgrade that an API fault failed is remediated and tried again, however often (Flux: retries < 0)
        install: { remediation: { retries: -1 } },
        upgrade: { remediation: { retries: -1 } },
        chart: {
          spec: {
            chart: './charts/app',
            reconcileStrategy: 'Revision',
            sourceRef: { kind: 'GitRepository', name: 'rel' },
          },
        },
      },
    });
    await convergence('the first commit applied', 120_000);
    await assertConsistent();
  }, 180_000);

  afterAll(async () => {
    await e?.stop();
    if (savedTmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmpdir;
    if (tmp && process.env['RELIABILITY_KEEP'] === undefined) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it(
    `survives ${KILLS} kill -9s of its controllers at random moments while commits are pushed`,
    // generous: a round takes seconds on an idle machine, several times that when the machine is shared
    { timeout: 480_000 },
    async () => {
      const start = Date.now();
      for (let round = 0; round < KILLS; round++) {
        const index = round % e.controllers.length;
        const victim = e.controllers[index]!;
        const pid = victim.child.pid!;
        // a commit, then the kill at a random moment of its reconcile; another commit while the controller is down
        await pushRound();
        await pause(random() * 1500);
        victim.child.kill('SIGKILL');
        expect(await victim.exited).toBe('SIGKILL');
        await pushRound();
        await pause(random() * 300);
        const restarted = restartController(e, WORKSPACE, index);
        figures.controllerKills[victim.name] = (figures.controllerKills[victim.name] ?? 0) + 1;

        await convergence(`convergence after killing ${victim.name}`, 60_000);
        figures.commitsConverged++;
        await assertConsistent();
        expect(processAlive(pid)).toBe(false);
        // the restarted controller reaped what the killed one left in the temporary directory
        await until(`${victim.name} ${restarted.child.pid} started`, () =>
          existsSync(join(controllersTmp, `flux-ts-${victim.name}-${restarted.child.pid}`)),
        );
        expect(existsSync(join(controllersTmp, `flux-ts-${victim.name}-${pid}`))).toBe(false);
        assertNoOrphans();
      }
      const live = e.controllers.map((c) => `flux-ts-${c.name}-${c.child.pid}`).sort();
      // (Node's compile cache lives there too)
      expect(
        readdirSync(controllersTmp)
          .filter((d) => d.startsWith('flux-ts-'))
          .sort(),
      ).toEqual(live);
      figures.seconds['controllerKills'] = since(start);
    },
  );

  for (const rate of [0.05, 0.25])
    it(`converges with ${rate * 100}% of API requests failing and watches dropped`, { timeout: 600_000 }, async () => {
      const start = Date.now();
      const hooks = e.server.hooks;
      const requests = (): number => Object.values(e.server.counters.snapshot()).reduce((a, b) => a + b, 0);
      const injectedBefore = hooks.injectedErrors();
      const requestsBefore = requests();
      // half of the faults fail the request (500), half ask to come back later (429); together `rate`
      const rules = [
        hooks.injectError({ code: 500, probability: rate / 2 }),
        hooks.injectError({ code: 429, probability: rate / 2 / (1 - rate / 2) }),
      ];
      nudgeRelease = true;
      let watchDrops = 0;
      const dropper = setInterval(() => (watchDrops += hooks.disconnectWatches()), 1000);
      // at 25%, a Kustomization reconcile of a few objects succeeds in about one try of eight: fewer commits
      const commits = rate > 0.1 ? 2 : 3;
      try {
        for (let i = 0; i < commits; i++) {
          await pushRound();
          await convergence(`convergence with ${rate * 100}% faults`, 240_000);
          figures.commitsConverged++;
        }
      } finally {
        clearInterval(dropper);
        for (const remove of rules) remove();
        nudgeRelease = false;
      }
      const injected = hooks.injectedErrors() - injectedBefore;
      const total = requests() - requestsBefore;
      figures.faults.push({ rate, requests: total, injected, watchDrops, commits });
      figures.seconds[`faults${rate * 100}`] = since(start);
      expect(injected).toBeGreaterThan(0);
      expect(watchDrops).toBeGreaterThan(0);
      await assertConsistent();
      assertNoOrphans();
    });

  describe('hostile input', () => {
    const HOSTILE = 'hostile';
    /** A name no legitimate path has: any file carrying it outside a tree is an escape. */
    const marker = `escaped-${process.pid}-${Date.now()}`;
    let outside: string;
    let artifacts: Server;
    let artifactsUrl: string;
    const served = new Map<string, Buffer>();
    let n = 0;
    let start = 0;

    beforeAll(async () => {
      start = Date.now();
      outside = join(tmp, 'outside');
      mkdirSync(outside);
      // what a symlink out of the tree would reach: a manifest and a "credential" of the host
      writeFileSync(
        join(outside, 'stolen.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  k: host-credential\n',
      );
      await e.client.create({ ...gvk.ns, metadata: { name: HOSTILE } });
      artifacts = createServer((req, res) => {
        const body = served.get(req.url ?? '');
        res.writeHead(body ? 200 : 404, { 'content-type': 'application/gzip' });
        res.end(body);
      });
      await new Promise<void>((r) => artifacts.listen(0, '127.0.0.1', () => r()));
      artifactsUrl = `http://127.0.0.1:${(artifacts.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await new Promise((r) => artifacts?.close(r));
    });

    async function kustomization(name: string, path = './'): Promise<void> {
      await e.client.create({
        ...gvk.ks,
        metadata: key(name, HOSTILE),
        spec: {
          interval: '1m',
          retryInterval: '5s',
          sourceRef: { kind: 'GitRepository', name },
          path,
          prune: true,
          targetNamespace: HOSTILE,
        },
      });
    }
    const settle = (g: typeof gvk.git, name: string, done: (o: Flux) => boolean) =>
      until(`${g.kind} ${name} settled`, async () => {
        const o = await e.client.get<Flux>(g, key(name, HOSTILE));
        return done(o) ? o : undefined;
      });
    // a failure is not observed (observedGeneration moves on success or stall only): Ready=False is the verdict
    const failed = (o: Flux) =>
      condition(o)?.status === 'False' &&
      !/^Source (is not ready, artifact not found|'[^']+' not found)$/.test(condition(o)?.message ?? '');
    const nothingApplied = async () =>
      expect(
        (
          await e.client.list<ConfigMap>(gvk.cm, {
            namespace: HOSTILE,
            labelSelector: 'kustomize.toolkit.fluxcd.io/name',
          })
        ).items,
      ).toEqual([]);

    /** Git trees that a checkout must refuse: entries that would write outside the working tree or into `.git`. */
    const unsafe = (entry: string) =>
      `failed to checkout and determine revision: unable to clone: The filepath "${entry}" contains unsafe character sequences`;
    const trees: { name: string; path: (abs: string) => string[]; message: (abs: string) => string }[] = [
      { name: 'a .. entry', path: () => ['..', marker], message: () => unsafe('..') },
      { name: 'a .. entry below a directory', path: () => ['deploy', '..', '..', marker], message: () => unsafe('..') },
      { name: 'a .git entry', path: () => ['.git', 'hooks', marker], message: () => unsafe('.git') },
      { name: 'an absolute path', path: (abs) => [`${abs}/${marker}`], message: (abs) => unsafe(`${abs}/${marker}`) },
    ];
    it.each(trees)('a GitRepository refuses a git tree with $name', { timeout: 60_000 }, async (c) => {
      const name = `tree-${n++}`;
      const r = await PushedRepo.create(e, name, tmp);
      await r.commitRawTree(c.path(outside), 'pwned', c.name);
      await e.client.create({
        ...gvk.git,
        metadata: key(name, HOSTILE),
        spec: { url: r.url, ref: { branch: 'main' }, interval: '1m' },
      });
      const src = await settle(gvk.git, name, failed);
      figures.hostileInputs++;
      expect(condition(src)).toMatchObject({ reason: 'GitOperationFailed', message: c.message(outside) });
      expect(condition(src, 'FetchFailed')).toMatchObject({ status: 'True', reason: 'GitOperationFailed' });
      expect(src.status?.artifact).toBeUndefined();
      figures.refused++;
      await e.client.delete(gvk.git, key(name, HOSTILE));
    });

    it(
      'a symlink out of the tree is not followed: not as a resource, not as spec.path',
      { timeout: 60_000 },
      async () => {
        const name = `links-${n++}`;
        const r = await PushedRepo.create(e, name, tmp);
        await r.push({ 'deploy/kustomization.yaml': 'resources:\n  - stolen.yaml\n' }, 'links', {
          'deploy/stolen.yaml': join(outside, 'stolen.yaml'),
          hostdir: outside,
        });
        await e.client.create({
          ...gvk.git,
          metadata: key(name, HOSTILE),
          spec: { url: r.url, ref: { branch: 'main' }, interval: '1m' },
        });
        await settle(gvk.git, name, isReady);
        await kustomization(name, './deploy');
        // the artifact holds no symlink (source-controller archives regular files only): the resource is not there
        const viaResource = await settle(gvk.ks, name, failed);
        figures.hostileInputs++;
        expect(condition(viaResource)).toMatchObject({
          reason: 'BuildFailed',
          message: expect.stringMatching(
            /^kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'stolen\.yaml': evalsymlink failure on '[^']+\/kustomization-hostile-links-[0-9]+-[^/']+\/deploy\/stolen\.yaml' : lstat [^:]+: no such file or directory'/,
          ),
        });
        figures.refused++;
        await write('spec.path through the link', () =>
          e.client.patch(gvk.ks, key(name, HOSTILE), { spec: { path: './hostdir' } }, { type: 'merge' }),
        );
        const viaPath = await settle(
          gvk.ks,
          name,
          (o) => failed(o) && o.metadata.generation === 2 && condition(o)?.message !== condition(viaResource)?.message,
        );
        figures.hostileInputs++;
        expect(condition(viaPath)).toMatchObject({
          reason: 'ArtifactFailed',
          message: 'kustomization path not found: stat ./hostdir: no such file or directory',
        });
        figures.refused++;
        await nothingApplied();
        await e.client.delete(gvk.ks, key(name, HOSTILE));
      },
    );

    it('a repetitive 4 MiB file (over 1000:1 compressed) works', { timeout: 60_000 }, async () => {
      const name = `repetitive-${n++}`;
      const r = await PushedRepo.create(e, name, tmp);
      const commit = await r.push(
        {
          'kustomization.yaml': 'resources:\n  - cm.yaml\n',
          'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: beside-a-big-file\n',
          'data/repetitive.txt': 'a'.repeat(4 * 1024 * 1024),
        },
        'big',
      );
      await e.client.create({
        ...gvk.git,
        metadata: key(name, HOSTILE),
        spec: { url: r.url, ref: { branch: 'main' }, interval: '1m' },
      });
      await kustomization(name);
      const revision = `main@sha1:${commit}`;
      const ks = await settle(gvk.ks, name, (o) => o.status?.lastAppliedRevision === revision || failed(o));
      figures.hostileInputs++;
      expect(condition(ks)).toMatchObject({ status: 'True', message: `Applied revision: ${revision}` });
      figures.accepted++;
      await e.client.get(gvk.cm, key('beside-a-big-file', HOSTILE));
      await e.client.delete(gvk.ks, key(name, HOSTILE));
      await until('the ConfigMap pruned', async () =>
        isNotFound(await e.client.get(gvk.cm, key('beside-a-big-file', HOSTILE)).catch((err: unknown) => err)),
      );
    });

    /**
     * Archives a source server could serve. source-controller never writes these: the artifact is a suspended
     * GitRepository's, its status written by hand as a compromised or impersonated artifact server would present it.
     * `message` undefined: the archive is accepted, confined to its tree.
     */
    const archives: {
      name: string;
      archive: (abs: string) => Buffer;
      digest?: string;
      message?: (abs: string, url: string, bytes: Buffer) => string;
    }[] = [
      {
        name: 'a .. entry',
        archive: () =>
          tarGz([
            { path: 'kustomization.yaml', body: 'resources: []\n' },
            { path: `../${marker}`, body: 'x' },
          ]),
        message: () => `unsafe archive entry '../${marker}': path traversal`,
      },
      {
        name: 'a nested .. entry',
        archive: () => tarGz([{ path: `a/../../${marker}`, body: 'x' }]),
        message: () => `unsafe archive entry 'a/../../${marker}': path traversal`,
      },
      {
        name: 'an absolute path',
        archive: (abs) => tarGz([{ path: `${abs}/${marker}`, body: 'x' }]),
        message: (abs) => `unsafe archive entry '${abs}/${marker}': absolute path`,
      },
      {
        name: 'a hard link to a host file',
        archive: () => tarGz([{ path: marker, type: '1', linkpath: '/etc/passwd' }]),
        message: () => `unsafe archive entry '${marker}': type Link is not allowed`,
      },
      {
        name: 'a gzip bomb (200 MiB of zeros in 200 KiB)',
        archive: () => gzipBomb(marker, 200),
        message: () => 'archive uncompressed size exceeds limit of 104857600 bytes',
      },
      {
        name: 'a digest that does not match',
        archive: () => tarGz([{ path: 'kustomization.yaml', body: 'resources: []\n' }]),
        digest: `sha256:${'0'.repeat(64)}`,
        message: (_abs, url, bytes) =>
          `failed to verify artifact from ${url}: computed digest sha256:${createHash('sha256').update(bytes).digest('hex')} doesn't match sha256:${'0'.repeat(64)}`,
      },
      {
        name: 'a symlink out of the tree, then a file through it (the link is skipped)',
        archive: (abs) =>
          tarGz([
            { path: 'kustomization.yaml', body: 'resources: []\n' },
            { path: 'out', type: '2', linkpath: abs },
            { path: 'out/through-link', body: 'x' },
          ]),
      },
    ];
    it.each(archives)('a Kustomization refuses an artifact with $name', { timeout: 60_000 }, async (c) => {
      const name = `archive-${n++}`;
      const bytes = c.archive(outside);
      const url = `${artifactsUrl}/${name}.tar.gz`;
      served.set(`/${name}.tar.gz`, bytes);
      const revision = `main@sha1:${'1'.repeat(40)}`;
      await e.client.create({
        ...gvk.git,
        metadata: key(name, HOSTILE),
        spec: { url: `${artifactsUrl}/unused.git`, ref: { branch: 'main' }, interval: '1m', suspend: true },
      });
      await e.client.patch(
        gvk.git,
        key(name, HOSTILE),
        {
          status: {
            artifact: {
              path: `gitrepository/${HOSTILE}/${name}/${name}.tar.gz`,
              url,
              revision,
              digest: c.digest ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
              lastUpdateTime: new Date().toISOString(),
              size: bytes.length,
            },
          },
        },
        { type: 'merge', subresource: 'status' },
      );
      await kustomization(name);
      const ks = await settle(gvk.ks, name, (o) => o.status?.lastAppliedRevision === revision || failed(o));
      figures.hostileInputs++;
      if (c.message) {
        expect(condition(ks)).toMatchObject({ reason: 'ArtifactFailed', message: c.message(outside, url, bytes) });
        figures.refused++;
      } else {
        expect(condition(ks)).toMatchObject({ status: 'True', message: `Applied revision: ${revision}` });
        expect(existsSync(join(outside, 'through-link'))).toBe(false);
        figures.accepted++;
      }
      await nothingApplied();
      await e.client.delete(gvk.ks, key(name, HOSTILE));
    });

    it('wrote nothing of any of them outside its tree', () => {
      // `tmp` holds the controllers' temporary directories (clones, extractions), the state directory (artifacts),
      // and `outside`, where the absolute paths and the links point
      const escapes = [...findNamed(tmp, marker), ...findNamed(outside, 'through-link')];
      figures.escapes = escapes.length;
      expect(escapes).toEqual([]);
      expect(figures.refused + figures.accepted).toBe(figures.hostileInputs);
      expect(figures.hostileInputs).toBe(trees.length + archives.length + 3);
      figures.seconds['hostileInputs'] = since(start);
    });
  });
});

/** `npm start` as a user runs it (tools/start.ts), until it prints "all Ready". */
async function npmStart(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(WORKSPACE, 'tools', 'start.ts'), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await until(
    'npm start: all Ready',
    () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
      return /all Ready after/.test(out);
    },
    120_000,
  );
  return child;
}

describe('kill -9 of npm start', () => {
  let dir: string;
  const started: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-reliability-start-'));
  });
  afterAll(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'takes the controllers with it, loses no acknowledged write, and starts again to all Ready',
    { timeout: 300_000 },
    async () => {
      const start = Date.now();
      const stateDir = join(dir, '.flux-ts');
      const kubeconfig = join(stateDir, 'kubeconfig');
      const controllersTmp = join(dir, 'tmp');
      mkdirSync(controllersTmp);
      const env = { ...process.env, TMPDIR: controllersTmp };
      const args = ['--state-dir', stateDir];
      for (const flag of ['--git-port', '--chart-port', '--storage-port', '--registry-port'])
        args.push(flag, String(await freePort()));
      const first = await npmStart(args, dir, env);
      started.push(first);
      const controllers = pidsWithArg(kubeconfig);
      // one process per controller at least (a controller may run a helper process with the same kubeconfig)
      expect(controllers.length).toBeGreaterThanOrEqual(IMPLEMENTED_CONTROLLERS.length);

      // writes in flight when the kill lands: only the acknowledged ones must survive
      const kc = new KubeConfig();
      kc.loadFromString(readFileSync(kubeconfig, 'utf8'));
      const client = KubeClient.fromKubeConfig(kc);
      const acknowledged: string[] = [];
      let i = 0;
      let killed = false;
      const writers = Array.from({ length: 4 }, async () => {
        while (!killed) {
          const name = `acked-${i++}`;
          try {
            await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name } });
            if (!killed) acknowledged.push(name);
          } catch {
            return; // the server is gone
          }
        }
      });
      await until('writes acknowledged', () => acknowledged.length >= 40 + Math.floor(random() * 40));
      killed = true;
      first.kill('SIGKILL');
      await Promise.all(writers);
      figures.npmStartKills++;
      figures.writesAcknowledgedBeforeKill = acknowledged.length;
      await until('the controllers exit with their parent', () => controllers.every((p) => !processAlive(p)), 30_000);

      const second = await npmStart(args, dir, env);
      started.push(second);
      const after = pidsWithArg(kubeconfig);
      expect(after.length).toBeGreaterThanOrEqual(IMPLEMENTED_CONTROLLERS.length);
      expect(after.filter((p) => controllers.includes(p))).toEqual([]);
      const kc2 = new KubeConfig();
      kc2.loadFromString(readFileSync(kubeconfig, 'utf8'));
      const kept = new Set(
        (await KubeClient.fromKubeConfig(kc2).list<KubeObject>(gvk.cm, { namespace: 'default' })).items.map(
          (o) => o.metadata.name,
        ),
      );
      const lost = acknowledged.filter((n) => !kept.has(n));
      figures.writesLost = lost.length;
      expect(lost).toEqual([]);
      // nothing of the killed controllers is left in the temporary directory
      expect(readdirSync(controllersTmp).filter((d) => controllers.some((p) => d.endsWith(`-${p}`)))).toEqual([]);

      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
      await until('the controllers stop', () => pidsWithArg(kubeconfig).length === 0, 30_000);
      figures.seconds['npmStartKill'] = since(start);
    },
  );
});
