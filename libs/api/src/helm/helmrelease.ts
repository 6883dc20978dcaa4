/**
 * HelmRelease (`helm.toolkit.fluxcd.io/v2`, legacy `v2beta1`/`v2beta2`): installs, upgrades, tests and
 * remediates a Helm release. Field names, enums, patterns, defaults and CEL rules follow upstream
 * helm-controller v1.6 (`api/v2/*_types.go`, `config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml`).
 */
import { CloneType, Type, type Static } from '@sinclair/typebox';
import { AnyJSON, MapOf, Obj, StringEnum, StringMap, type KindDefinition, type NormalizeResult } from '../define.ts';
import {
  Condition,
  Duration,
  KubeConfigReference,
  LocalObjectReference,
  ReconcileRequestStatus,
  type FluxObject,
} from '../meta/index.ts';
import {
  CustomHealthCheck,
  DriftIgnoreRule,
  foldLegacyPatches,
  KustomizeImage,
  KustomizeJSON6902Patch,
  KustomizePatch,
  ResourceInventory,
} from '../kustomize/kustomize-types.ts';
import { HelmGroup } from './constants.ts';

const bool = (description: string) => Type.Optional(Type.Boolean({ description }));
const optDuration = (description: string) => Type.Optional(Duration({ description }));

// ---------------------------------------------------------------------------------------------
// References

/** `CrossNamespaceObjectReference`: the source of a chart template. */
export const HelmChartSourceReference = Obj(
  {
    apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the referent.' })),
    kind: StringEnum(['HelmRepository', 'GitRepository', 'Bucket'] as const, { description: 'Kind of the referent.' }),
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the referent.' }),
    namespace: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the referent.' })),
  },
  { description: 'The name and namespace of the source the chart is available at.' },
);

/** `CrossNamespaceSourceReference`: an existing chart artifact (`spec.chartRef`). */
export const HelmChartArtifactReference = Obj(
  {
    apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the referent.' })),
    kind: StringEnum(['OCIRepository', 'HelmChart', 'ExternalArtifact'] as const, {
      description: 'Kind of the referent.',
    }),
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description:
          'Namespace of the referent, defaults to the namespace of the Kubernetes resource object that contains the reference.',
      }),
    ),
  },
  { description: 'ChartRef holds a reference to a source controller resource containing the Helm chart artifact.' },
);

