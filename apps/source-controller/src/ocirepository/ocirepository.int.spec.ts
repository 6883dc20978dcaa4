/**
 * OCIRepository against the real docker-registry (libs/testbed): artifacts pushed in Flux's format through the
 * distribution API, pulled by tag, semver and digest; layerSelector extract and copy; a new digest under the same
 * tag; the no-op pass (one manifest request, no blob); refusals with their exact conditions and no credentials;
 * cosign verification with public keys (signatures pushed in cosign's `.sig` tag layout by @flux-ts/oci).
 */
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchArtifact } from '@flux-ts/artifact';
import { RegistryClient, cosignPayload, pushCosignSignature } from '@flux-ts/oci';
import type { CosignSignOptions } from '@flux-ts/oci';
import { startHttpProxy, startRegistry } from '@flux-ts/testbed';
import type { Registry } from '@flux-ts/testbed';
import { kstatusViolations } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import { waitEvent } from '../helm/harness.spec-helper.ts';
import { ociRepositoryReadyCondition } from './conditions.ts';
import { FluxContentMediaType } from './pull.ts';
import {
  cond,
  createOCIRepository,
  failedWith,
  isReady,
  patchOCIRepository,
  pushArtifact,
  tarGz,
  waitOCI,
} from './push.spec-helper.ts';
import type { OCIRepo } from './push.spec-helper.ts';

const USER = 'flux';
const PASSWORD = 'oci-Pa55word-s3cret';
const T = { timeout: 120_000 };

let h: Harness;
let reg: Registry;
let authReg: Registry;
let failing: Server;
let failingHost: string;
let push: RegistryClient;

async function artifactFiles(obj: OCIRepo, names: string[]): Promise<Record<string, string | undefined>> {
  const a = obj.status?.artifact;
  if (!a?.digest) throw new Error('no artifact');
  const dir = join(h.dir, `x-${obj.metadata.name}-${a.digest.slice(7, 19)}`);
  await fetchArtifact({ url: a.url, digest: a.digest, dir });
  const out: Record<string, string | undefined> = {};
  for (const n of names) out[n] = await readFile(join(dir, n), 'utf8').catch(() => undefined);
  return out;
}

