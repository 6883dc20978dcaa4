/**
 * Bucket against s3rver (objects uploaded with @aws-sdk/client-s3): the artifact honours `.sourceignore` and
 * `prefix`, the revision is Flux's index digest, an unchanged bucket is listed without downloads, and refusals
 * carry precise conditions without credentials.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceGroupVersion } from '@flux-ts/api';
import type { Bucket } from '@flux-ts/api';
import { fetchArtifact } from '@flux-ts/artifact';
import type { KubeObject } from '@flux-ts/runtime';
import { startHttpProxy } from '@flux-ts/testbed';
import { kstatusViolations, until } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import { waitEvent } from '../helm/harness.spec-helper.ts';
import { bucketReadyCondition } from './conditions.ts';
import { indexDigest } from './fetch.ts';
import { startS3 } from './s3.spec-helper.ts';
import type { S3Server } from './s3.spec-helper.ts';

type BucketObj = Bucket & KubeObject;
const gvk = { apiVersion: SourceGroupVersion, kind: 'Bucket' };
const T = { timeout: 120_000 };

let h: Harness;
let s3: S3Server;
let s3c: S3Client;
let failing: Server;

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const cond = (o: BucketObj, t: string) => o.status?.conditions?.find((c) => c.type === t);

async function put(bucket: string, key: string, body: string): Promise<void> {
  await s3c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function createBucket(name: string, spec: Record<string, unknown>): Promise<void> {
  await h.client.create({
    ...gvk,
    metadata: { name, namespace: 'default' },
    spec: { interval: '10m', endpoint: s3.endpoint, insecure: true, ...spec },
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
  s3 = await startS3(join(h.dir, 's3'), ['fleet', 'plain']);
  s3c = new S3Client({
    endpoint: `http://${s3.endpoint}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  failing = createServer((_req, res) => {
    res.writeHead(500);
    res.end();
  });
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', () => r()));
}, 120_000);

afterAll(async () => {
  s3c?.destroy();
  await new Promise<void>((r) => (failing ? failing.close(() => r()) : r()));
  await s3?.close();
  await h?.close();
});

describe('Bucket', () => {
  it(
    'objects become an artifact honouring .sourceignore and prefix; an unchanged bucket is only listed',
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
      await h.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's3-keys', namespace: 'default' },
        type: 'Opaque',
        data: {
          accesskey: Buffer.from('S3RVER').toString('base64'),
          secretkey: Buffer.from('S3RVER').toString('base64'),
        },
      } as KubeObject);
      await createBucket('fleet', { bucketName: 'fleet', prefix: 'apps/', secretRef: { name: 's3-keys' } });
      const obj = await waitBucket('fleet', ready, 'Ready');
      const expected = indexDigest(
        new Map([
          ['apps/cm.yaml', md5(files['apps/cm.yaml'] ?? '')],
          ['apps/sub/deploy.yaml', md5(files['apps/sub/deploy.yaml'] ?? '')],
        ]),
      );
      const a = obj.status?.artifact;
      expect(a?.revision).toBe(expected);
      expect(a?.path).toBe(`bucket/default/fleet/${expected.slice(7)}.tar.gz`);
      expect(cond(obj, 'ArtifactInStorage')?.message).toBe(`stored artifact: revision '${expected}'`);
      expect(kstatusViolations(obj, { negativePolarity: bucketReadyCondition.negativePolarity })).toEqual([]);
      const dir = join(h.dir, 'x-fleet');
      await fetchArtifact({ url: a?.url ?? '', digest: a?.digest ?? '', dir });
      expect(await readFile(join(dir, 'apps/cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
      expect(await readFile(join(dir, 'apps/sub/deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
      await expect(readFile(join(dir, 'apps/skip.txt'))).rejects.toThrow();
      await expect(readFile(join(dir, 'other/x.yaml'))).rejects.toThrow();
      await waitEvent(
        h.client,
        'Bucket',
        'fleet',
        'NewArtifact',
        /^stored artifact with 2 fetched files from 'fleet' bucket$/,
      );

      s3.resetCounts();
      await h.client.patch(
        gvk,
        { namespace: 'default', name: 'fleet' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'noop' } } },
        { type: 'merge' },
      );
      const same = await waitBucket('fleet', (o) => ready(o) && o.status?.lastHandledReconcileAt === 'noop', 'no-op');
      expect(same.status?.artifact?.revision).toBe(expected);
      // the bucket check, the .sourceignore read and one listing: no object download
      expect(s3.counts()).toEqual({ 'HEAD bucket': 1, 'GET object': 1, 'GET list': 1 });

      await put('fleet', 'apps/new.yaml', 'kind: Secret\n');
      await h.client.patch(
        gvk,
        { namespace: 'default', name: 'fleet' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'changed' } } },
        { type: 'merge' },
      );
      const moved = await waitBucket(
        'fleet',
        (o) => ready(o) && o.status?.artifact?.revision !== expected,
        'new revision',
      );
      expect(moved.status?.lastHandledReconcileAt).toBe('changed');
    },
  );

  it('reaches the server through the proxySecretRef proxy', T, async () => {
    const proxy = await startHttpProxy({ credentials: { username: 'p', password: 'proxy-Pa55' } });
    try {
      await put('plain', 'only.yaml', 'kind: ConfigMap\n');
      await h.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's3-proxy', namespace: 'default' },
        type: 'Opaque',
        data: {
          address: Buffer.from(proxy.url).toString('base64'),
          username: Buffer.from('p').toString('base64'),
          password: Buffer.from('proxy-Pa55').toString('base64'),
        },
      } as KubeObject);
      await createBucket('proxied', { bucketName: 'plain', proxySecretRef: { name: 's3-proxy' } });
      const obj = await waitBucket('proxied', ready, 'Ready');
      expect(obj.status?.artifact?.revision).toBe(indexDigest(new Map([['only.yaml', md5('kind: ConfigMap\n')]])));
      expect(proxy.counts().forwarded).toBeGreaterThanOrEqual(4);
      expect(proxy.counts().unauthorized).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('a bucket that does not exist: FetchFailed BucketOperationFailed', T, async () => {
    await createBucket('nope', { bucketName: 'does-not-exist' });
    const obj = await waitBucket('nope', failed('BucketOperationFailed'), 'refused');
    expect(cond(obj, 'FetchFailed')?.message).toBe("bucket 'does-not-exist' not found");
  });

  it('a wrong secret: AuthenticationFailed for missing keys, BucketOperationFailed for an unknown key', T, async () => {
    await h.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'half', namespace: 'default' },
      type: 'Opaque',
      data: { accesskey: Buffer.from('A').toString('base64') },
    } as KubeObject);
    await h.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'unknown-key', namespace: 'default' },
      type: 'Opaque',
      data: {
        accesskey: Buffer.from('NOT-A-KEY').toString('base64'),
        secretkey: Buffer.from('wrong-s3cret-value').toString('base64'),
      },
    } as KubeObject);
    await createBucket('half', { bucketName: 'plain', secretRef: { name: 'half' } });
    await createBucket('unknown-key', { bucketName: 'plain', secretRef: { name: 'unknown-key' } });
    const half = await waitBucket('half', failed('AuthenticationFailed'), 'refused');
    expect(cond(half, 'FetchFailed')?.message).toBe(
      "invalid 'half' secret data: required fields 'accesskey' and 'secretkey'",
    );
    const wrong = await waitBucket('unknown-key', failed('BucketOperationFailed'), 'refused');
    expect(cond(wrong, 'FetchFailed')?.message).toMatch(/^failed to confirm existence of 'plain' bucket: /);
    expect(JSON.stringify(wrong)).not.toContain('wrong-s3cret-value');
    expect(h.logs()).not.toContain('wrong-s3cret-value');
  });

  it('a server answering 500: FetchFailed BucketOperationFailed', T, async () => {
    await createBucket('five00', {
      bucketName: 'plain',
      endpoint: `127.0.0.1:${(failing.address() as AddressInfo).port}`,
    });
    const obj = await waitBucket('five00', failed('BucketOperationFailed'), 'refused');
    expect(cond(obj, 'FetchFailed')?.message).toMatch(/^failed to confirm existence of 'plain' bucket: .*500/);
  });
});

describe('Bucket spec.sts', () => {
  let sts: Server;
  let stsURL: string;
  const stsRequests: Record<string, string>[] = [];

  beforeAll(async () => {
    // A MinIO STS stand-in: AssumeRoleWithLDAPIdentity answers s3rver's keys with a session token for `ldap-user`.
    sts = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        stsRequests.push({ method: req.method ?? '', contentType: req.headers['content-type'] ?? '', ...form });
        if (form['LDAPUsername'] !== 'ldap-user' || form['LDAPPassword'] !== 'ldap-Pa55word') {
          res.writeHead(403, { 'Content-Type': 'application/xml' });
          res.end(
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type></Type><Code>InvalidParameterValue</Code><Message>LDAP server login failed</Message></Error><RequestId>1</RequestId></ErrorResponse>',
          );
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end(
          '<AssumeRoleWithLDAPIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithLDAPIdentityResult><Credentials><AccessKeyId>S3RVER</AccessKeyId><SecretAccessKey>S3RVER</SecretAccessKey><Expiration>2099-01-01T00:00:00Z</Expiration><SessionToken>ldap-session-token</SessionToken></Credentials><SubjectFromToken>ldap-user</SubjectFromToken></AssumeRoleWithLDAPIdentityResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleWithLDAPIdentityResponse>',
        );
      });
    });
    await new Promise<void>((r) => sts.listen(0, '127.0.0.1', () => r()));
    stsURL = `http://127.0.0.1:${(sts.address() as AddressInfo).port}/`;
    for (const [name, data] of [
      ['ldap', { username: 'ldap-user', password: 'ldap-Pa55word' }],
      ['ldap-wrong', { username: 'ldap-user', password: 'not-the-Pa55word' }],
      ['ldap-half', { username: 'ldap-user' }],
    ] as const)
      await h.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: 'default' },
        type: 'Opaque',
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      } as KubeObject);
  });

  afterAll(async () => {
    await new Promise<void>((r) => (sts ? sts.close(() => r()) : r()));
  });

  it('ldap: temporary credentials from AssumeRoleWithLDAPIdentity sign the S3 requests', T, async () => {
    await put('plain', 'sts/cm.yaml', 'kind: ConfigMap\n');
    await createBucket('sts-ldap', {
      bucketName: 'plain',
      provider: 'generic',
      sts: { provider: 'ldap', endpoint: stsURL, secretRef: { name: 'ldap' } },
    });
    const obj = await waitBucket('sts-ldap', ready, 'Ready');
    expect(obj.status?.artifact?.revision).toMatch(/^sha256:/);
    expect(stsRequests[0]).toEqual({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      Action: 'AssumeRoleWithLDAPIdentity',
      LDAPUsername: 'ldap-user',
      LDAPPassword: 'ldap-Pa55word',
      Version: '2011-06-15',
    });
    expect(s3.sessionTokens()).toContain('ldap-session-token');
    expect(kstatusViolations(obj, { negativePolarity: bucketReadyCondition.negativePolarity })).toEqual([]);
  });

  it('ldap: a refused login and a Secret without password fail precisely, without the password', T, async () => {
    await createBucket('sts-wrong', {
      bucketName: 'plain',
      sts: { provider: 'ldap', endpoint: stsURL, secretRef: { name: 'ldap-wrong' } },
    });
    await createBucket('sts-half', {
      bucketName: 'plain',
      sts: { provider: 'ldap', endpoint: stsURL, secretRef: { name: 'ldap-half' } },
    });
    await createBucket('sts-nosecret', {
      bucketName: 'plain',
      sts: { provider: 'ldap', endpoint: stsURL, secretRef: { name: 'ldap-missing' } },
    });
    const wrong = await waitBucket('sts-wrong', failed('BucketOperationFailed'), 'refused');
    expect(cond(wrong, 'FetchFailed')?.message).toBe(
      `failed to confirm existence of 'plain' bucket: AssumeRoleWithLDAPIdentity at '${stsURL.slice(0, -1)}/' failed with status 403: InvalidParameterValue: LDAP server login failed`,
    );
    expect(JSON.stringify(wrong)).not.toContain('not-the-Pa55word');
    const half = await waitBucket('sts-half', failed('AuthenticationFailed'), 'refused');
    expect(cond(half, 'FetchFailed')?.message).toBe(
      "invalid 'ldap-half' secret data for 'ldap' STS provider: required fields username, password",
    );
    const missing = await waitBucket('sts-nosecret', failed('AuthenticationFailed'), 'refused');
    expect(cond(missing, 'FetchFailed')?.message).toBe(
      `failed to get STS secret 'default/ldap-missing': secrets "ldap-missing" not found`,
    );
  });
});
