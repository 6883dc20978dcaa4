// HelmRepository against libs/apiserver and a static chart repository made by the real `helm package` and
// `helm repo index` (plain, basic auth, TLS): the stored index, its revision, the no-op pass, bad input, the
// one-off migration of `type: oci` to a static object, and deletion.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeChartRepo, startChartRepoServer, tlsCertificate } from '@flux-ts/testbed';
import type { ChartRepoServer, TlsMaterial } from '@flux-ts/testbed';
import { kstatusViolations } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import {
  cond,
  createSecret,
  createSource,
  deleteSource,
  failedWith,
  getSource,
  helmCli,
  patchSourceSpec,
  ready,
  waitEvent,
  waitSource,
} from '../helm/harness.spec-helper.ts';
import type { HelmCli } from '../helm/harness.spec-helper.ts';
import { helmRepositoryReadyCondition } from './conditions.ts';

const KIND = 'HelmRepository';

describe('HelmRepository', () => {
  let h: Harness;
  let helm: HelmCli;
  let plain: ChartRepoServer;
  let basic: ChartRepoServer;
  let tls: ChartRepoServer;
  let broken: ChartRepoServer;
  let cert: TlsMaterial;
  let plainDir: string;

  async function repoDir(name: string): Promise<string> {
    const d = join(h.dir, 'repos', name);
    await mkdir(d, { recursive: true });
    return d;
  }

  beforeAll(async () => {
    h = await startHarness();
    helm = await helmCli();
    cert = await tlsCertificate();
    plainDir = await repoDir('plain');
    plain = await startChartRepoServer({ dir: plainDir });
    await makeChartRepo({
      dir: plainDir,
      url: plain.url,
      charts: [{ name: 'alpha', versions: ['0.1.0', '0.2.0'] }],
      helm: helm.bin,
      env: helm.env,
    });
    const basicDir = await repoDir('basic');
    basic = await startChartRepoServer({ dir: basicDir, auth: { username: 'flux', password: 's3cr3t-pass' } });
    await makeChartRepo({
      dir: basicDir,
      url: basic.url,
      charts: [{ name: 'beta', versions: ['1.0.0'] }],
      helm: helm.bin,
      env: helm.env,
    });
    const tlsDir = await repoDir('tls');
    tls = await startChartRepoServer({ dir: tlsDir, tls: cert });
    await makeChartRepo({
      dir: tlsDir,
      url: tls.url,
      charts: [{ name: 'gamma', versions: ['2.0.0'] }],
      helm: helm.bin,
      env: helm.env,
    });
    const brokenDir = await repoDir('broken');
    await writeFile(join(brokenDir, 'index.yaml'), 'entries: [this is: not: yaml');
    await mkdir(join(brokenDir, 'noapi'));
    await writeFile(join(brokenDir, 'noapi', 'index.yaml'), 'entries: {}\n');
    broken = await startChartRepoServer({ dir: brokenDir });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([plain, basic, tls, broken].map((s) => s?.close()));
    await h?.close();
  });

  it('stores the index with its digest as revision and serves it at status.url', { timeout: 90_000 }, async () => {
    await createSource(h.client, KIND, 'plain', { url: plain.url, interval: '10m' });
    const obj = await waitSource(h.client, KIND, 'plain', ready, 'Ready');
    const indexBytes = await readFile(join(plainDir, 'index.yaml'));
    const hex = createHash('sha256').update(indexBytes).digest('hex');
    const artifact = obj.status?.artifact;
    expect(artifact?.revision).toBe(`sha256:${hex}`);
    expect(artifact?.path).toBe(`helmrepository/default/plain/index-${hex}.yaml`);
    expect(artifact?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(obj.status?.url).toBe(new URL('helmrepository/default/plain/index.yaml', h.storageURL).href);
    expect(cond(obj, 'Ready')).toMatchObject({
      reason: 'Succeeded',
      message: `stored artifact: revision 'sha256:${hex}'`,
    });
    expect(cond(obj, 'ArtifactInStorage')?.status).toBe('True');
    expect(obj.metadata.finalizers).toContain('finalizers.fluxcd.io');
    expect(kstatusViolations(obj, { negativePolarity: helmRepositoryReadyCondition.negativePolarity })).toEqual([]);

    await waitEvent(
      h.client,
      KIND,
      'plain',
      'NewArtifact',
      /^stored fetched index of size [0-9.]+k?B from 'http:\/\/127\.0\.0\.1:\d+\/'$/,
    );
    const served = await fetch(obj.status?.url ?? '');
    expect(served.status).toBe(200);
    const body = (await served.json()) as { apiVersion: string; entries: Record<string, { version: string }[]> };
    expect(body.apiVersion).toBe('v1');
    expect(body.entries['alpha']?.map((v) => v.version)).toEqual(['0.2.0', '0.1.0']);
  });

  it('a reconcile with an unchanged index writes nothing', { timeout: 90_000 }, async () => {
    const before = await getSource(h.client, KIND, 'plain');
    const files = await readdir(join(h.storagePath, 'helmrepository/default/plain'));
    const downloads = plain.counts.get('/index.yaml') ?? 0;
    await h.client.patch(
      { apiVersion: before.apiVersion ?? '', kind: KIND },
      { namespace: 'default', name: 'plain' },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'noop-1' } } },
      { type: 'merge' },
    );
    const after = await waitSource(
      h.client,
      KIND,
      'plain',
      (o) =>
        (o.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt === 'noop-1' && ready(o),
      'handled noop-1',
    );
    expect(plain.counts.get('/index.yaml')).toBe(downloads + 1);
    expect(after.status?.artifact).toEqual(before.status?.artifact);
    expect(await readdir(join(h.storagePath, 'helmrepository/default/plain'))).toEqual(files);
  });

  it('authenticates with basic auth, and a wrong password fails without leaking it', { timeout: 90_000 }, async () => {
    await createSecret(h.client, 'basic-good', { username: 'flux', password: 's3cr3t-pass' });
    await createSecret(h.client, 'basic-bad', { username: 'flux', password: 'wr0ng-passw0rd' });
    await createSource(h.client, KIND, 'basic', { url: basic.url, interval: '10m', secretRef: { name: 'basic-good' } });
    await createSource(h.client, KIND, 'basic-bad', {
      url: basic.url,
      interval: '10m',
      secretRef: { name: 'basic-bad' },
    });
    await waitSource(h.client, KIND, 'basic', ready, 'Ready');
    const bad = await waitSource(h.client, KIND, 'basic-bad', failedWith('IndexationFailed'), 'IndexationFailed');
    const msg = cond(bad, 'Ready')?.message ?? '';
    expect(msg).toContain('failed to fetch Helm repository index');
    expect(msg).toContain('401');
    expect(msg).not.toContain('wr0ng-passw0rd');
    expect(cond(bad, 'FetchFailed')).toMatchObject({ status: 'True', reason: 'IndexationFailed' });
    expect(bad.status?.artifact).toBeUndefined();
  });

  it('a missing secret is AuthenticationFailed', { timeout: 60_000 }, async () => {
    await createSource(h.client, KIND, 'nosecret', { url: basic.url, interval: '10m', secretRef: { name: 'absent' } });
    const o = await waitSource(h.client, KIND, 'nosecret', failedWith('AuthenticationFailed'), 'AuthenticationFailed');
    expect(cond(o, 'Ready')?.message).toContain("failed to get authentication secret 'default/absent'");
  });

  it('trusts the CA of certSecretRef, and fails without it', { timeout: 90_000 }, async () => {
    await createSecret(h.client, 'tls-ca', { 'ca.crt': cert.ca });
    await createSource(h.client, KIND, 'tls', { url: tls.url, interval: '10m', certSecretRef: { name: 'tls-ca' } });
    await createSource(h.client, KIND, 'tls-noca', { url: tls.url, interval: '10m' });
    await waitSource(h.client, KIND, 'tls', ready, 'Ready');
    const o = await waitSource(h.client, KIND, 'tls-noca', failedWith('IndexationFailed'), 'IndexationFailed');
    expect(cond(o, 'Ready')?.message).toMatch(/certificate|self-signed|self signed/i);
  });

  it('an index that is not YAML, or has no apiVersion, is IndexationFailed', { timeout: 60_000 }, async () => {
    await createSource(h.client, KIND, 'notyaml', { url: broken.url, interval: '10m' });
    await createSource(h.client, KIND, 'noapi', { url: `${broken.url}/noapi`, interval: '10m' });
    const a = await waitSource(h.client, KIND, 'notyaml', failedWith('IndexationFailed'), 'IndexationFailed');
    expect(cond(a, 'Ready')?.message).toContain('failed to load Helm repository from index YAML');
    const b = await waitSource(h.client, KIND, 'noapi', failedWith('IndexationFailed'), 'IndexationFailed');
    expect(cond(b, 'Ready')?.message).toContain('no API version specified');
  });

  it('an oci:// URL with type default stalls with URLInvalid', { timeout: 60_000 }, async () => {
    await createSource(h.client, KIND, 'wrongtype', { url: 'oci://127.0.0.1:1/charts', interval: '10m' });
    const o = await waitSource(h.client, KIND, 'wrongtype', (x) => cond(x, 'Stalled')?.status === 'True', 'Stalled');
    expect(cond(o, 'Stalled')?.reason).toBe('URLInvalid');
    expect(cond(o, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'URLInvalid',
      message: "invalid Helm repository URL: 'oci' URL scheme cannot be used with 'default' HelmRepository type",
    });
  });

  it(
    'turning a repository into type oci drops its finalizer, status and artifacts once',
    { timeout: 90_000 },
    async () => {
      await createSource(h.client, KIND, 'migrate', { url: plain.url, interval: '10m' });
      await waitSource(h.client, KIND, 'migrate', ready, 'Ready');
      const dir = join(h.storagePath, 'helmrepository/default/migrate');
      expect(existsSync(dir)).toBe(true);
      await patchSourceSpec(h.client, KIND, 'migrate', { type: 'oci', url: 'oci://127.0.0.1:5000/charts' });
      const o = await waitSource(
        h.client,
        KIND,
        'migrate',
        (x) => !(x.metadata.finalizers ?? []).length && !x.status?.conditions?.length,
        'static',
      );
      expect(o.status?.artifact).toBeUndefined();
      expect(existsSync(dir)).toBe(false);
    },
  );

  it('deleting a repository removes its artifacts', { timeout: 60_000 }, async () => {
    await createSource(h.client, KIND, 'gone', { url: plain.url, interval: '10m' });
    await waitSource(h.client, KIND, 'gone', ready, 'Ready');
    const dir = join(h.storagePath, 'helmrepository/default/gone');
    expect(existsSync(dir)).toBe(true);
    await deleteSource(h.client, KIND, 'gone');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('HelmRepository --helm-index-max-size', () => {
  it('an index over the cap is IndexationFailed', { timeout: 120_000 }, async () => {
    const h = await startHarness(['--helm-index-max-size=64']);
    const dir = join(h.dir, 'big');
    await mkdir(dir);
    await writeFile(join(dir, 'index.yaml'), `apiVersion: v1\nentries: {}\n# ${'x'.repeat(200)}\n`);
    const srv = await startChartRepoServer({ dir });
    try {
      await createSource(h.client, KIND, 'big', { url: srv.url, interval: '10m' });
      const o = await waitSource(h.client, KIND, 'big', failedWith('IndexationFailed'), 'IndexationFailed');
      expect(cond(o, 'Ready')?.message).toMatch(/64/);
    } finally {
      await srv.close();
      await h.close();
    }
  });
});