/** `DependencyReference`: another HelmRelease that must be Ready first. */
export const HelmReleaseDependencyReference = Obj(
  {
    name: Type.String({ description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({ description: 'Namespace of the referent, defaults to the namespace of the HelmRelease.' }),
    ),
    readyExpr: Type.Optional(
      Type.String({
        description:
          'ReadyExpr is a CEL expression (variables `dep`, `self`) that replaces the built-in readiness check of the dependency.',
      }),
    ),
  },
  { description: 'DependencyReference defines a HelmRelease dependency on another HelmRelease resource.' },
);

/** `ValuesReference`: a ConfigMap/Secret holding values. */
export const ValuesReference = Obj(
  {
    kind: StringEnum(['Secret', 'ConfigMap'] as const, {
      description: "Kind of the values referent, valid values are ('Secret', 'ConfigMap').",
    }),
    name: Type.String({
      minLength: 1,
      maxLength: 253,
      description: 'Name of the values referent. Should reside in the same namespace as the referring resource.',
    }),
    valuesKey: Type.Optional(
      Type.String({
        maxLength: 253,
        pattern: '^[\\-._a-zA-Z0-9]+$',
        description:
          "ValuesKey is the data key where the values.yaml or a specific value can be found at. Defaults to 'values.yaml'.",
      }),
    ),
    targetPath: Type.Optional(
      Type.String({
        maxLength: 250,
        pattern: '^([a-zA-Z0-9_\\-.\\\\\\/]|\\[[0-9]{1,5}\\])+$',
        description: 'TargetPath is the YAML dot notation path the value should be merged at (Helm --set syntax).',
      }),
    ),
    optional: bool('Optional marks this ValuesReference as optional: a not found error is ignored.'),
    literal: bool('Literal marks the value as a literal string (Helm --set-literal), only with targetPath.'),
  },
  {
    description:
      'ValuesReference contains a reference to a resource containing Helm values, and optionally the key they can be found at.',
  },
);

// ---------------------------------------------------------------------------------------------
// Actions

const CRDsPolicy = (description: string) =>
  Type.Optional(StringEnum(['Skip', 'Create', 'CreateReplace'] as const, { description }));

/** `install.strategy` / `upgrade.strategy`. */
const ReleaseStrategy = (action: string) =>
  Obj(
    {
      name: StringEnum(['RemediateOnFailure', 'RetryOnFailure'] as const, {
        description: `Name of the strategy to use when the Helm ${action} fails.`,
      }),
      retryInterval: optDuration(
        "RetryInterval is the interval between retries when the strategy is 'RetryOnFailure'. Defaults to 5m.",
      ),
    },
    {
      description: `Strategy defines the ${action} strategy to use for this HelmRelease. Defaults to 'RemediateOnFailure'.`,
      'x-kubernetes-validations': [
        {
          rule: "!has(self.retryInterval) || self.name != 'RemediateOnFailure'",
          message: ".retryInterval cannot be set when .name is 'RemediateOnFailure'",
        },
      ],
    },
  );

const ServerSideApplyMode = (action: string) =>
  Type.Optional(
    StringEnum(['enabled', 'disabled', 'auto'] as const, {
      description: `ServerSideApply enables server-side apply for the ${action}; 'auto' follows the method of the release being replaced. Defaults to 'auto'.`,
    }),
  );

/** `spec.install`. */
export const HelmInstall = Obj(
  {
    timeout: optDuration(
      'Timeout is the time to wait for any individual Kubernetes operation during a Helm install. Defaults to spec.timeout.',
    ),
    remediation: Type.Optional(
      Obj(
        {
          retries: Type.Optional(
            Type.Integer({
              description:
                "Retries is the number of retries before bailing, a negative integer equals unlimited retries. Defaults to '0'.",
            }),
          ),
          ignoreTestFailures: bool(
            'IgnoreTestFailures skips remediation when the Helm tests run after an install fail. Defaults to test.ignoreFailures.',
          ),
          remediateLastFailure: bool(
            "RemediateLastFailure remediates the last failure when no retries remain. Defaults to 'false'.",
          ),
        },
        { description: 'Remediation holds the remediation configuration for when the Helm install action fails.' },
      ),
    ),
    strategy: Type.Optional(ReleaseStrategy('install')),
    disableWait: bool('DisableWait disables waiting for resources to be ready after a Helm install.'),
    disableWaitForJobs: bool('DisableWaitForJobs disables waiting for jobs to complete after a Helm install.'),
    disableHooks: bool('DisableHooks prevents hooks from running during the Helm install action.'),
    disableOpenAPIValidation: bool(
      'DisableOpenAPIValidation prevents validating rendered templates against the Kubernetes OpenAPI Schema.',
    ),
    disableSchemaValidation: bool(
      'DisableSchemaValidation prevents validating the values against the JSON Schema of the chart.',
    ),
    disableTakeOwnership: bool(
      'DisableTakeOwnership disables taking ownership of existing resources during the Helm install action.',
    ),
    replace: bool(
      "Replace re-uses the 'ReleaseName', but only if that name is a deleted release which remains in the history.",
    ),
    crds: CRDsPolicy("CRDs policy for the chart's crds directory: Skip, Create (default) or CreateReplace."),
    createNamespace: bool('CreateNamespace creates the targetNamespace if it does not exist yet.'),
    serverSideApply: bool('ServerSideApply enables server-side apply for the install. Defaults to true.'),
    // legacy (v2beta1/v2beta2)
    skipCRDs: bool('Deprecated (v2beta1/v2beta2): use crds: Skip. Normalized into crds.'),
  },
  { description: 'Install holds the configuration for Helm install actions for this HelmRelease.' },
);

/** `spec.upgrade`. */
export const HelmUpgrade = Obj(
  {
    timeout: optDuration(
      'Timeout is the time to wait for any individual Kubernetes operation during a Helm upgrade. Defaults to spec.timeout.',
    ),
    remediation: Type.Optional(
      Obj(
        {
          retries: Type.Optional(
            Type.Integer({
              description:
                "Retries is the number of retries before bailing, a negative integer equals unlimited retries. Defaults to '0'.",
            }),
          ),
          ignoreTestFailures: bool(
            'IgnoreTestFailures skips remediation when the Helm tests run after an upgrade fail. Defaults to test.ignoreFailures.',
          ),
          remediateLastFailure: bool(
            "RemediateLastFailure remediates the last failure when no retries remain. Defaults to 'false' unless 'Retries' is greater than 0.",
          ),
          strategy: Type.Optional(
            StringEnum(['rollback', 'uninstall'] as const, {
              description: "Strategy to use for failure remediation. Defaults to 'rollback'.",
            }),
          ),
        },
        { description: 'Remediation holds the remediation configuration for when the Helm upgrade action fails.' },
      ),
    ),
    strategy: Type.Optional(ReleaseStrategy('upgrade')),
    disableWait: bool('DisableWait disables waiting for resources to be ready after a Helm upgrade.'),
    disableWaitForJobs: bool('DisableWaitForJobs disables waiting for jobs to complete after a Helm upgrade.'),
    disableHooks: bool('DisableHooks prevents hooks from running during the Helm upgrade action.'),
    disableOpenAPIValidation: bool(
      'DisableOpenAPIValidation prevents validating rendered templates against the Kubernetes OpenAPI Schema.',
    ),
    disableSchemaValidation: bool(
      'DisableSchemaValidation prevents validating the values against the JSON Schema of the chart.',
    ),
    disableTakeOwnership: bool(
      'DisableTakeOwnership disables taking ownership of existing resources during the Helm upgrade action.',
    ),
    force: bool('Force forces resource updates through a replacement strategy.'),
    preserveValues: bool("PreserveValues reuses the last release's values and merges in overrides from 'Values'."),
    cleanupOnFail: bool(
      'CleanupOnFail allows deletion of new resources created during the Helm upgrade action when it fails.',
    ),
    crds: CRDsPolicy("CRDs policy for the chart's crds directory: Skip (default), Create or CreateReplace."),
    chartNameChangeStrategy: Type.Optional(
      StringEnum(['Reinstall', 'InPlaceUpdate'] as const, {
        description:
          "ChartNameChangeStrategy: 'Reinstall' (default) uninstalls and reinstalls the release when the chart name changes, 'InPlaceUpdate' upgrades it.",
      }),
    ),
    serverSideApply: ServerSideApplyMode('upgrade'),
  },
  { description: 'Upgrade holds the configuration for Helm upgrade actions for this HelmRelease.' },
);

/** `spec.test`. */
export const HelmTest = Obj(
  {
    enable: bool('Enable enables Helm test actions after an install or upgrade.'),
    timeout: optDuration(
      'Timeout is the time to wait for any individual Kubernetes operation during a Helm test. Defaults to spec.timeout.',
    ),
    ignoreFailures: bool(
      'IgnoreFailures tells the controller to skip remediation when the Helm tests are run but fail.',
    ),
    filters: Type.Optional(
      Type.Array(
        Obj({
          name: Type.String({ minLength: 1, maxLength: 253, description: 'Name is the name of the test.' }),
          exclude: bool('Exclude specifies whether the named test should be excluded.'),
        }),
        { description: 'Filters is a list of tests to run or exclude from running.' },
      ),
    ),
  },
  { description: 'Test holds the configuration for Helm test actions for this HelmRelease.' },
);

/** `spec.rollback`. */
export const HelmRollback = Obj(
  {
    timeout: optDuration(
      'Timeout is the time to wait for any individual Kubernetes operation during a Helm rollback. Defaults to spec.timeout.',
    ),
    disableWait: bool('DisableWait disables waiting for resources to be ready after a Helm rollback.'),
    disableWaitForJobs: bool('DisableWaitForJobs disables waiting for jobs to complete after a Helm rollback.'),
    disableHooks: bool('DisableHooks prevents hooks from running during the Helm rollback action.'),
    recreate: bool('Recreate performs pod restarts for the resource if applicable.'),
    force: bool('Force forces resource updates through a replacement strategy.'),
    cleanupOnFail: bool(
      'CleanupOnFail allows deletion of new resources created during the Helm rollback action when it fails.',
    ),
    serverSideApply: ServerSideApplyMode('rollback'),
  },
  { description: 'Rollback holds the configuration for Helm rollback actions for this HelmRelease.' },
);

/** `spec.uninstall`. */
export const HelmUninstall = Obj(
  {
    timeout: optDuration(
      'Timeout is the time to wait for any individual Kubernetes operation during a Helm uninstall. Defaults to spec.timeout.',
    ),
    disableHooks: bool('DisableHooks prevents hooks from running during the Helm uninstall action.'),
    keepHistory: bool(
      'KeepHistory removes all associated resources and marks the release as deleted, but retains the release history.',
    ),
    disableWait: bool('DisableWait disables waiting for all the resources to be deleted after a Helm uninstall.'),
    deletionPropagation: Type.Optional(
      StringEnum(['background', 'foreground', 'orphan'] as const, {
        default: 'background',
        description:
          'DeletionPropagation specifies the deletion propagation policy when a Helm uninstall is performed.',
      }),
    ),
  },
  { description: 'Uninstall holds the configuration for Helm uninstall actions for this HelmRelease.' },
);

// ---------------------------------------------------------------------------------------------
// Spec

/** `spec.chart`: the template of the HelmChart the controller creates. */
export const HelmChartTemplate = Obj(
  {
    metadata: Type.Optional(
      Obj(
        {
          labels: Type.Optional(StringMap({ description: 'Labels of the generated HelmChart.' })),
          annotations: Type.Optional(StringMap({ description: 'Annotations of the generated HelmChart.' })),
        },
        { description: 'ObjectMeta holds the template for metadata like labels and annotations.' },
      ),
    ),
    spec: Obj(
      {
        chart: Type.String({
          minLength: 1,
          maxLength: 2048,
          description: 'The name or path the Helm chart is available at in the SourceRef.',
        }),
        version: Type.Optional(
          Type.String({
            default: '*',
            description:
              'Version semver expression, ignored for charts from GitRepository and Bucket sources. Defaults to latest when omitted.',
          }),
        ),
        sourceRef: HelmChartSourceReference,
        interval: optDuration('Interval at which to check the source for updates. Defaults to spec.interval.'),
        reconcileStrategy: Type.Optional(
          StringEnum(['ChartVersion', 'Revision'] as const, {
            default: 'ChartVersion',
            description: 'Determines what enables the creation of a new artifact.',
          }),
        ),
        valuesFiles: Type.Optional(
          Type.Array(Type.String(), {
            description:
              'Alternative list of values files to use as the chart values, relative paths in the SourceRef.',
          }),
        ),
        ignoreMissingValuesFiles: bool(
          'IgnoreMissingValuesFiles controls whether to silently ignore missing values files rather than failing.',
        ),
        verify: Type.Optional(
          Obj(
            {
              provider: StringEnum(['cosign', 'notation'] as const, {
                default: 'cosign',
                description: 'Provider specifies the technology used to sign the OCI Helm chart.',
              }),
              secretRef: Type.Optional(
                CloneType(LocalObjectReference, {
                  description: 'SecretRef specifies the Kubernetes Secret containing the trusted public keys.',
                }),
              ),
            },
            { description: 'Verify verifies the authenticity of an OCI Helm chart (OCI sources only).' },
          ),
        ),
        // legacy (v2beta1/v2beta2)
        valuesFile: Type.Optional(
          Type.String({ description: 'Deprecated (v2beta1/v2beta2): use valuesFiles. Normalized into valuesFiles.' }),
        ),
      },
      { description: 'Spec holds the template for the HelmChartSpec for this HelmRelease.' },
    ),
  },
  { description: 'Chart defines the template of the HelmChart that should be created for this HelmRelease.' },
);

/** `spec.postRenderers[]`. */
export const HelmPostRenderer = Obj(
  {
    kustomize: Type.Optional(
      Obj(
        {
          patches: Type.Optional(
            Type.Array(KustomizePatch, {
              description: 'Strategic merge and JSON patches, defined as inline YAML objects.',
            }),
          ),
          images: Type.Optional(
            Type.Array(KustomizeImage, {
              description: 'Images is a list of (image name, new name, new tag or digest).',
            }),
          ),
          // legacy (v2beta1/v2beta2)
          patchesStrategicMerge: Type.Optional(
            Type.Array(AnyJSON(), {
              description: 'Deprecated (v2beta1/v2beta2): strategic merge patches; normalized into patches.',
            }),
          ),
          patchesJson6902: Type.Optional(
            Type.Array(KustomizeJSON6902Patch, {
              description: 'Deprecated (v2beta1/v2beta2): JSON 6902 patches; normalized into patches.',
            }),
          ),
        },
        { description: 'Kustomization to apply as PostRenderer.' },
      ),
    ),
  },
  { description: 'PostRenderer contains a Helm PostRenderer specification.' },
);

/** The desired state of a HelmRelease (all served versions). */
export const HelmReleaseSpec = Obj(
  {
    chart: Type.Optional(HelmChartTemplate),
    chartRef: Type.Optional(HelmChartArtifactReference),
    interval: Duration({ description: 'Interval at which to reconcile the Helm release.' }),
    kubeConfig: Type.Optional(
      CloneType(KubeConfigReference, {
        description: 'KubeConfig for reconciling the HelmRelease on a remote cluster.',
      }),
    ),
    suspend: bool('Suspend tells the controller to suspend reconciliation for this HelmRelease. Defaults to false.'),
    releaseName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 53,
        description: "ReleaseName used for the Helm release. Defaults to a composition of '[TargetNamespace-]Name'.",
      }),
    ),
    targetNamespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description:
          'TargetNamespace to target when performing operations for the HelmRelease. Defaults to the namespace of the HelmRelease.',
      }),
    ),
    storageNamespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'StorageNamespace used for the Helm storage. Defaults to the namespace of the HelmRelease.',
      }),
    ),
    dependsOn: Type.Optional(
      Type.Array(HelmReleaseDependencyReference, {
        description: 'DependsOn lists HelmReleases that must be ready before this HelmRelease can be reconciled.',
      }),
    ),
    timeout: optDuration(
      "Timeout is the time to wait for any individual Kubernetes operation during a Helm action. Defaults to '5m0s'.",
    ),
    maxHistory: Type.Optional(
      Type.Integer({
        description:
          "MaxHistory is the number of revisions saved by Helm for this HelmRelease. Use '0' for unlimited; defaults to '5'.",
      }),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 253,
        description: 'The name of the Kubernetes service account to impersonate when reconciling this HelmRelease.',
      }),
    ),
    persistentClient: bool(
      'PersistentClient tells the controller to use a persistent Kubernetes client for this release. Defaults to true.',
    ),
    driftDetection: Type.Optional(
      Obj(
        {
          mode: Type.Optional(
            StringEnum(['enabled', 'warn', 'disabled'] as const, {
              description:
                "Mode defines how differences between the Helm manifest and the cluster are handled. Defaults to 'disabled'.",
            }),
          ),
          ignore: Type.Optional(
            Type.Array(DriftIgnoreRule, {
              description: 'Ignore contains a list of rules for specifying which changes to ignore during diffing.',
            }),
          ),
        },
        {
          description:
            'DriftDetection holds the configuration for detecting and handling differences between the Helm manifest and the cluster.',
        },
      ),
    ),
    install: Type.Optional(HelmInstall),
    upgrade: Type.Optional(HelmUpgrade),
    test: Type.Optional(HelmTest),
    rollback: Type.Optional(HelmRollback),
    uninstall: Type.Optional(HelmUninstall),
    valuesFrom: Type.Optional(
      Type.Array(ValuesReference, {
        description: 'ValuesFrom holds references to resources containing Helm values, merged in order.',
      }),
    ),
    values: Type.Optional(AnyJSON({ description: 'Values holds the values for this Helm release.' })),
    postRenderers: Type.Optional(
      Type.Array(HelmPostRenderer, {
        description: 'PostRenderers holds an array of Helm PostRenderers, applied in order of their definition.',
      }),
    ),
    postRenderStrategy: Type.Optional(
      StringEnum(['nohooks', 'combined', 'separate'] as const, {
        description: "PostRenderStrategy controls whether hooks go through the post-renderers. Defaults to 'combined'.",
      }),
    ),
    commonMetadata: Type.Optional(
      Obj(
        {
          annotations: Type.Optional(StringMap({ description: "Annotations to be added to the object's metadata." })),
          labels: Type.Optional(StringMap({ description: "Labels to be added to the object's metadata." })),
        },
        {
          description:
            'CommonMetadata specifies the common labels and annotations that are applied to all resources of the release.',
        },
      ),
    ),
    waitStrategy: Type.Optional(
      Obj(
        {
          name: StringEnum(['poller', 'legacy'] as const, {
            description: "Name of the wait strategy: 'poller' (kstatus, default) or 'legacy' (Helm's wait).",
          }),
        },
        { description: 'WaitStrategy defines how the controller waits for the release resources to become ready.' },
      ),
    ),
    healthCheckExprs: Type.Optional(
      Type.Array(CustomHealthCheck, {
        description: 'HealthCheckExprs is a list of CEL health check expressions for custom resources of the release.',
      }),
    ),
  },
  {
    description: 'HelmReleaseSpec defines the desired state of a Helm release.',
    'x-kubernetes-validations': [
      {
        rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))',
        message: 'either chart or chartRef must be set',
      },
    ],
  },
);

