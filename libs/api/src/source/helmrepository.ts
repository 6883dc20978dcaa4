/**
 * HelmRepository (`source.toolkit.fluxcd.io/v1`, legacy `v1beta1`/`v1beta2`): produces an artifact from a Helm
 * repository index (type `default`) or declares an OCI registry (type `oci`). Follows upstream
 * source-controller (`api/v1/helmrepository_types.go`, `config/crd/bases/…_helmrepositories.yaml`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import { Duration, SourceTimeout, type FluxObject } from '../meta/index.ts';
import {
  AccessFrom,
  ageColumn,
  artifactChecksumLegacy,
  beginNormalize,
  commonStatusProperties,
  isObject,
  localRef,
  normalizeArtifactChecksum,
  readyColumn,
  SourceCategories,
  sourceArtifact,
  sourceDeprecationWarning,
  SourceGroup,
  statusColumn,
  statusObject,
} from './common.ts';

/** HelmRepository types. */
export const HelmRepositoryTypes = ['default', 'oci'] as const;
/** OCI registry authentication providers (type `oci` only). */
export const HelmRepositoryProviders = ['generic', 'aws', 'azure', 'gcp'] as const;

/** Interval the controller uses when `spec.interval` is unset. */
export const HelmRepositoryDefaultInterval = '1m';
/** Timeout the controller uses when `spec.timeout` is unset. */
export const HelmRepositoryDefaultTimeout = '60s';

/** HelmRepository-specific condition reasons. */
export const HelmRepositoryReasons = {
  IndexationFailedReason: 'IndexationFailed',
  IndexationSucceededReason: 'IndexationSucceed',
} as const;

/** `HelmRepository.spec`. */
export const HelmRepositorySpec = Type.Object(
  {
    url: Type.String({
      description: 'URL of the Helm repository, a valid URL contains at least a protocol and host.',
      pattern: '^(http|https|oci)://.*$',
    }),
    secretRef: Type.Optional(
      localRef(
        "SecretRef specifies the Secret containing authentication credentials for the HelmRepository. For HTTP/S basic auth the secret must contain 'username' and 'password' fields. Support for TLS auth using the 'certFile' and 'keyFile', and/or 'caFile' keys is deprecated. Please use `.spec.certSecretRef` instead.",
      ),
    ),
    certSecretRef: Type.Optional(
      localRef(
        'CertSecretRef can be given the name of a Secret containing either or both of a PEM-encoded client certificate (`tls.crt`) and private key (`tls.key`); a PEM-encoded CA certificate (`ca.crt`) and whichever are supplied, will be used for connecting to the registry. The Secret must be of type `Opaque` or `kubernetes.io/tls`. It takes precedence over the values specified in the Secret referred to by `.spec.secretRef`.',
      ),
    ),
    passCredentials: Type.Optional(
      Type.Boolean({
        description:
          'PassCredentials allows the credentials from the SecretRef to be passed on to a host that does not match the host as defined in URL. This may be required if the host of the advertised chart URLs in the index differ from the defined URL. Enabling this should be done with caution, as it can potentially result in credentials getting stolen in a MITM-attack.',
      }),
    ),
    interval: Type.Optional(
      Duration({
        description:
          'Interval at which the HelmRepository URL is checked for updates. This interval is approximate and may be subject to jitter to ensure efficient use of resources.',
      }),
    ),
    insecure: Type.Optional(
      Type.Boolean({
        description:
          "Insecure allows connecting to a non-TLS HTTP container registry. This field is only taken into account if the .spec.type field is set to 'oci'.",
      }),
    ),
    timeout: Type.Optional(
      SourceTimeout({
        description:
          'Timeout is used for the index fetch operation for an HTTPS helm repository, and for remote OCI Repository operations like pulling for an OCI helm chart by the associated HelmChart. Its default value is 60s.',
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description: 'Suspend tells the controller to suspend the reconciliation of this HelmRepository.',
      }),
    ),
    accessFrom: Type.Optional(AccessFrom),
    type: Type.Optional(
      StringEnum(HelmRepositoryTypes, {
        description:
          'Type of the HelmRepository. When this field is set to  "oci", the URL field value must be prefixed with "oci://".',
      }),
    ),
    provider: Type.Optional(
      StringEnum(HelmRepositoryProviders, {
        description:
          "Provider used for authentication, can be 'aws', 'azure', 'gcp' or 'generic'. This field is optional, and only taken into account if the .spec.type field is set to 'oci'. When not specified, defaults to 'generic'.",
        default: 'generic',
      }),
    ),
  },
  {
    description:
      'HelmRepositorySpec specifies the required configuration to produce an Artifact for a Helm repository index YAML.',
  },
);
/** `HelmRepository.spec`. */
export type HelmRepositorySpec = Static<typeof HelmRepositorySpec>;

/** `HelmRepository.status`. */
export const HelmRepositoryStatus = statusObject(
  {
    ...commonStatusProperties('HelmRepository'),
    url: Type.Optional(
      Type.String({
        description:
          'URL is the dynamic fetch link for the latest Artifact. It is provided on a "best effort" basis, and using the precise HelmRepositoryStatus.Artifact data is recommended.',
      }),
    ),
    artifact: Type.Optional(sourceArtifact('Artifact represents the last successful HelmRepository reconciliation.')),
  },
  'HelmRepositoryStatus records the observed state of the HelmRepository.',
);
/** `HelmRepository.status`. */
export type HelmRepositoryStatus = Static<typeof HelmRepositoryStatus>;

/** A HelmRepository object. */
export type HelmRepository = FluxObject<HelmRepositorySpec, HelmRepositoryStatus>;

const legacyFields: readonly LegacyField[] = [...artifactChecksumLegacy(['status.artifact.checksum'])];

/** The HelmRepository kind. */
export const HelmRepositoryDefinition: KindDefinition<typeof HelmRepositorySpec, typeof HelmRepositoryStatus> = {
  group: SourceGroup,
  kind: 'HelmRepository',
  component: 'source-controller',
  listKind: 'HelmRepositoryList',
  plural: 'helmrepositories',
  singular: 'helmrepository',
  scope: 'Namespaced',
  shortNames: ['helmrepo'],
  categories: SourceCategories,
  description: 'HelmRepository is the Schema for the helmrepositories API.',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta2', 'HelmRepository') },
    { name: 'v1beta1', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta1', 'HelmRepository') },
  ],
  spec: HelmRepositorySpec,
  status: HelmRepositoryStatus,
  specRequired: true,
  printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ageColumn, readyColumn, statusColumn],
  legacyFields,
};

/** Maps a HelmRepository of any served version to `source.toolkit.fluxcd.io/v1`, warning about each legacy field. */
export function normalizeHelmRepository(obj: unknown): NormalizeResult<HelmRepository> {
  const warnings: string[] = [];
  const { out } = beginNormalize('HelmRepository', obj, warnings);
  const status = out['status'];
  if (isObject(status)) normalizeArtifactChecksum(status['artifact'], 'status.artifact', warnings);
  return { object: out as unknown as HelmRepository, warnings };
}
