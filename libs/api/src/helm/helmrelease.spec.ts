import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { objectSchema, schemaFieldPaths, toCRD } from '../define.ts';
import { HelmReleaseDefaults, HelmReleaseDefinition, normalizeHelmRelease } from './helmrelease.ts';
import {
  HelmDriftDetectionMetadataKey,
  HelmOwnerLabels,
  HelmReleaseConditions,
  HelmReleaseReasons,
} from './constants.ts';
import { readYamlFixture, schemaAt, undeclaredPaths } from '../kustomize/test-util.ts';

const schema = objectSchema(HelmReleaseDefinition);
const DURATION = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
const fixture = (name: string) => readYamlFixture(`../../test/fixtures/helm/${name}`, import.meta.url);

// Transcribed by hand from flux-api.md §1.3 (every field named in the table and the status line).
const REFERENCE_PATHS = [
  'spec.chart.spec.chart',
  'spec.chart.spec.version',
  'spec.chart.spec.sourceRef.kind',
  'spec.chart.spec.sourceRef.name',
  'spec.chart.spec.sourceRef.namespace',
  'spec.chart.spec.sourceRef.apiVersion',
  'spec.chart.spec.interval',
  'spec.chart.spec.reconcileStrategy',
  'spec.chart.spec.valuesFiles',
  'spec.chart.spec.ignoreMissingValuesFiles',
  'spec.chart.spec.verify.provider',
  'spec.chart.spec.verify.secretRef',
  'spec.chart.metadata.labels',
  'spec.chart.metadata.annotations',
  'spec.chartRef.kind',
  'spec.chartRef.name',
  'spec.chartRef.namespace',
  'spec.chartRef.apiVersion',
  'spec.interval',
  'spec.timeout',
  'spec.releaseName',
  'spec.targetNamespace',
  'spec.storageNamespace',
  'spec.serviceAccountName',
  'spec.kubeConfig.secretRef',
  'spec.kubeConfig.configMapRef',
  'spec.dependsOn[].name',
  'spec.dependsOn[].namespace',
  'spec.dependsOn[].readyExpr',
  'spec.values',
  'spec.valuesFrom[].kind',
  'spec.valuesFrom[].name',
  'spec.valuesFrom[].valuesKey',
  'spec.valuesFrom[].targetPath',
  'spec.valuesFrom[].optional',
  'spec.valuesFrom[].literal',
  'spec.maxHistory',
  'spec.persistentClient',
  'spec.install.timeout',
  'spec.install.crds',
  'spec.install.replace',
  'spec.install.createNamespace',
  'spec.install.disableHooks',
  'spec.install.disableOpenAPIValidation',
  'spec.install.disableSchemaValidation',
  'spec.install.disableTakeOwnership',
  'spec.install.disableWait',
  'spec.install.disableWaitForJobs',
  'spec.install.serverSideApply',
  'spec.install.strategy.name',
  'spec.install.strategy.retryInterval',
  'spec.install.remediation.retries',
  'spec.install.remediation.ignoreTestFailures',
  'spec.install.remediation.remediateLastFailure',
  'spec.upgrade.timeout',
  'spec.upgrade.crds',
  'spec.upgrade.chartNameChangeStrategy',
  'spec.upgrade.cleanupOnFail',
  'spec.upgrade.disableHooks',
  'spec.upgrade.disableOpenAPIValidation',
  'spec.upgrade.disableSchemaValidation',
  'spec.upgrade.disableTakeOwnership',
  'spec.upgrade.disableWait',
  'spec.upgrade.disableWaitForJobs',
  'spec.upgrade.force',
  'spec.upgrade.preserveValues',
  'spec.upgrade.serverSideApply',
  'spec.upgrade.strategy.name',
  'spec.upgrade.strategy.retryInterval',
  'spec.upgrade.remediation.retries',
  'spec.upgrade.remediation.strategy',
  'spec.upgrade.remediation.ignoreTestFailures',
  'spec.upgrade.remediation.remediateLastFailure',
  'spec.test.enable',
  'spec.test.timeout',
  'spec.test.ignoreFailures',
  'spec.test.filters[].name',
  'spec.test.filters[].exclude',
  'spec.rollback.timeout',
  'spec.rollback.cleanupOnFail',
  'spec.rollback.disableHooks',
  'spec.rollback.disableWait',
  'spec.rollback.disableWaitForJobs',
  'spec.rollback.force',
  'spec.rollback.recreate',
  'spec.rollback.serverSideApply',
  'spec.uninstall.timeout',
  'spec.uninstall.deletionPropagation',
  'spec.uninstall.disableHooks',
  'spec.uninstall.disableWait',
  'spec.uninstall.keepHistory',
  'spec.driftDetection.mode',
  'spec.driftDetection.ignore[].paths',
  'spec.driftDetection.ignore[].target',
  'spec.postRenderers[].kustomize.patches',
  'spec.postRenderers[].kustomize.images',
  'spec.postRenderStrategy',
  'spec.commonMetadata.labels',
  'spec.commonMetadata.annotations',
  'spec.waitStrategy.name',
  'spec.healthCheckExprs',
  'spec.suspend',
  'status.conditions',
  'status.history[].apiVersion',
  'status.history[].name',
  'status.history[].namespace',
  'status.history[].version',
  'status.history[].status',
  'status.history[].chartName',
  'status.history[].chartVersion',
  'status.history[].appVersion',
  'status.history[].configDigest',
  'status.history[].digest',
  'status.history[].firstDeployed',
  'status.history[].lastDeployed',
  'status.history[].deleted',
  'status.history[].action',
  'status.history[].testHooks{}.lastStarted',
  'status.history[].testHooks{}.lastCompleted',
  'status.history[].testHooks{}.phase',
  'status.history[].ociDigest',
  'status.inventory',
  'status.helmChart',
  'status.storageNamespace',
  'status.failures',
  'status.installFailures',
  'status.upgradeFailures',
  'status.lastAttemptedRevision',
  'status.lastAttemptedRevisionDigest',
  'status.lastAttemptedConfigDigest',
  'status.lastAttemptedGeneration',
  'status.lastAttemptedReleaseAction',
  'status.lastAttemptedReleaseActionDuration',
  'status.lastAttemptedValuesChecksum',
  'status.lastReleaseRevision',
  'status.observedPostRenderersDigest',
  'status.observedCommonMetadataDigest',
  'status.lastHandledReconcileAt',
  'status.lastHandledForceAt',
  'status.lastHandledResetAt',
  'status.observedGeneration',
];