// ---------------------------------------------------------------------------------------------
// Status

/** `status.history[]`: a point-in-time copy of a Helm release. */
export const HelmReleaseSnapshot = Obj(
  {
    apiVersion: Type.Optional(Type.String({ description: 'APIVersion is the API version of the Snapshot.' })),
    digest: Type.String({
      description: 'Digest is the checksum of the release object in storage, `<algo>:<checksum>`.',
    }),
    name: Type.String({ description: 'Name is the name of the release.' }),
    namespace: Type.String({ description: 'Namespace is the namespace the release is deployed to.' }),
    version: Type.Integer({ description: 'Version is the version of the release object in storage.' }),
    status: Type.String({ description: 'Status is the current state of the release.' }),
    chartName: Type.String({ description: 'ChartName is the chart name of the release object in storage.' }),
    chartVersion: Type.String({ description: 'ChartVersion is the chart version of the release object in storage.' }),
    appVersion: Type.Optional(
      Type.String({ description: 'AppVersion is the chart app version of the release object in storage.' }),
    ),
    configDigest: Type.String({
      description: 'ConfigDigest is the checksum of the values of the release object in storage.',
    }),
    firstDeployed: Type.String({
      format: 'date-time',
      description: 'FirstDeployed is when the release was first deployed.',
    }),
    lastDeployed: Type.String({
      format: 'date-time',
      description: 'LastDeployed is when the release was last deployed.',
    }),
    deleted: Type.Optional(
      Type.String({ format: 'date-time', description: 'Deleted is when the release was deleted.' }),
    ),
    action: Type.Optional(
      Type.String({ description: 'Action is the name of the Helm action that produced the release.' }),
    ),
    testHooks: Type.Optional(
      MapOf(
        Obj({
          lastStarted: Type.Optional(
            Type.String({
              format: 'date-time',
              description: 'LastStarted is the time the test hook was last started.',
            }),
          ),
          lastCompleted: Type.Optional(
            Type.String({
              format: 'date-time',
              description: 'LastCompleted is the time the test hook last completed.',
            }),
          ),
          phase: Type.Optional(Type.String({ description: 'Phase the test hook was observed to be in.' })),
        }),
        { description: 'TestHooks is the list of test hooks for the release as observed to be run by the controller.' },
      ),
    ),
    ociDigest: Type.Optional(
      Type.String({ description: 'OCIDigest is the digest of the OCI artifact associated with the release.' }),
    ),
  },
  { description: 'Snapshot captures a point-in-time copy of the status information for a Helm release.' },
);

