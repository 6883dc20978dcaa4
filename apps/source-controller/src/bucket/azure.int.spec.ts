/**
 * Bucket `provider: azure` against Azurite (blobs uploaded with @azure/storage-blob): the artifact honours
 * `.sourceignore` and `prefix`, an unchanged container is only listed, shared key, SAS and anonymous access work,
 * and refusals carry precise conditions without the key.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceGroupVersion } from '@flux-ts/api';
import type { Bucket } from '@flux-ts/api';
import { fetchArtifact } from '@flux-ts/artifact';
import type { KubeObject } from '@flux-ts/runtime';
import { startHttpProxy } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import { azureEtag } from './azure.ts';
import { AzuriteAccount, AzuriteKey, startAzurite } from './azurite.spec-helper.ts';
import type { AzuriteServer } from './azurite.spec-helper.ts';
import { indexDigest } from './fetch.ts';

type BucketObj = Bucket & KubeObject;
const gvk = { apiVersion: SourceGroupVersion, kind: 'Bucket' };
const T = { timeout: 120_000 };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

let h: Harness;
let az: AzuriteServer;
let svc: BlobServiceClient;

const cond = (o: BucketObj, t: string) => o.status?.conditions?.find((c) => c.type === t);

async function put(container: string, key: string, body: string): Promise<void> {
  await svc.getContainerClient(container).getBlockBlobClient(key).upload(body, Buffer.byteLength(body));
}

/** The index the Bucket should compute: listing etags under `prefix`, minus `skip`. */
async function expectedIndex(container: string, prefix: string, skip: (k: string) => boolean): Promise<string> {
  const index = new Map<string, string>();
  for await (const b of svc.getContainerClient(container).listBlobsFlat({ prefix }))
    if (b.name !== '.sourceignore' && !skip(b.name)) index.set(b.name, azureEtag(b.properties.etag ?? ''));
  return indexDigest(index);
}

async function secret(name: string, data: Record<string, string>): Promise<void> {
  await h.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  } as KubeObject);
}

async function createBucket(name: string, spec: Record<string, unknown>): Promise<void> {
  await h.client.create({
    ...gvk,
    metadata: { name, namespace: 'default' },
    spec: { interval: '10m', provider: 'azure', endpoint: az.endpoint, insecure: true, ...spec },
  } as KubeObject);
}

async function waitBucket(name: string, check: (o: BucketObj) => boolean, what: string): Promise<BucketObj> {
  let last: BucketObj | undefined;
  return until(
    () => `${name}: ${what} (last status ${JSON.stringify(last?.status)})`,
    async () => {
      last = await h.client.get<BucketObj>(gvk, { namespace: 'default', name });
      return check(last) ? last : undefined;
    },
  );
}

const ready = (o: BucketObj): boolean =>
  cond(o, 'Ready')?.status === 'True' && o.status?.observedGeneration === (o.metadata.generation ?? 0);
const failed =
  (reason: string) =>
  (o: BucketObj): boolean =>
    cond(o, 'FetchFailed')?.reason === reason && cond(o, 'Ready')?.status === 'False';

beforeAll(async () => {
  h = await startHarness();
  az = await startAzurite();
  svc = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(AzuriteAccount, AzuriteKey));
  await svc.getContainerClient('fleet').create();
  await svc.getContainerClient('public').create({ access: 'container' });
  await secret('az-key', { accountKey: AzuriteKey });
}, 120_000);

afterAll(async () => {
  await az?.close();
  await h?.close();
});

