import { describe, it, expect } from 'vitest';
import { checkStructural, prune, validate, type FieldError, type JSONSchemaProps } from '@flux-ts/schema';
import { objectSchema } from '../define.ts';
import { KustomizationDefinition, normalizeKustomization } from './kustomization.ts';
import { readYamlFixture } from './test-util.ts';

const schema = objectSchema(KustomizationDefinition) as JSONSchemaProps;
const fixture = (name: string) => readYamlFixture(`../../test/fixtures/kustomize/${name}`, import.meta.url);
const SEEDS = [
  'v1beta2-getting-started.yaml',
  'v1beta1-validation-client.yaml',
  'v1beta1-monitoring.yaml',
  'v1-patches-strategic-merge.yaml',
  'v1-inline-patch.yaml',
];

const ks = (spec: Record<string, unknown>) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'app', namespace: 'flux-system' },
  spec,
});
const valid = { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'app' } };
// Field errors as [type, path], sorted by path. The apiserver's trailing root note ("some validation rules were
// not checked because the object was invalid", field <nil>) is dropped: it is not about a field.
const fields = (errors: FieldError[]) =>
  errors
    .filter((e) => e.field !== '<nil>')
    .map((e) => [e.type, e.field])
    .sort((a, b) => (a[1] ?? '').localeCompare(b[1] ?? ''));

describe('Kustomization schema validation', () => {
  it('is a structural schema', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it.each(SEEDS)('%s validates and survives pruning unchanged', (name) => {
    const seed = fixture(name);
    expect(validate(schema, seed)).toEqual([]);
    expect(prune(schema, seed, { isResourceRoot: true })).toEqual({ value: seed, pruned: [] });
  });

  it.each(SEEDS)('%s still validates after normalization', (name) => {
    expect(validate(schema, normalizeKustomization(fixture(name)).object)).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fields(validate(schema, ks({ ...valid, prune: 'yes' })))).toEqual([['FieldValueTypeInvalid', 'spec.prune']]);
    expect(fields(validate(schema, ks({ ...valid, postBuild: { substitute: { cluster: 1 } } })))).toEqual([
      ['FieldValueTypeInvalid', 'spec.postBuild.substitute.cluster'],
    ]);
  });

  it('reports missing required fields at their paths', () => {
    expect(fields(validate(schema, ks({ prune: true, sourceRef: { kind: 'GitRepository' } })))).toEqual([
      ['FieldValueRequired', 'spec.interval'],
      ['FieldValueRequired', 'spec.sourceRef.name'],
    ]);
    expect(
      fields(validate(schema, { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: {} })),
    ).toEqual([['FieldValueRequired', 'spec']]);
    expect(fields(validate(schema, ks({ ...valid, patches: [{ target: { kind: 'Deployment' } }] })))).toEqual([
      ['FieldValueRequired', 'spec.patches[0].patch'],
    ]);
  });

  it('reports values outside an enum at their paths', () => {
    expect(fields(validate(schema, ks({ ...valid, sourceRef: { kind: 'HelmRepository', name: 'x' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.sourceRef.kind'],
    ]);
    expect(fields(validate(schema, ks({ ...valid, deletionPolicy: 'Keep' })))).toEqual([
      ['FieldValueNotSupported', 'spec.deletionPolicy'],
    ]);
    expect(fields(validate(schema, ks({ ...valid, validation: 'strict' })))).toEqual([
      ['FieldValueNotSupported', 'spec.validation'],
    ]);
    expect(
      fields(
        validate(
          schema,
          ks({
            ...valid,
            postBuild: {
              substituteFrom: [
                { kind: 'Secret', name: 'a' },
                { kind: 'Pod', name: 'b' },
              ],
            },
          }),
        ),
      ),
    ).toEqual([['FieldValueNotSupported', 'spec.postBuild.substituteFrom[1].kind']]);
  });

  it('reports bad durations and lengths at their paths', () => {
    expect(fields(validate(schema, ks({ ...valid, interval: '5 minutes' })))).toEqual([
      ['FieldValueInvalid', 'spec.interval'],
    ]);
    expect(fields(validate(schema, ks({ ...valid, timeout: '1d' })))).toEqual([['FieldValueInvalid', 'spec.timeout']]);
    expect(fields(validate(schema, ks({ ...valid, retryInterval: '30s', targetNamespace: 'x'.repeat(64) })))).toEqual([
      ['FieldValueTooLong', 'spec.targetNamespace'],
    ]);
  });

  it('prunes unknown fields but keeps free-form patch objects', () => {
    const obj = ks({
      ...valid,
      unknownField: true,
      patchesStrategicMerge: [{ kind: 'Anything', spec: { nested: [1, { x: 2 }] } }],
    });
    const result = prune(schema, obj, { isResourceRoot: true });
    expect(result.pruned).toEqual(['spec.unknownField']);
    expect((result.value as { spec: Record<string, unknown> }).spec['patchesStrategicMerge']).toEqual(
      obj.spec['patchesStrategicMerge'],
    );
  });
});
