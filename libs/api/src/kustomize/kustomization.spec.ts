import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { objectSchema, schemaFieldPaths, toCRD } from '../define.ts';
import { KustomizationDefinition, KustomizationDefaults, normalizeKustomization } from './kustomization.ts';
import { KustomizationReasons, KustomizeAnnotations, KustomizeOwnerLabels } from './constants.ts';
import { readYamlFixture, schemaAt, undeclaredPaths } from './test-util.ts';

const schema = objectSchema(KustomizationDefinition);
const DURATION = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
const fixture = (name: string) => readYamlFixture(`../../test/fixtures/kustomize/${name}`, import.meta.url);

// Transcribed by hand from flux-api.md §1.2 (every field named in the table and the status line).
const REFERENCE_PATHS = [
  'spec.sourceRef.kind',
  'spec.sourceRef.name',
  'spec.sourceRef.namespace',
  'spec.sourceRef.apiVersion',
  'spec.path',
  'spec.interval',
  'spec.retryInterval',
  'spec.timeout',
  'spec.prune',
  'spec.deletionPolicy',
  'spec.dependsOn[].name',
  'spec.dependsOn[].namespace',
  'spec.dependsOn[].readyExpr',
  'spec.suspend',
  'spec.targetNamespace',
  'spec.namePrefix',
  'spec.nameSuffix',
  'spec.commonMetadata.labels',
  'spec.commonMetadata.annotations',
  'spec.patches[].patch',
  'spec.patches[].target.group',
  'spec.patches[].target.version',
  'spec.patches[].target.kind',
  'spec.patches[].target.name',
  'spec.patches[].target.namespace',
  'spec.patches[].target.labelSelector',
  'spec.patches[].target.annotationSelector',
  'spec.images[].name',
  'spec.images[].newName',
  'spec.images[].newTag',
  'spec.images[].digest',
  'spec.components',
  'spec.ignoreMissingComponents',
  'spec.buildMetadata',
  'spec.postBuild.substitute',
  'spec.postBuild.substituteFrom[].kind',
  'spec.postBuild.substituteFrom[].name',
  'spec.postBuild.substituteFrom[].optional',
  'spec.postBuild.substituteStrategy',
  'spec.decryption.provider',
  'spec.decryption.secretRef.name',
  'spec.decryption.serviceAccountName',
  'spec.serviceAccountName',
  'spec.kubeConfig.secretRef.name',
  'spec.kubeConfig.secretRef.key',
  'spec.kubeConfig.configMapRef.name',
  'spec.force',
  'spec.wait',
  'spec.healthChecks[].apiVersion',
  'spec.healthChecks[].kind',
  'spec.healthChecks[].name',
  'spec.healthChecks[].namespace',
  'spec.healthCheckExprs[].apiVersion',
  'spec.healthCheckExprs[].kind',
  'spec.healthCheckExprs[].current',
  'spec.healthCheckExprs[].inProgress',
  'spec.healthCheckExprs[].failed',
  'spec.ignore[].paths',
  'spec.ignore[].target.kind',
  'spec.ignore[].target.name',
  'spec.ignore[].target.namespace',
  'spec.ignore[].target.labelSelector',
  'spec.ignore[].target.annotationSelector',
  'status.conditions',
  'status.inventory.entries[].id',
  'status.inventory.entries[].v',
  'status.lastAppliedRevision',
  'status.lastAppliedOriginRevision',
  'status.lastAttemptedRevision',
  'status.history[].digest',
  'status.history[].firstReconciled',
  'status.history[].lastReconciled',
  'status.history[].lastReconciledDuration',
  'status.history[].lastReconciledStatus',
  'status.history[].totalReconciliations',
  'status.history[].metadata',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

describe('KustomizationDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('declares every legacy field in the schema', () => {
    const paths = new Set(schemaFieldPaths(schema));
    for (const f of KustomizationDefinition.legacyFields) expect(paths.has(f.path), f.path).toBe(true);
    expect(KustomizationDefinition.legacyFields.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'spec.validation',
        'spec.patchesStrategicMerge',
        'spec.patchesJson6902',
        'status.snapshot',
      ]),
    );
  });

  it('has upstream names, versions and printer columns', () => {
    const crd = toCRD(KustomizationDefinition) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: Record<string, unknown>;
    };
    expect(crd.metadata.name).toBe('kustomizations.kustomize.toolkit.fluxcd.io');
    expect(crd.metadata.labels['app.kubernetes.io/component']).toBe('kustomize-controller');
    expect(crd.spec['names']).toEqual({
      categories: ['all', 'fluxcd', 'fluxcd-appliers'],
      kind: 'Kustomization',
      listKind: 'KustomizationList',
      plural: 'kustomizations',
      singular: 'kustomization',
      shortNames: ['ks'],
    });
    const versions = crd.spec['versions'] as {
      name: string;
      storage: boolean;
      deprecated?: boolean;
      deprecationWarning?: string;
    }[];
    expect(versions.map((v) => [v.name, v.storage, v.deprecationWarning])).toEqual([
      ['v1', true, undefined],
      ['v1beta2', false, 'v1beta2 Kustomization is deprecated, upgrade to v1'],
      ['v1beta1', false, 'v1beta1 Kustomization is deprecated, upgrade to v1'],
    ]);
    expect(KustomizationDefinition.printerColumns.map((c) => c.name)).toEqual(['Age', 'Ready', 'Status']);
  });

  it('carries the upstream defaults, enums, patterns and limits', () => {
    expect(schemaAt(schema, 'spec').required).toEqual(expect.arrayContaining(['interval', 'sourceRef']));
    for (const p of ['spec.interval', 'spec.retryInterval', 'spec.timeout'])
      expect(schemaAt(schema, p).pattern, p).toBe(DURATION);
    expect(schemaAt(schema, 'spec.sourceRef').required).toEqual(['kind', 'name']);
    expect(schemaAt(schema, 'spec.sourceRef.kind').enum).toEqual([
      'OCIRepository',
      'GitRepository',
      'Bucket',
      'ExternalArtifact',
    ]);
    expect(schemaAt(schema, 'spec.deletionPolicy').enum).toEqual([
      'MirrorPrune',
      'Delete',
      'WaitForTermination',
      'Orphan',
    ]);
    expect(schemaAt(schema, 'spec.force').default).toBe(false);
    expect(schemaAt(schema, 'spec.targetNamespace')).toMatchObject({ minLength: 1, maxLength: 63 });
    expect(schemaAt(schema, 'spec.namePrefix')).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(schemaAt(schema, 'spec.nameSuffix')).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(schemaAt(schema, 'spec.buildMetadata[]').enum).toEqual(['originAnnotations', 'transformerAnnotations']);
    expect(schemaAt(schema, 'spec.postBuild.substituteStrategy').enum).toEqual(['WithVariables', 'Always']);
    expect(schemaAt(schema, 'spec.postBuild.substitute')).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(schemaAt(schema, 'spec.postBuild.substituteFrom[].kind').enum).toEqual(['Secret', 'ConfigMap']);
    expect(schemaAt(schema, 'spec.postBuild.substituteFrom[].name')).toMatchObject({ minLength: 1, maxLength: 253 });
    expect(schemaAt(schema, 'spec.postBuild.substituteFrom[].optional').default).toBe(false);
    expect(schemaAt(schema, 'spec.decryption').required).toEqual(['provider']);
    expect(schemaAt(schema, 'spec.decryption.provider').enum).toEqual(['sops']);
    expect(schemaAt(schema, 'spec.patches[]').required).toEqual(['patch']);
    expect(schemaAt(schema, 'spec.patches[].target').type).toBe('object');
    expect(schemaAt(schema, 'spec.images[]').required).toEqual(['name']);
    expect(schemaAt(schema, 'spec.healthCheckExprs[]').required).toEqual(['apiVersion', 'current']);
    expect(schemaAt(schema, 'spec.ignore[]').required).toEqual(['paths']);
    expect(schemaAt(schema, 'spec.dependsOn[]').required).toEqual(['name']);
    expect(schemaAt(schema, 'spec.validation').enum).toEqual(['none', 'client', 'server']);
    expect(schemaAt(schema, 'spec.patchesStrategicMerge[]')['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(schemaAt(schema, 'spec.patchesJson6902[].patch[].op').enum).toEqual([
      'test',
      'remove',
      'add',
      'replace',
      'move',
      'copy',
    ]);
    expect(schemaAt(schema, 'status').default).toEqual({ observedGeneration: -1 });
    expect(schemaAt(schema, 'status.inventory').required).toEqual(['entries']);
    expect(KustomizationDefaults).toMatchObject({ deletionPolicy: 'MirrorPrune', substituteStrategy: 'WithVariables' });
  });

  it('keeps the schema structural: no anyOf/oneOf anywhere', () => {
    expect(JSON.stringify(schema)).not.toMatch(/"(anyOf|oneOf|allOf|patternProperties)"/);
  });

  it('exports the upstream reason, annotation and label strings', () => {
    expect(KustomizationReasons).toMatchObject({
      PruneFailed: 'PruneFailed',
      ArtifactFailed: 'ArtifactFailed',
      BuildFailed: 'BuildFailed',
      HealthCheckFailed: 'HealthCheckFailed',
      DependencyNotReady: 'DependencyNotReady',
      ReconciliationSucceeded: 'ReconciliationSucceeded',
    });
    expect(KustomizeAnnotations.SSA).toBe('kustomize.toolkit.fluxcd.io/ssa');
    expect(KustomizeOwnerLabels).toEqual({
      Name: 'kustomize.toolkit.fluxcd.io/name',
      Namespace: 'kustomize.toolkit.fluxcd.io/namespace',
    });
  });
});

