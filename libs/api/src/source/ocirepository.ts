/**
 * OCIRepository (`source.toolkit.fluxcd.io/v1`, legacy `v1beta2`): produces an artifact from an OCI artifact
 * in a container registry. Follows upstream source-controller (`api/v1/ocirepository_types.go`,
 * `config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Described, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import { Duration, SourceTimeout, type FluxObject } from '../meta/index.ts';
import {
  ageColumn,
  artifactChecksumLegacy,
  beginNormalize,
  commonStatusProperties,
  dropField,
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

/** OCI registry authentication providers. */
export const OCIProviders = ['generic', 'aws', 'azure', 'gcp'] as const;
/** Layer operations (`spec.layerSelector.operation`). */
export const OCILayerOperations = ['extract', 'copy'] as const;
/** Signature verification providers. */
export const OCIVerificationProviders = ['cosign', 'notation'] as const;

/** OCIRepository-specific condition reasons. */
export const OCIRepositoryReasons = {
  OCIPullFailedReason: 'OCIArtifactPullFailed',
  OCILayerOperationFailedReason: 'OCIArtifactLayerOperationFailed',
} as const;

/** `OCILayerSelector`. */
export const OCILayerSelector = Type.Object(
  {
    mediaType: Type.Optional(
      Type.String({
        description:
          'MediaType specifies the OCI media type of the layer which should be extracted from the OCI Artifact. The first layer matching this type is selected.',
      }),
    ),
    operation: Type.Optional(
      StringEnum(OCILayerOperations, {
        description:
          "Operation specifies how the selected layer should be processed. By default, the layer compressed content is extracted to storage. When the operation is set to 'copy', the layer compressed content is persisted to storage as it is.",
      }),
    ),
  },
  {
    description:
      'LayerSelector specifies which layer should be extracted from the OCI artifact. When not specified, the first layer found in the artifact is selected.',
  },
);

/** `OIDCIdentityMatch`: regexes for the issuer and subject of a keyless Cosign signature. */
export const OIDCIdentityMatch = Type.Object(
  {
    issuer: Type.String({
      description:
        'Issuer specifies the regex pattern to match against to verify the OIDC issuer in the Fulcio certificate. The pattern must be a valid Go regular expression.',
    }),
    subject: Type.String({
      description:
        'Subject specifies the regex pattern to match against to verify the identity subject in the Fulcio certificate. The pattern must be a valid Go regular expression.',
    }),
  },
  {
    description:
      'OIDCIdentityMatch specifies options for verifying the certificate identity, i.e. the issuer and the subject of the certificate.',
  },
);

const verifyDescription =
  'Verify contains the secret name containing the trusted public keys used to verify the signature and specifies which provider to use to check whether OCI image is authentic.';

/** The verification properties shared by OCIRepository and HelmChart (`OCIRepositoryVerification`). */
export const ociVerificationProperties = {
  provider: StringEnum(OCIVerificationProviders, {
    description: 'Provider specifies the technology used to sign the OCI Artifact.',
    default: 'cosign',
  }),
  secretRef: Type.Optional(localRef('SecretRef specifies the Kubernetes Secret containing the trusted public keys.')),
  matchOIDCIdentity: Type.Optional(
    Type.Array(OIDCIdentityMatch, {
      description:
        "MatchOIDCIdentity specifies the identity matching criteria to use while verifying an OCI artifact which was signed using Cosign keyless signing. The artifact's identity is deemed to be verified if any of the specified matchers match against the identity.",
    }),
  ),
};

