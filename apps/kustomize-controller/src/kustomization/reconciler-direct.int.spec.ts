import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient, newLogger } from '@flux-ts/runtime';
import type { KubeObject, ReconcileContext } from '@flux-ts/runtime';
import { KustomizationReconciler } from './reconciler.ts';

const ksGVK = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
type Ks = KubeObject & {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};

// One reconcile at a time, called directly (no manager): outcomes that are the absence of work are observable.
describe('Kustomization reconciler, single reconciles', () => {
  let server: ApiServer;
  let client: KubeClient;
  const ctx = (): ReconcileContext => ({
    signal: new AbortController().signal,
    log: newLogger({ level: 'silent' }),
    reconcileID: 'test',
  });

  beforeAll(async () => {
    server = await startApiServer({
      port: 0,
      crdsDir: join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'crds'),
    });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    client = KubeClient.fromKubeConfig(kc);
    for (const name of ['flux-system', 'team'])
      await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  }, 30_000);

  const create = (name: string, spec: Record<string, unknown>) =>
    client.create({
      ...ksGVK,
      metadata: { name, namespace: 'team' },
      spec: {
        interval: '5m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-system' },
        ...spec,
      },
    });
  const get = (name: string) => client.get<Ks>(ksGVK, { namespace: 'team', name });

  it('stalls with AccessDenied on a cross-namespace source when --no-cross-namespace-refs', async () => {
    await create('cross', {});
    const r = new KustomizationReconciler({ client, noCrossNamespaceRefs: true });
    expect(await r.reconcile({ namespace: 'team', name: 'cross' }, ctx())).toEqual({});
    const ks = await get('cross');
    const stalled = ks.status?.conditions?.find((c) => c.type === 'Stalled');
    const ready = ks.status?.conditions?.find((c) => c.type === 'Ready');
    const msg = 'cannot access GitRepository/flux-system/repo, cross-namespace references have been disabled';
    expect(stalled).toMatchObject({ status: 'True', reason: 'AccessDenied', message: msg });
    expect(ready).toMatchObject({ status: 'False', reason: 'AccessDenied', message: msg });
    expect(ks.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
  });

  it('leaves a suspended Kustomization untouched but for the finalizer (deletion, finalizer, then suspend)', async () => {
    await create('suspended', { suspend: true });
    const r = new KustomizationReconciler({ client });
    expect(await r.reconcile({ namespace: 'team', name: 'suspended' }, ctx())).toEqual({});
    const withFinalizer = await get('suspended');
    expect(withFinalizer.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(withFinalizer.status?.conditions ?? []).toEqual([]);
    expect(await r.reconcile({ namespace: 'team', name: 'suspended' }, ctx())).toEqual({});
    const ks = await get('suspended');
    expect(ks.metadata.resourceVersion).toBe(withFinalizer.metadata.resourceVersion);
    expect(ks.status?.conditions ?? []).toEqual([]);
  });

  it('requeues a missing source after retryInterval and records requestedAt', async () => {
    await create('missing', { retryInterval: '42s', sourceRef: { kind: 'GitRepository', name: 'nope' } });
    await client.patch(
      ksGVK,
      { namespace: 'team', name: 'missing' },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' } } },
      { type: 'merge' },
    );
    const r = new KustomizationReconciler({ client });
    expect(await r.reconcile({ namespace: 'team', name: 'missing' }, ctx())).toEqual({ requeueAfter: 42_000 });
    const ks = await get('missing');
    expect(ks.status).toMatchObject({ lastHandledReconcileAt: 'now' });
    expect(ks.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ArtifactFailed',
      message: "Source 'GitRepository/team/nope' not found",
    });
  });

  it('ignores a Kustomization that does not exist', async () => {
    expect(
      await new KustomizationReconciler({ client }).reconcile({ namespace: 'team', name: 'ghost' }, ctx()),
    ).toEqual({});
  });
});
