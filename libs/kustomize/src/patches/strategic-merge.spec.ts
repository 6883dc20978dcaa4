import { describe, expect, it } from 'vitest';
import type { YamlValue } from '../yaml-emit.ts';
import { applyStrategicMerge } from './strategic-merge.ts';

const deploy = (containers: YamlValue[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { spec: { containers } } },
});
const containersOf = (r: unknown): unknown =>
  (r as { spec: { template: { spec: { containers: unknown } } } }).spec.template.spec.containers;

describe('applyStrategicMerge (kyaml merge2 semantics)', () => {
  const cases: { name: string; target: YamlValue[]; patch: YamlValue[]; want: YamlValue[] }[] = [
    {
      name: 'new items come first, in patch order, then the remaining target items',
      target: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
      ],
      patch: [
        { name: 'c', image: 'c' },
        { name: 'a', image: 'a2' },
      ],
      want: [
        { name: 'c', image: 'c' },
        { name: 'a', image: 'a2' },
        { name: 'b', image: 'b' },
      ],
    },
    {
      name: '$patch: delete removes an item by merge key',
      target: [{ name: 'a' }, { name: 'b' }],
      patch: [{ name: 'b', $patch: 'delete' }],
      want: [{ name: 'a' }],
    },
    {
      name: 'a list-level $patch: replace replaces the list',
      target: [{ name: 'a' }, { name: 'b' }],
      patch: [{ $patch: 'replace' }, { name: 'z' }],
      want: [{ name: 'z' }],
    },
    {
      name: 'env merges by name, patch items first',
      target: [
        {
          name: 'a',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
      ],
      patch: [
        {
          name: 'a',
          env: [
            { name: 'Z', value: '3' },
            { name: 'X', value: '9' },
          ],
        },
      ],
      want: [
        {
          name: 'a',
          env: [
            { name: 'Z', value: '3' },
            { name: 'X', value: '9' },
            { name: 'Y', value: '2' },
          ],
        },
      ],
    },
    {
      name: 'args (no patch strategy) are replaced',
      target: [{ name: 'a', args: ['x', 'y'] }],
      patch: [{ name: 'a', args: ['z'] }],
      want: [{ name: 'a', args: ['z'] }],
    },
    {
      name: 'ports with protocol: full key match merges in place, new ones go first',
      target: [
        {
          name: 'a',
          ports: [
            { containerPort: 80, protocol: 'TCP' },
            { containerPort: 81, protocol: 'TCP' },
          ],
        },
      ],
      patch: [
        {
          name: 'a',
          ports: [
            { containerPort: 81, protocol: 'TCP', name: 'y' },
            { containerPort: 82, protocol: 'TCP' },
          ],
        },
      ],
      want: [
        {
          name: 'a',
          ports: [
            { containerPort: 82, protocol: 'TCP' },
            { containerPort: 80, protocol: 'TCP' },
            { containerPort: 81, protocol: 'TCP', name: 'y' },
          ],
        },
      ],
    },
    {
      name: 'a port with protocol matching a target port without protocol is dropped',
      target: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }],
      patch: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'UDP', name: 'x' }] }],
      want: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(containersOf(applyStrategicMerge(deploy(c.target), deploy(c.patch)))).toEqual(c.want);
    });
  }

  it('null deletes a field and a map-level $patch: replace replaces the map', () => {
    const target = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { a: '1', b: '2' } },
      data: { x: '1', y: '2' },
    };
    const patch = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { a: null } },
      data: { $patch: 'replace', z: '3' },
    };
    expect(applyStrategicMerge(target, patch)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { b: '2' } },
      data: { z: '3' },
    });
  });

  it('a top-level $patch: delete deletes the resource', () => {
    expect(
      applyStrategicMerge({ kind: 'ConfigMap', metadata: { name: 'c' } }, { $patch: 'delete', kind: 'ConfigMap' }),
    ).toBeNull();
  });

  it('keeps $setElementOrder and $retainKeys as plain fields, like kustomize', () => {
    const out = applyStrategicMerge(deploy([{ name: 'a' }, { name: 'b' }]), {
      ...deploy([{ name: 'a', image: 'x' }]),
      spec: { template: { spec: { $setElementOrder: 1, containers: [{ name: 'a', image: 'x' }] } } },
    });
    expect(
      (out as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec['$setElementOrder'],
    ).toBe(1);
  });

  it('merges finalizers as a set with the patch values first', () => {
    const out = applyStrategicMerge(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['a', 'b'] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['c', 'a'] } },
    );
    expect(out?.['metadata']).toEqual({ name: 'p', finalizers: ['c', 'a', 'b'] });
  });

  it('replaces every list of a kind it does not know (custom resources)', () => {
    const out = applyStrategicMerge(
      { apiVersion: 'x.io/v1', kind: 'W', metadata: { name: 'w' }, spec: { items: [{ name: 'a' }, { name: 'b' }] } },
      { apiVersion: 'x.io/v1', kind: 'W', metadata: { name: 'w' }, spec: { items: [{ name: 'b', v: 1 }] } },
    );
    expect(out?.['spec']).toEqual({ items: [{ name: 'b', v: 1 }] });
  });

  it('does not mutate its inputs', () => {
    const target = deploy([{ name: 'a' }]);
    const patch = deploy([{ name: 'b' }]);
    const snapshot = JSON.stringify([target, patch]);
    applyStrategicMerge(target, patch);
    expect(JSON.stringify([target, patch])).toBe(snapshot);
  });
});
