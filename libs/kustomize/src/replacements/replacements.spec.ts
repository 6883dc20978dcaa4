import { describe, expect, it } from 'vitest';
import { getFieldValue, splitFieldPath } from './field-path.ts';
import { applyReplacements } from './replacements.ts';
import type { KObject } from '../resource.ts';
import type { Replacement } from './replacements.ts';

/** A test resource: an untyped manifest whose kind and name the tests read directly. */
type Fixture = KObject & { kind: string; metadata: KObject & { name: string } };

const base = (): Fixture[] => [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings' },
    data: { host: 'db.example.com', port: '5432', image: 'r.io/app:v1' },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.25', env: [{ name: 'A', value: 'x' }] },
            { name: 'apps-helper', image: 'busybox:1' },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: {
      ports: [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ],
    },
  },
];
const src = (
  fieldPath: string,
  options?: Replacement['source'] extends infer S ? (S extends { options?: infer O } ? O : never) : never,
) => ({
  kind: 'ConfigMap',
  name: 'settings',
  fieldPath,
  options,
});
type Out = Record<string, unknown>[];
const at = (o: Out, i: number, path: string): unknown => getFieldValue(o[i] ?? {}, path);

describe('applyReplacements', () => {
  const cases: { name: string; r: Replacement; check: (out: Out) => unknown; want: unknown }[] = [
    {
      name: 'copies a scalar into a keyed list path',
      r: {
        source: src('data.host'),
        targets: [
          {
            select: { kind: 'Deployment' },
            fieldPaths: ['spec.template.spec.containers.[name=app].env.[name=A].value'],
          },
        ],
      },
      check: (o) => at(o, 1, 'spec.template.spec.containers.0.env.0.value'),
      want: 'db.example.com',
    },
    {
      name: '[name=value] is an unanchored regex in targets (kyaml PathMatcher)',
      r: {
        source: src('data.image'),
        targets: [{ select: { kind: 'Deployment' }, fieldPaths: ['spec.template.spec.containers.[name=app].image'] }],
      },
      check: (o) => [
        at(o, 1, 'spec.template.spec.containers.0.image'),
        at(o, 1, 'spec.template.spec.containers.1.image'),
      ],
      want: ['r.io/app:v1', 'r.io/app:v1'],
    },
    {
      name: 'source and target delimiters',
      r: {
        source: src('data.image', { delimiter: ':', index: 1 }),
        targets: [
          {
            select: { kind: 'Deployment' },
            fieldPaths: ['spec.template.spec.containers.0.image'],
            options: { delimiter: ':', index: 1 },
          },
        ],
      },
      check: (o) => at(o, 1, 'spec.template.spec.containers.0.image'),
      want: 'nginx:v1',
    },
    {
      name: 'a negative target index prefixes, an index past the end appends',
      r: {
        source: src('data.port'),
        targets: [
          { select: { kind: 'ConfigMap' }, fieldPaths: ['data.host'], options: { delimiter: '.', index: -1 } },
          { select: { kind: 'ConfigMap' }, fieldPaths: ['data.image'], options: { delimiter: '/', index: 7 } },
        ],
      },
      check: (o) => [at(o, 0, 'data.host'), at(o, 0, 'data.image')],
      want: ['5432.db.example.com', 'r.io/app:v1/5432'],
    },
    {
      name: 'a scalar keeps the target type (string into an int field)',
      r: { source: src('data.port'), targets: [{ select: { kind: 'Deployment' }, fieldPaths: ['spec.replicas'] }] },
      check: (o) => at(o, 1, 'spec.replicas'),
      want: 5432,
    },
    {
      name: 'create makes missing fields',
      r: {
        source: { kind: 'Service', name: 'web' },
        targets: [
          { select: { kind: 'Deployment' }, fieldPaths: ['metadata.annotations.svc'], options: { create: true } },
        ],
      },
      check: (o) => at(o, 1, 'metadata.annotations'),
      want: { svc: 'web' },
    },
    {
      name: 'reject excludes targets; labelSelector selects',
      r: {
        source: src('data.host'),
        targets: [
          { select: { labelSelector: 'app=web' }, reject: [{ kind: 'Service' }], fieldPaths: ['metadata.name'] },
        ],
      },
      check: (o) => [0, 1, 2].map((i) => at(o, i, 'metadata.name')),
      want: ['settings', 'db.example.com', 'web'],
    },
    {
      name: 'whole maps replace the target node',
      r: {
        source: { kind: 'Deployment', name: 'web', fieldPath: 'metadata.labels' },
        targets: [{ select: { kind: 'Service' }, fieldPaths: ['spec.selector'], options: { create: true } }],
      },
      check: (o) => at(o, 2, 'spec.selector'),
      want: { app: 'web' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = base();
      const snapshot = JSON.stringify(input);
      expect(c.check(applyReplacements(input, [c.r]))).toEqual(c.want);
      expect(JSON.stringify(input)).toBe(snapshot);
    });
  }

  const errors: { name: string; r: Replacement; msg: string }[] = [
    {
      name: 'missing source field',
      r: { source: src('data.nope'), targets: [] },
      msg: 'fieldPath `data.nope` is missing for replacement source ConfigMap.[noVer].[noGrp]/settings.[noNs]',
    },
    { name: 'no source', r: { source: { kind: 'Secret' }, targets: [] }, msg: 'nothing selected by' },
    { name: 'ambiguous source', r: { source: { name: 'web' }, targets: [] }, msg: 'multiple matches for selector' },
    {
      name: 'index out of bounds',
      r: { source: src('data.host', { delimiter: '.', index: 9 }), targets: [] },
      msg: 'options.index 9 is out of bounds for value db.example.com',
    },
    {
      name: 'missing target field',
      r: { source: src('data.host'), targets: [{ select: { kind: 'Service' }, fieldPaths: ['spec.nope.x'] }] },
      msg: 'unable to find field "spec.nope.x" in replacement target',
    },
    {
      name: 'target without select',
      r: { source: src('data.host'), targets: [{ fieldPaths: ['a'] }] },
      msg: 'target must specify resources to select',
    },
  ];
  for (const e of errors) {
    it(`errors: ${e.name}`, () => {
      expect(() => applyReplacements(base(), [e.r])).toThrow(e.msg);
    });
  }

  it('selects sources and targets by a previous id the caller knows', () => {
    const input = base();
    const renamed = input.map((r) => ({ ...r, metadata: { ...r.metadata, name: `x-${r.metadata.name}` } }));
    const prev = new Map<object, { group: string; version: string; kind: string; name: string; namespace: string }[]>(
      renamed.map((r, i) => [
        r,
        [{ group: '', version: 'v1', kind: r.kind, name: input[i]?.metadata.name ?? '', namespace: '' }],
      ]),
    );
    const out = applyReplacements(
      renamed,
      [
        {
          source: src('data.port'),
          targets: [{ select: { kind: 'Deployment', name: 'web' }, fieldPaths: ['spec.replicas'] }],
        },
      ],
      {
        previousIds: (r) => prev.get(r) ?? [],
      },
    );
    expect(at(out, 1, 'spec.replicas')).toBe(5432);
  });

  it('splits paths like kyaml', () => {
    expect(splitFieldPath('a.[name=x.y].b[0].c')).toEqual(['a', '[name=x.y]', 'b', '[0]', 'c']);
  });
});
