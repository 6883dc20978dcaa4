import { describe, expect, it } from 'vitest';
import type { KObject } from '../resource.ts';
import { applyJson6902 } from './json6902.ts';
import { applyPatchEntry, fromPatchesJson6902, fromPatchesStrategicMerge, parsePatch } from './patch-entry.ts';
import { matchesLabelSelector, selectTargets } from './selector.ts';

const cm = (name: string, extra: KObject = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data: { a: '1' },
});
const resources: KObject[] = [
  cm('one', { labels: { app: 'web', tier: 'fe' } }),
  cm('two', { namespace: 'prod', annotations: { scale: 'yes' } }),
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } },
];
const names = (rs: { metadata?: unknown }[]) => rs.map((r) => (r.metadata as { name: string }).name);

describe('selectTargets', () => {
  const cases: { selector: Parameters<typeof selectTargets>[1]; want: string[] }[] = [
    { selector: { kind: 'ConfigMap' }, want: ['one', 'two'] },
    { selector: { name: 'o' }, want: [] },
    { selector: { name: 'o.*' }, want: ['one'] },
    { selector: { name: 'one|web' }, want: ['one', 'web'] },
    { selector: { group: 'apps' }, want: ['web'] },
    { selector: { version: 'v1', kind: 'Deployment|Namespace' }, want: ['web', 'prod'] },
    { selector: { namespace: 'default' }, want: ['one', 'web'] },
    { selector: { namespace: 'prod' }, want: ['two'] },
    { selector: { labelSelector: 'app=web' }, want: ['one'] },
    { selector: { labelSelector: 'app in (web,api),!missing' }, want: ['one'] },
    { selector: { labelSelector: 'app notin (web)' }, want: ['two', 'web', 'prod'] },
    { selector: { annotationSelector: 'scale=yes' }, want: ['two'] },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.selector), () => {
      expect(names(selectTargets(resources, c.selector))).toEqual(c.want);
    });
  }

  it('matches a previous name given by previousIds', () => {
    const renamed = [cm('prod-one')];
    const out = selectTargets(
      renamed,
      { name: 'one' },
      {
        previousIds: () => [{ group: '', version: 'v1', kind: 'ConfigMap', name: 'one', namespace: '' }],
      },
    );
    expect(names(out)).toEqual(['prod-one']);
  });

  it('parses selector operators', () => {
    expect(matchesLabelSelector({ a: 'x' }, 'a!=y')).toBe(true);
    expect(matchesLabelSelector({ a: 'x' }, 'a==x,b')).toBe(false);
    expect(() => matchesLabelSelector({}, 'a in (')).toThrow(
      "unable to parse requirement: found '', expected: ',', ')' or identifier",
    );
  });
});

describe('parsePatch', () => {
  it('detects JSON 6902 lists and strategic-merge maps', () => {
    expect(parsePatch('- op: remove\n  path: /a').type).toBe('json6902');
    expect(parsePatch('[{"op":"remove","path":"/a"}]').type).toBe('json6902');
    const smp = parsePatch('kind: A\n---\nkind: B\n');
    expect(smp.type === 'strategic-merge' && smp.patches.length).toBe(2);
    expect(() => parsePatch('- op: nope\n  path: /a')).toThrow(/unexpected kind/);
  });
});

describe('applyJson6902', () => {
  it('applies add, copy, move, test and remove', () => {
    const out = applyJson6902({ a: { b: 1 }, l: [1] }, [
      { op: 'test', path: '/a/b', value: 1 },
      { op: 'copy', from: '/a/b', path: '/c' },
      { op: 'move', from: '/a', path: '/m' },
      { op: 'add', path: '/l/-', value: 2 },
    ]);
    expect(out).toEqual({ c: 1, m: { b: 1 }, l: [1, 2] });
  });
  it('fails a test with kustomize wording', () => {
    expect(() => applyJson6902({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      'testing value /a failed: test failed',
    );
  });
});

describe('applyPatchEntry', () => {
  it('applies a strategic-merge patch to the resource with its id', () => {
    const out = applyPatchEntry(resources, {
      patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n',
    });
    expect(out[2]).toMatchObject({ spec: { replicas: 3 } });
    expect(out[0]).toBe(resources[0]);
  });

  it('keeps the target name and kind unless allowed to change them', () => {
    const patch = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: renamed\n';
    const kept = applyPatchEntry(resources, { patch, target: { name: 'one' } });
    expect(kept[0]).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'one' } });
    const changed = applyPatchEntry(resources, {
      patch,
      target: { name: 'one' },
      options: { allowNameChange: true, allowKindChange: true },
    });
    expect(changed[0]).toMatchObject({ kind: 'Secret', metadata: { name: 'renamed' } });
  });

  it('drops a resource deleted by $patch: delete', () => {
    const out = applyPatchEntry(resources, {
      patch: '$patch: delete\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n',
    });
    expect(names(out)).toEqual(['one', 'two', 'web']);
  });

  it('errors like kustomize without a matching resource or a JSON patch target', () => {
    expect(() =>
      applyPatchEntry(resources, { patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\n' }),
    ).toThrow('no resource matches strategic merge patch "ConfigMap.v1.[noGrp]/nope.[noNs]"');
    expect(() => applyPatchEntry(resources, { patch: '- op: remove\n  path: /data' })).toThrow(
      'must specify a target for JSON patch',
    );
  });

  it('converts the legacy fields', () => {
    const [psm] = fromPatchesStrategicMerge(['kind: X']);
    expect(psm).toEqual({ patch: 'kind: X' });
    const [json] = fromPatchesJson6902([
      { target: { kind: 'ConfigMap', name: 'one' }, patch: '- op: remove\n  path: /data' },
    ]);
    const out = applyPatchEntry(resources, json as NonNullable<typeof json>);
    expect(out[0]).not.toHaveProperty('data');
    expect(out[1]).toHaveProperty('data');
  });
});
