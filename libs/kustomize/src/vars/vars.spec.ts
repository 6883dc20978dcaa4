import { describe, expect, it } from 'vitest';
import { getFieldValue } from '../replacements/index.ts';
import { expandVarRefs, resolveVars, resolveVarsDetailed } from './vars.ts';
import type { KObject } from '../resource.ts';
import type { Var } from './vars.ts';

const lookup = (vars: Record<string, unknown>) => (name: string) => ({
  found: Object.hasOwn(vars, name),
  value: vars[name],
});

describe('expandVarRefs', () => {
  const cases: [string, unknown][] = [
    ['$(A)', 'a'],
    ['x-$(A)-$(B)', 'x-a-2'],
    ['$(B)', 2],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$(A', '$(A'],
    ['cost $5', 'cost $5'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      expect(expandVarRefs(input, lookup({ A: 'a', B: 2 }))).toEqual(want);
    });
  }
});

const resources: KObject[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'prod-web' }, spec: { ports: [{ name: 'http', port: 80 }] } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', annotations: { svc: '$(SVC)' } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'a', command: ['run', '--svc=$(SVC)'], env: [{ name: 'P', value: '$(PORT)' }], image: '$(SVC)' },
          ],
        },
      },
    },
  },
];
const vars: Var[] = [
  { name: 'SVC', objref: { kind: 'Service', name: 'prod-web', apiVersion: 'v1' } },
  {
    name: 'PORT',
    objref: { kind: 'Service', name: 'prod-web', apiVersion: 'v1' },
    fieldref: { fieldpath: 'spec.ports[0].port' },
  },
];

describe('resolveVars', () => {
  it('expands references only in the var-reference field specs', () => {
    const dep = resolveVars(resources, vars)[1] ?? {};
    expect(getFieldValue(dep, 'metadata.annotations.svc')).toBe('prod-web');
    expect(getFieldValue(dep, 'spec.template.spec.containers.0.command')).toEqual(['run', '--svc=prod-web']);
    expect(getFieldValue(dep, 'spec.template.spec.containers.0.env.0.value')).toBe(80);
    expect(getFieldValue(dep, 'spec.template.spec.containers.0.image')).toBe('$(SVC)');
  });

  it('reports unused vars and errors like kustomize', () => {
    const res = resolveVarsDetailed(resources, [
      ...vars,
      { name: 'UNUSED', objref: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' } },
    ]);
    expect(res.unused).toEqual(['UNUSED']);
    expect(() =>
      resolveVars(resources, [{ name: 'X', objref: { kind: 'Service', name: 'nope', apiVersion: 'v1' } }]),
    ).toThrow("var '{X Service.v1.[noGrp] {metadata.name}}' cannot be mapped to a field in the set of known resources");
    expect(() => resolveVars(resources, [vars[0] as Var, vars[0] as Var])).toThrow('already encountered');
  });
});