describe('Bucket provider azure', () => {
  it(
    'blobs become an artifact honouring .sourceignore and prefix; an unchanged container is only listed',
    T,
    async () => {
      const files: Record<string, string> = {
        'apps/cm.yaml': 'kind: ConfigMap\n',
        'apps/skip.txt': 'ignored by .sourceignore',
        'apps/sub/deploy.yaml': 'kind: Deployment\n',
        'other/x.yaml': 'outside the prefix',
      };
      for (const [k, v] of Object.entries(files)) await put('fleet', k, v);
      await put('fleet', '.sourceignore', '*.txt\n');
      await createBucket('fleet', { bucketName: 'fleet', prefix: 'apps/', secretRef: { name: 'az-key' } });
      const obj = await waitBucket('fleet', ready, 'Ready');
      const expected = await expectedIndex('fleet', 'apps/', (k) => k.endsWith('.txt'));
      const a = obj.status?.artifact;
      expect(a?.revision).toBe(expected);
      const dir = join(h.dir, 'x-az-fleet');
      await fetchArtifact({ url: a?.url ?? '', digest: a?.digest ?? '', dir });
      expect(await readFile(join(dir, 'apps/cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
      expect(await readFile(join(dir, 'apps/sub/deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
      await expect(readFile(join(dir, 'apps/skip.txt'))).rejects.toThrow();
      await expect(readFile(join(dir, 'other/x.yaml'))).rejects.toThrow();

      az.resetCounts();
      await h.client.patch(
        gvk,
        { namespace: 'default', name: 'fleet' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'noop' } } },
        { type: 'merge' },
      );
      const same = await waitBucket('fleet', (o) => ready(o) && o.status?.lastHandledReconcileAt === 'noop', 'no-op');
      expect(same.status?.artifact?.revision).toBe(expected);
      // the container check (a one-blob listing), the .sourceignore read and one listing: no other download
      expect(az.counts()).toEqual({ 'GET list': 2, 'GET blob': 1 });

      await put('fleet', 'apps/new.yaml', 'kind: Secret\n');
      await h.client.patch(
        gvk,
        { namespace: 'default', name: 'fleet' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'changed' } } },
        { type: 'merge' },
      );
      const moved = await waitBucket('fleet', (o) => ready(o) && o.status?.artifact?.revision !== expected, 'new rev');
      expect(moved.status?.artifact?.revision).toBe(await expectedIndex('fleet', 'apps/', (k) => k.endsWith('.txt')));
    },
  );

  it('a SAS token and anonymous access to a public container', T, async () => {
    await put('public', 'a.yaml', 'kind: Namespace\n');
    const sas = generateAccountSASQueryParameters(
      {
        permissions: AccountSASPermissions.parse('rl'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
        expiresOn: new Date(Date.now() + 3_600_000),
      },
      new StorageSharedKeyCredential(AzuriteAccount, AzuriteKey),
    ).toString();
    await secret('az-sas', { sasKey: `?${sas}` });
    await createBucket('sas', { bucketName: 'fleet', prefix: 'apps/sub/', secretRef: { name: 'az-sas' } });
    await createBucket('anon', { bucketName: 'public' });
    const s = await waitBucket('sas', ready, 'Ready');
    expect(s.status?.artifact?.revision).toBe(await expectedIndex('fleet', 'apps/sub/', () => false));
    const p = await waitBucket('anon', ready, 'Ready');
    expect(p.status?.artifact?.revision).toBe(await expectedIndex('public', '', () => false));
  });

  it('reaches the account through the proxySecretRef proxy', T, async () => {
    const proxy = await startHttpProxy({ credentials: { username: 'p', password: 'proxy-Pa55' } });
    try {
      await put('public', 'b.yaml', 'kind: ConfigMap\n');
      await secret('az-proxy', { address: proxy.url, username: 'p', password: 'proxy-Pa55' });
      await createBucket('proxied', {
        bucketName: 'public',
        secretRef: { name: 'az-key' },
        proxySecretRef: { name: 'az-proxy' },
      });
      const obj = await waitBucket('proxied', ready, 'Ready');
      expect(obj.status?.artifact?.revision).toBe(await expectedIndex('public', '', () => false));
      expect(proxy.counts().forwarded).toBeGreaterThanOrEqual(3);
      expect(proxy.counts().unauthorized).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('a wrong key, a missing container and an invalid Secret: precise conditions without the key', T, async () => {
    const wrongKey = Buffer.from('not-the-account-key-but-64-bytes-long-enough-to-be-used-as-one!!').toString('base64');
    await secret('az-wrong', { accountKey: wrongKey });
    await secret('az-empty', { accesskey: 'x' });
    await createBucket('wrong', { bucketName: 'fleet', secretRef: { name: 'az-wrong' } });
    await createBucket('missing', { bucketName: 'does-not-exist', secretRef: { name: 'az-key' } });
    await createBucket('invalid', { bucketName: 'fleet', secretRef: { name: 'az-empty' } });

    const w = await waitBucket('wrong', failed('BucketOperationFailed'), 'refused');
    const msg = cond(w, 'FetchFailed')?.message ?? '';
    // Azurite answers a bad signature with AuthorizationFailure where Azure says AuthenticationFailed
    expect(msg).toMatch(
      /^failed to confirm existence of 'fleet' bucket: (.+: )?(AuthorizationFailure|AuthenticationFailed): Server failed to authenticate the request\./,
    );
    expect(msg).not.toContain(wrongKey);
    expect(JSON.stringify(w.status)).not.toContain(wrongKey);

    const m = await waitBucket('missing', failed('BucketOperationFailed'), 'refused');
    expect(cond(m, 'FetchFailed')?.message).toBe("bucket 'does-not-exist' not found");

    const i = await waitBucket('invalid', failed('AuthenticationFailed'), 'refused');
    expect(cond(i, 'FetchFailed')?.message).toBe(
      "invalid 'az-empty' secret data: requires a 'clientId' or 'accountKey' field, a combination of 'tenantId', 'clientId' and 'clientSecret', or 'tenantId', 'clientId' and 'clientCertificate'",
    );
  });
});