describe('HelmReleaseDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('declares every legacy field in the schema', () => {
    const paths = new Set(schemaFieldPaths(schema));
    for (const f of HelmReleaseDefinition.legacyFields) expect(paths.has(f.path), f.path).toBe(true);
    expect(HelmReleaseDefinition.legacyFields.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'spec.chart.spec.valuesFile',
        'spec.install.skipCRDs',
        'spec.postRenderers[].kustomize.patchesStrategicMerge',
        'spec.postRenderers[].kustomize.patchesJson6902',
        'status.lastAppliedRevision',
      ]),
    );
  });

  it('has upstream names, versions and printer columns', () => {
    const crd = toCRD(HelmReleaseDefinition) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: Record<string, unknown>;
    };
    expect(crd.metadata.name).toBe('helmreleases.helm.toolkit.fluxcd.io');
    expect(crd.metadata.labels['app.kubernetes.io/component']).toBe('helm-controller');
    expect(crd.spec['names']).toEqual({
      categories: ['all', 'fluxcd', 'fluxcd-appliers'],
      kind: 'HelmRelease',
      listKind: 'HelmReleaseList',
      plural: 'helmreleases',
      singular: 'helmrelease',
      shortNames: ['hr'],
    });
    const versions = crd.spec['versions'] as { name: string; storage: boolean; deprecationWarning?: string }[];
    expect(versions.map((v) => [v.name, v.storage, v.deprecationWarning])).toEqual([
      ['v2', true, undefined],
      ['v2beta2', false, 'v2beta2 HelmRelease is deprecated, upgrade to v2'],
      ['v2beta1', false, 'v2beta1 HelmRelease is deprecated, upgrade to v2'],
    ]);
    expect(HelmReleaseDefinition.printerColumns.map((c) => c.name)).toEqual(['Age', 'Ready', 'Status']);
  });

  it('carries the upstream defaults, enums, patterns, limits and CEL rules', () => {
    expect(schemaAt(schema, 'spec').required).toEqual(['interval']);
    expect(schemaAt(schema, 'spec')['x-kubernetes-validations']).toEqual([
      {
        rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))',
        message: 'either chart or chartRef must be set',
      },
    ]);
    for (const p of [
      'spec.interval',
      'spec.timeout',
      'spec.chart.spec.interval',
      'spec.install.timeout',
      'spec.install.strategy.retryInterval',
      'spec.upgrade.timeout',
      'spec.test.timeout',
      'spec.rollback.timeout',
      'spec.uninstall.timeout',
    ]) {
      expect(schemaAt(schema, p).pattern, p).toBe(DURATION);
    }
    expect(schemaAt(schema, 'spec.chart').required).toEqual(['spec']);
    expect(schemaAt(schema, 'spec.chart.spec').required).toEqual(['chart', 'sourceRef']);
    expect(schemaAt(schema, 'spec.chart.spec.chart')).toMatchObject({ minLength: 1, maxLength: 2048 });
    expect(schemaAt(schema, 'spec.chart.spec.version').default).toBe('*');
    expect(schemaAt(schema, 'spec.chart.spec.reconcileStrategy')).toMatchObject({
      default: 'ChartVersion',
      enum: ['ChartVersion', 'Revision'],
    });
    expect(schemaAt(schema, 'spec.chart.spec.verify.provider')).toMatchObject({
      default: 'cosign',
      enum: ['cosign', 'notation'],
    });
    expect(schemaAt(schema, 'spec.chart.spec.sourceRef.kind').enum).toEqual([
      'HelmRepository',
      'GitRepository',
      'Bucket',
    ]);
    expect(schemaAt(schema, 'spec.chartRef.kind').enum).toEqual(['OCIRepository', 'HelmChart', 'ExternalArtifact']);
    expect(schemaAt(schema, 'spec.chartRef.name')).toMatchObject({ minLength: 1, maxLength: 253 });
    expect(schemaAt(schema, 'spec.releaseName')).toMatchObject({ minLength: 1, maxLength: 53 });
    expect(schemaAt(schema, 'spec.targetNamespace')).toMatchObject({ minLength: 1, maxLength: 63 });
    expect(schemaAt(schema, 'spec.storageNamespace')).toMatchObject({ minLength: 1, maxLength: 63 });
    expect(schemaAt(schema, 'spec.valuesFrom[].kind').enum).toEqual(['Secret', 'ConfigMap']);
    expect(schemaAt(schema, 'spec.valuesFrom[].valuesKey')).toMatchObject({
      maxLength: 253,
      pattern: '^[\\-._a-zA-Z0-9]+$',
    });
    expect(schemaAt(schema, 'spec.valuesFrom[].targetPath')).toMatchObject({ maxLength: 250 });
    expect(schemaAt(schema, 'spec.values')).toEqual({
      'x-kubernetes-preserve-unknown-fields': true,
      description: 'Values holds the values for this Helm release.',
    });
    expect(schemaAt(schema, 'spec.install.crds').enum).toEqual(['Skip', 'Create', 'CreateReplace']);
    expect(schemaAt(schema, 'spec.install.strategy.name').enum).toEqual(['RemediateOnFailure', 'RetryOnFailure']);
    expect(schemaAt(schema, 'spec.install.strategy')['x-kubernetes-validations']).toHaveLength(1);
    expect(schemaAt(schema, 'spec.install.serverSideApply').type).toBe('boolean');
    expect(schemaAt(schema, 'spec.upgrade.serverSideApply').enum).toEqual(['enabled', 'disabled', 'auto']);
    expect(schemaAt(schema, 'spec.rollback.serverSideApply').enum).toEqual(['enabled', 'disabled', 'auto']);
    expect(schemaAt(schema, 'spec.upgrade.chartNameChangeStrategy').enum).toEqual(['Reinstall', 'InPlaceUpdate']);
    expect(schemaAt(schema, 'spec.upgrade.remediation.strategy').enum).toEqual(['rollback', 'uninstall']);
    expect(schemaAt(schema, 'spec.uninstall.deletionPropagation')).toMatchObject({
      default: 'background',
      enum: ['background', 'foreground', 'orphan'],
    });
    expect(schemaAt(schema, 'spec.driftDetection.mode').enum).toEqual(['enabled', 'warn', 'disabled']);
    expect(schemaAt(schema, 'spec.postRenderStrategy').enum).toEqual(['nohooks', 'combined', 'separate']);
    expect(schemaAt(schema, 'spec.waitStrategy.name').enum).toEqual(['poller', 'legacy']);
    expect(schemaAt(schema, 'spec.waitStrategy').required).toEqual(['name']);
    expect(schemaAt(schema, 'spec.test.filters[].name')).toMatchObject({ minLength: 1, maxLength: 253 });
    expect(schemaAt(schema, 'status').default).toEqual({ observedGeneration: -1 });
    expect(schemaAt(schema, 'status.lastAttemptedReleaseAction').enum).toEqual(['install', 'upgrade']);
    expect(HelmReleaseDefaults).toMatchObject({
      timeout: '5m0s',
      maxHistory: 5,
      persistentClient: true,
      valuesKey: 'values.yaml',
      installCRDs: 'Create',
      upgradeCRDs: 'Skip',
      strategy: 'RemediateOnFailure',
      strategyRetryInterval: '5m0s',
      upgradeRemediationStrategy: 'rollback',
      upgradeServerSideApply: 'auto',
      driftDetectionMode: 'disabled',
      postRenderStrategy: 'combined',
      waitStrategy: 'poller',
    });
  });

  it('keeps the schema structural: no anyOf/oneOf anywhere', () => {
    expect(JSON.stringify(schema)).not.toMatch(/"(anyOf|oneOf|allOf|patternProperties)"/);
  });

  it('exports the upstream condition, reason, label and annotation strings', () => {
    expect(HelmReleaseConditions).toEqual({
      Released: 'Released',
      TestSuccess: 'TestSuccess',
      Remediated: 'Remediated',
      Drifted: 'Drifted',
    });
    expect(HelmReleaseReasons).toMatchObject({
      InstallSucceeded: 'InstallSucceeded',
      InstallFailed: 'InstallFailed',
      UpgradeSucceeded: 'UpgradeSucceeded',
      UpgradeFailed: 'UpgradeFailed',
      TestSucceeded: 'TestSucceeded',
      TestFailed: 'TestFailed',
      RollbackSucceeded: 'RollbackSucceeded',
      RollbackFailed: 'RollbackFailed',
      UninstallSucceeded: 'UninstallSucceeded',
      UninstallFailed: 'UninstallFailed',
      ArtifactFailed: 'ArtifactFailed',
      InitFailed: 'InitFailed',
      GetLastReleaseFailed: 'GetLastReleaseFailed',
      RetriesExceeded: 'RetriesExceeded',
      MissingRollbackTarget: 'MissingRollbackTarget',
      DependencyNotReady: 'DependencyNotReady',
    });
    expect(HelmDriftDetectionMetadataKey).toBe('helm.toolkit.fluxcd.io/driftDetection');
    expect(HelmOwnerLabels).toEqual({
      Name: 'helm.toolkit.fluxcd.io/name',
      Namespace: 'helm.toolkit.fluxcd.io/namespace',
    });
  });
});

