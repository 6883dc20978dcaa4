import { describe, expect, it } from 'vitest';
import { toCRD } from '../define.ts';
import { validate } from '../validate.ts';
import { HelmChartDefinition as def, normalizeHelmChart } from './helmchart.ts';
import { fieldErrors, missingPaths, objectOf } from './test-util.ts';

// Transcribed by hand from the HelmChart table of flux-api.md §1.1 (and §0 for status/artifact).
const referencePaths = [
  'spec.chart',
  'spec.version',
  'spec.sourceRef.kind',
  'spec.sourceRef.name',
  'spec.sourceRef.apiVersion',
  'spec.interval',
  'spec.reconcileStrategy',
  'spec.valuesFiles',
  'spec.ignoreMissingValuesFiles',
  'spec.verify.provider',
  'spec.verify.secretRef.name',
  'spec.verify.matchOIDCIdentity[].issuer',
  'spec.verify.matchOIDCIdentity[].subject',
  'spec.suspend',
  'status.artifact.path',
  'status.artifact.revision',
  'status.artifact.digest',
  'status.url',
  'status.observedSourceArtifactRevision',
  'status.observedChartName',
  'status.observedValuesFiles',
  'status.conditions[].type',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

const valid = { chart: 'podinfo', interval: '10m', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } };

describe('HelmChart', () => {
  it('covers every field of the reference table', () => {
    expect(missingPaths(def, referencePaths)).toEqual([]);
  });

  it('accepts a minimal object', () => {
    expect(validate(objectOf(def, valid))).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, valuesFiles: 'values.yaml' })))).toEqual([
      { type: 'FieldValueTypeInvalid', field: 'spec.valuesFiles' },
    ]);
  });

  it('reports missing required fields', () => {
    expect(fieldErrors(validate(objectOf(def, { chart: 'podinfo', interval: '10m' })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.sourceRef' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, sourceRef: { kind: 'GitRepository' } })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.sourceRef.name' },
    ]);
  });

  it('reports values outside an enum', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, sourceRef: { kind: 'OCIRepository', name: 'x' } })))).toEqual(
      [{ type: 'FieldValueNotSupported', field: 'spec.sourceRef.kind' }],
    );
    expect(fieldErrors(validate(objectOf(def, { ...valid, reconcileStrategy: 'Always' })))).toEqual([
      { type: 'FieldValueNotSupported', field: 'spec.reconcileStrategy' },
    ]);
  });

  it('reports a bad duration', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, interval: '1d' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.interval' },
    ]);
  });

  it('enforces the verify CEL rule', () => {
    const spec = { ...valid, sourceRef: { kind: 'GitRepository', name: 'repo' }, verify: { provider: 'cosign' } };
    expect(validate(objectOf(def, spec)).map((e) => e.detail)).toEqual([
      "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'",
    ]);
  });

  it('maps the legacy valuesFile into valuesFiles', () => {
    const { object, warnings } = normalizeHelmChart(
      objectOf(def, { ...valid, valuesFile: 'a.yaml', valuesFiles: ['b.yaml'] }, 'v1beta1'),
    );
    expect(object.spec.valuesFiles).toEqual(['a.yaml', 'b.yaml']);
    expect(object.spec).not.toHaveProperty('valuesFile');
    expect(warnings).toContain('spec.valuesFile: mapped to spec.valuesFiles[0]');
    const again = normalizeHelmChart(
      objectOf(def, { ...valid, valuesFile: 'a.yaml', valuesFiles: ['a.yaml'] }, 'v1beta2'),
    );
    expect(again.object.spec.valuesFiles).toEqual(['a.yaml']);
  });

  it('renders the CRD names, versions and columns of upstream', () => {
    const crd = toCRD(def) as { spec: { names: Record<string, unknown>; versions: Record<string, unknown>[] } };
    expect(crd.spec.names['shortNames']).toEqual(['hc']);
    expect(crd.spec.versions.map((v) => v['name'])).toEqual(['v1', 'v1beta2', 'v1beta1']);
    expect(def.printerColumns.map((c) => c.name)).toEqual([
      'Chart',
      'Version',
      'Source Kind',
      'Source Name',
      'Age',
      'Ready',
      'Status',
    ]);
  });
});
