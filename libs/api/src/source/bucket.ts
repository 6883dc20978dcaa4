/**
 * Bucket (`source.toolkit.fluxcd.io/v1`, legacy `v1beta1`/`v1beta2`): produces an artifact from an S3-compatible,
 * GCS or Azure Blob bucket. Follows upstream source-controller (`api/v1/bucket_types.go`,
 * `config/crd/bases/source.toolkit.fluxcd.io_buckets.yaml`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Described, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import { Duration, SourceTimeout, type FluxObject } from '../meta/index.ts';
import {
  AccessFrom,
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

/** Bucket providers (`spec.provider`). */
export const BucketProviders = ['generic', 'aws', 'gcp', 'azure'] as const;
/** STS providers (`spec.sts.provider`). */
export const BucketSTSProviders = ['aws', 'ldap'] as const;

/** Bucket-specific condition reasons. */
export const BucketReasons = {
  BucketOperationSucceededReason: 'BucketOperationSucceeded',
  BucketOperationFailedReason: 'BucketOperationFailed',
} as const;

const certSecretRefDescription = (target: string, extra: string) =>
  `CertSecretRef can be given the name of a Secret containing either or both of a PEM-encoded client certificate (\`tls.crt\`) and private key (\`tls.key\`); a PEM-encoded CA certificate (\`ca.crt\`) and whichever are supplied, will be used for connecting to the ${target}. The Secret must be of type \`Opaque\` or \`kubernetes.io/tls\`. ${extra}`;

/** `Bucket.spec`. */
export const BucketSpec = Type.Object(
  {
    provider: Type.Optional(
      StringEnum(BucketProviders, {
        description:
          "Provider of the object storage bucket. Defaults to 'generic', which expects an S3 (API) compatible object storage.",
        default: 'generic',
      }),
    ),
    bucketName: Type.String({ description: 'BucketName is the name of the object storage bucket.' }),
    endpoint: Type.String({ description: 'Endpoint is the object storage address the BucketName is located at.' }),
    sts: Type.Optional(
      Type.Object(
        {
          provider: StringEnum(BucketSTSProviders, { description: 'Provider of the Security Token Service.' }),
          endpoint: Type.String({
            description:
              'Endpoint is the HTTP/S endpoint of the Security Token Service from where temporary credentials will be fetched.',
            pattern: '^(http|https)://.*$',
          }),
          secretRef: Type.Optional(
            localRef(
              'SecretRef specifies the Secret containing authentication credentials for the STS endpoint. This Secret must contain the fields `username` and `password` and is supported only for the `ldap` provider.',
            ),
          ),
          certSecretRef: Type.Optional(
            localRef(certSecretRefDescription('STS endpoint', 'This field is only supported for the `ldap` provider.')),
          ),
        },
        {
          description:
            'STS specifies the required configuration to use a Security Token Service for fetching temporary credentials to authenticate in a Bucket provider. This field is only supported for the `aws` and `generic` providers.',
        },
      ),
    ),
    insecure: Type.Optional(Type.Boolean({ description: 'Insecure allows connecting to a non-TLS HTTP Endpoint.' })),
    region: Type.Optional(Type.String({ description: 'Region of the Endpoint where the BucketName is located in.' })),
    prefix: Type.Optional(
      Type.String({ description: 'Prefix to use for server-side filtering of files in the Bucket.' }),
    ),
    secretRef: Type.Optional(
      localRef('SecretRef specifies the Secret containing authentication credentials for the Bucket.'),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        description:
          "ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate the bucket. This field is only supported for the 'gcp' and 'aws' providers.",
      }),
    ),
    certSecretRef: Type.Optional(
      localRef(certSecretRefDescription('bucket', 'This field is only supported for the `generic` provider.')),
    ),
    proxySecretRef: Type.Optional(
      localRef(
        'ProxySecretRef specifies the Secret containing the proxy configuration to use while communicating with the Bucket server.',
      ),
    ),
    interval: Duration({
      description:
        'Interval at which the Bucket Endpoint is checked for updates. This interval is approximate and may be subject to jitter to ensure efficient use of resources.',
    }),
    timeout: Type.Optional(
      SourceTimeout({ description: 'Timeout for fetch operations, defaults to 60s.', default: '60s' }),
    ),
    ignore: Type.Optional(
      Type.String({
        description:
          'Ignore overrides the set of excluded patterns in the .sourceignore format (which is the same as .gitignore). If not provided, a default will be used, consult the documentation for your version to find out what those are.',
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({ description: 'Suspend tells the controller to suspend the reconciliation of this Bucket.' }),
    ),
    // --- legacy fields (v1beta1/v1beta2), see BucketDefinition.legacyFields ---
    accessFrom: Type.Optional(
      Described(
        AccessFrom,
        'Deprecated (v1beta1, v1beta2): cross-namespace ACL; ignored, it was never implemented for Bucket.',
      ),
    ),
  },
  {
    description: 'BucketSpec specifies the required configuration to produce an Artifact for an object storage bucket.',
    'x-kubernetes-validations': [
      {
        rule: "self.provider == 'aws' || self.provider == 'generic' || !has(self.sts)",
        message: "STS configuration is only supported for the 'aws' and 'generic' Bucket providers",
      },
      {
        rule: "self.provider != 'aws' || !has(self.sts) || self.sts.provider == 'aws'",
        message: "'aws' is the only supported STS provider for the 'aws' Bucket provider",
      },
      {
        rule: "self.provider != 'generic' || !has(self.sts) || self.sts.provider == 'ldap'",
        message: "'ldap' is the only supported STS provider for the 'generic' Bucket provider",
      },
      {
        rule: "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.secretRef)",
        message: "spec.sts.secretRef is not required for the 'aws' STS provider",
      },
      {
        rule: "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.certSecretRef)",
        message: "spec.sts.certSecretRef is not required for the 'aws' STS provider",
      },
      {
        rule: "self.provider != 'generic' || !has(self.serviceAccountName)",
        message: "ServiceAccountName is not supported for the 'generic' Bucket provider",
      },
      {
        rule: '!has(self.secretRef) || !has(self.serviceAccountName)',
        message: 'cannot set both .spec.secretRef and .spec.serviceAccountName',
      },
    ],
  },
);
/** `Bucket.spec`. */
export type BucketSpec = Static<typeof BucketSpec>;

