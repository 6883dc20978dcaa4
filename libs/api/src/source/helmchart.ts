/**
 * HelmChart (`source.toolkit.fluxcd.io/v1`, legacy `v1beta1`/`v1beta2`): produces a packaged chart artifact
 * from a HelmRepository, GitRepository or Bucket. Follows upstream source-controller
 * (`api/v1/helmchart_types.go`, `config/crd/bases/source.toolkit.fluxcd.io_helmcharts.yaml`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Described, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import { Duration, type FluxObject } from '../meta/index.ts';
import {
  AccessFrom,
  ageColumn,
  artifactChecksumLegacy,
  beginNormalize,
  commonStatusProperties,
  dropField,
  isObject,
  normalizeArtifactChecksum,
  readyColumn,
  SourceCategories,
  sourceArtifact,
  sourceDeprecationWarning,
  SourceGroup,
  statusColumn,
  statusObject,
} from './common.ts';
import { ociVerificationProperties } from './ocirepository.ts';

/** Kinds a HelmChart can reference in `spec.sourceRef.kind`. */
export const HelmChartSourceKinds = ['HelmRepository', 'GitRepository', 'Bucket'] as const;
/** Reconcile strategies (`spec.reconcileStrategy`). */
export const HelmChartReconcileStrategies = ['ChartVersion', 'Revision'] as const;

/** HelmChart-specific condition reasons. */
export const HelmChartReasons = {
  ChartPullFailedReason: 'ChartPullFailed',
  ChartPullSucceededReason: 'ChartPullSucceeded',
  ChartPackageFailedReason: 'ChartPackageFailed',
  ChartPackageSucceededReason: 'ChartPackageSucceeded',
  /** Build error reasons (`internal/helm/chart` BuildErrorReason). */
  ChartPathErrorReason: 'ChartPathError',
  ValuesFilesErrorReason: 'ValuesFilesError',
  DependencyBuildErrorReason: 'DependencyBuildError',
  ChartPullErrorReason: 'ChartPullError',
  MetadataPatchErrorReason: 'MetadataPatchError',
  ChartPackageErrorReason: 'ChartPackageError',
  ChartVerificationErrorReason: 'ChartVerificationError',
  UnknownReason: 'Unknown',
  /** The source object could not be read. */
  SourceUnavailableReason: 'SourceUnavailable',
  /** `spec.sourceRef.kind` is not one the controller builds from. */
  UnsupportedSourceKindReason: 'UnsupportedSourceKind',
  /** The source has no artifact yet. */
  NoSourceArtifactReason: 'NoSourceArtifact',
  /** Event: dependencies were resolved while packaging. */
  ResolvedDependenciesReason: 'ResolvedDependencies',
} as const;

/** `HelmChart.spec`. */
export const HelmChartSpec = Type.Object(
  {
    chart: Type.String({ description: 'Chart is the name or path the Helm chart is available at in the SourceRef.' }),
    version: Type.Optional(
      Type.String({
        description:
          'Version is the chart version semver expression, ignored for charts from GitRepository and Bucket sources. Defaults to latest when omitted.',
        default: '*',
      }),
    ),
    sourceRef: Type.Object(
      {
        apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the referent.' })),
        kind: StringEnum(HelmChartSourceKinds, {
          description: "Kind of the referent, valid values are ('HelmRepository', 'GitRepository', 'Bucket').",
        }),
        name: Type.String({ description: 'Name of the referent.' }),
      },
      { description: 'SourceRef is the reference to the Source the chart is available at.' },
    ),
    interval: Duration({
      description:
        'Interval at which the HelmChart SourceRef is checked for updates. This interval is approximate and may be subject to jitter to ensure efficient use of resources.',
    }),
    reconcileStrategy: Type.Optional(
      StringEnum(HelmChartReconcileStrategies, {
        description:
          "ReconcileStrategy determines what enables the creation of a new artifact. Valid values are ('ChartVersion', 'Revision'). See the documentation of the values for an explanation on their behavior. Defaults to ChartVersion when omitted.",
        default: 'ChartVersion',
      }),
    ),
    valuesFiles: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'ValuesFiles is an alternative list of values files to use as the chart values (values.yaml is not included by default), expected to be a relative path in the SourceRef. Values files are merged in the order of this list with the last file overriding the first. Ignored when omitted.',
      }),
    ),
    ignoreMissingValuesFiles: Type.Optional(
      Type.Boolean({
        description:
          'IgnoreMissingValuesFiles controls whether to silently ignore missing values files rather than failing.',
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({ description: 'Suspend tells the controller to suspend the reconciliation of this source.' }),
    ),
    verify: Type.Optional(
      Type.Object(ociVerificationProperties, {
        description:
          "Verify contains the secret name containing the trusted public keys used to verify the signature and specifies which provider to use to check whether OCI image is authentic. This field is only supported when using HelmRepository source with spec.type 'oci'. Chart dependencies, which are not bundled in the umbrella chart artifact, are not verified.",
      }),
    ),
    // --- legacy fields (v1beta1/v1beta2), see HelmChartDefinition.legacyFields ---
    valuesFile: Type.Optional(
      Type.String({
        description:
          'Deprecated (v1beta1, v1beta2): a single values file merged before the ValuesFiles items; normalized into valuesFiles.',
      }),
    ),
    accessFrom: Type.Optional(
      Described(
        AccessFrom,
        'Deprecated (v1beta1, v1beta2): cross-namespace ACL; ignored, it was never implemented for HelmChart.',
      ),
    ),
  },
  {
    description: 'HelmChartSpec specifies the desired state of a Helm chart.',
    'x-kubernetes-validations': [
      {
        rule: "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
        message: "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'",
      },
    ],
  },
);
/** `HelmChart.spec`. */
export type HelmChartSpec = Static<typeof HelmChartSpec>;

