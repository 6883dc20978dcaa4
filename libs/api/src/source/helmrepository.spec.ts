import { describe, expect, it } from 'vitest';
import { toCRD } from '../define.ts';
import { validate } from '../validate.ts';
import { HelmRepositoryDefinition as def, normalizeHelmRepository } from './helmrepository.ts';
import { fieldErrors, missingPaths, objectOf } from './test-util.ts';

// Transcribed by hand from the HelmRepository table of flux-api.md §1.1 (and §0 for status/artifact).
const referencePaths = [
  'spec.url',
  'spec.type',
  'spec.interval',
  'spec.timeout',
  'spec.secretRef.name',
  'spec.certSecretRef.name',
  'spec.passCredentials',
  'spec.insecure',
  'spec.provider',
  'spec.accessFrom.namespaceSelectors[].matchLabels',
  'spec.suspend',
  'status.artifact.path',
  'status.artifact.url',
  'status.artifact.revision',
  'status.artifact.digest',
  'status.artifact.lastUpdateTime',
  'status.artifact.size',
  'status.conditions[].type',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
  'status.url',
];

const valid = { url: 'https://stefanprodan.github.io/podinfo' };

describe('HelmRepository', () => {
  it('covers every field of the reference table', () => {
    expect(missingPaths(def, referencePaths)).toEqual([]);
  });

  it('accepts a minimal object (interval is optional) in every served version', () => {
    for (const version of ['v1', 'v1beta2', 'v1beta1']) expect(validate(objectOf(def, valid, version))).toEqual([]);
    expect(validate(objectOf(def, { url: 'oci://ghcr.io/org/charts', type: 'oci', provider: 'aws' }))).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, passCredentials: 1 })))).toEqual([
      { type: 'FieldValueTypeInvalid', field: 'spec.passCredentials' },
    ]);
  });

  it('reports a missing required field', () => {
    expect(fieldErrors(validate(objectOf(def, { interval: '1m' })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.url' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, accessFrom: {} })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.accessFrom.namespaceSelectors' },
    ]);
  });

  it('reports a value outside an enum', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, type: 'git' })))).toEqual([
      { type: 'FieldValueNotSupported', field: 'spec.type' },
    ]);
  });

  it('reports bad durations', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, interval: '10 minutes' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.interval' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, timeout: '1h' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.timeout' },
    ]);
  });

  it('normalizes a v1beta1 object', () => {
    const { object, warnings } = normalizeHelmRepository(objectOf(def, { ...valid, interval: '10m' }, 'v1beta1'));
    expect(object.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(object.spec).toEqual({ ...valid, interval: '10m' });
    expect(warnings).toEqual([
      'apiVersion: v1beta1 HelmRepository is deprecated, upgrade to v1 (mapped to source.toolkit.fluxcd.io/v1)',
    ]);
  });

  it('renders the CRD names and versions of upstream', () => {
    const crd = toCRD(def) as { spec: { names: Record<string, unknown>; versions: Record<string, unknown>[] } };
    expect(crd.spec.names['shortNames']).toEqual(['helmrepo']);
    expect(crd.spec.versions.map((v) => v['name'])).toEqual(['v1', 'v1beta2', 'v1beta1']);
  });
});
