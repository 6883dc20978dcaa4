import { describe, it, expect } from 'vitest';
import { applyDefaults, checkStructural, prune, validate } from '@flux-ts/schema';
import { schemaFieldPaths, toCRD } from '../define.ts';
import { ImagePolicyDefinition, normalizeImagePolicy } from './image-policy.ts';
import { ImagePolicyKinds } from './constants.ts';
import { parseImageString } from './common.ts';
import { errorPaths, kindSchema, nodeAt, readYamlDocs } from '../notification/test-util.ts';

const schema = kindSchema(ImagePolicyDefinition);
const seed = readYamlDocs('../../test/fixtures/image/seed-03-image-automation.yaml', import.meta.url).find(
  (d) => d['kind'] === 'ImagePolicy',
)!;
const legacy = readYamlDocs('../../test/fixtures/image/legacy-image.yaml', import.meta.url).find(
  (d) => d['kind'] === 'ImagePolicy',
)!;

// Transcribed by hand from flux-api.md §1.5 (ImagePolicy table and status line).
const REFERENCE_PATHS = [
  'spec.imageRepositoryRef.name',
  'spec.imageRepositoryRef.namespace',
  'spec.policy.semver.range',
  'spec.policy.alphabetical.order',
  'spec.policy.numerical.order',
  'spec.filterTags.pattern',
  'spec.filterTags.extract',
  'spec.digestReflectionPolicy',
  'spec.interval',
  'spec.suspend',
  'status.latestRef.name',
  'status.latestRef.tag',
  'status.latestRef.digest',
  'status.observedPreviousRef.name',
  'status.observedPreviousRef.tag',
  'status.observedPreviousRef.digest',
  'status.conditions',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

const policy = (spec: Record<string, unknown>) => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1',
  kind: 'ImagePolicy',
  metadata: { name: 'podinfo', namespace: 'flux-system' },
  spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { semver: { range: '>=1.0.0' } }, ...spec },
});

describe('ImagePolicyDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is a structural schema with valid CEL', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('offers the three policy kinds with asc/desc orders defaulting to asc', () => {
    expect(Object.keys(nodeAt(schema, 'spec.policy')['properties'] as object).sort()).toEqual(
      [...ImagePolicyKinds].sort(),
    );
    for (const kind of ['alphabetical', 'numerical']) {
      expect(nodeAt(schema, `spec.policy.${kind}.order`)).toMatchObject({ enum: ['asc', 'desc'], default: 'asc' });
    }
  });

  it('defaults digestReflectionPolicy to Never', () => {
    expect(nodeAt(schema, 'spec.digestReflectionPolicy')['enum']).toEqual(['Always', 'IfNotPresent', 'Never']);
    const defaulted = applyDefaults(schema, policy({})) as { spec: Record<string, unknown> };
    expect(defaulted.spec['digestReflectionPolicy']).toBe('Never');
  });

  it('has the upstream short names and columns', () => {
    const crd = toCRD(ImagePolicyDefinition) as {
      spec: {
        names: Record<string, unknown>;
        versions: { name: string; additionalPrinterColumns: { jsonPath: string }[] }[];
      };
    };
    expect(crd.spec.names['shortNames']).toEqual(['imgpol', 'imagepol']);
    expect(crd.spec.versions.map((v) => v.name)).toEqual(['v1', 'v1beta2', 'v1beta1', 'v1alpha2', 'v1alpha1']);
    expect(crd.spec.versions[0]!.additionalPrinterColumns.map((c) => c.jsonPath).slice(0, 2)).toEqual([
      '.status.latestRef.name',
      '.status.latestRef.tag',
    ]);
  });
});

describe('ImagePolicy interval rules (CEL)', () => {
  it('requires interval with Always and rejects it otherwise', () => {
    expect(validate(schema, policy({ digestReflectionPolicy: 'Always', interval: '10m' }))).toEqual([]);
    expect(validate(schema, policy({ digestReflectionPolicy: 'Always' })).map((e) => [e.field, e.detail])).toEqual([
      ['spec', "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'"],
    ]);
    expect(validate(schema, policy({ interval: '10m' })).map((e) => e.detail)).toEqual([
      "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
    ]);
  });
});

describe('ImagePolicy seed (v1alpha1)', () => {
  it('validates, survives pruning unchanged and normalizes without warnings', () => {
    expect(validate(schema, seed)).toEqual([]);
    const { value, pruned } = prune(schema, seed, { isResourceRoot: true });
    expect(pruned).toEqual([]);
    expect(value).toEqual(seed);
    const { object, warnings } = normalizeImagePolicy(seed);
    expect(warnings).toEqual([]);
    expect(object.apiVersion).toBe('image.toolkit.fluxcd.io/v1');
    expect(object.spec).toEqual({
      imageRepositoryRef: { name: 'account' },
      policy: { alphabetical: { order: 'asc' } },
    });
  });
});

describe('normalizeImagePolicy', () => {
  it('maps the v1beta2 string status to latestRef/observedPreviousRef', () => {
    expect(validate(schema, legacy)).toEqual([]);
    expect(prune(schema, legacy, { isResourceRoot: true }).pruned).toEqual([]);
    const { object, warnings } = normalizeImagePolicy(legacy);
    expect(object.status).toEqual({
      latestRef: { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.5.4' },
      observedPreviousRef: { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.5.3' },
      observedGeneration: 2,
    });
    expect(warnings).toEqual([
      'ImagePolicy status.latestImage (v1alpha1, v1alpha2, v1beta1, v1beta2) is deprecated: mapped to status.latestRef {name, tag, digest} (when latestRef is unset)',
      'ImagePolicy status.observedPreviousImage (v1beta2) is deprecated: mapped to status.observedPreviousRef {name, tag, digest} (when observedPreviousRef is unset)',
    ]);
  });

  it('keeps an existing latestRef', () => {
    const ref = { name: 'ghcr.io/x', tag: '2' };
    const { object } = normalizeImagePolicy({ ...policy({}), status: { latestImage: 'ghcr.io/x:1', latestRef: ref } });
    expect(object.status?.latestRef).toEqual(ref);
  });
});

describe('parseImageString', () => {
  it('splits name, tag and digest, and tells a registry port from a tag', () => {
    expect(parseImageString('localhost:5000/app:1.2@sha256:abc')).toEqual({
      name: 'localhost:5000/app',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(parseImageString('localhost:5000/app')).toBeUndefined();
    expect(parseImageString('app:')).toBeUndefined();
  });
});

describe('ImagePolicy validation errors', () => {
  it('reports the exact field path of bad input', () => {
    const noPolicy = policy({}) as { spec: Record<string, unknown> };
    delete noPolicy.spec['policy'];
    expect(errorPaths(validate(schema, noPolicy))).toEqual([['FieldValueRequired', 'spec.policy']]);
    expect(errorPaths(validate(schema, policy({ policy: { semver: {} } })))).toEqual([
      ['FieldValueRequired', 'spec.policy.semver.range'],
    ]);
    expect(errorPaths(validate(schema, policy({ policy: { numerical: { order: 'up' } } })))).toEqual([
      ['FieldValueNotSupported', 'spec.policy.numerical.order'],
    ]);
    expect(errorPaths(validate(schema, policy({ digestReflectionPolicy: 'Always', interval: 'often' })))).toEqual([
      ['FieldValueInvalid', 'spec.interval'],
    ]);
    expect(errorPaths(validate(schema, policy({ imageRepositoryRef: { name: 3 } })))).toEqual([
      ['FieldValueTypeInvalid', 'spec.imageRepositoryRef.name'],
    ]);
  });
});