/** `HelmChart.status`. */
export const HelmChartStatus = statusObject(
  {
    ...commonStatusProperties('HelmChart'),
    observedSourceArtifactRevision: Type.Optional(
      Type.String({
        description:
          'ObservedSourceArtifactRevision is the last observed Artifact.Revision of the HelmChartSpec.SourceRef.',
      }),
    ),
    observedChartName: Type.Optional(
      Type.String({
        description: 'ObservedChartName is the last observed chart name as specified by the resolved chart reference.',
      }),
    ),
    observedValuesFiles: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'ObservedValuesFiles are the observed value files of the last successful reconciliation. It matches the chart in the last successfully reconciled artifact.',
      }),
    ),
    url: Type.Optional(
      Type.String({
        description:
          'URL is the dynamic fetch link for the latest Artifact. It is provided on a "best effort" basis, and using the precise HelmChartStatus.Artifact data is recommended.',
      }),
    ),
    artifact: Type.Optional(sourceArtifact('Artifact represents the output of the last successful reconciliation.')),
  },
  'HelmChartStatus records the observed state of the HelmChart.',
);
/** `HelmChart.status`. */
export type HelmChartStatus = Static<typeof HelmChartStatus>;

/** A HelmChart object. */
export type HelmChart = FluxObject<HelmChartSpec, HelmChartStatus>;

const legacyFields: readonly LegacyField[] = [
  {
    path: 'spec.valuesFile',
    versions: ['v1beta1', 'v1beta2'],
    handling:
      'mapped to spec.valuesFiles: put first in the list (it was merged before the valuesFiles items), unless already listed',
  },
  {
    path: 'spec.accessFrom',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: cross-namespace ACL was never implemented for HelmChart',
  },
  ...artifactChecksumLegacy(['status.artifact.checksum']),
];

/** The HelmChart kind. */
export const HelmChartDefinition: KindDefinition<typeof HelmChartSpec, typeof HelmChartStatus> = {
  group: SourceGroup,
  kind: 'HelmChart',
  component: 'source-controller',
  listKind: 'HelmChartList',
  plural: 'helmcharts',
  singular: 'helmchart',
  scope: 'Namespaced',
  shortNames: ['hc'],
  categories: SourceCategories,
  description: 'HelmChart is the Schema for the helmcharts API.',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta2', 'HelmChart') },
    { name: 'v1beta1', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta1', 'HelmChart') },
  ],
  spec: HelmChartSpec,
  status: HelmChartStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Chart', type: 'string', jsonPath: '.spec.chart' },
    { name: 'Version', type: 'string', jsonPath: '.spec.version' },
    { name: 'Source Kind', type: 'string', jsonPath: '.spec.sourceRef.kind' },
    { name: 'Source Name', type: 'string', jsonPath: '.spec.sourceRef.name' },
    ageColumn,
    readyColumn,
    statusColumn,
  ],
  legacyFields,
};

/** Maps a HelmChart of any served version to `source.toolkit.fluxcd.io/v1`, warning about each legacy field. */
export function normalizeHelmChart(obj: unknown): NormalizeResult<HelmChart> {
  const warnings: string[] = [];
  const { out, spec } = beginNormalize('HelmChart', obj, warnings);
  if (Object.hasOwn(spec, 'valuesFile')) {
    const valuesFile = spec['valuesFile'];
    delete spec['valuesFile'];
    if (typeof valuesFile === 'string' && valuesFile !== '') {
      const files = Array.isArray(spec['valuesFiles']) ? (spec['valuesFiles'] as unknown[]) : [];
      spec['valuesFiles'] = files.includes(valuesFile) ? files : [valuesFile, ...files];
      warnings.push('spec.valuesFile: mapped to spec.valuesFiles[0]');
    } else {
      warnings.push('spec.valuesFile: ignored: empty');
    }
  }
  dropField(spec, 'accessFrom', 'spec.accessFrom', 'cross-namespace ACL was never implemented for HelmChart', warnings);
  const status = out['status'];
  if (isObject(status)) normalizeArtifactChecksum(status['artifact'], 'status.artifact', warnings);
  return { object: out as unknown as HelmChart, warnings };
}
