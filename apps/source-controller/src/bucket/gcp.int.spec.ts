/**
 * Bucket `provider: gcp` through @google-cloud/storage against a Cloud Storage JSON API stand-in (gcs.spec-helper.ts;
 * no GCS emulator installs from npm): the artifact honours `.sourceignore` and `prefix` across listing pages, an
 * unchanged bucket is only listed, and refusals carry precise conditions.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceGroupVersion } from '@flux-ts/api';
import type { Bucket } from '@flux-ts/api';
import { fetchArtifact } from '@flux-ts/artifact';
import type { KubeObject } from '@flux-ts/runtime';
import { until } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import { indexDigest } from './fetch.ts';
import { startGcsStandIn } from './gcs.spec-helper.ts';
import type { GcsStandIn } from './gcs.spec-helper.ts';

type BucketObj = Bucket & KubeObject;
const gvk = { apiVersion: SourceGroupVersion, kind: 'Bucket' };
const T = { timeout: 120_000 };

let h: Harness;
let gcs: GcsStandIn;

const cond = (o: BucketObj, t: string) => o.status?.conditions?.find((c) => c.type === t);

async function secret(name: string, data: Record<string, string>): Promise<void> {
  await h.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as KubeObject);
}

async function createBucket(name: string, spec: Record<string, unknown>): Promise<void> {
  await h.client.create({
    ...gvk,
    metadata: { name, namespace: 'default' },
    spec: { interval: '10m', provider: 'gcp', endpoint: gcs.endpoint, insecure: true, ...spec },
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
  gcs = await startGcsStandIn(['fleet']);
}, 120_000);

afterAll(async () => {
  await gcs?.close();
  await h?.close();
});

describe('Bucket provider gcp (JSON API stand-in)', () => {
  it(
    'objects become an artifact honouring .sourceignore and prefix; an unchanged bucket is only listed',
    T,
    async () => {
      const files: Record<string, string> = {
        'apps/a.yaml': 'kind: ConfigMap\n',
        'apps/b.yaml': 'kind: Secret\n',
        'apps/skip.txt': 'ignored by .sourceignore',
        'apps/sub/deploy.yaml': 'kind: Deployment\n',
        'other/x.yaml': 'outside the prefix',
        '.sourceignore': '*.txt\n',
      };
      for (const [k, v] of Object.entries(files)) gcs.put('fleet', k, v);
      await createBucket('fleet', { bucketName: 'fleet', prefix: 'apps/' });
      const obj = await waitBucket('fleet', ready, 'Ready');
      const expected = indexDigest(
        new Map(
          ['apps/a.yaml', 'apps/b.yaml', 'apps/sub/deploy.yaml'].map((k) => [k, gcs.etag(files[k] ?? '')] as const),
        ),
      );
      const a = obj.status?.artifact;
      expect(a?.revision).toBe(expected);
      const dir = join(h.dir, 'x-gcs-fleet');
      await fetchArtifact({ url: a?.url ?? '', digest: a?.digest ?? '', dir });
      expect(await readFile(join(dir, 'apps/a.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
      expect(await readFile(join(dir, 'apps/sub/deploy.yaml'), 'utf8')).toBe('kind: Deployment\n');
      await expect(readFile(join(dir, 'apps/skip.txt'))).rejects.toThrow();
      await expect(readFile(join(dir, 'other/x.yaml'))).rejects.toThrow();

      gcs.resetCounts();
      await h.client.patch(
        gvk,
        { namespace: 'default', name: 'fleet' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'noop' } } },
        { type: 'merge' },
      );
      const same = await waitBucket('fleet', (o) => ready(o) && o.status?.lastHandledReconcileAt === 'noop', 'no-op');
      expect(same.status?.artifact?.revision).toBe(expected);
      // the bucket get, the .sourceignore read and the two listing pages of the four keys under the prefix
      expect(gcs.counts()).toEqual({ 'GET bucket': 1, 'GET media': 1, 'GET list': 2 });
    },
  );

  it('a missing bucket, a 500, and invalid Secrets: precise conditions', T, async () => {
    await secret('gcs-empty', { accesskey: 'x' });
    await secret('gcs-bad-json', { serviceaccount: 'private-key-material-not-json' });
    await createBucket('missing', { bucketName: 'does-not-exist' });
    await createBucket('broken', { bucketName: 'broken' });
    await createBucket('empty', { bucketName: 'fleet', secretRef: { name: 'gcs-empty' } });
    await createBucket('badjson', { bucketName: 'fleet', secretRef: { name: 'gcs-bad-json' } });

    const m = await waitBucket('missing', failed('BucketOperationFailed'), 'refused');
    expect(cond(m, 'FetchFailed')?.message).toBe("bucket 'does-not-exist' not found");
    const b = await waitBucket('broken', failed('BucketOperationFailed'), 'refused');
    expect(cond(b, 'FetchFailed')?.message).toBe("failed to confirm existence of 'broken' bucket: backend error");
    const e = await waitBucket('empty', failed('AuthenticationFailed'), 'refused');
    expect(cond(e, 'FetchFailed')?.message).toBe("invalid 'gcs-empty' secret data: required fields 'serviceaccount'");
    const j = await waitBucket('badjson', failed('ClientError'), 'refused');
    expect(cond(j, 'FetchFailed')?.message).toBe(
      "invalid 'gcs-bad-json' secret data: 'serviceaccount' is not a JSON key",
    );
    expect(JSON.stringify(j.status)).not.toContain('private-key-material');
  });
});
