import { describe, expect, it } from 'vitest';
import { toCRD } from '../define.ts';
import { validate } from '../validate.ts';
import { BucketDefinition as def, normalizeBucket } from './bucket.ts';
import { fieldErrors, missingPaths, objectOf } from './test-util.ts';

// Transcribed by hand from the Bucket table of flux-api.md §1.1 (and §0 for status/artifact).
const referencePaths = [
  'spec.bucketName',
  'spec.endpoint',
  'spec.provider',
  'spec.region',
  'spec.prefix',
  'spec.secretRef.name',
  'spec.serviceAccountName',
  'spec.sts.provider',
  'spec.sts.endpoint',
  'spec.sts.secretRef.name',
  'spec.sts.certSecretRef.name',
  'spec.certSecretRef.name',
  'spec.proxySecretRef.name',
  'spec.insecure',
  'spec.interval',
  'spec.timeout',
  'spec.ignore',
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
  'status.observedIgnore',
  'status.url',
];

const valid = { bucketName: 'podinfo', endpoint: 'minio.minio.svc.cluster.local:9000', interval: '5m' };

describe('Bucket', () => {
  it('covers every field of the reference table', () => {
    expect(missingPaths(def, referencePaths)).toEqual([]);
  });

  it('accepts a minimal object', () => {
    expect(validate(objectOf(def, valid))).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, bucketName: ['a'] })))).toEqual([
      { type: 'FieldValueTypeInvalid', field: 'spec.bucketName' },
    ]);
  });

  it('reports missing required fields', () => {
    expect(fieldErrors(validate(objectOf(def, { bucketName: 'b', interval: '5m' })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.endpoint' },
    ]);
  });

  it('reports a value outside an enum', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, provider: 'minio' })))).toEqual([
      { type: 'FieldValueNotSupported', field: 'spec.provider' },
    ]);
  });

  it('reports bad durations and STS endpoints', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, timeout: '1h' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.timeout' },
    ]);
    expect(
      fieldErrors(validate(objectOf(def, { ...valid, sts: { provider: 'ldap', endpoint: 'ldap.example.com' } }))),
    ).toEqual([{ type: 'FieldValueInvalid', field: 'spec.sts.endpoint' }]);
  });

  it('enforces the CEL rules of upstream (provider defaults to generic)', () => {
    const details = (spec: Record<string, unknown>) => validate(objectOf(def, spec)).map((e) => e.detail);
    expect(details({ ...valid, serviceAccountName: 'sa' })).toEqual([
      "ServiceAccountName is not supported for the 'generic' Bucket provider",
    ]);
    expect(details({ ...valid, provider: 'aws', serviceAccountName: 'sa', secretRef: { name: 's' } })).toEqual([
      'cannot set both .spec.secretRef and .spec.serviceAccountName',
    ]);
    expect(details({ ...valid, provider: 'gcp', sts: { provider: 'aws', endpoint: 'https://sts' } })).toEqual([
      "STS configuration is only supported for the 'aws' and 'generic' Bucket providers",
    ]);
    expect(details({ ...valid, sts: { provider: 'aws', endpoint: 'https://sts' } })).toEqual([
      "'ldap' is the only supported STS provider for the 'generic' Bucket provider",
    ]);
    expect(details({ ...valid, provider: 'aws', sts: { provider: 'aws', endpoint: 'https://sts' } })).toEqual([]);
  });

  it('drops the legacy accessFrom with a warning', () => {
    const { object, warnings } = normalizeBucket(
      objectOf(def, { ...valid, accessFrom: { namespaceSelectors: [] } }, 'v1beta2'),
    );
    expect(object.spec).toEqual(valid);
    expect(warnings).toContain('spec.accessFrom: ignored: cross-namespace ACL was never implemented for Bucket');
  });

  it('has no short name, like upstream', () => {
    const crd = toCRD(def) as { spec: { names: Record<string, unknown> } };
    expect(crd.spec.names['shortNames']).toBeUndefined();
    expect(def.printerColumns.map((c) => c.name)).toEqual(['Endpoint', 'Age', 'Ready', 'Status']);
  });
});
