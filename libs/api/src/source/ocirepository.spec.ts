import { describe, expect, it } from 'vitest';
import { toCRD } from '../define.ts';
import { validate } from '../validate.ts';
import { normalizeOCIRepository, OCIRepositoryDefinition as def } from './ocirepository.ts';
import { fieldErrors, missingPaths, objectOf } from './test-util.ts';

// Transcribed by hand from the OCIRepository table of flux-api.md §1.1 (and §0 for status/artifact).
const referencePaths = [
  'spec.url',
  'spec.interval',
  'spec.timeout',
  'spec.ref.tag',
  'spec.ref.semver',
  'spec.ref.semverFilter',
  'spec.ref.digest',
  'spec.layerSelector.mediaType',
  'spec.layerSelector.operation',
  'spec.provider',
  'spec.secretRef.name',
  'spec.serviceAccountName',
  'spec.certSecretRef.name',
  'spec.proxySecretRef.name',
  'spec.insecure',
  'spec.verify.provider',
  'spec.verify.secretRef.name',
  'spec.verify.matchOIDCIdentity[].issuer',
  'spec.verify.matchOIDCIdentity[].subject',
  'spec.verify.trustedRootSecretRef.name',
  'spec.ignore',
  'spec.suspend',
  'status.artifact.path',
  'status.artifact.url',
  'status.artifact.revision',
  'status.artifact.digest',
  'status.artifact.lastUpdateTime',
  'status.artifact.size',
  'status.artifact.metadata',
  'status.url',
  'status.observedIgnore',
  'status.observedLayerSelector.mediaType',
  'status.observedLayerSelector.operation',
  'status.conditions[].type',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

const valid = { url: 'oci://ghcr.io/stefanprodan/manifests/podinfo', interval: '5m' };

describe('OCIRepository', () => {
  it('covers every field of the reference table', () => {
    expect(missingPaths(def, referencePaths)).toEqual([]);
  });

  it('accepts a minimal object and applies the defaults', () => {
    expect(validate(objectOf(def, valid))).toEqual([]);
    expect(validate(objectOf(def, valid, 'v1beta2'))).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, insecure: 'true' })))).toEqual([
      { type: 'FieldValueTypeInvalid', field: 'spec.insecure' },
    ]);
  });

  it('reports missing required fields', () => {
    expect(fieldErrors(validate(objectOf(def, { url: valid.url })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.interval' },
    ]);
    expect(
      fieldErrors(validate(objectOf(def, { ...valid, verify: { matchOIDCIdentity: [{ issuer: '.*' }] } }))),
    ).toEqual([{ type: 'FieldValueRequired', field: 'spec.verify.matchOIDCIdentity[0].subject' }]);
  });

  it('reports values outside an enum', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, layerSelector: { operation: 'move' } })))).toEqual([
      { type: 'FieldValueNotSupported', field: 'spec.layerSelector.operation' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, provider: 'github' })))).toEqual([
      { type: 'FieldValueNotSupported', field: 'spec.provider' },
    ]);
  });

  it('reports bad durations and URLs', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, timeout: '2h' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.timeout' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, interval: '5' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.interval' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, url: 'https://ghcr.io/x' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.url' },
    ]);
  });

  it('normalizes a v1beta2 object', () => {
    const { object, warnings } = normalizeOCIRepository({
      ...objectOf(def, valid, 'v1beta2'),
      status: { contentConfigChecksum: 'sha256:x' },
    });
    expect(object.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(object.status).toEqual({});
    expect(warnings).toEqual([
      'apiVersion: v1beta2 OCIRepository is deprecated, upgrade to v1 (mapped to source.toolkit.fluxcd.io/v1)',
      'status.contentConfigChecksum: ignored: replaced by the status.observed* fields',
    ]);
  });

  it('renders the CRD names and versions of upstream', () => {
    const crd = toCRD(def) as { spec: { names: Record<string, unknown>; versions: Record<string, unknown>[] } };
    expect(crd.spec.names['shortNames']).toEqual(['ocirepo']);
    expect(crd.spec.versions.map((v) => v['name'])).toEqual(['v1', 'v1beta2']);
    expect(def.printerColumns.map((c) => c.name)).toEqual(['URL', 'Ready', 'Status', 'Age']);
  });
});
