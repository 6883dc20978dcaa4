/**
 * The artifacts of an OCIRepository and a Bucket are consumed by kustomize-controller: the real
 * `flux-ts-kustomize-controller` bin (a separate process, as in a cluster) applies Kustomizations whose sourceRefs
 * are the OCIRepository and the Bucket.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RegistryClient } from '@flux-ts/oci';
import type { KubeObject } from '@flux-ts/runtime';
import { startRegistry } from '@flux-ts/testbed';
import type { Registry } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import { startHarness } from '../gitrepository/harness.spec-helper.ts';
import type { Harness } from '../gitrepository/harness.spec-helper.ts';
import { startS3 } from '../bucket/s3.spec-helper.ts';
import type { S3Server } from '../bucket/s3.spec-helper.ts';
import { createOCIRepository, isReady, pushArtifact, waitOCI } from './push.spec-helper.ts';

const repoRoot = resolve(import.meta.dirname, '../../../..');

let h: Harness;
let reg: Registry;
let s3: S3Server;
let child: ChildProcess | undefined;
let stderr = '';

beforeAll(async () => {
  h = await startHarness();
  reg = await startRegistry({ dir: join(h.dir, 'registry') });
  s3 = await startS3(join(h.dir, 's3'), ['fleet']);
}, 120_000);

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise<void>((r) => child?.on('exit', () => r()));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  await reg?.close();
  await s3?.close();
  await h?.close();
});

describe('Kustomizations from an OCIRepository and a Bucket', () => {
  it('kustomize-controller applies the OCI and the Bucket artifacts', { timeout: 180_000 }, async () => {
    const push = new RegistryClient({ insecure: true });
    const { digest } = await pushArtifact(push, reg.host, 'fleet/apps', ['latest'], {
      files: {
        'apps/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-oci\n  namespace: default\ndata:\n  origin: oci\n',
      },
    });
    push.close();
    await createOCIRepository(h.client, 'fleet', { url: `oci://${reg.host}/fleet/apps`, insecure: true });
    await waitOCI(h.client, 'fleet', isReady, 'Ready');
    await h.client.create({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'fleet', namespace: 'default' },
      spec: {
        interval: '10m',
        path: './apps',
        prune: true,
        sourceRef: { kind: 'OCIRepository', name: 'fleet' },
      },
    } as KubeObject);

    const s3c = new S3Client({
      endpoint: `http://${s3.endpoint}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3c.send(
      new PutObjectCommand({
        Bucket: 'fleet',
        Key: 'apps/cm.yaml',
        Body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-bucket\n  namespace: default\ndata:\n  origin: s3\n',
      }),
    );
    s3c.destroy();
    await h.client.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'Bucket',
      metadata: { name: 'fleet', namespace: 'default' },
      spec: { interval: '10m', bucketName: 'fleet', endpoint: s3.endpoint, insecure: true },
    } as KubeObject);
    await h.client.create({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'from-bucket', namespace: 'default' },
      spec: { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'Bucket', name: 'fleet' } },
    } as KubeObject);

    child = spawn(
      'npx',
      [
        'flux-ts-kustomize-controller',
        `--kubeconfig=${join(h.dir, 'kubeconfig.yaml')}`,
        '--metrics-addr=127.0.0.1:0',
        '--health-addr=127.0.0.1:0',
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PATH: [join(repoRoot, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      },
    );
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));

    const cm = await until(
      () => `ConfigMap from-oci applied (kustomize-controller stderr: ${stderr.slice(-2000)})`,
      async () =>
        h.client.get<KubeObject & { data?: Record<string, string> }>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { namespace: 'default', name: 'from-oci' },
        ),
      150_000,
    );
    expect(cm.data).toEqual({ origin: 'oci' });
    const ks = await until('Kustomization Ready with a lastAppliedRevision', async () => {
      const k = await h.client.get<
        KubeObject & { status?: { lastAppliedRevision?: string; conditions?: { type: string; status: string }[] } }
      >(
        { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
        { namespace: 'default', name: 'fleet' },
      );
      return k.status?.lastAppliedRevision &&
        k.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? k
        : undefined;
    });
    expect(ks.status?.lastAppliedRevision).toBe(`latest@${digest}`);
    const fromBucket = await until(
      () => `ConfigMap from-bucket applied (kustomize-controller stderr: ${stderr.slice(-2000)})`,
      async () =>
        h.client.get<KubeObject & { data?: Record<string, string> }>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { namespace: 'default', name: 'from-bucket' },
        ),
    );
    expect(fromBucket.data).toEqual({ origin: 's3' });
  });
});
