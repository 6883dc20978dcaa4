import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../client/types.ts';
import { diffStore, Store, storeKey } from './store.ts';

const cm = (name: string, rv: string, extra: Partial<KubeObject['metadata']> = {}, ns = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, resourceVersion: rv, uid: `uid-${ns}-${name}`, ...extra },
});

describe('diffStore', () => {
  it('emits ADDED for new keys, MODIFIED for moved resourceVersions, DELETED for missing keys, nothing for unchanged', () => {
    const current = new Map([
      ['default/same', cm('same', '1')],
      ['default/changed', cm('changed', '2')],
      ['default/gone', cm('gone', '3')],
    ]);
    const events = diffStore(current, [cm('same', '1'), cm('changed', '7'), cm('new', '8')]);
    expect(events.map((e) => [e.type, e.object.metadata.name, e.old?.metadata.resourceVersion])).toEqual([
      ['MODIFIED', 'changed', '2'],
      ['ADDED', 'new', undefined],
      ['DELETED', 'gone', undefined],
    ]);
  });

  it('treats a re-created object (same key, new uid) as modified even with an equal resourceVersion', () => {
    const current = new Map([['default/a', cm('a', '5')]]);
    const events = diffStore(current, [cm('a', '5', { uid: 'other' })]);
    expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
  });

  it('emits nothing when the list equals the store', () => {
    const items = [cm('a', '1'), cm('b', '2')];
    expect(diffStore(new Map(items.map((o) => [storeKey(o), o])), items)).toEqual([]);
  });
});

describe('Store', () => {
  it('keys namespaced and cluster-scoped objects', () => {
    expect(storeKey(cm('a', '1'))).toBe('default/a');
    expect(storeKey({ metadata: { name: 'node-1' } })).toBe('node-1');
  });

  it('replace applies the diff it returns', () => {
    const s = new Store<KubeObject>();
    s.upsert(cm('a', '1'));
    s.upsert(cm('b', '1'));
    const events = s.replace([cm('b', '2'), cm('c', '1')]);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED b', 'ADDED c', 'DELETED a']);
    expect(s.keys().sort()).toEqual(['default/b', 'default/c']);
    expect(s.get('default/b')?.metadata.resourceVersion).toBe('2');
  });

  it('maintains indexes across upsert, remove, replace, and indexes existing objects when added late', () => {
    const s = new Store<KubeObject>();
    s.upsert(cm('a', '1', { labels: { src: 'git/one' } }));
    s.addIndex('src', (o) => (o.metadata.labels?.['src'] ? [o.metadata.labels['src']] : []));
    s.upsert(cm('b', '1', { labels: { src: 'git/one' } }));
    s.upsert(cm('c', '1', { labels: { src: 'git/two' } }));
    expect(
      s
        .byIndex('src', 'git/one')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['a', 'b']);

    s.upsert(cm('a', '2', { labels: { src: 'git/two' } }));
    expect(s.byIndex('src', 'git/one').map((o) => o.metadata.name)).toEqual(['b']);
    expect(
      s
        .byIndex('src', 'git/two')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['a', 'c']);

    s.remove('default/c');
    expect(s.byIndex('src', 'git/two').map((o) => o.metadata.name)).toEqual(['a']);

    s.replace([cm('b', '1', { labels: { src: 'git/one' } })]);
    expect(s.byIndex('src', 'git/two')).toEqual([]);
    expect(s.byIndex('src', 'git/one').map((o) => o.metadata.name)).toEqual(['b']);
    expect(() => s.byIndex('nope', 'x')).toThrow('no such index');
    expect(() => s.addIndex('src', () => [])).toThrow('already exists');
  });
});