describe('seed HelmRelease', () => {
  it('survives structural pruning unchanged, values included', () => {
    expect(undeclaredPaths(fixture('v2beta1-repo-per-app.yaml'), schema)).toEqual([]);
  });

  it('normalizes v2beta1 to v2 with only the version warning', () => {
    const input = fixture('v2beta1-repo-per-app.yaml');
    const { object, warnings } = normalizeHelmRelease(input);
    expect(object.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(object.spec).toEqual(input['spec']);
    expect(object.spec.values).toEqual({ replicas: 2 });
    expect(warnings).toEqual([
      'apiVersion: v2beta1 HelmRelease is deprecated, upgrade to v2 (mapped to helm.toolkit.fluxcd.io/v2)',
    ]);
  });

  it('maps every legacy v2beta1 field', () => {
    const { object, warnings } = normalizeHelmRelease({
      apiVersion: 'helm.toolkit.fluxcd.io/v2beta1',
      kind: 'HelmRelease',
      metadata: { name: 'app', namespace: 'apps' },
      spec: {
        interval: '10m',
        chart: {
          spec: {
            chart: 'app',
            sourceRef: { kind: 'HelmRepository', name: 'apps' },
            valuesFile: 'values-prod.yaml',
            valuesFiles: ['extra.yaml'],
          },
        },
        install: { skipCRDs: true },
        postRenderers: [
          {
            kustomize: {
              patchesStrategicMerge: [
                { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'app' }, spec: { replicas: 1 } },
              ],
              patchesJson6902: [
                { target: { kind: 'Service', name: 'app' }, patch: [{ op: 'remove', path: '/spec/clusterIP' }] },
              ],
              images: [{ name: 'app', newTag: '1.2.3' }],
            },
          },
        ],
      },
      status: { lastAppliedRevision: '1.0.0', lastReleaseRevision: 3 },
    });
    expect(object.spec.chart?.spec.valuesFiles).toEqual(['values-prod.yaml', 'extra.yaml']);
    expect(object.spec.chart?.spec.valuesFile).toBeUndefined();
    expect(object.spec.install).toEqual({ crds: 'Skip' });
    const kustomize = object.spec.postRenderers?.[0]?.kustomize;
    expect(kustomize?.patchesStrategicMerge).toBeUndefined();
    expect(kustomize?.patchesJson6902).toBeUndefined();
    expect(kustomize?.images).toEqual([{ name: 'app', newTag: '1.2.3' }]);
    expect(kustomize?.patches?.map((p) => p.target)).toEqual([undefined, { kind: 'Service', name: 'app' }]);
    expect(parseYaml(kustomize?.patches?.[1]?.patch ?? '')).toEqual([{ op: 'remove', path: '/spec/clusterIP' }]);
    expect(object.status).toEqual({ lastReleaseRevision: 3 });
    expect(warnings).toEqual([
      'apiVersion: v2beta1 HelmRelease is deprecated, upgrade to v2 (mapped to helm.toolkit.fluxcd.io/v2)',
      "spec.chart.spec.valuesFile: 'values-prod.yaml' mapped to spec.chart.spec.valuesFiles (first entry)",
      'spec.install.skipCRDs: true mapped to spec.install.crds: Skip',
      'spec.postRenderers[0].kustomize.patchesStrategicMerge: 1 patch(es) mapped to spec.postRenderers[0].kustomize.patches (strategic merge, no target)',
      'spec.postRenderers[0].kustomize.patchesJson6902: 1 patch(es) mapped to spec.postRenderers[0].kustomize.patches (JSON6902 operations with target)',
      'status.lastAppliedRevision: ignored: the applied revision is recorded in status.history',
    ]);
  });

  it('rejects input without a spec and names an unknown apiVersion', () => {
    expect(() => normalizeHelmRelease({ kind: 'HelmRelease' })).toThrow(/failed to normalize HelmRelease/);
    const { warnings } = normalizeHelmRelease({
      apiVersion: 'helm.toolkit.fluxcd.io/v2alpha1',
      kind: 'HelmRelease',
      spec: { interval: '1m' },
    });
    expect(warnings).toEqual([
      "apiVersion: 'helm.toolkit.fluxcd.io/v2alpha1' is not a served version of HelmRelease, set to helm.toolkit.fluxcd.io/v2",
    ]);
  });

  it('keeps an explicit crds policy over skipCRDs', () => {
    const { object, warnings } = normalizeHelmRelease({
      apiVersion: 'helm.toolkit.fluxcd.io/v2beta2',
      kind: 'HelmRelease',
      metadata: { name: 'app' },
      spec: {
        interval: '1m',
        chartRef: { kind: 'OCIRepository', name: 'app' },
        install: { skipCRDs: true, crds: 'CreateReplace' },
      },
    });
    expect(object.spec.install).toEqual({ crds: 'CreateReplace' });
    expect(warnings[1]).toBe('spec.install.skipCRDs: true ignored: spec.install.crds is set');
  });
});
