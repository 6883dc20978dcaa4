import { describe, it, expect } from 'vitest';
import { applyDefaults, checkStructural, prune, validate } from '@flux-ts/schema';
import { schemaFieldPaths, toCRD } from '../define.ts';
import { ImageUpdateAutomationDefinition, normalizeImageUpdateAutomation } from './image-update-automation.ts';
import { errorPaths, kindSchema, nodeAt, readYamlDocs } from '../notification/test-util.ts';

const schema = kindSchema(ImageUpdateAutomationDefinition);
const seed = readYamlDocs('../../test/fixtures/image/seed-03-image-automation.yaml', import.meta.url).find(
  (d) => d['kind'] === 'ImageUpdateAutomation',
)!;
const legacy = readYamlDocs('../../test/fixtures/image/legacy-image.yaml', import.meta.url).find(
  (d) => d['kind'] === 'ImageUpdateAutomation',
)!;

// Transcribed by hand from flux-api.md §1.6 (table and status line).
const REFERENCE_PATHS = [
  'spec.sourceRef.kind',
  'spec.sourceRef.name',
  'spec.sourceRef.namespace',
  'spec.sourceRef.apiVersion',
  'spec.interval',
  'spec.git.checkout.ref.branch',
  'spec.git.checkout.ref.tag',
  'spec.git.checkout.ref.semver',
  'spec.git.checkout.ref.name',
  'spec.git.checkout.ref.commit',
  'spec.git.commit.author.email',
  'spec.git.commit.author.name',
  'spec.git.commit.messageTemplate',
  'spec.git.commit.messageTemplateValues',
  'spec.git.commit.signingKey.secretRef.name',
  'spec.git.commit.signingKey.type',
  'spec.git.push.branch',
  'spec.git.push.refspec',
  'spec.git.push.options',
  'spec.update.strategy',
  'spec.update.path',
  'spec.policySelector.matchLabels',
  'spec.policySelector.matchExpressions',
  'spec.suspend',
  'status.lastAutomationRunTime',
  'status.lastPushCommit',
  'status.lastPushTime',
  'status.observedPolicies',
  'status.observedSourceRevision',
  'status.conditions',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

const iua = (spec: Record<string, unknown>) => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1',
  kind: 'ImageUpdateAutomation',
  metadata: { name: 'auto', namespace: 'flux-system' },
  spec: {
    sourceRef: { kind: 'GitRepository', name: 'fleet' },
    interval: '5m',
    git: { commit: { author: { email: 'bot@example.com' } } },
    ...spec,
  },
});

describe('ImageUpdateAutomationDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is a structural schema with valid CEL', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('has the upstream short names, component and versions', () => {
    const crd = toCRD(ImageUpdateAutomationDefinition) as {
      metadata: { labels: Record<string, string> };
      spec: { names: Record<string, unknown>; versions: { name: string; deprecationWarning?: string }[] };
    };
    expect(crd.metadata.labels['app.kubernetes.io/component']).toBe('image-automation-controller');
    expect(crd.spec.names['shortNames']).toEqual(['iua', 'imgupd', 'imgauto']);
    expect(crd.spec.versions.map((v) => v.name)).toEqual(['v1', 'v1beta2', 'v1beta1', 'v1alpha2', 'v1alpha1']);
    expect(crd.spec.versions[3]!.deprecationWarning).toBe(
      'v1alpha2 ImageUpdateAutomation is deprecated, upgrade to v1',
    );
  });

  it('defaults update to Setters and sourceRef.kind to GitRepository; only gpg|ssh signing keys', () => {
    const obj = iua({ sourceRef: { name: 'fleet' } });
    const defaulted = applyDefaults(schema, obj) as { spec: Record<string, Record<string, unknown>> };
    expect(defaulted.spec['update']).toEqual({ strategy: 'Setters' });
    expect(defaulted.spec['sourceRef']!['kind']).toBe('GitRepository');
    expect(nodeAt(schema, 'spec.git.commit.signingKey.type')['enum']).toEqual(['gpg', 'ssh']);
    // upstream has no CRD default for the signing key type: the controller treats unset as gpg
    expect(nodeAt(schema, 'spec.git.commit.signingKey.type')['default']).toBeUndefined();
  });
});

