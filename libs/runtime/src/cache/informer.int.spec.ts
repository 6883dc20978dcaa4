import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '../client/errors.ts';
import {
  configMapGvk,
  eventually,
  startTestCluster,
  widgetCrd,
  widgetGvk,
  type TestCluster,
} from '../client/testing.spec-helper.ts';
import type { KubeObject } from '../client/types.ts';
import { Cache } from './cache.ts';
import { Informer, type InformerEvent } from './informer.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const fastBackoff = { initialMs: 50, maxMs: 500 };

/** Records informer events as `TYPE name@data.v`. */
function record<T extends ConfigMap>(inf: Informer<T>): string[] {
  const log: string[] = [];
  inf.onEvent((e: InformerEvent<T>) => log.push(`${e.type} ${e.object.metadata.name}@${e.object.data?.['v'] ?? ''}`));
  return log;
}

describe('Informer and Cache against the in-process API server', () => {
  let t: TestCluster;
  const stop = new AbortController();

  beforeAll(async () => {
    t = await startTestCluster();
    for (const name of ['inf-a', 'inf-b', 'inf-c', 'inf-d', 'inf-e', 'inf-f']) {
      await t.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  });
  afterAll(async () => {
    stop.abort();
    await t?.server.close();
  });

  const cm = (ns: string, name: string, v: string, labels: Record<string, string> = {}): ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels },
    data: { v },
  });
  const setV = (ns: string, name: string, v: string): Promise<unknown> =>
    t.client.patch(configMapGvk, { namespace: ns, name }, { data: { v } }, { type: 'merge' });

  it('syncs with a paginated list, then follows changes; cached copies drop managedFields and are deep copies', async () => {
    const ns = 'inf-a';
    for (let i = 0; i < 5; i++) await t.client.create(cm(ns, `pre-${i}`, '1'));
    const inf = new Informer<ConfigMap>(t.client, configMapGvk, { namespace: ns, pageSize: 2, backoff: fastBackoff });
    const log = record(inf);
    t.server.counters.reset();
    inf.start(stop.signal);
    await inf.waitForSync(stop.signal);
    expect(inf.hasSynced()).toBe(true);
    expect(t.server.counters.get('list', 'configmaps')).toBe(3); // 5 objects in pages of 2
    expect(log.filter((l) => l.startsWith('ADDED pre-')).length).toBe(5);
    expect(
      inf
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['pre-0', 'pre-1', 'pre-2', 'pre-3', 'pre-4']);

    await t.client.create(cm(ns, 'live', '1'));
    await setV(ns, 'pre-0', '2');
    await t.client.delete(configMapGvk, { namespace: ns, name: 'pre-1' });
    await eventually(() => log.includes('DELETED pre-1@1'), 30_000, 'delete seen');
    expect(log.slice(5)).toEqual(['ADDED live@1', 'MODIFIED pre-0@2', 'DELETED pre-1@1']);

    const cached = inf.get({ namespace: ns, name: 'pre-0' })!;
    expect(cached.metadata.managedFields).toBeUndefined();
    expect((await t.client.get(configMapGvk, { namespace: ns, name: 'pre-0' })).metadata.managedFields).toBeDefined();
    cached.data = { v: 'mutated' };
    expect(inf.get({ namespace: ns, name: 'pre-0' })?.data).toEqual({ v: '2' });
  });

  it('resumes from the last resourceVersion after a forced disconnect: no relist, nothing lost or duplicated', async () => {
    const ns = 'inf-b';
    await t.client.create(cm(ns, 'a', '1'));
    const inf = new Informer<ConfigMap>(t.client, configMapGvk, { namespace: ns, backoff: fastBackoff });
    const log = record(inf);
    inf.start(stop.signal);
    await inf.waitForSync(stop.signal);
    await eventually(() => t.server.hooks.openWatches() > 0, 30_000, 'watch open');
    t.server.counters.reset();

    for (let round = 0; round < 3; round++) {
      expect(t.server.hooks.disconnectWatches('configmaps')).toBeGreaterThan(0);
      await t.client.create(cm(ns, `r${round}`, '1'));
      await setV(ns, 'a', String(round + 2));
      await eventually(
        () => log.includes(`MODIFIED a@${round + 2}`) && log.includes(`ADDED r${round}@1`),
        30_000,
        `round ${round}`,
      );
      await eventually(() => t.server.hooks.openWatches() > 0, 30_000, 'watch re-opened');
    }
    expect(log).toEqual([
      'ADDED a@1',
      'ADDED r0@1',
      'MODIFIED a@2',
      'ADDED r1@1',
      'MODIFIED a@3',
      'ADDED r2@1',
      'MODIFIED a@4',
    ]);
    expect(t.server.counters.get('list', 'configmaps')).toBe(0);
    expect(t.server.counters.get('watch', 'configmaps')).toBeGreaterThanOrEqual(3);
    expect(inf.listCount()).toBe(1);
  });

  it('relists after 410 Gone and emits exactly the changes it missed', async () => {
    const ns = 'inf-c';
    for (const n of ['keep', 'change', 'remove']) await t.client.create(cm(ns, n, '1'));
    const inf = new Informer<ConfigMap>(t.client, configMapGvk, { namespace: ns, backoff: fastBackoff });
    const log = record(inf);
    inf.start(stop.signal);
    await inf.waitForSync(stop.signal);
    await eventually(() => t.server.hooks.openWatches() > 0, 30_000, 'watch open');
    expect(log.sort()).toEqual(['ADDED change@1', 'ADDED keep@1', 'ADDED remove@1']);
    log.length = 0;

    // hold the reconnect back, change things while no watch is open, and forget the watch history
    t.server.hooks.setLatency(400);
    try {
      t.server.hooks.disconnectWatches('configmaps');
      const def = t.server.core.registry.get('', 'v1', 'configmaps')!;
      const w = { dryRun: false, fieldManager: 'test', fieldValidation: 'Strict' as const, warnings: [] };
      t.server.core.create(def, ns, cm(ns, 'added', '1'), w);
      t.server.core.patch(
        def,
        ns,
        'change',
        'application/merge-patch+json',
        { data: { v: '2' } },
        { ...w, force: false },
      );
      t.server.core.delete(def, ns, 'remove', {}, { dryRun: false });
      t.server.hooks.compact();
    } finally {
      t.server.hooks.setLatency(0);
    }
    await eventually(() => inf.listCount() === 2 && log.length >= 3, 30_000, 'relist');
    await eventually(() => t.server.hooks.openWatches() > 0, 30_000, 'watch re-opened');
    expect(log.sort()).toEqual(['ADDED added@1', 'DELETED remove@1', 'MODIFIED change@2']);
    expect(
      inf
        .list()
        .map((o) => `${o.metadata.name}@${o.data?.['v']}`)
        .sort(),
    ).toEqual(['added@1', 'change@2', 'keep@1']);

    // and it keeps following changes after the relist
    await setV(ns, 'keep', '5');
    await eventually(() => log.includes('MODIFIED keep@5'), 30_000, 'change after relist');
    expect(log.length).toBe(4);
  });

  it('scopes informers by label selector (sharding) and namespace, including selector transitions', async () => {
    const shard = { 'sharding.fluxcd.io/key': 'shard1' };
    await t.client.create(cm('inf-d', 'mine', '1', shard));
    await t.client.create(cm('inf-d', 'other', '1', { 'sharding.fluxcd.io/key': 'shard2' }));
    await t.client.create(cm('inf-d', 'unlabelled', '1'));
    await t.client.create(cm('inf-e', 'mine-elsewhere', '1', shard));

    const cache = new Cache(t.client, {
      labelSelector: 'sharding.fluxcd.io/key=shard1',
      namespace: 'inf-d',
      informer: { backoff: fastBackoff },
    });
    const inf = cache.informerFor<ConfigMap>(configMapGvk);
    const log = record(inf);
    await cache.start(stop.signal);
    await cache.waitForCacheSync(stop.signal);
    expect(cache.hasSynced()).toBe(true);
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['mine']);

    await t.client.patch(
      configMapGvk,
      { namespace: 'inf-d', name: 'other' },
      { metadata: { labels: shard } },
      { type: 'merge' },
    );
    await eventually(() => log.includes('ADDED other@1'), 30_000, 'relabelled object enters');
    await t.client.patch(
      configMapGvk,
      { namespace: 'inf-d', name: 'mine' },
      { metadata: { labels: { 'sharding.fluxcd.io/key': null } } },
      { type: 'merge' },
    );
    await eventually(() => log.includes('DELETED mine@1'), 30_000, 'unlabelled object leaves');
    await setV('inf-e', 'mine-elsewhere', '2');
    await t.client.create(cm('inf-d', 'late', '1', shard));
    await eventually(() => log.includes('ADDED late@1'), 30_000, 'new object');
    expect(log).toEqual(['ADDED mine@1', 'ADDED other@1', 'DELETED mine@1', 'ADDED late@1']);
    expect((await cache.list<ConfigMap>(configMapGvk)).map((o) => o.metadata.name).sort()).toEqual(['late', 'other']);
    expect(
      (await cache.list<ConfigMap>(configMapGvk, { labelSelector: 'sharding.fluxcd.io/key in (shard1)' })).length,
    ).toBe(2);
    await expect(cache.get(configMapGvk, { namespace: 'inf-d', name: 'unlabelled' })).rejects.toSatisfy(isNotFound);
    await expect(cache.get<ConfigMap>(configMapGvk, { namespace: 'inf-d', name: 'late' })).resolves.toMatchObject({
      data: { v: '1' },
    });
  });

  it('serves field-index lookups and starts informers for CRDs created later', async () => {
    const cache = new Cache(t.client, { namespace: 'inf-f', informer: { backoff: fastBackoff } });
    const inf = cache.informerFor(widgetGvk);
    cache.indexField<KubeObject & { spec?: { sourceRef?: string } }>(widgetGvk, 'spec.sourceRef', (o) =>
      o.spec?.sourceRef ? [o.spec.sourceRef] : [],
    );
    await cache.start(stop.signal);
    // the Widget kind does not exist yet: the informer fails discovery and retries until it does
    await eventually(() => inf.listCount() === 0 && !inf.hasSynced(), 30_000, 'informer started');
    await t.client.create(widgetCrd);
    const widget = (name: string, sourceRef: string): KubeObject & { spec: unknown } => ({
      ...widgetGvk,
      metadata: { name, namespace: 'inf-f' },
      spec: { sourceRef },
    });
    await eventually(
      async () => {
        await t.client.resourceFor(widgetGvk);
        return true;
      },
      30_000,
      'widgets served',
    );
    await t.client.create(widget('w1', 'GitRepository/inf-f/repo'));
    await t.client.create(widget('w2', 'GitRepository/inf-f/repo'));
    await t.client.create(widget('w3', 'OCIRepository/inf-f/oci'));
    await cache.waitForCacheSync(stop.signal);
    await eventually(async () => (await cache.list(widgetGvk)).length === 3, 30_000, 'widgets cached');
    const byRepo = await cache.listByIndex(widgetGvk, 'spec.sourceRef', 'GitRepository/inf-f/repo');
    expect(byRepo.map((o) => o.metadata.name).sort()).toEqual(['w1', 'w2']);
    expect(
      (await cache.listByIndex(widgetGvk, 'spec.sourceRef', 'OCIRepository/inf-f/oci')).map((o) => o.metadata.name),
    ).toEqual(['w3']);
    expect(
      await cache.listByIndex(widgetGvk, 'spec.sourceRef', 'GitRepository/inf-f/repo', { namespace: 'elsewhere' }),
    ).toEqual([]);

    await t.client.patch(
      widgetGvk,
      { namespace: 'inf-f', name: 'w2' },
      { spec: { sourceRef: 'OCIRepository/inf-f/oci' } },
      { type: 'merge' },
    );
    await eventually(
      async () => (await cache.listByIndex(widgetGvk, 'spec.sourceRef', 'OCIRepository/inf-f/oci')).length === 2,
      30_000,
      'index follows update',
    );
    expect(
      (await cache.listByIndex(widgetGvk, 'spec.sourceRef', 'GitRepository/inf-f/repo')).map((o) => o.metadata.name),
    ).toEqual(['w1']);
  });

  it('keeps managedFields when told to, and stops on abort', async () => {
    const local = new AbortController();
    const inf = new Informer<ConfigMap>(t.client, configMapGvk, {
      namespace: 'inf-a',
      stripManagedFields: false,
      backoff: fastBackoff,
    });
    const done = inf.run(local.signal);
    await inf.waitForSync(local.signal);
    expect(inf.get({ namespace: 'inf-a', name: 'live' })?.metadata.managedFields).toBeDefined();
    local.abort();
    await expect(done).resolves.toBeUndefined();
    await expect(new Informer(t.client, configMapGvk).waitForSync(local.signal)).rejects.toBeDefined();
  });
});
