import { describe, expect, it } from 'vitest';
import { toCRD } from '../define.ts';
import { validate } from '../validate.ts';
import { GitRepositoryDefinition as def, normalizeGitRepository } from './gitrepository.ts';
import { fieldErrors, missingPaths, objectOf } from './test-util.ts';

// Transcribed by hand from the GitRepository table of flux-api.md §1.1 (and §0 for status/artifact).
const referencePaths = [
  'spec.url',
  'spec.interval',
  'spec.timeout',
  'spec.ref.branch',
  'spec.ref.tag',
  'spec.ref.semver',
  'spec.ref.name',
  'spec.ref.commit',
  'spec.secretRef.name',
  'spec.provider',
  'spec.serviceAccountName',
  'spec.proxySecretRef.name',
  'spec.verify.mode',
  'spec.verify.secretRef.name',
  'spec.ignore',
  'spec.sparseCheckout',
  'spec.recurseSubmodules',
  'spec.include[].repository.name',
  'spec.include[].fromPath',
  'spec.include[].toPath',
  'spec.suspend',
  'status.artifact.path',
  'status.artifact.url',
  'status.artifact.revision',
  'status.artifact.digest',
  'status.artifact.lastUpdateTime',
  'status.artifact.size',
  'status.artifact.metadata',
  'status.includedArtifacts[].revision',
  'status.conditions[].type',
  'status.conditions[].status',
  'status.conditions[].reason',
  'status.conditions[].message',
  'status.conditions[].lastTransitionTime',
  'status.conditions[].observedGeneration',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
  'status.observedIgnore',
  'status.observedRecurseSubmodules',
  'status.observedInclude[].repository.name',
  'status.observedSparseCheckout',
  'status.sourceVerificationMode',
];

const valid = { url: 'https://github.com/stefanprodan/podinfo', interval: '1m' };

describe('GitRepository', () => {
  it('covers every field of the reference table', () => {
    expect(missingPaths(def, referencePaths)).toEqual([]);
  });

  it('accepts a minimal object', () => {
    expect(validate(objectOf(def, valid))).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, recurseSubmodules: 'yes' })))).toEqual([
      { type: 'FieldValueTypeInvalid', field: 'spec.recurseSubmodules' },
    ]);
  });

  it('reports a missing required field', () => {
    expect(fieldErrors(validate(objectOf(def, { interval: '1m' })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.url' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, include: [{ toPath: 'x' }] })))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.include[0].repository' },
    ]);
  });

  it('reports a value outside an enum', () => {
    const errors = validate(objectOf(def, { ...valid, verify: { mode: 'commit', secretRef: { name: 'keys' } } }));
    expect(fieldErrors(errors)).toEqual([{ type: 'FieldValueNotSupported', field: 'spec.verify.mode' }]);
  });

  it('reports a bad duration and a timeout in hours', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, interval: '1 minute' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.interval' },
    ]);
    expect(fieldErrors(validate(objectOf(def, { ...valid, timeout: '1h' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.timeout' },
    ]);
  });

  it('rejects an scp-like URL (pattern ^(http|https|ssh)://)', () => {
    expect(fieldErrors(validate(objectOf(def, { ...valid, url: 'git@github.com:org/repo.git' })))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.url' },
    ]);
  });

  it('enforces the serviceAccountName CEL rule', () => {
    const errors = validate(objectOf(def, { ...valid, serviceAccountName: 'sa' }));
    expect(errors.map((e) => [e.field, e.detail])).toEqual([
      ['spec', "serviceAccountName can only be set when provider is 'azure' or 'aws'"],
    ]);
    expect(validate(objectOf(def, { ...valid, provider: 'azure', serviceAccountName: 'sa' }))).toEqual([]);
  });

  it('accepts the legacy fields of v1beta1/v1beta2 objects', () => {
    const legacy = {
      ...valid,
      gitImplementation: 'libgit2',
      accessFrom: { namespaceSelectors: [{ matchLabels: { a: 'b' } }] },
    };
    expect(validate(objectOf(def, legacy, 'v1beta2'))).toEqual([]);
  });

  it('normalizes legacy fields to v1 with one warning each', () => {
    const { object, warnings } = normalizeGitRepository({
      ...objectOf(def, { ...valid, gitImplementation: 'go-git', accessFrom: { namespaceSelectors: [] } }, 'v1beta2'),
      status: {
        url: 'http://x/y.tar.gz',
        artifact: { path: 'p', url: 'u', revision: 'r', lastUpdateTime: 't', checksum: 'abc' },
      },
    });
    expect(object.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(object.spec).toEqual(valid);
    expect(object.status).toEqual({
      artifact: { path: 'p', url: 'u', revision: 'r', lastUpdateTime: 't', digest: 'sha256:abc' },
    });
    expect(warnings).toEqual([
      'apiVersion: v1beta2 GitRepository is deprecated, upgrade to v1 (mapped to source.toolkit.fluxcd.io/v1)',
      'spec.gitImplementation: ignored: go-git is the only Git implementation (libgit2 was removed)',
      'spec.accessFrom: ignored: cross-namespace ACL was never implemented for GitRepository',
      'status.url: ignored: status.artifact.url holds the download address',
      'status.artifact.checksum: mapped to status.artifact.digest',
    ]);
  });

  it('does not warn for a current object and does not mutate its input', () => {
    const input = objectOf(def, valid);
    const copy = structuredClone(input);
    const { warnings, object } = normalizeGitRepository(input);
    expect(warnings).toEqual([]);
    expect(object).toEqual(copy);
    expect(input).toEqual(copy);
  });

  it('renders the CRD names, versions and columns of upstream', () => {
    const crd = toCRD(def) as { spec: { names: Record<string, unknown>; versions: Record<string, unknown>[] } };
    expect(crd.spec.names).toEqual({
      kind: 'GitRepository',
      listKind: 'GitRepositoryList',
      plural: 'gitrepositories',
      singular: 'gitrepository',
      shortNames: ['gitrepo'],
      categories: ['all', 'fluxcd', 'fluxcd-sources'],
    });
    expect(crd.spec.versions.map((v) => [v['name'], v['storage'], v['deprecationWarning']])).toEqual([
      ['v1', true, undefined],
      ['v1beta2', false, 'v1beta2 GitRepository is deprecated, upgrade to v1'],
      ['v1beta1', false, 'v1beta1 GitRepository is deprecated, upgrade to v1'],
    ]);
    expect(def.printerColumns.map((c) => c.name)).toEqual(['URL', 'Age', 'Ready', 'Status']);
  });
});
