import { describe, it, expect } from 'vitest';
import { applyDefaults, checkStructural, prune, validate } from '@flux-ts/schema';
import { schemaFieldPaths, toCRD } from '../define.ts';
import { ImageRepositoryDefinition, normalizeImageRepository } from './image-repository.ts';
import { errorPaths, kindSchema, nodeAt, readYamlDocs } from '../notification/test-util.ts';

const schema = kindSchema(ImageRepositoryDefinition);
const seed = readYamlDocs('../../test/fixtures/image/seed-03-image-automation.yaml', import.meta.url).find(
  (d) => d['kind'] === 'ImageRepository',
)!;

// Transcribed by hand from flux-api.md §1.5 (ImageRepository table and status line).
const REFERENCE_PATHS = [
  'spec.image',
  'spec.interval',
  'spec.timeout',
  'spec.secretRef.name',
  'spec.serviceAccountName',
  'spec.provider',
  'spec.certSecretRef.name',
  'spec.proxySecretRef.name',
  'spec.insecure',
  'spec.exclusionList',
  'spec.accessFrom.namespaceSelectors[].matchLabels',
  'spec.suspend',
  'status.canonicalImageName',
  'status.lastScanResult.tagCount',
  'status.lastScanResult.scanTime',
  'status.lastScanResult.latestTags',
  'status.lastScanResult.revision',
  'status.observedExclusionList',
  'status.conditions',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

const repo = (spec: Record<string, unknown>) => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1',
  kind: 'ImageRepository',
  metadata: { name: 'podinfo', namespace: 'flux-system' },
  spec: { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m', ...spec },
});

describe('ImageRepositoryDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is a structural schema', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('has the upstream names, short names, versions and columns', () => {
    const crd = toCRD(ImageRepositoryDefinition) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: {
        names: Record<string, unknown>;
        versions: {
          name: string;
          storage: boolean;
          deprecationWarning?: string;
          additionalPrinterColumns: { name: string; priority?: number }[];
        }[];
      };
    };
    expect(crd.metadata.name).toBe('imagerepositories.image.toolkit.fluxcd.io');
    expect(crd.metadata.labels['app.kubernetes.io/component']).toBe('image-reflector-controller');
    expect(crd.spec.names['shortNames']).toEqual(['imgrepo', 'imagerepo']);
    expect(crd.spec.versions.map((v) => [v.name, v.storage, v.deprecationWarning])).toEqual([
      ['v1', true, undefined],
      ['v1beta2', false, 'v1beta2 ImageRepository is deprecated, upgrade to v1'],
      ['v1beta1', false, 'v1beta1 ImageRepository is deprecated, upgrade to v1'],
      ['v1alpha2', false, 'v1alpha2 ImageRepository is deprecated, upgrade to v1'],
      ['v1alpha1', false, 'v1alpha1 ImageRepository is deprecated, upgrade to v1'],
    ]);
    expect(crd.spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.priority])).toEqual([
      ['Image', undefined],
      ['Tags', undefined],
      ['Ready', undefined],
      ['Status', undefined],
      ['Last scan', 1],
      ['Age', undefined],
    ]);
  });

  it('defaults provider to generic, the exclusion list to signatures and observedGeneration to -1', () => {
    const defaulted = applyDefaults(schema, repo({})) as {
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    expect(defaulted.spec['provider']).toBe('generic');
    expect(defaulted.spec['exclusionList']).toEqual(['^.*\\.sig$']);
    expect(defaulted.status['observedGeneration']).toBe(-1);
    expect(nodeAt(schema, 'spec.exclusionList')['maxItems']).toBe(25);
    expect(nodeAt(schema, 'spec.serviceAccountName')['maxLength']).toBe(253);
    expect(nodeAt(schema, 'spec.provider')['enum']).toEqual(['generic', 'aws', 'azure', 'gcp']);
  });
});

describe('ImageRepository seed (v1alpha1)', () => {
  it('validates and survives pruning unchanged', () => {
    expect(validate(schema, seed)).toEqual([]);
    const { value, pruned } = prune(schema, seed, { isResourceRoot: true });
    expect(pruned).toEqual([]);
    expect(value).toEqual(seed);
  });

  it('normalizes to v1 without warnings (no ImageRepository field was ever removed)', () => {
    const { object, warnings } = normalizeImageRepository(seed);
    expect(warnings).toEqual([]);
    expect(object.apiVersion).toBe('image.toolkit.fluxcd.io/v1');
    expect(object.spec).toEqual({
      secretRef: { name: 'ecr-credentials' },
      image: 'registry.example.test/shop/account',
      interval: '1m0s',
    });
    expect(ImageRepositoryDefinition.legacyFields).toEqual([]);
  });
});

describe('ImageRepository validation errors', () => {
  it('reports the exact field path of bad input', () => {
    const noImage = repo({}) as { spec: Record<string, unknown> };
    delete noImage.spec['image'];
    expect(errorPaths(validate(schema, noImage))).toEqual([['FieldValueRequired', 'spec.image']]);
    expect(errorPaths(validate(schema, repo({ interval: '5 minutes' })))).toEqual([
      ['FieldValueInvalid', 'spec.interval'],
    ]);
    expect(errorPaths(validate(schema, repo({ timeout: '1h' })))).toEqual([['FieldValueInvalid', 'spec.timeout']]);
    expect(errorPaths(validate(schema, repo({ provider: 'oci' })))).toEqual([
      ['FieldValueNotSupported', 'spec.provider'],
    ]);
    expect(errorPaths(validate(schema, repo({ insecure: 'true' })))).toEqual([
      ['FieldValueTypeInvalid', 'spec.insecure'],
    ]);
    expect(
      errorPaths(validate(schema, repo({ exclusionList: Array.from({ length: 26 }, (_, i) => `^${i}$`) }))),
    ).toEqual([['FieldValueTooMany', 'spec.exclusionList']]);
  });
});
