import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';

/** A manifest of any kind: fields beyond metadata free-form. */
type Manifest = KubeObject & Record<string, unknown>;
import {
  HealthChecker,
  ResourceManager,
  fluxCleanupOptions,
  inventoryOf,
  inventoryOfChangeSet,
  staleEntries,
} from './index.ts';

const owner = { 'kustomize.toolkit.fluxcd.io/name': 'app', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };

function deployment(image: string, extra: { selector?: string } = {}): Manifest {
  const app = extra.selector ?? 'app';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'ssa', labels: owner },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}
const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ssa', labels: owner } };
const configMap = (v: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'ssa', labels: owner },
  data: { v },
});

describe('ResourceManager against the API server', () => {
  let server: ApiServer;
  let client: KubeClient;
  const writes: string[] = [];
  const reads: string[] = [];

  beforeAll(async () => {
    server = await startApiServer({
      port: 0,
      onRequest: (e) => {
        if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(e.method) && !e.url.includes('dryRun=All'))
          writes.push(`${e.method} ${e.url.split('?')[0]}`);
        if (e.method === 'GET') reads.push(e.url.split('?')[0] ?? '');
      },
    });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    client = KubeClient.fromKubeConfig(kc);
  });
  afterAll(async () => {
    await server?.close();
  }, 30_000);

  it(
    'creates, leaves unchanged without writes, configures, reverts drift and prunes',
    { timeout: 120_000 },
    async () => {
      const rm = new ResourceManager({ client, concurrency: 2 });
      const first = await rm.applyAllStaged([deployment('nginx:1'), configMap('1'), namespace], { waitInterval: 100 });
      expect(first.toString()).toBe('Namespace/ssa created\nDeployment/ssa/app created\nConfigMap/ssa/cfg created');
      const live = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment' }, { namespace: 'ssa', name: 'app' });
      expect((live.metadata.managedFields as { manager: string }[]).map((m) => m.manager)).toContain(
        'kustomize-controller',
      );

      writes.length = 0;
      const second = await rm.applyAllStaged([namespace, deployment('nginx:1'), configMap('1')]);
      expect(second.toString()).toBe(
        'Namespace/ssa unchanged\nDeployment/ssa/app unchanged\nConfigMap/ssa/cfg unchanged',
      );
      expect(writes).toEqual([]);

      const third = await rm.applyAll([deployment('nginx:2'), configMap('1')]);
      expect(third.toMap()).toEqual({ 'Deployment/ssa/app': 'configured', 'ConfigMap/ssa/cfg': 'unchanged' });
      expect(writes).toHaveLength(1);

      // A manual edit by another field manager is reverted.
      await client.patch(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { namespace: 'ssa', name: 'cfg' },
        { data: { v: 'edited' } },
        { type: 'merge', fieldManager: 'kubectl-edit' },
      );
      const fourth = await rm.applyAll([configMap('1')]);
      expect(fourth.toString()).toBe('ConfigMap/ssa/cfg configured');
      const cm = await client.get<KubeObject & { data: Record<string, string> }>(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { namespace: 'ssa', name: 'cfg' },
      );
      expect(cm.data).toEqual({ v: '1' });

      // Prune: the ConfigMap left the set.
      const stale = staleEntries(inventoryOfChangeSet(first), inventoryOf([namespace, deployment('nginx:2')]));
      expect(stale).toEqual([{ id: 'ssa_cfg__ConfigMap', v: 'v1' }]);
      const pruned = await rm.deleteAll(stale, { ownerLabels: owner });
      expect(pruned.toString()).toBe('ConfigMap/ssa/cfg deleted');
    },
  );

  it('prunes only objects carrying the owner labels and honours prune: disabled', { timeout: 60_000 }, async () => {
    const rm = new ResourceManager({ client });
    await rm.applyAll([
      { ...configMap('x'), metadata: { name: 'gone', namespace: 'ssa', labels: owner } },
      {
        ...configMap('x'),
        metadata: {
          name: 'keep',
          namespace: 'ssa',
          labels: owner,
          annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
        },
      },
      {
        ...configMap('x'),
        metadata: {
          name: 'foreign',
          namespace: 'ssa',
          labels: { ...owner, 'kustomize.toolkit.fluxcd.io/name': 'other' },
        },
      },
    ]);
    const cs = await rm.deleteAll(
      [
        { id: 'ssa_gone__ConfigMap', v: 'v1' },
        { id: 'ssa_keep__ConfigMap', v: 'v1' },
        { id: 'ssa_foreign__ConfigMap', v: 'v1' },
        { id: 'ssa_missing__ConfigMap', v: 'v1' },
      ],
      { ownerLabels: owner },
    );
    expect(cs.toString()).toBe('ConfigMap/ssa/gone deleted\nConfigMap/ssa/keep skipped\nConfigMap/ssa/foreign skipped');
  });

  it(
    'skips Ignore and IfNotPresent objects, recreates on immutable fields only with force',
    { timeout: 60_000 },
    async () => {
      const rm = new ResourceManager({ client });
      const ignored = {
        ...configMap('i'),
        metadata: { name: 'ignored', namespace: 'ssa', annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'Ignore' } },
      };
      const once = {
        ...configMap('first'),
        metadata: {
          name: 'once',
          namespace: 'ssa',
          annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' },
        },
      };
      expect((await rm.applyAll([ignored, once])).toString()).toBe(
        'ConfigMap/ssa/ignored skipped\nConfigMap/ssa/once created',
      );
      expect((await rm.applyAll([{ ...once, data: { v: 'second' } } as Manifest])).toString()).toBe(
        'ConfigMap/ssa/once skipped',
      );

      await expect(rm.applyAll([deployment('nginx:2', { selector: 'other' })])).rejects.toThrow(
        /^Deployment\/ssa\/app dry-run failed \(Invalid\): .*immutable/,
      );
      const cs = await rm.applyAll([deployment('nginx:2', { selector: 'other' })], { force: true });
      expect(cs.toString()).toBe('Deployment/ssa/app created');
    },
  );

  it('starts a health check from the objects an unchanged apply read, and reads only what is not Current', async () => {
    const rm = new ResourceManager({ client });
    const objs = [
      namespace,
      configMap('obs'),
      { ...deployment('nginx:obs'), metadata: { ...deployment('x').metadata, name: 'obs' } },
    ];
    await rm.applyAllStaged(objs, { waitInterval: 100 });
    const cs = await rm.applyAll(objs);
    expect(cs.toString()).toBe('Namespace/ssa unchanged\nConfigMap/ssa/cfg unchanged\nDeployment/ssa/obs unchanged');
    const observed = cs.observed();
    expect([...observed.keys()]).toEqual(['Namespace/ssa', 'ConfigMap/ssa/cfg', 'Deployment/ssa/obs']);
    expect(observed.get('ConfigMap/ssa/cfg')).toMatchObject({ data: { v: 'obs' } });
    const checker = new HealthChecker({ client });
    const refs = objs.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata }));
    // Without a simulated deployment controller the Deployment never becomes Current: the wait reads it again
    // (and only it) until the timeout; the Namespace and the ConfigMap were Current in what the apply read.
    reads.length = 0;
    await expect(checker.waitForSet(refs, { timeout: 250, interval: 100, observed })).rejects.toThrow(
      "timeout waiting for: [Deployment/ssa/obs status: 'InProgress']",
    );
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(new Set(['/apis/apps/v1/namespaces/ssa/deployments/obs']));
    reads.length = 0;
    await checker.waitForSet(refs.slice(0, 2), { timeout: 250, interval: 100, observed });
    expect(reads).toEqual([]);
  });

  it('waits for workloads to become Current and times out with the objects named', { timeout: 60_000 }, async () => {
    const checker = new HealthChecker({ client });
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'ssa' } };
    await expect(checker.waitForSet([ref], { timeout: 300, interval: 100 })).rejects.toThrow(
      "timeout waiting for: [Deployment/ssa/app status: 'InProgress']",
    );
    server.hooks.setSimulation({ readyAfterMs: 200, intervalMs: 50 });
    try {
      await checker.waitForSet([ref], { timeout: 30_000, interval: 100 });
    } finally {
      server.hooks.setSimulation(undefined);
    }
  });

  it(
    'takes over fields of kubectl and drops last-applied-configuration, unless ssa: Merge',
    { timeout: 60_000 },
    async () => {
      const rm = new ResourceManager({ client, cleanup: fluxCleanupOptions() });
      const cm = (name: string, data: Record<string, string>, annotations: Record<string, string> = {}): Manifest => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'ssa', annotations },
        data,
      });
      const lastApplied = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
      for (const name of ['adopted', 'merged'])
        await client.apply(cm(name, { a: '1', b: '2' }, lastApplied), { fieldManager: 'kubectl', force: true });

      const cs = await rm.applyAll([
        cm('adopted', { a: '1' }),
        cm('merged', { a: '1' }, { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' }),
      ]);
      expect(cs.toString()).toBe('ConfigMap/ssa/adopted configured\nConfigMap/ssa/merged configured');
      const get = (name: string) =>
        client.get<KubeObject & { data: Record<string, string> }>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { namespace: 'ssa', name },
        );
      const adopted = await get('adopted');
      expect(adopted.data).toEqual({ a: '1' });
      expect(adopted.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
      expect((adopted.metadata.managedFields as { manager: string }[]).map((m) => m.manager)).toEqual([
        'kustomize-controller',
      ]);
      const merged = await get('merged');
      expect(merged.data).toEqual({ a: '1', b: '2' });
      expect(merged.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBe('{}');

      // Once cleaned up, the object is steady.
      expect((await rm.applyAll([cm('adopted', { a: '1' })])).toString()).toBe('ConfigMap/ssa/adopted unchanged');
    },
  );

  it('applies a CRD and its custom resources in one staged run', { timeout: 60_000 }, async () => {
    const crd: Manifest = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        ],
      },
    };
    const widget: Manifest = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'staged' },
      spec: { size: 1 },
    };
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'staged' } };
    const rm = new ResourceManager({ client });
    const cs = await rm.applyAllStaged([widget, crd, ns], { waitInterval: 100 });
    expect(cs.toString()).toBe(
      'CustomResourceDefinition/widgets.example.com created\nNamespace/staged created\nWidget/staged/w created',
    );
    expect((await rm.applyAllStaged([widget, crd, ns])).changes()).toEqual([]);
  });
});