beforeAll(async () => {
  h = await startHarness();
  [reg, authReg] = await Promise.all([
    startRegistry({ dir: join(h.dir, 'registry') }),
    startRegistry({ dir: join(h.dir, 'registry-auth'), auth: { username: USER, password: PASSWORD } }),
  ]);
  push = new RegistryClient({ insecure: true });
  failing = createServer((_req, res) => {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('boom');
  });
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', () => r()));
  failingHost = `127.0.0.1:${(failing.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  push?.close();
  await new Promise<void>((r) => (failing ? failing.close(() => r()) : r()));
  await Promise.all([reg?.close(), authReg?.close()]);
  await h?.close();
});

describe('OCIRepository pulls', () => {
  it(
    'pulls by tag: revision <tag>@<digest>, manifest annotations as metadata, latest.tar.gz, NewArtifact',
    T,
    async () => {
      const { digest } = await pushArtifact(push, reg.host, 'app/bytag', ['v1'], {
        files: { 'deploy/cm.yaml': 'kind: ConfigMap\n', 'README.md': 'hello\n', 'skip.txt': 'x' },
      });
      await createOCIRepository(h.client, 'bytag', {
        url: `oci://${reg.host}/app/bytag`,
        ref: { tag: 'v1' },
        insecure: true,
        ignore: 'skip.txt',
      });
      const obj = await waitOCI(h.client, 'bytag', isReady, 'Ready');
      const a = obj.status?.artifact;
      expect(a?.revision).toBe(`v1@${digest}`);
      expect(a?.path).toBe(`ocirepository/default/bytag/${digest}.tar.gz`);
      expect(a?.metadata).toEqual({
        'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
        'org.opencontainers.image.source': 'https://github.com/example/repo',
        'org.opencontainers.image.revision': 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      });
      expect(obj.status?.url).toBe(new URL('ocirepository/default/bytag/latest.tar.gz', h.storageURL).href);
      expect(obj.status?.observedIgnore).toBe('skip.txt');
      expect(cond(obj, 'ArtifactInStorage')).toMatchObject({
        status: 'True',
        reason: 'Succeeded',
        message: `stored artifact for digest 'v1@${digest}'`,
      });
      expect(cond(obj, 'Ready')?.message).toBe(`stored artifact for digest 'v1@${digest}'`);
      expect(kstatusViolations(obj, { negativePolarity: ociRepositoryReadyCondition.negativePolarity })).toEqual([]);
      expect(await artifactFiles(obj, ['deploy/cm.yaml', 'README.md', 'skip.txt'])).toEqual({
        'deploy/cm.yaml': 'kind: ConfigMap\n',
        'README.md': 'hello\n',
        'skip.txt': undefined,
      });
      await waitEvent(
        h.client,
        'OCIRepository',
        'bytag',
        'NewArtifact',
        new RegExp(
          `^stored artifact with revision 'v1@${digest}' from 'oci://${reg.host}/app/bytag', origin source 'https://github.com/example/repo', origin revision 'main@sha1:0123456789abcdef0123456789abcdef01234567'$`,
        ),
      );
    },
  );

  it('pulls the highest semver tag, filtered by semverFilter', T, async () => {
    const pushed: Record<string, string> = {};
    for (const tag of ['1.0.0', '1.1.0', '1.2.0-rc.1', '2.0.0', 'v1.3.0', 'latest'])
      pushed[tag] = (await pushArtifact(push, reg.host, 'app/semver', [tag], { files: { 'v.txt': tag } })).digest;
    await createOCIRepository(h.client, 'semver', {
      url: `oci://${reg.host}/app/semver`,
      ref: { semver: '>=1.0.0 <2.0.0' },
      insecure: true,
    });
    let obj = await waitOCI(h.client, 'semver', isReady, 'Ready');
    expect(obj.status?.artifact?.revision).toBe(`v1.3.0@${pushed['v1.3.0']}`);
    expect(await artifactFiles(obj, ['v.txt'])).toEqual({ 'v.txt': 'v1.3.0' });

    await patchOCIRepository(h.client, 'semver', { spec: { ref: { semver: '1.x', semverFilter: '^1\\.[01]\\.' } } });
    obj = await waitOCI(
      h.client,
      'semver',
      (o) => isReady(o) && o.status?.artifact?.revision?.startsWith('1.1.0@') === true,
      'semver filtered',
    );
    expect(obj.status?.artifact?.revision).toBe(`1.1.0@${pushed['1.1.0']}`);
  });

  it('pulls by digest: the revision is the digest', T, async () => {
    const { digest } = await pushArtifact(push, reg.host, 'app/bydigest', ['a'], { files: { 'f.txt': 'by digest' } });
    await pushArtifact(push, reg.host, 'app/bydigest', ['a'], { files: { 'f.txt': 'moved on' } });
    await createOCIRepository(h.client, 'bydigest', {
      url: `oci://${reg.host}/app/bydigest`,
      ref: { digest, tag: 'a' },
      insecure: true,
    });
    const obj = await waitOCI(h.client, 'bydigest', isReady, 'Ready');
    expect(obj.status?.artifact?.revision).toBe(digest);
    expect(await artifactFiles(obj, ['f.txt'])).toEqual({ 'f.txt': 'by digest' });
  });

  it('layerSelector: extracts the layer of the media type, or copies it unaltered', T, async () => {
    const other = await tarGz({ 'other.txt': 'other' });
    const content = await tarGz({ 'manifests/app.yaml': 'kind: Namespace\n' });
    const { digest } = await pushArtifact(push, reg.host, 'app/layers', ['v1'], {
      layers: [
        { mediaType: 'application/vnd.example.other.v1.tar+gzip', data: other },
        { mediaType: FluxContentMediaType, data: content },
      ],
    });
    await createOCIRepository(h.client, 'layers', {
      url: `oci://${reg.host}/app/layers`,
      ref: { tag: 'v1' },
      insecure: true,
      layerSelector: { mediaType: FluxContentMediaType, operation: 'extract' },
    });
    let obj = await waitOCI(h.client, 'layers', isReady, 'Ready');
    expect(await artifactFiles(obj, ['manifests/app.yaml', 'other.txt'])).toEqual({
      'manifests/app.yaml': 'kind: Namespace\n',
      'other.txt': undefined,
    });
    expect(obj.status?.observedLayerSelector).toEqual({ mediaType: FluxContentMediaType, operation: 'extract' });

    await patchOCIRepository(h.client, 'layers', {
      spec: { layerSelector: { mediaType: FluxContentMediaType, operation: 'copy' } },
    });
    obj = await waitOCI(
      h.client,
      'layers',
      (o) => isReady(o) && o.status?.observedLayerSelector?.operation === 'copy',
      'copied',
    );
    expect(obj.status?.artifact?.revision).toBe(`v1@${digest}`);
    const stored = await readFile(join(h.storagePath, obj.status?.artifact?.path ?? ''));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    expect(obj.status?.artifact?.digest).toBe(`sha256:${createHash('sha256').update(content).digest('hex')}`);
  });

  it('an unchanged digest costs one manifest request; a new digest under the same tag is picked up', T, async () => {
    const first = await pushArtifact(push, reg.host, 'app/moving', ['stable'], { files: { 'f.txt': 'one' } });
    await createOCIRepository(h.client, 'moving', {
      url: `oci://${reg.host}/app/moving`,
      ref: { tag: 'stable' },
      insecure: true,
    });
    await waitOCI(h.client, 'moving', isReady, 'Ready');

    reg.resetCounts();
    await patchOCIRepository(h.client, 'moving', {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'noop-1' } },
    });
    const same = await waitOCI(
      h.client,
      'moving',
      (o) => o.status?.lastHandledReconcileAt === 'noop-1' && isReady(o),
      'no-op pass',
    );
    expect(same.status?.artifact?.revision).toBe(`stable@${first.digest}`);
    const counts = reg.counts();
    expect(counts).toEqual({ 'HEAD manifest': 1 });

    const second = await pushArtifact(push, reg.host, 'app/moving', ['stable'], { files: { 'f.txt': 'two' } });
    expect(second.digest).not.toBe(first.digest);
    await patchOCIRepository(h.client, 'moving', {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'new-1' } },
    });
    const moved = await waitOCI(
      h.client,
      'moving',
      (o) => isReady(o) && o.status?.artifact?.revision === `stable@${second.digest}`,
      'new digest',
    );
    expect(await artifactFiles(moved, ['f.txt'])).toEqual({ 'f.txt': 'two' });
  });

  it('authenticates with a dockerconfigjson secretRef and through the ServiceAccount imagePullSecrets', T, async () => {
    await pushArtifact(
      new RegistryClient({ insecure: true, credentials: { username: USER, password: PASSWORD } }),
      authReg.host,
      'priv/app',
      ['v1'],
      {
        files: { 'p.txt': 'private' },
      },
    );
    const dockerconfig = JSON.stringify({
      auths: { [authReg.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } },
    });
    await h.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'regcred', namespace: 'default' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(dockerconfig).toString('base64') },
    } as never);
    await h.client.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'puller', namespace: 'default' },
      imagePullSecrets: [{ name: 'regcred' }],
    } as never);
    await createOCIRepository(h.client, 'private', {
      url: `oci://${authReg.host}/priv/app`,
      ref: { tag: 'v1' },
      insecure: true,
      secretRef: { name: 'regcred' },
    });
    await createOCIRepository(h.client, 'private-sa', {
      url: `oci://${authReg.host}/priv/app`,
      ref: { tag: 'v1' },
      insecure: true,
      serviceAccountName: 'puller',
    });
    const obj = await waitOCI(h.client, 'private', isReady, 'Ready');
    expect(await artifactFiles(obj, ['p.txt'])).toEqual({ 'p.txt': 'private' });
    await waitOCI(h.client, 'private-sa', isReady, 'Ready');
  });
});