/** The observed state of a HelmRelease. */
export const HelmReleaseStatus = Obj(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'ObservedGeneration is the last observed generation.' }),
    ),
    lastAttemptedGeneration: Type.Optional(
      Type.Integer({
        format: 'int64',
        description: 'LastAttemptedGeneration is the last generation the controller attempted to reconcile.',
      }),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, { description: 'Conditions holds the conditions for the HelmRelease.' }),
    ),
    helmChart: Type.Optional(
      Type.String({
        description:
          'HelmChart is the namespaced name (`<namespace>/<name>`) of the HelmChart resource created by the controller.',
      }),
    ),
    storageNamespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'StorageNamespace is the namespace of the Helm release storage for the current release.',
      }),
    ),
    history: Type.Optional(
      Type.Array(HelmReleaseSnapshot, {
        description:
          'History holds the history of Helm releases performed for this HelmRelease up to the last successfully completed release.',
      }),
    ),
    inventory: Type.Optional(
      CloneType(ResourceInventory, {
        description: 'Inventory contains the list of Kubernetes resource object references of the release.',
      }),
    ),
    lastAttemptedReleaseAction: Type.Optional(
      StringEnum(['install', 'upgrade'] as const, {
        description: 'LastAttemptedReleaseAction is the last release action performed for this HelmRelease.',
      }),
    ),
    lastAttemptedReleaseActionDuration: Type.Optional(
      Type.String({ description: 'LastAttemptedReleaseActionDuration is the duration of the last release action.' }),
    ),
    failures: Type.Optional(
      Type.Integer({
        format: 'int64',
        description: 'Failures is the reconciliation failure count against the latest desired state.',
      }),
    ),
    installFailures: Type.Optional(
      Type.Integer({
        format: 'int64',
        description: 'InstallFailures is the install failure count against the latest desired state.',
      }),
    ),
    upgradeFailures: Type.Optional(
      Type.Integer({
        format: 'int64',
        description: 'UpgradeFailures is the upgrade failure count against the latest desired state.',
      }),
    ),
    lastAttemptedRevision: Type.Optional(
      Type.String({ description: 'LastAttemptedRevision is the Source revision of the last reconciliation attempt.' }),
    ),
    lastAttemptedRevisionDigest: Type.Optional(
      Type.String({
        description:
          'LastAttemptedRevisionDigest is the digest of the last reconciliation attempt (OCIRepository sources only).',
      }),
    ),
    lastAttemptedValuesChecksum: Type.Optional(
      Type.String({
        description:
          'Deprecated: use lastAttemptedConfigDigest. SHA1 checksum of the values of the last reconciliation attempt.',
      }),
    ),
    lastReleaseRevision: Type.Optional(
      Type.Integer({
        description:
          'Deprecated: use history. LastReleaseRevision is the revision of the last successful Helm release.',
      }),
    ),
    lastAttemptedConfigDigest: Type.Optional(
      Type.String({
        description:
          'LastAttemptedConfigDigest is the digest for the config (values) of the last reconciliation attempt.',
      }),
    ),
    observedPostRenderersDigest: Type.Optional(
      Type.String({
        description:
          'ObservedPostRenderersDigest is the digest for the post-renderers of the last successful reconciliation attempt.',
      }),
    ),
    observedCommonMetadataDigest: Type.Optional(
      Type.String({
        description:
          'ObservedCommonMetadataDigest is the digest for the common metadata of the last successful reconciliation attempt.',
      }),
    ),
    lastHandledForceAt: Type.Optional(
      Type.String({ description: 'LastHandledForceAt holds the value of the most recent force request value.' }),
    ),
    lastHandledResetAt: Type.Optional(
      Type.String({ description: 'LastHandledResetAt holds the value of the most recent reset request value.' }),
    ),
    ...ReconcileRequestStatus,
    // legacy (v2beta1/v2beta2)
    lastAppliedRevision: Type.Optional(
      Type.String({
        description: 'Deprecated (v2beta1/v2beta2): the revision of the last successfully applied source; see history.',
      }),
    ),
  },
  {
    description: 'HelmReleaseStatus defines the observed state of a HelmRelease.',
    default: { observedGeneration: -1 },
  },
);