/** `Bucket.status`. */
export const BucketStatus = statusObject(
  {
    ...commonStatusProperties('Bucket'),
    url: Type.Optional(
      Type.String({
        description:
          'URL is the dynamic fetch link for the latest Artifact. It is provided on a "best effort" basis, and using the precise BucketStatus.Artifact data is recommended.',
      }),
    ),
    artifact: Type.Optional(sourceArtifact('Artifact represents the last successful Bucket reconciliation.')),
    observedIgnore: Type.Optional(
      Type.String({
        description: 'ObservedIgnore is the observed exclusion patterns used for constructing the source artifact.',
      }),
    ),
  },
  'BucketStatus records the observed state of a Bucket.',
);
/** `Bucket.status`. */
export type BucketStatus = Static<typeof BucketStatus>;

/** A Bucket object. */
export type Bucket = FluxObject<BucketSpec, BucketStatus>;

const legacyFields: readonly LegacyField[] = [
  {
    path: 'spec.accessFrom',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: cross-namespace ACL was never implemented for Bucket',
  },
  ...artifactChecksumLegacy(['status.artifact.checksum']),
];

/** The Bucket kind. */
export const BucketDefinition: KindDefinition<typeof BucketSpec, typeof BucketStatus> = {
  group: SourceGroup,
  kind: 'Bucket',
  component: 'source-controller',
  listKind: 'BucketList',
  plural: 'buckets',
  singular: 'bucket',
  scope: 'Namespaced',
  shortNames: [],
  categories: SourceCategories,
  description: 'Bucket is the Schema for the buckets API.',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta2', 'Bucket') },
    { name: 'v1beta1', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta1', 'Bucket') },
  ],
  spec: BucketSpec,
  status: BucketStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Endpoint', type: 'string', jsonPath: '.spec.endpoint' },
    ageColumn,
    readyColumn,
    statusColumn,
  ],
  legacyFields,
};

/** Maps a Bucket of any served version to `source.toolkit.fluxcd.io/v1`, warning about each legacy field. */
export function normalizeBucket(obj: unknown): NormalizeResult<Bucket> {
  const warnings: string[] = [];
  const { out, spec } = beginNormalize('Bucket', obj, warnings);
  dropField(spec, 'accessFrom', 'spec.accessFrom', 'cross-namespace ACL was never implemented for Bucket', warnings);
  const status = out['status'];
  if (isObject(status)) normalizeArtifactChecksum(status['artifact'], 'status.artifact', warnings);
  return { object: out as unknown as Bucket, warnings };
}