describe('OCIRepository through a proxy', () => {
  it('pulls through the proxySecretRef proxy with basic proxy auth', T, async () => {
    const proxy = await startHttpProxy({ credentials: { username: 'p', password: 'proxy-Pa55' } });
    try {
      await pushArtifact(push, reg.host, 'app/proxied', ['v1'], { files: { 'p.txt': 'via proxy' } });
      await h.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'proxy-ok', namespace: 'default' },
        type: 'Opaque',
        data: {
          address: Buffer.from(proxy.url).toString('base64'),
          username: Buffer.from('p').toString('base64'),
          password: Buffer.from('proxy-Pa55').toString('base64'),
        },
      } as never);
      await createOCIRepository(h.client, 'via-proxy', {
        url: `oci://${reg.host}/app/proxied`,
        ref: { tag: 'v1' },
        insecure: true,
        proxySecretRef: { name: 'proxy-ok' },
      });
      const obj = await waitOCI(h.client, 'via-proxy', isReady, 'Ready');
      expect(await artifactFiles(obj, ['p.txt'])).toEqual({ 'p.txt': 'via proxy' });
      expect(proxy.counts().forwarded).toBeGreaterThanOrEqual(3);
      expect(proxy.counts().unauthorized).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('OCIRepository refusals', () => {
  it('a wrong layer media type: FetchFailed OCIArtifactLayerOperationFailed', T, async () => {
    await pushArtifact(push, reg.host, 'bad/mediatype', ['v1'], { files: { 'a.txt': 'a' } });
    await createOCIRepository(h.client, 'mediatype', {
      url: `oci://${reg.host}/bad/mediatype`,
      ref: { tag: 'v1' },
      insecure: true,
      layerSelector: { mediaType: 'application/vnd.example.nope' },
    });
    const obj = await waitOCI(
      h.client,
      'mediatype',
      failedWith('FetchFailed', 'OCIArtifactLayerOperationFailed'),
      'refused',
    );
    expect(cond(obj, 'FetchFailed')?.message).toBe(
      "failed to find layer with media type 'application/vnd.example.nope' in artifact",
    );
  });

  it('an unknown tag: FetchFailed OCIArtifactPullFailed naming the manifest', T, async () => {
    await pushArtifact(push, reg.host, 'bad/tag', ['v1'], { files: { 'a.txt': 'a' } });
    await createOCIRepository(h.client, 'unknowntag', {
      url: `oci://${reg.host}/bad/tag`,
      ref: { tag: 'nope' },
      insecure: true,
    });
    const obj = await waitOCI(h.client, 'unknowntag', failedWith('FetchFailed', 'OCIArtifactPullFailed'), 'refused');
    expect(cond(obj, 'FetchFailed')?.message).toBe(
      `failed to determine artifact digest: GET http://${reg.host}/v2/bad/tag/manifests/nope: MANIFEST_UNKNOWN: manifest unknown (404 Not Found)`,
    );
  });

  it('no semver match: FetchFailed ReadOperationFailed', T, async () => {
    await pushArtifact(push, reg.host, 'bad/semver', ['1.0.0'], { files: { 'a.txt': 'a' } });
    await createOCIRepository(h.client, 'nosemver', {
      url: `oci://${reg.host}/bad/semver`,
      ref: { semver: '>=5.0.0' },
      insecure: true,
    });
    const obj = await waitOCI(h.client, 'nosemver', failedWith('FetchFailed', 'ReadOperationFailed'), 'refused');
    expect(cond(obj, 'FetchFailed')?.message).toBe(
      `failed to determine the artifact tag for 'oci://${reg.host}/bad/semver': no match found for semver: >=5.0.0`,
    );
  });

  it('a URL with a tag stalls with URLInvalid (the repository name check refuses the colon first)', T, async () => {
    await createOCIRepository(h.client, 'urltag', { url: `oci://${reg.host}/bad/url:v1`, insecure: true });
    const obj = await waitOCI(h.client, 'urltag', (o) => cond(o, 'Stalled')?.status === 'True', 'stalled');
    expect(cond(obj, 'Stalled')).toMatchObject({ reason: 'URLInvalid' });
    expect(cond(obj, 'FetchFailed')?.message).toBe(
      `URL validation failed for 'oci://${reg.host}/bad/url:v1': could not parse reference: ${reg.host}/bad/url:v1: repository can only contain the characters \`abcdefghijklmnopqrstuvwxyz0123456789_-./\`: bad/url:v1`,
    );
  });

  it('401 without credentials and with wrong ones: OCIArtifactPullFailed, no password anywhere', T, async () => {
    const wrong = JSON.stringify({ auths: { [authReg.host]: { username: USER, password: 'wrong-Pa55' } } });
    await h.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'wrongcred', namespace: 'default' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(wrong).toString('base64') },
    } as never);
    await createOCIRepository(h.client, 'anon401', {
      url: `oci://${authReg.host}/priv/app`,
      ref: { tag: 'v1' },
      insecure: true,
    });
    await createOCIRepository(h.client, 'wrong401', {
      url: `oci://${authReg.host}/priv/app`,
      ref: { tag: 'v1' },
      insecure: true,
      secretRef: { name: 'wrongcred' },
    });
    for (const name of ['anon401', 'wrong401']) {
      const obj = await waitOCI(h.client, name, failedWith('FetchFailed', 'OCIArtifactPullFailed'), 'refused');
      const message = cond(obj, 'FetchFailed')?.message ?? '';
      expect(message).toMatch(
        new RegExp(
          `^failed to determine artifact digest: GET http://${authReg.host.replace('.', '\\.')}/v2/priv/app/manifests/v1: UNAUTHORIZED`,
        ),
      );
      expect(JSON.stringify(obj)).not.toContain('wrong-Pa55');
    }
    expect(h.logs()).not.toContain('wrong-Pa55');
  });

  it('a missing secret: FetchFailed AuthenticationFailed', T, async () => {
    await createOCIRepository(h.client, 'nosecret', {
      url: `oci://${reg.host}/bad/tag`,
      insecure: true,
      secretRef: { name: 'absent' },
    });
    const obj = await waitOCI(h.client, 'nosecret', failedWith('FetchFailed', 'AuthenticationFailed'), 'refused');
    expect(cond(obj, 'FetchFailed')?.message).toMatch(
      /^failed to get credential: failed to get secret 'default\/absent': /,
    );
  });

  it('a registry answering 500: OCIArtifactPullFailed with the status', T, async () => {
    await createOCIRepository(h.client, 'five00', {
      url: `oci://${failingHost}/any/app`,
      ref: { tag: 'v1' },
      insecure: true,
    });
    const obj = await waitOCI(h.client, 'five00', failedWith('FetchFailed', 'OCIArtifactPullFailed'), 'refused');
    expect(cond(obj, 'FetchFailed')?.message).toBe(
      `failed to determine artifact digest: GET http://${failingHost}/v2/any/app/manifests/v1: unexpected status code 500 Internal Server Error`,
    );
  });

  it('azure and gcp providers, a missing proxy Secret and verify are refused precisely', T, async () => {
    await createOCIRepository(h.client, 'azure', {
      url: `oci://${reg.host}/bad/tag`,
      provider: 'azure',
      insecure: true,
    });
    await createOCIRepository(h.client, 'proxied', {
      url: `oci://${reg.host}/bad/tag`,
      insecure: true,
      proxySecretRef: { name: 'proxy' },
    });
    await pushArtifact(push, reg.host, 'bad/verify', ['v1'], { files: { 'a.txt': 'a' } });
    await createOCIRepository(h.client, 'verify', {
      url: `oci://${reg.host}/bad/verify`,
      ref: { tag: 'v1' },
      insecure: true,
      verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: '.*', subject: '.*' }] },
    });
    const azure = await waitOCI(h.client, 'azure', failedWith('FetchFailed', 'AuthenticationFailed'), 'refused');
    expect(cond(azure, 'FetchFailed')?.message).toBe(
      "failed to get credential from azure: provider 'azure' is not supported by this build",
    );
    const proxied = await waitOCI(h.client, 'proxied', failedWith('FetchFailed', 'AuthenticationFailed'), 'refused');
    expect(cond(proxied, 'FetchFailed')?.message).toBe('failed to get proxy address: secrets "proxy" not found');
    const verify = await waitOCI(h.client, 'verify', (o) => cond(o, 'Stalled')?.status === 'True', 'stalled');
    expect(cond(verify, 'SourceVerified')).toMatchObject({
      status: 'False',
      reason: 'VerificationError',
      message:
        "failed to verify the signature using provider 'cosign keyless': keyless verification (matchOIDCIdentity) is not supported by this build: it has no Fulcio and Rekor trust roots",
    });
    expect(verify.status?.artifact).toBeUndefined();
  });
});