/** `spec` of a HelmRelease. */
export type HelmReleaseSpec = Static<typeof HelmReleaseSpec>;
/** `status` of a HelmRelease. */
export type HelmReleaseStatus = Static<typeof HelmReleaseStatus>;

/** A whole HelmRelease object (any served version once normalized to the current one). */
export interface HelmRelease extends FluxObject<HelmReleaseSpec, HelmReleaseStatus> {
  kind: 'HelmRelease';
}

// ---------------------------------------------------------------------------------------------
// Definition

/** The HelmRelease kind: names, versions, schemas, printer columns and legacy mapping. */
export const HelmReleaseDefinition: KindDefinition<typeof HelmReleaseSpec, typeof HelmReleaseStatus> = {
  group: HelmGroup,
  kind: 'HelmRelease',
  component: 'helm-controller',
  listKind: 'HelmReleaseList',
  plural: 'helmreleases',
  singular: 'helmrelease',
  scope: 'Namespaced',
  shortNames: ['hr'],
  categories: ['all', 'fluxcd', 'fluxcd-appliers'],
  description: 'HelmRelease is the Schema for the helmreleases API',
  versions: [
    { name: 'v2', storage: true },
    { name: 'v2beta2', storage: false, deprecationWarning: 'v2beta2 HelmRelease is deprecated, upgrade to v2' },
    { name: 'v2beta1', storage: false, deprecationWarning: 'v2beta1 HelmRelease is deprecated, upgrade to v2' },
  ],
  spec: HelmReleaseSpec,
  status: HelmReleaseStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
  ],
  legacyFields: [
    {
      path: 'spec.chart.spec.valuesFile',
      versions: ['v2beta1', 'v2beta2'],
      handling: 'mapped to spec.chart.spec.valuesFiles: prepended (it was merged before valuesFiles)',
    },
    {
      path: 'spec.install.skipCRDs',
      versions: ['v2beta1', 'v2beta2'],
      handling: 'mapped to spec.install.crds: true becomes Skip when crds is unset; otherwise dropped',
    },
    {
      path: 'spec.postRenderers[].kustomize.patchesStrategicMerge',
      versions: ['v2beta1', 'v2beta2'],
      handling:
        'mapped to spec.postRenderers[].kustomize.patches: each object becomes a patch without target (YAML), placed first',
    },
    {
      path: 'spec.postRenderers[].kustomize.patchesJson6902',
      versions: ['v2beta1', 'v2beta2'],
      handling:
        'mapped to spec.postRenderers[].kustomize.patches: operations serialised as a YAML list with the same target, placed last',
    },
    {
      path: 'status.lastAppliedRevision',
      versions: ['v2beta1', 'v2beta2'],
      handling: 'ignored: the applied revision is recorded in status.history; dropped from status',
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Normalization

/** Controller-side defaults of fields the CRD leaves unset (upstream `Get…()` helpers). */
export const HelmReleaseDefaults = {
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
  rollbackServerSideApply: 'auto',
  installServerSideApply: true,
  chartNameChangeStrategy: 'Reinstall',
  driftDetectionMode: 'disabled',
  postRenderStrategy: 'combined',
  waitStrategy: 'poller',
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Maps a HelmRelease of any served version (`v2`, `v2beta2`, `v2beta1`) to the current `v2` shape: legacy
 * fields are mapped to their replacement or dropped, each with one warning naming the field path. The input is
 * not modified. Throws if `obj` is not an object with a `spec` object.
 */
export function normalizeHelmRelease(obj: unknown): NormalizeResult<HelmRelease> {
  if (!isRecord(obj) || !isRecord(obj['spec'])) {
    throw new Error('failed to normalize HelmRelease: object has no spec');
  }
  const out = structuredClone(obj) as Record<string, unknown>;
  const spec = out['spec'] as Record<string, unknown>;
  const warnings: string[] = [];

  const apiVersion = typeof out['apiVersion'] === 'string' ? out['apiVersion'] : '';
  const version = apiVersion.startsWith(`${HelmGroup}/`) ? apiVersion.slice(HelmGroup.length + 1) : '';
  if (version !== 'v2') {
    const deprecation = HelmReleaseDefinition.versions.find((v) => v.name === version)?.deprecationWarning;
    warnings.push(
      deprecation !== undefined
        ? `apiVersion: ${deprecation} (mapped to ${HelmGroup}/v2)`
        : `apiVersion: '${apiVersion}' is not a served version of HelmRelease, set to ${HelmGroup}/v2`,
    );
  }
  out['apiVersion'] = `${HelmGroup}/v2`;
  out['kind'] = 'HelmRelease';
  if (!isRecord(out['metadata'])) out['metadata'] = {};

  const chart = spec['chart'];
  const chartSpec = isRecord(chart) ? chart['spec'] : undefined;
  if (isRecord(chartSpec) && 'valuesFile' in chartSpec) {
    const file = chartSpec['valuesFile'];
    delete chartSpec['valuesFile'];
    if (typeof file === 'string' && file !== '') {
      const files = Array.isArray(chartSpec['valuesFiles']) ? (chartSpec['valuesFiles'] as unknown[]) : [];
      chartSpec['valuesFiles'] = files.includes(file) ? files : [file, ...files];
      warnings.push(`spec.chart.spec.valuesFile: '${file}' mapped to spec.chart.spec.valuesFiles (first entry)`);
    } else {
      warnings.push('spec.chart.spec.valuesFile: empty value dropped');
    }
  }

  const install = spec['install'];
  if (isRecord(install) && 'skipCRDs' in install) {
    const skip = install['skipCRDs'] === true;
    delete install['skipCRDs'];
    if (skip && install['crds'] === undefined) {
      install['crds'] = 'Skip';
      warnings.push('spec.install.skipCRDs: true mapped to spec.install.crds: Skip');
    } else {
      warnings.push(`spec.install.skipCRDs: ${skip ? 'true ignored: spec.install.crds is set' : 'false dropped'}`);
    }
  }

  const renderers = spec['postRenderers'];
  if (Array.isArray(renderers)) {
    renderers.forEach((renderer, i) => {
      if (isRecord(renderer) && isRecord(renderer['kustomize'])) {
        warnings.push(...foldLegacyPatches(renderer['kustomize'], `spec.postRenderers[${i}].kustomize`).warnings);
      }
    });
  }

  const status = out['status'];
  if (isRecord(status) && 'lastAppliedRevision' in status) {
    warnings.push('status.lastAppliedRevision: ignored: the applied revision is recorded in status.history');
    delete status['lastAppliedRevision'];
  }

  return { object: out as unknown as HelmRelease, warnings };
}
