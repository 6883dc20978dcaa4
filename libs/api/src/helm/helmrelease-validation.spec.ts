import { describe, it, expect } from 'vitest';
import { checkStructural, prune, validate, type FieldError, type JSONSchemaProps } from '@flux-ts/schema';
import { objectSchema } from '../define.ts';
import { HelmReleaseDefinition, normalizeHelmRelease } from './helmrelease.ts';
import { readYamlFixture } from '../kustomize/test-util.ts';

const schema = objectSchema(HelmReleaseDefinition) as JSONSchemaProps;
const seed = () => readYamlFixture('../../test/fixtures/helm/v2beta1-repo-per-app.yaml', import.meta.url);

const hr = (spec: Record<string, unknown>) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'app', namespace: 'flux-system' },
  spec,
});
const chart = { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'apps' } } };
const valid = { interval: '10m', chart };
// Field errors as [type, path], sorted by path. The apiserver's trailing root note ("some validation rules were
// not checked because the object was invalid", field <nil>) is dropped: it is not about a field.
const fields = (errors: FieldError[]) =>
  errors
    .filter((e) => e.field !== '<nil>')
    .map((e) => [e.type, e.field])
    .sort((a, b) => (a[1] ?? '').localeCompare(b[1] ?? ''));

describe('HelmRelease schema validation', () => {
  it('is a structural schema', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('the v2beta1 seed validates, survives pruning unchanged and still validates after normalization', () => {
    const input = seed();
    expect(validate(schema, input)).toEqual([]);
    expect(prune(schema, input, { isResourceRoot: true })).toEqual({ value: input, pruned: [] });
    expect(validate(schema, normalizeHelmRelease(input).object)).toEqual([]);
  });

  it('keeps arbitrary values (preserve-unknown-fields)', () => {
    const obj = hr({ ...valid, values: { a: { b: [1, 'two', { c: null }] }, 'weird key': true } });
    expect(validate(schema, obj)).toEqual([]);
    expect(prune(schema, obj, { isResourceRoot: true }).pruned).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fields(validate(schema, hr({ ...valid, maxHistory: 'five' })))).toEqual([
      ['FieldValueTypeInvalid', 'spec.maxHistory'],
    ]);
    expect(fields(validate(schema, hr({ ...valid, install: { remediation: { retries: true } } })))).toEqual([
      ['FieldValueTypeInvalid', 'spec.install.remediation.retries'],
    ]);
  });

  it('reports missing required fields at their paths', () => {
    expect(fields(validate(schema, hr({ chart })))).toEqual([['FieldValueRequired', 'spec.interval']]);
    expect(
      fields(validate(schema, hr({ interval: '1m', chart: { spec: { sourceRef: { kind: 'HelmRepository' } } } }))),
    ).toEqual([
      ['FieldValueRequired', 'spec.chart.spec.chart'],
      ['FieldValueRequired', 'spec.chart.spec.sourceRef.name'],
    ]);
    expect(fields(validate(schema, hr({ ...valid, valuesFrom: [{ kind: 'Secret' }] })))).toEqual([
      ['FieldValueRequired', 'spec.valuesFrom[0].name'],
    ]);
  });

  it('enforces exactly one of chart and chartRef (CEL)', () => {
    const none = validate(schema, hr({ interval: '1m' }));
    expect(none.map((e) => [e.field, e.detail])).toEqual([['spec', 'either chart or chartRef must be set']]);
    const both = validate(schema, hr({ ...valid, chartRef: { kind: 'OCIRepository', name: 'app' } }));
    expect(both.map((e) => [e.field, e.detail])).toEqual([['spec', 'either chart or chartRef must be set']]);
    expect(validate(schema, hr({ interval: '1m', chartRef: { kind: 'OCIRepository', name: 'app' } }))).toEqual([]);
  });

  it('rejects retryInterval with the RemediateOnFailure strategy (CEL)', () => {
    const errors = validate(
      schema,
      hr({ ...valid, upgrade: { strategy: { name: 'RemediateOnFailure', retryInterval: '1m' } } }),
    );
    expect(fields(errors)).toEqual([['FieldValueInvalid', 'spec.upgrade.strategy']]);
    expect(
      validate(schema, hr({ ...valid, upgrade: { strategy: { name: 'RetryOnFailure', retryInterval: '1m' } } })),
    ).toEqual([]);
  });

  it('reports values outside an enum at their paths', () => {
    expect(fields(validate(schema, hr({ interval: '1m', chartRef: { kind: 'HelmRepository', name: 'x' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.chartRef.kind'],
    ]);
    expect(fields(validate(schema, hr({ ...valid, upgrade: { crds: 'Replace' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.upgrade.crds'],
    ]);
    expect(fields(validate(schema, hr({ ...valid, driftDetection: { mode: 'on' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.driftDetection.mode'],
    ]);
    expect(
      fields(
        validate(
          schema,
          hr({
            ...valid,
            postRenderers: [{ kustomize: { patchesJson6902: [{ target: {}, patch: [{ op: 'merge', path: '/x' }] }] } }],
          }),
        ),
      ),
    ).toEqual([['FieldValueNotSupported', 'spec.postRenderers[0].kustomize.patchesJson6902[0].patch[0].op']]);
  });

  it('reports bad durations, patterns and lengths at their paths', () => {
    expect(fields(validate(schema, hr({ ...valid, timeout: '5min' })))).toEqual([
      ['FieldValueInvalid', 'spec.timeout'],
    ]);
    expect(fields(validate(schema, hr({ ...valid, install: { timeout: '-1s' } })))).toEqual([
      ['FieldValueInvalid', 'spec.install.timeout'],
    ]);
    expect(fields(validate(schema, hr({ ...valid, releaseName: 'r'.repeat(54) })))).toEqual([
      ['FieldValueTooLong', 'spec.releaseName'],
    ]);
    expect(
      fields(validate(schema, hr({ ...valid, valuesFrom: [{ kind: 'ConfigMap', name: 'v', valuesKey: 'bad key' }] }))),
    ).toEqual([['FieldValueInvalid', 'spec.valuesFrom[0].valuesKey']]);
  });
});
