import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchArtifact } from '@flux-ts/artifact';
import { isNotFound } from '@flux-ts/runtime';
import { kstatusViolations, until } from '@flux-ts/testing';
import { cond, eaGVK, startAgHarness } from './harness.spec-helper.ts';
import type { Ag, AgHarness, Ea } from './harness.spec-helper.ts';

const NS = 'apps';

const monorepo = {
  'deploy/frontend/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'deploy/frontend/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frontend\ndata:\n  v: "1"\n',
  'deploy/backend/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'deploy/backend/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: backend\ndata:\n  v: "1"\n',
  'README.md': '# monorepo\n',
};

const splitSpec = {
  sources: [{ alias: 'repo', kind: 'GitRepository', name: 'monorepo' }],
  artifacts: [
    { name: 'frontend', originRevision: '@repo', copy: [{ from: '@repo/deploy/frontend/**', to: '@artifact/' }] },
    { name: 'backend', copy: [{ from: '@repo/deploy/backend/**', to: '@artifact/' }] },
  ],
};

async function contentOf(h: AgHarness, ea: Ea): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'sw-fetch-'));
  try {
    const a = ea.status?.artifact;
    if (!a) throw new Error(`${ea.metadata.name} has no artifact`);
    await fetchArtifact({ url: a.url, digest: a.digest, dir, hostOverride: h.host, retries: 0 });
    const out: Record<string, string> = {};
    for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (f.isFile())
        out[join(f.parentPath, f.name).slice(dir.length + 1)] = await readFile(join(f.parentPath, f.name), 'utf8');
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ArtifactGenerator against the API server', () => {
  let h: AgHarness;
  beforeAll(async () => {
    h = await startAgHarness({ namespaces: [NS] });
  }, 60_000);
  afterAll(async () => h?.close(), 30_000);

  const readyGenerator = (name: string, digest?: string): Promise<Ag> =>
    until(`${name} Ready`, async () => {
      const ag = await h.getGenerator(NS, name);
      const ready = cond(ag);
      return ready?.status === 'True' &&
        ready.observedGeneration === ag.metadata.generation &&
        (digest === undefined || ag.status?.observedSourcesDigest !== digest)
        ? ag
        : undefined;
    });

  it(
    'splits a monorepo into two ExternalArtifacts, owned by the generator, with their content and revisions',
    { timeout: 90_000 },
    async () => {
      const revision = await h.publish(NS, 'monorepo', monorepo);
      await h.createGenerator(NS, 'split', splitSpec);
      const ag = await readyGenerator('split');
      expect(cond(ag)).toMatchObject({
        reason: 'Succeeded',
        message: 'reconciliation succeeded, generated 2 artifact(s)',
      });
      expect(cond(ag, 'Reconciling')).toBeUndefined();
      // upstream's ArtifactGenerator status has no observedGeneration: Ready's observedGeneration carries it
      expect(cond(ag)?.observedGeneration).toBe(ag.metadata.generation);
      expect(ag.metadata.finalizers).toContain('source.extensions.fluxcd.io/finalizer');
      expect(ag.status?.observedSourcesDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(ag.status?.inventory?.map((r) => r.name)).toEqual(['frontend', 'backend']);

      const frontend = await h.getEa(NS, 'frontend');
      const backend = await h.getEa(NS, 'backend');
      for (const ea of [frontend, backend]) {
        expect(ea.metadata.ownerReferences).toEqual([
          expect.objectContaining({
            apiVersion: 'source.extensions.fluxcd.io/v1beta1',
            kind: 'ArtifactGenerator',
            name: 'split',
            uid: ag.metadata.uid,
            controller: true,
          }),
        ]);
        expect(ea.metadata.labels).toEqual({
          'app.kubernetes.io/managed-by': 'source-watcher',
          'source.extensions.fluxcd.io/generator': ag.metadata.uid,
        });
        expect(ea.spec?.sourceRef).toEqual({
          apiVersion: 'source.extensions.fluxcd.io/v1beta1',
          kind: 'ArtifactGenerator',
          name: 'split',
          namespace: NS,
        });
        expect(cond(ea)).toMatchObject({ status: 'True', reason: 'Succeeded', message: 'Artifact is ready' });
        expect(ea.status?.artifact?.revision).toBe(`latest@${ea.status?.artifact?.digest}`);
        expect(ea.status?.artifact?.path).toMatch(
          new RegExp(`^externalartifact/${NS}/${ea.metadata.name}/\\d+\\.tar\\.gz$`),
        );
        const inv = ag.status?.inventory?.find((r) => r.name === ea.metadata.name);
        expect(inv).toEqual({
          name: ea.metadata.name,
          namespace: NS,
          digest: ea.status?.artifact?.digest,
          filename: ea.status?.artifact?.path.split('/').pop(),
        });
      }
      expect(frontend.status?.artifact?.metadata).toEqual({ 'org.opencontainers.image.revision': revision });
      expect(backend.status?.artifact?.metadata).toBeUndefined();
      expect(await contentOf(h, frontend)).toEqual({
        'kustomization.yaml': monorepo['deploy/frontend/kustomization.yaml'],
        'cm.yaml': monorepo['deploy/frontend/cm.yaml'],
      });
      expect(await contentOf(h, backend)).toEqual({
        'kustomization.yaml': monorepo['deploy/backend/kustomization.yaml'],
        'cm.yaml': monorepo['deploy/backend/cm.yaml'],
      });
      expect(h.events.filter((e) => e.obj === 'split').map((e) => e.ev.message)).toContain(
        'reconciliation succeeded, generated 2 artifact(s)',
      );
    },
  );

  it('a commit that changes only the backend path changes only the backend revision', { timeout: 90_000 }, async () => {
    const before = await h.getGenerator(NS, 'split');
    const frontend = await h.getEa(NS, 'frontend');
    const backend = await h.getEa(NS, 'backend');
    await h.publish(NS, 'monorepo', {
      ...monorepo,
      'deploy/backend/cm.yaml': monorepo['deploy/backend/cm.yaml'].replace('v: "1"', 'v: "2"'),
      'README.md': '# monorepo, edited\n',
    });
    const after = await readyGenerator('split', before.status?.observedSourcesDigest);
    expect(after.status?.observedSourcesDigest).not.toBe(before.status?.observedSourcesDigest);
    const frontend2 = await h.getEa(NS, 'frontend');
    const backend2 = await h.getEa(NS, 'backend');
    expect(backend2.status?.artifact?.revision).not.toBe(backend.status?.artifact?.revision);
    expect(frontend2.status?.artifact?.revision).toBe(frontend.status?.artifact?.revision);
    expect(frontend2.status?.artifact?.metadata).not.toEqual(frontend.status?.artifact?.metadata);
    expect((await contentOf(h, backend2))['cm.yaml']).toContain('v: "2"');
  });

  it(
    'an ExternalArtifact is itself a source: a generator of it takes its revision with `revision: @alias`',
    {
      timeout: 90_000,
    },
    async () => {
      const frontend = await h.getEa(NS, 'frontend');
      await h.createGenerator(NS, 'chain', {
        sources: [{ alias: 'fe', kind: 'ExternalArtifact', name: 'frontend' }],
        artifacts: [
          {
            name: 'chained',
            revision: '@fe',
            copy: [{ from: '@fe/cm.yaml', to: '@artifact/fe/', strategy: 'Overwrite' }],
          },
        ],
      });
      await readyGenerator('chain');
      const chained = await h.getEa(NS, 'chained');
      expect(chained.status?.artifact?.revision).toBe(frontend.status?.artifact?.revision);
      expect(await contentOf(h, chained)).toEqual({ 'fe/cm.yaml': monorepo['deploy/frontend/cm.yaml'] });
    },
  );

  it('a README-only commit does not touch either ExternalArtifact', { timeout: 90_000 }, async () => {
    await h.publish(NS, 'plain-repo', monorepo);
    await h.createGenerator(NS, 'plain', {
      sources: [{ alias: 'repo', kind: 'GitRepository', name: 'plain-repo' }],
      artifacts: [{ name: 'plain-backend', copy: [{ from: '@repo/deploy/backend/**', to: '@artifact/' }] }],
    });
    const before = await readyGenerator('plain');
    const ea = await h.getEa(NS, 'plain-backend');
    await h.publish(NS, 'plain-repo', { ...monorepo, 'README.md': '# monorepo, edited\n' });
    await readyGenerator('plain', before.status?.observedSourcesDigest);
    const ea2 = await h.getEa(NS, 'plain-backend');
    expect({ ...ea2, metadata: { ...ea2.metadata, managedFields: [] } }).toEqual({
      ...ea,
      metadata: { ...ea.metadata, managedFields: [] },
    });
    expect(ea2.metadata.resourceVersion).toBe(ea.metadata.resourceVersion);
  });

  it(
    'garbage-collects an ExternalArtifact (and its files) that left the spec, and all of them on deletion',
    {
      timeout: 90_000,
    },
    async () => {
      await h.publish(NS, 'gc-repo', monorepo);
      await h.createGenerator(NS, 'gc', {
        sources: [{ alias: 'repo', kind: 'GitRepository', name: 'gc-repo' }],
        artifacts: [
          { name: 'gc-a', copy: [{ from: '@repo/deploy/frontend/**', to: '@artifact/' }] },
          { name: 'gc-b', copy: [{ from: '@repo/deploy/backend/**', to: '@artifact/' }] },
        ],
      });
      await readyGenerator('gc');
      const ag = await h.getGenerator(NS, 'gc');
      await h.client.patch(
        { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' },
        { namespace: NS, name: 'gc' },
        { spec: { artifacts: [(ag.spec['artifacts'] as unknown[])[0]] } },
        { type: 'merge' },
      );
      await until('gc-b deleted', async () => {
        try {
          await h.getEa(NS, 'gc-b');
          return undefined;
        } catch (err) {
          return isNotFound(err) ? true : undefined;
        }
      });
      expect(await h.storage.exists({ path: `externalartifact/${NS}/gc-b/x` })).toBe(false);
      await expect(readdir(join(h.storage.basePath, 'externalartifact', NS, 'gc-b'))).rejects.toThrow('ENOENT');
      expect((await readyGenerator('gc')).status?.inventory?.map((r) => r.name)).toEqual(['gc-a']);

      await h.client.delete(
        { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' },
        {
          namespace: NS,
          name: 'gc',
        },
      );
      await until('gc and gc-a deleted', async () => {
        const eas = await h.client.list<Ea>(eaGVK, { namespace: NS });
        return eas.items.some((e) => e.metadata.name === 'gc-a') ? undefined : true;
      });
      await expect(readdir(join(h.storage.basePath, 'externalartifact', NS, 'gc-a'))).rejects.toThrow('ENOENT');
    },
  );
});

describe('ArtifactGenerator bad input', () => {
  let h: AgHarness;
  beforeAll(async () => {
    h = await startAgHarness({ namespaces: [NS] });
    await h.publish(NS, 'repo', monorepo);
  }, 60_000);
  afterAll(async () => h?.close(), 30_000);

  const failing = (name: string, type = 'Ready'): Promise<Ag> =>
    until(`${name} ${type} failure`, async () => {
      const ag = await h.getGenerator(NS, name);
      const c = cond(ag, type);
      return (type === 'Ready' ? c?.status === 'False' : c?.status === 'True') ? ag : undefined;
    });

  it(
    'a source that does not exist: Ready=False SourceFetchFailed with the API message',
    { timeout: 60_000 },
    async () => {
      await h.createGenerator(NS, 'missing-source', {
        sources: [{ alias: 'repo', kind: 'GitRepository', name: 'missing' }],
        artifacts: [{ name: 'x', copy: [{ from: '@repo/**', to: '@artifact/' }] }],
      });
      const ag = await failing('missing-source');
      expect(cond(ag)).toMatchObject({
        reason: 'SourceFetchFailed',
        message: 'get sources failed: gitrepositories.source.toolkit.fluxcd.io "missing" not found',
      });
      expect(cond(ag, 'Stalled')).toBeUndefined();
      expect(kstatusViolations(ag)).toEqual([]);
    },
  );

  it('a glob matching nothing: Ready=False BuildFailed naming the operation', { timeout: 60_000 }, async () => {
    await h.createGenerator(NS, 'no-match', {
      sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo' }],
      artifacts: [{ name: 'nothing', copy: [{ from: '@repo/nothing/**', to: '@artifact/' }] }],
    });
    const ag = await failing('no-match');
    expect(cond(ag)).toMatchObject({
      reason: 'BuildFailed',
      message:
        "nothing build failed: failed to apply copy operations: failed to apply copy operation from '@repo/nothing/**' to '@artifact/': no files match pattern 'nothing/**' in source 'repo'",
    });
    expect(cond(ag, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
    expect(kstatusViolations(ag)).toEqual([]);
  });

  it('a `to` outside @artifact/: Stalled=True ValidationFailed, nothing built', { timeout: 60_000 }, async () => {
    await h.createGenerator(NS, 'escape', {
      sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo' }],
      artifacts: [{ name: 'out', copy: [{ from: '@repo/README.md', to: '@artifact/../../README.md' }] }],
    });
    const ag = await failing('escape', 'Stalled');
    const message =
      "artifact out: invalid copy destination '@artifact/../../README.md': path '../../README.md' is outside the artifact root";
    expect(cond(ag, 'Stalled')).toMatchObject({ reason: 'ValidationFailed', message });
    expect(cond(ag)).toMatchObject({ status: 'False', reason: 'ValidationFailed', message });
    expect(kstatusViolations(ag)).toEqual([]);
    await expect(h.getEa(NS, 'out')).rejects.toSatisfy(isNotFound);
  });

  it('a duplicate alias stalls with ValidationFailed', { timeout: 60_000 }, async () => {
    await h.createGenerator(NS, 'dup', {
      sources: [
        { alias: 'repo', kind: 'GitRepository', name: 'repo' },
        { alias: 'repo', kind: 'GitRepository', name: 'repo' },
      ],
      artifacts: [{ name: 'dup', copy: [{ from: '@repo/**', to: '@artifact/' }] }],
    });
    const ag = await failing('dup', 'Stalled');
    expect(cond(ag, 'Stalled')).toMatchObject({
      reason: 'ValidationFailed',
      message: "duplicate source alias 'repo' found",
    });
  });

  it('the reconcile annotation `disabled` pauses the generator', { timeout: 60_000 }, async () => {
    await h.client.create({
      apiVersion: 'source.extensions.fluxcd.io/v1beta1',
      kind: 'ArtifactGenerator',
      metadata: { name: 'paused', namespace: NS, annotations: { 'source.extensions.fluxcd.io/reconcile': 'disabled' } },
      spec: {
        sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo' }],
        artifacts: [{ name: 'paused', copy: [{ from: '@repo/deploy/**', to: '@artifact/' }] }],
      },
    });
    await until('ReconciliationDisabled event', () =>
      h.events.find((e) => e.obj === 'paused' && e.ev.reason === 'ReconciliationDisabled'),
    );
    expect(h.events.find((e) => e.obj === 'paused' && e.ev.reason === 'ReconciliationDisabled')?.ev).toMatchObject({
      type: 'Warning',
      message: 'Reconciliation is disabled',
    });
    await expect(h.getEa(NS, 'paused')).rejects.toSatisfy(isNotFound);
  });
});
