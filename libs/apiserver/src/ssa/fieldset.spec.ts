import { describe, expect, it } from 'vitest';
import { FieldSet, pathToString } from './fieldset.ts';

describe('FieldSet', () => {
  it('round-trips FieldsV1 with "." for items that have children', () => {
    const fields = {
      'f:spec': {
        'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
        'f:replicas': {},
      },
      'f:metadata': { 'f:finalizers': { 'v:"x"': {} } },
    };
    const set = FieldSet.fromFieldsV1(fields);
    expect(set.has(['f:spec', 'f:containers', 'k:{"name":"a"}'])).toBe(true);
    expect(set.has(['f:spec', 'f:containers'])).toBe(false);
    expect(set.has(['f:metadata', 'f:finalizers', 'v:"x"'])).toBe(true);
    // re-encoding sorts keys: f: before k: before v:, names alphabetically
    expect(JSON.stringify(set.toFieldsV1())).toBe(
      JSON.stringify({
        'f:metadata': { 'f:finalizers': { 'v:"x"': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:replicas': {} },
      }),
    );
  });

  it('set operations work on exact paths; recursiveDifference removes subtrees', () => {
    const a = new FieldSet();
    a.insert(['f:spec', 'f:replicas']);
    a.insert(['f:status', 'f:replicas']);
    const b = new FieldSet();
    b.insert(['f:spec', 'f:replicas']);
    expect(a.difference(b).paths()).toEqual([['f:status', 'f:replicas']]);
    expect(a.intersection(b).paths()).toEqual([['f:spec', 'f:replicas']]);
    const status = new FieldSet();
    status.insert(['f:status']);
    expect(a.difference(status).paths()).toHaveLength(2);
    expect(a.recursiveDifference(status).paths()).toEqual([['f:spec', 'f:replicas']]);
    expect(a.union(b).equals(a)).toBe(true);
    expect(new FieldSet().isEmpty()).toBe(true);
  });

  it('iterates like structured-merge-diff: paths ending at a level before deeper ones', () => {
    const set = new FieldSet();
    set.insert(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']);
    set.insert(['f:spec', 'f:replicas']);
    set.insert(['f:metadata', 'f:labels', 'f:app']);
    expect(set.sortedPaths()).toEqual([
      ['f:metadata', 'f:labels', 'f:app'],
      ['f:spec', 'f:replicas'],
      ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image'],
    ]);
  });

  it('renders paths like structured-merge-diff', () => {
    const cases: [string[], string][] = [
      [['f:spec', 'f:replicas'], '.spec.replicas'],
      [['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image'], '.spec.containers[name="app"].image'],
      [['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'], '.spec.ports[port=80,protocol="TCP"]'],
      [['f:metadata', 'f:finalizers', 'v:"x"'], '.metadata.finalizers[="x"]'],
      [['f:items', 'i:3'], '.items[3]'],
    ];
    for (const [path, want] of cases) expect(pathToString(path)).toBe(want);
  });
});
