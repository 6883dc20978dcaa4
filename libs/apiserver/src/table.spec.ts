import { describe, expect, it } from 'vitest';
import { builtinResources } from './resources.ts';
import { Registry } from './registry.ts';
import { evalJsonPath, parseJsonPath, toTable } from './table.ts';
import { humanDuration } from './util.ts';

describe('table printing', () => {
  it('evaluates printer-column JSONPath, including condition filters', () => {
    const o = {
      status: {
        conditions: [
          { type: 'Reconciling', status: 'False' },
          { type: 'Ready', status: 'True', message: 'ok' },
        ],
      },
      spec: { list: [1, 2] },
    };
    expect(evalJsonPath(o, parseJsonPath('.status.conditions[?(@.type=="Ready")].status'))).toEqual(['True']);
    expect(evalJsonPath(o, parseJsonPath(".status.conditions[?(@.type=='Ready')].message"))).toEqual(['ok']);
    expect(evalJsonPath(o, parseJsonPath('.spec.list[1]'))).toEqual([2]);
    expect(evalJsonPath(o, parseJsonPath('.spec.list[*]'))).toEqual([1, 2]);
    expect(evalJsonPath(o, parseJsonPath('.spec.missing'))).toEqual([]);
  });

  it('formats ages like HumanDuration', () => {
    expect([
      humanDuration(5_000),
      humanDuration(150_000),
      humanDuration(600_000),
      humanDuration(5 * 3600_000 + 120_000),
      humanDuration(3 * 86400_000),
    ]).toEqual(['5s', '2m30s', '10m', '5h2m', '3d']);
  });

  it('builds built-in and CRD tables', () => {
    const deploy = builtinResources().find((d) => d.kind === 'Deployment')!;
    const now = Date.parse('2026-01-01T00:10:00Z');
    const t = toTable(
      deploy,
      [
        {
          metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
          spec: { replicas: 3 },
          status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
        },
      ],
      { resourceVersion: '7' },
      'Metadata',
      now,
    );
    expect((t['columnDefinitions'] as { name: string }[]).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
    ]);
    expect(t['rows']).toEqual([
      {
        cells: ['web', '1/3', 2, 1, '10m'],
        object: {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
        },
      },
    ]);

    const reg = new Registry();
    const [def] = reg.installCrd({
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Thing', plural: 'things' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    });
    const ct = toTable(def!, [{ metadata: { name: 'a', creationTimestamp: '2026-01-01T00:09:00Z' } }], {}, 'None', now);
    expect((ct['columnDefinitions'] as { name: string; type: string }[]).map((c) => `${c.name}:${c.type}`)).toEqual([
      'Name:string',
      'Age:date',
    ]);
    expect(ct['rows']).toEqual([{ cells: ['a', '60s'] }]);
  });
});