/** `OCIRepository.spec`. */
export const OCIRepositorySpec = Type.Object(
  {
    url: Type.String({
      description: 'URL is a reference to an OCI artifact repository hosted on a remote container registry.',
      pattern: '^oci://.*$',
    }),
    ref: Type.Optional(
      Type.Object(
        {
          digest: Type.Optional(
            Type.String({
              description:
                "Digest is the image digest to pull, takes precedence over SemVer. The value should be in the format 'sha256:<HASH>'.",
            }),
          ),
          semver: Type.Optional(
            Type.String({
              description:
                'SemVer is the range of tags to pull selecting the latest within the range, takes precedence over Tag.',
            }),
          ),
          semverFilter: Type.Optional(
            Type.String({ description: 'SemverFilter is a regex pattern to filter the tags within the SemVer range.' }),
          ),
          tag: Type.Optional(Type.String({ description: 'Tag is the image tag to pull, defaults to latest.' })),
        },
        { description: 'The OCI reference to pull and monitor for changes, defaults to the latest tag.' },
      ),
    ),
    layerSelector: Type.Optional(OCILayerSelector),
    provider: Type.Optional(
      StringEnum(OCIProviders, {
        description:
          "The provider used for authentication, can be 'aws', 'azure', 'gcp' or 'generic'. When not specified, defaults to 'generic'.",
        default: 'generic',
      }),
    ),
    secretRef: Type.Optional(
      localRef(
        'SecretRef contains the secret name containing the registry login credentials to resolve image metadata. The secret must be of type kubernetes.io/dockerconfigjson.',
      ),
    ),
    verify: Type.Optional(
      Type.Object(
        {
          ...ociVerificationProperties,
          trustedRootSecretRef: Type.Optional(
            localRef(
              'TrustedRootSecretRef specifies the Kubernetes Secret containing a Sigstore trusted_root.json file. This enables verification against self-hosted Sigstore infrastructure (custom Fulcio CA, self-hosted Rekor instance). The Secret must contain a key named "trusted_root.json".',
            ),
          ),
        },
        { description: verifyDescription },
      ),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        description:
          'ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate the image pull if the service account has attached pull secrets.',
      }),
    ),
    certSecretRef: Type.Optional(
      localRef(
        'CertSecretRef can be given the name of a Secret containing either or both of a PEM-encoded client certificate (`tls.crt`) and private key (`tls.key`); a PEM-encoded CA certificate (`ca.crt`) and whichever are supplied, will be used for connecting to the registry. The Secret must be of type `Opaque` or `kubernetes.io/tls`.',
      ),
    ),
    proxySecretRef: Type.Optional(
      localRef(
        'ProxySecretRef specifies the Secret containing the proxy configuration to use while communicating with the container registry.',
      ),
    ),
    interval: Duration({
      description:
        'Interval at which the OCIRepository URL is checked for updates. This interval is approximate and may be subject to jitter to ensure efficient use of resources.',
    }),
    timeout: Type.Optional(
      SourceTimeout({
        description: 'The timeout for remote OCI Repository operations like pulling, defaults to 60s.',
        default: '60s',
      }),
    ),
    ignore: Type.Optional(
      Type.String({
        description:
          'Ignore overrides the set of excluded patterns in the .sourceignore format (which is the same as .gitignore). If not provided, a default will be used, consult the documentation for your version to find out what those are.',
      }),
    ),
    insecure: Type.Optional(
      Type.Boolean({ description: 'Insecure allows connecting to a non-TLS HTTP container registry.' }),
    ),
    suspend: Type.Optional(
      Type.Boolean({ description: 'This flag tells the controller to suspend the reconciliation of this source.' }),
    ),
  },
  { description: 'OCIRepositorySpec defines the desired state of OCIRepository' },
);
/** `OCIRepository.spec`. */
export type OCIRepositorySpec = Static<typeof OCIRepositorySpec>;

/** `OCIRepository.status`. */
export const OCIRepositoryStatus = statusObject(
  {
    ...commonStatusProperties('OCIRepository'),
    url: Type.Optional(
      Type.String({ description: 'URL is the download link for the artifact output of the last OCI Repository sync.' }),
    ),
    artifact: Type.Optional(
      sourceArtifact('Artifact represents the output of the last successful OCI Repository sync.'),
    ),
    observedIgnore: Type.Optional(
      Type.String({
        description: 'ObservedIgnore is the observed exclusion patterns used for constructing the source artifact.',
      }),
    ),
    observedLayerSelector: Type.Optional(
      Described(
        OCILayerSelector,
        'ObservedLayerSelector is the observed layer selector used for constructing the source artifact.',
      ),
    ),
    // --- legacy fields ---
    contentConfigChecksum: Type.Optional(
      Type.String({
        description: 'Deprecated (v1beta2): checksum of the content configuration; replaced by the observed* fields.',
      }),
    ),
  },
  'OCIRepositoryStatus defines the observed state of OCIRepository',
);
/** `OCIRepository.status`. */
export type OCIRepositoryStatus = Static<typeof OCIRepositoryStatus>;

/** An OCIRepository object. */
export type OCIRepository = FluxObject<OCIRepositorySpec, OCIRepositoryStatus>;

const legacyFields: readonly LegacyField[] = [
  {
    path: 'status.contentConfigChecksum',
    versions: ['v1beta2'],
    handling: 'ignored: replaced by the status.observed* fields',
  },
  ...artifactChecksumLegacy(['status.artifact.checksum']).map((f) => ({ ...f, versions: ['v1beta2'] })),
];

/** The OCIRepository kind. */
export const OCIRepositoryDefinition: KindDefinition<typeof OCIRepositorySpec, typeof OCIRepositoryStatus> = {
  group: SourceGroup,
  kind: 'OCIRepository',
  component: 'source-controller',
  listKind: 'OCIRepositoryList',
  plural: 'ocirepositories',
  singular: 'ocirepository',
  scope: 'Namespaced',
  shortNames: ['ocirepo'],
  categories: SourceCategories,
  description: 'OCIRepository is the Schema for the ocirepositories API',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta2', 'OCIRepository') },
  ],
  spec: OCIRepositorySpec,
  status: OCIRepositoryStatus,
  specRequired: true,
  printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, readyColumn, statusColumn, ageColumn],
  legacyFields,
};

/** Maps an OCIRepository of any served version to `source.toolkit.fluxcd.io/v1`, warning about each legacy field. */
export function normalizeOCIRepository(obj: unknown): NormalizeResult<OCIRepository> {
  const warnings: string[] = [];
  const { out } = beginNormalize('OCIRepository', obj, warnings);
  const status = out['status'];
  if (isObject(status)) {
    dropField(
      status,
      'contentConfigChecksum',
      'status.contentConfigChecksum',
      'replaced by the status.observed* fields',
      warnings,
    );
    normalizeArtifactChecksum(status['artifact'], 'status.artifact', warnings);
  }
  return { object: out as unknown as OCIRepository, warnings };
}
