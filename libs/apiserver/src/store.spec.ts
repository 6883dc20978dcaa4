import { describe, expect, it } from 'vitest';
import { Store, type StoreEvent } from './store.ts';

const cm = (ns: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: ns, name, uid: `${ns}-${name}`, ...extra },
});

describe('Store', () => {
  it('stamps monotonic resourceVersions and lists sorted by namespace/name', () => {
    const s = new Store();
    const a = s.put('/configmaps', cm('b', 'z'));
    const b = s.put('/configmaps', cm('a', 'y'));
    const c = s.put('/configmaps', cm('a', 'x'));
    const rvs = [a, b, c].map((o) => Number((o['metadata'] as { resourceVersion: string }).resourceVersion));
    expect(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!).toBe(true);
    expect(
      s
        .bucket('/configmaps')
        .list()
        .map((o) => (o['metadata'] as { name: string }).name),
    ).toEqual(['x', 'y', 'z']);
    expect(s.bucket('/configmaps').list('a')).toHaveLength(2);
  });

  it('replays events after a resourceVersion and reports compacted history', () => {
    const s = new Store({ historySize: 3 });
    const first = Number(
      (s.put('/configmaps', cm('a', '1'))['metadata'] as { resourceVersion: string }).resourceVersion,
    );
    s.put('/configmaps', cm('a', '2'));
    s.put('/configmaps', cm('a', '3'));
    expect(
      s
        .bucket('/configmaps')
        .eventsSince(first)
        ?.map((e) => e.type),
    ).toEqual(['ADDED', 'ADDED']);
    s.put('/configmaps', cm('a', '4'));
    s.remove('/configmaps', 'a', '2');
    // the ring holds 3 events: rv of '1' and '2' were evicted
    expect(s.bucket('/configmaps').eventsSince(first)).toBeUndefined();
    s.compactAll();
    expect(s.bucket('/configmaps').eventsSince(s.resourceVersion - 1)).toBeUndefined();
    expect(s.bucket('/configmaps').eventsSince(s.resourceVersion)).toEqual([]);
  });

  it('fans out only to watchers of the bucket and namespace', () => {
    const s = new Store();
    const seenA: StoreEvent[] = [];
    const seenAll: StoreEvent[] = [];
    s.bucket('/configmaps').watchers.add({ namespace: 'a', onEvent: (e) => seenA.push(e) });
    s.bucket('/configmaps').watchers.add({ onEvent: (e) => seenAll.push(e) });
    s.put('/configmaps', cm('a', '1'));
    s.put('/configmaps', cm('b', '1'));
    s.put('/secrets', cm('a', 's'));
    s.remove('/configmaps', 'a', '1');
    expect(seenA.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(seenAll).toHaveLength(3);
  });

  it('indexes dependents by owner uid and objects by uid', () => {
    const s = new Store();
    s.put(
      '/configmaps',
      cm('a', 'child', { ownerReferences: [{ uid: 'owner-1', kind: 'X', name: 'o', apiVersion: 'v1' }] }),
    );
    expect(s.dependentsOf('owner-1')).toEqual([{ bucket: '/configmaps', namespace: 'a', name: 'child' }]);
    expect(s.locate('a-child')).toEqual({ bucket: '/configmaps', namespace: 'a', name: 'child' });
    s.put('/configmaps', cm('a', 'child'));
    expect(s.dependentsOf('owner-1')).toEqual([]);
  });

  it('round-trips through snapshot/restore', () => {
    const s = new Store();
    s.put('/configmaps', cm('a', '1'));
    s.put('apps/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { namespace: 'a', name: 'd', uid: 'd1' },
    });
    const snap = JSON.parse(JSON.stringify(s.snapshot())) as ReturnType<Store['snapshot']>;
    const t = new Store();
    t.restore(snap);
    expect(t.snapshot()).toEqual(s.snapshot());
    expect(t.resourceVersion).toBe(s.resourceVersion);
    const next = Number(
      (t.put('/configmaps', cm('a', '2'))['metadata'] as { resourceVersion: string }).resourceVersion,
    );
    expect(next).toBeGreaterThan(s.resourceVersion);
  });

  it('journals every committed put and remove before it is visible; a failing journal fails the write', () => {
    const log: string[] = [];
    let fail = false;
    const s = new Store({
      journal: {
        put: (b, o, rv) => {
          if (fail) throw new Error('disk full');
          log.push(`put ${b} ${(o['metadata'] as { name: string }).name} ${rv}`);
        },
        remove: (b, ns, name, rv) => log.push(`remove ${b} ${ns}/${name} ${rv}`),
      },
    });
    s.put('/configmaps', cm('a', '1'));
    s.remove('/configmaps', 'a', '1');
    s.remove('/configmaps', 'a', 'missing');
    expect(log).toEqual(['put /configmaps 1 2', 'remove /configmaps a/1 3']);
    fail = true;
    const o = cm('a', '2');
    expect(() => s.put('/configmaps', o)).toThrow('disk full');
    expect(s.bucket('/configmaps').get('a', '2')).toBeUndefined();
    expect((o['metadata'] as { resourceVersion?: string }).resourceVersion).toBeUndefined();
  });
});