describe('OCIRepository cosign verification (verify.secretRef)', () => {
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ed25519');
  const pem = (k: KeyObject): string =>
    Buffer.from(k.export({ type: 'spki', format: 'pem' }) as string).toString('base64');
  const sign = (repo: string, digest: string, opts: Partial<CosignSignOptions> = {}): Promise<string> =>
    pushCosignSignature(push, { registry: reg.host, repository: repo, digest }, signer.privateKey, {
      signal: AbortSignal.timeout(20_000),
      ...opts,
    });
  const verified = (o: OCIRepo): boolean => isReady(o) && cond(o, 'SourceVerified')?.status === 'True';

  beforeAll(async () => {
    for (const [name, data] of [
      ['cosign-pub', { 'cosign.pub': pem(signer.publicKey), 'other.pub': pem(other.publicKey), README: 'eA==' }],
      ['cosign-wrong', { 'cosign.pub': pem(other.publicKey) }],
    ] as const)
      await h.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: 'default' },
        data,
      } as never);
  });

  it('a valid signature: Ready, SourceVerified True; a new digest under the tag is verified again', T, async () => {
    const first = await pushArtifact(push, reg.host, 'signed/app', ['v1'], { files: { 'a.txt': 'one' } });
    await sign('signed/app', first.digest);
    await createOCIRepository(h.client, 'signed', {
      url: `oci://${reg.host}/signed/app`,
      ref: { tag: 'v1' },
      insecure: true,
      verify: { provider: 'cosign', secretRef: { name: 'cosign-pub' } },
    });
    const obj = await waitOCI(h.client, 'signed', verified, 'verified');
    expect(cond(obj, 'SourceVerified')).toMatchObject({
      reason: 'Succeeded',
      message: `verified signature of revision v1@${first.digest}`,
    });
    expect(obj.status?.artifact?.revision).toBe(`v1@${first.digest}`);
    expect(kstatusViolations(obj, { negativePolarity: ociRepositoryReadyCondition.negativePolarity })).toEqual([]);

    // an unsigned digest under the same tag is refused and the verified artifact stays
    const second = await pushArtifact(push, reg.host, 'signed/app', ['v1'], { files: { 'a.txt': 'two' } });
    await patchOCIRepository(h.client, 'signed', {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'unsigned' } },
    });
    const refused = await waitOCI(h.client, 'signed', failedWith('SourceVerified', 'VerificationError'), 'refused');
    expect(cond(refused, 'SourceVerified')?.message).toBe(
      `failed to verify the signature using provider 'cosign': no matching signatures were found for '${reg.host}/signed/app:v1'`,
    );
    expect(refused.status?.artifact?.revision).toBe(`v1@${first.digest}`);

    // once signed, the new digest is verified and becomes the artifact
    await sign('signed/app', second.digest);
    await patchOCIRepository(h.client, 'signed', {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'signed' } },
    });
    const again = await waitOCI(
      h.client,
      'signed',
      (o) => verified(o) && o.status?.artifact?.revision === `v1@${second.digest}`,
      'second digest verified',
    );
    expect(cond(again, 'SourceVerified')?.message).toBe(`verified signature of revision v1@${second.digest}`);
  });

  it(
    'a tampered payload, a tampered signature or a wrong key: Ready False, VerificationError, no artifact',
    T,
    async () => {
      const tamperedPayload = await pushArtifact(push, reg.host, 'signed/payload', ['v1'], { files: { 'a.txt': 'p' } });
      const real = cosignPayload(`${reg.host}/signed/payload`, tamperedPayload.digest);
      const sig = createSign('sha256').update(real).sign(signer.privateKey).toString('base64');
      await sign('signed/payload', tamperedPayload.digest, {
        payload: Buffer.from(real.toString().replace('"optional":null', '"optional":{"x":"y"}')),
        signature: sig,
      });
      const tamperedSig = await pushArtifact(push, reg.host, 'signed/sig', ['v1'], { files: { 'a.txt': 's' } });
      const bad = Buffer.from(sig, 'base64');
      bad[12] = (bad[12] ?? 0) ^ 0xff;
      await sign('signed/sig', tamperedSig.digest, { signature: bad.toString('base64') });
      const foreign = await pushArtifact(push, reg.host, 'signed/foreign', ['v1'], { files: { 'a.txt': 'f' } });
      await sign('signed/foreign', foreign.digest);
      // a valid signature of another digest copied over (the payload names the other digest)
      const moved = await pushArtifact(push, reg.host, 'signed/moved', ['v1'], { files: { 'a.txt': 'm' } });
      await sign('signed/moved', moved.digest, {
        payload: cosignPayload(`${reg.host}/signed/moved`, foreign.digest),
      });
      for (const [name, repo, secret] of [
        ['tampered-payload', 'signed/payload', 'cosign-pub'],
        ['tampered-sig', 'signed/sig', 'cosign-pub'],
        ['wrong-key', 'signed/foreign', 'cosign-wrong'],
        ['moved-sig', 'signed/moved', 'cosign-pub'],
      ] as const)
        await createOCIRepository(h.client, name, {
          url: `oci://${reg.host}/${repo}`,
          ref: { tag: 'v1' },
          insecure: true,
          verify: { provider: 'cosign', secretRef: { name: secret } },
        });
      for (const [name, repo] of [
        ['tampered-payload', 'signed/payload'],
        ['tampered-sig', 'signed/sig'],
        ['wrong-key', 'signed/foreign'],
        ['moved-sig', 'signed/moved'],
      ] as const) {
        const o = await waitOCI(h.client, name, failedWith('SourceVerified', 'VerificationError'), 'refused');
        expect(cond(o, 'SourceVerified')).toMatchObject({
          status: 'False',
          message: `failed to verify the signature using provider 'cosign': no matching signatures were found for '${reg.host}/${repo}:v1'`,
        });
        expect(cond(o, 'Ready')?.status).toBe('False');
        expect(o.status?.artifact).toBeUndefined();
      }
    },
  );

  it('notation is refused as unsupported by this build; a key that is not PEM fails verification', T, async () => {
    await h.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cosign-bad', namespace: 'default' },
      data: { 'cosign.pub': Buffer.from('not a key').toString('base64') },
    } as never);
    await pushArtifact(push, reg.host, 'signed/badkey', ['v1'], { files: { 'a.txt': 'k' } });
    await createOCIRepository(h.client, 'bad-key', {
      url: `oci://${reg.host}/signed/badkey`,
      ref: { tag: 'v1' },
      insecure: true,
      verify: { provider: 'cosign', secretRef: { name: 'cosign-bad' } },
    });
    const badKey = await waitOCI(h.client, 'bad-key', failedWith('SourceVerified', 'VerificationError'), 'refused');
    expect(cond(badKey, 'SourceVerified')?.message).toBe(
      "failed to verify the signature using provider 'cosign': PEM decoding failed",
    );
    await pushArtifact(push, reg.host, 'signed/notation', ['v1'], { files: { 'a.txt': 'n' } });
    await createOCIRepository(h.client, 'notation', {
      url: `oci://${reg.host}/signed/notation`,
      ref: { tag: 'v1' },
      insecure: true,
      verify: { provider: 'notation', secretRef: { name: 'cosign-pub' } },
    });
    const o = await waitOCI(h.client, 'notation', (x) => cond(x, 'Stalled')?.status === 'True', 'stalled');
    expect(cond(o, 'SourceVerified')?.message).toBe(
      "failed to verify the signature using provider 'notation': notation verification is not supported by this build (no Notary Project verifier for Node.js)",
    );
  });
});
