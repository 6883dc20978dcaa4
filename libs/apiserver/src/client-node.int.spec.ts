import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from './server.ts';
import { eventually } from './testing/harness.ts';

describe('@kubernetes/client-node against the in-process API server', () => {
  let server: ApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  beforeAll(async () => {
    server = await startApiServer();
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await server?.close();
  });

  const cm = (name: string, v: string): V1ConfigMap => ({
    metadata: { name, labels: { suite: 'informer' } },
    data: { v },
  });

  it('creates, lists with pagination and selectors, and reports conflicts on stale resourceVersions', async () => {
    for (let i = 0; i < 5; i++)
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: `page-${i}`, labels: { page: 'yes' } } },
      });
    const first = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'page=yes', limit: 2 });
    expect(first.items.map((x) => x.metadata?.name)).toEqual(['page-0', 'page-1']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    const second = await core.listNamespacedConfigMap({
      namespace: 'default',
      labelSelector: 'page=yes',
      limit: 2,
      _continue: first.metadata?._continue as string,
    });
    expect(second.items.map((x) => x.metadata?.name)).toEqual(['page-2', 'page-3']);
    const byName = await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name=page-4' });
    expect(byName.items.map((x) => x.metadata?.name)).toEqual(['page-4']);

    const got = await core.readNamespacedConfigMap({ name: 'page-0', namespace: 'default' });
    const stale = { ...got, data: { a: '1' } };
    await core.replaceNamespacedConfigMap({ name: 'page-0', namespace: 'default', body: stale });
    await expect(
      core.replaceNamespacedConfigMap({ name: 'page-0', namespace: 'default', body: { ...stale, data: { a: '2' } } }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('list+watch resumes from the last resourceVersion after a forced disconnect, and relists after 410', async () => {
    const informer = makeInformer(
      kc,
      '/api/v1/namespaces/default/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'suite=informer' }),
      'suite=informer',
    );
    const seen = new Map<string, string>();
    informer.on('add', (o) => seen.set(o.metadata?.name ?? '', o.data?.['v'] ?? ''));
    informer.on('update', (o) => seen.set(o.metadata?.name ?? '', o.data?.['v'] ?? ''));
    informer.on('error', () => undefined);
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('a', '1') });
    server.counters.reset();
    await informer.start();
    try {
      await eventually(() => seen.get('a') === '1' && server.hooks.openWatches() > 0);
      expect(server.counters.get('list', 'configmaps')).toBe(1);

      // a forced disconnect: the informer re-watches from its resourceVersion, no relist
      expect(server.hooks.disconnectWatches('configmaps')).toBeGreaterThan(0);
      await core.createNamespacedConfigMap({ namespace: 'default', body: cm('b', '1') });
      await core.patchNamespacedConfigMap({
        name: 'a',
        namespace: 'default',
        body: [{ op: 'replace', path: '/data/v', value: '2' }],
      });
      await eventually(() => seen.get('b') === '1' && seen.get('a') === '2', 15_000);
      expect(server.counters.get('list', 'configmaps')).toBe(1);
      expect(server.counters.get('watch', 'configmaps')).toBeGreaterThanOrEqual(2);

      // while the informer reconnects (held back by injected latency) a change lands and history is
      // compacted: resuming gets 410 Gone, the informer relists and catches up
      await eventually(() => server.hooks.openWatches() > 0, 15_000);
      server.hooks.setLatency(500);
      server.hooks.disconnectWatches('configmaps');
      const def = server.core.registry.get('', 'v1', 'configmaps')!;
      server.core.create(
        def,
        'default',
        { apiVersion: 'v1', kind: 'ConfigMap', ...cm('c', '1') },
        { dryRun: false, fieldManager: 'test', fieldValidation: 'Strict', warnings: [] },
      );
      server.hooks.compact();
      server.hooks.setLatency(0);
      await eventually(() => seen.get('c') === '1', 15_000);
      expect(server.counters.get('list', 'configmaps')).toBe(2);
      expect(
        informer
          .list('default')
          .map((o) => o.metadata?.name)
          .sort(),
      ).toEqual(['a', 'b', 'c']);
    } finally {
      await informer.stop();
    }
  }, 60_000);
});