describe('ImageUpdateAutomation seed (v1alpha2)', () => {
  it('validates, survives pruning unchanged and normalizes without warnings', () => {
    expect(validate(schema, seed)).toEqual([]);
    const { value, pruned } = prune(schema, seed, { isResourceRoot: true });
    expect(pruned).toEqual([]);
    expect(value).toEqual(seed);
    const { object, warnings } = normalizeImageUpdateAutomation(seed);
    expect(warnings).toEqual([]);
    expect(object.apiVersion).toBe('image.toolkit.fluxcd.io/v1');
    expect(object.spec.git?.push?.branch).toBe('eks');
    expect(object.spec.git?.commit.messageTemplate).toBe('An automated update from FluxBot\n[ci skip]\n');
  });
});

describe('normalizeImageUpdateAutomation (v1alpha1)', () => {
  it('validates and survives pruning under the shared schema', () => {
    expect(validate(schema, legacy)).toEqual([]);
    expect(prune(schema, legacy, { isResourceRoot: true }).pruned).toEqual([]);
  });

  it('maps checkout/commit/push onto sourceRef and git, one warning per field', () => {
    const { object, warnings } = normalizeImageUpdateAutomation(legacy);
    expect(object.spec).toEqual({
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      interval: '5m',
      update: { strategy: 'Setters' },
      git: {
        checkout: { ref: { branch: 'main' } },
        commit: {
          author: { name: 'fluxbot', email: 'fluxbot@example.com' },
          signingKey: { secretRef: { name: 'gpg-key' } },
          messageTemplate: 'Update images',
        },
        push: { branch: 'image-updates' },
      },
    });
    expect(warnings.map((w) => w.split(' ')[1])).toEqual([
      'spec.checkout.gitRepositoryRef',
      'spec.checkout.branch',
      'spec.commit.authorName',
      'spec.commit.authorEmail',
      'spec.commit.signingKey',
      'spec.commit.messageTemplate',
      'spec.push.branch',
    ]);
    expect(warnings[0]).toBe(
      'ImageUpdateAutomation spec.checkout.gitRepositoryRef (v1alpha1) is deprecated: mapped to spec.sourceRef {kind: GitRepository, name} (when sourceRef is unset)',
    );
    // the normalized object is a valid v1 object
    expect(validate(schema, object)).toEqual([]);
  });

  it('lets current fields win over legacy ones', () => {
    const { object } = normalizeImageUpdateAutomation(iua({ commit: { authorEmail: 'old@example.com' } }));
    expect(object.spec.git?.commit.author.email).toBe('bot@example.com');
  });
});

describe('ImageUpdateAutomation validation errors', () => {
  it('reports the exact field path of bad input', () => {
    const noSource = iua({}) as { spec: Record<string, unknown> };
    delete noSource.spec['sourceRef'];
    expect(validate(schema, noSource).map((e) => [e.field, e.detail])).toEqual([
      ['spec', 'spec.sourceRef is required'],
    ]);
    const noInterval = iua({}) as { spec: Record<string, unknown> };
    delete noInterval.spec['interval'];
    expect(errorPaths(validate(schema, noInterval))).toEqual([['FieldValueRequired', 'spec.interval']]);
    expect(errorPaths(validate(schema, iua({ sourceRef: { kind: 'OCIRepository', name: 'x' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.sourceRef.kind'],
    ]);
    expect(errorPaths(validate(schema, iua({ git: { commit: { author: { name: 'bot' } } } })))).toEqual([
      ['FieldValueRequired', 'spec.git.commit.author.email'],
    ]);
    expect(errorPaths(validate(schema, iua({ interval: '1d' })))).toEqual([['FieldValueInvalid', 'spec.interval']]);
    expect(errorPaths(validate(schema, iua({ update: { strategy: 'Regex' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.update.strategy'],
    ]);
    expect(
      errorPaths(validate(schema, iua({ git: { commit: { author: { email: 'b@x' } }, push: { options: { a: 1 } } } }))),
    ).toEqual([['FieldValueTypeInvalid', 'spec.git.push.options.a']]);
  });
});