describe('seed Kustomizations', () => {
  const seeds = [
    'v1beta2-getting-started.yaml',
    'v1beta1-validation-client.yaml',
    'v1beta1-monitoring.yaml',
    'v1-patches-strategic-merge.yaml',
    'v1-inline-patch.yaml',
  ];
  it.each(seeds)('%s survives structural pruning unchanged', (name) => {
    expect(undeclaredPaths(fixture(name), schema)).toEqual([]);
  });

  it('normalizes v1beta1 with validation: client', () => {
    const input = fixture('v1beta1-validation-client.yaml');
    const { object, warnings } = normalizeKustomization(input);
    expect(object.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(object.spec).toEqual({
      interval: '3m0s',
      path: './clusters/eks',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
    expect(warnings).toEqual([
      'apiVersion: v1beta1 Kustomization is deprecated, upgrade to v1 (mapped to kustomize.toolkit.fluxcd.io/v1)',
      "spec.validation: 'client' ignored: server-side apply always validates",
    ]);
    expect((input['spec'] as Record<string, unknown>)['validation']).toBe('client');
  });

  it('normalizes v1beta2 with only the version warning', () => {
    const { object, warnings } = normalizeKustomization(fixture('v1beta2-getting-started.yaml'));
    expect(object.spec.targetNamespace).toBe('default');
    expect(warnings).toEqual([
      'apiVersion: v1beta2 Kustomization is deprecated, upgrade to v1 (mapped to kustomize.toolkit.fluxcd.io/v1)',
    ]);
  });

  it('maps patchesStrategicMerge to untargeted patches and defaults the missing prune', () => {
    const { object, warnings } = normalizeKustomization(fixture('v1-patches-strategic-merge.yaml'));
    expect(object.spec.patchesStrategicMerge).toBeUndefined();
    expect(object.spec.prune).toBe(false);
    expect(object.spec.patches).toHaveLength(1);
    const patch = object.spec.patches?.[0];
    expect(patch?.target).toBeUndefined();
    expect(parseYaml(patch?.patch ?? '')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app' },
      spec: { replicas: 2 },
    });
    expect(warnings).toEqual([
      'spec.patchesStrategicMerge: 1 patch(es) mapped to spec.patches (strategic merge, no target)',
      'spec.prune: missing (required upstream) set to false',
    ]);
  });

  it('leaves a current v1 object unchanged and silent', () => {
    const input = fixture('v1-inline-patch.yaml');
    const { object, warnings } = normalizeKustomization(input);
    expect(warnings).toEqual([]);
    expect(object).toEqual(input);
  });

  it('orders strategic merge, existing and JSON6902 patches like kustomize applied them', () => {
    const { object, warnings } = normalizeKustomization({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
      kind: 'Kustomization',
      metadata: { name: 'x' },
      spec: {
        interval: '1m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'x' },
        patches: [{ patch: 'existing' }],
        patchesStrategicMerge: [{ kind: 'ConfigMap', metadata: { name: 'a' } }],
        patchesJson6902: [
          { target: { kind: 'Deployment', name: 'web' }, patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }] },
        ],
      },
      status: { snapshot: { checksum: 'abc', entries: [] } },
    });
    const patches = object.spec.patches ?? [];
    expect(patches.map((p) => p.target)).toEqual([undefined, undefined, { kind: 'Deployment', name: 'web' }]);
    expect(patches[1]?.patch).toBe('existing');
    expect(parseYaml(patches[2]?.patch ?? '')).toEqual([{ op: 'replace', path: '/spec/replicas', value: 3 }]);
    expect(object.status?.snapshot).toBeUndefined();
    expect(warnings).toHaveLength(4);
    expect(warnings[3]).toMatch(/^status\.snapshot: /);
  });

  it('names an unknown apiVersion instead of calling it deprecated', () => {
    const { object, warnings } = normalizeKustomization({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v9',
      kind: 'Kustomization',
      spec: { prune: true },
    });
    expect(object.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(object.metadata).toEqual({});
    expect(warnings).toEqual([
      "apiVersion: 'kustomize.toolkit.fluxcd.io/v9' is not a served version of Kustomization, set to kustomize.toolkit.fluxcd.io/v1",
    ]);
  });

  it('rejects input without a spec', () => {
    expect(() => normalizeKustomization({ kind: 'Kustomization' })).toThrow(/failed to normalize Kustomization/);
  });
});
