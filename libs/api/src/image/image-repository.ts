/**
 * ImageRepository — `image.toolkit.fluxcd.io/v1`, reconciled by image-reflector-controller (served also as
 * deprecated v1beta2, v1beta1, v1alpha2 and v1alpha1). No field of an older version was removed, so
 * `normalizeImageRepository()` only moves the object to v1.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import {
  Condition,
  Duration,
  LocalObjectReference,
  ReconcileRequestStatus,
  SourceTimeoutPattern,
  type ObjectMeta,
} from '../meta/index.ts';
import { copyStoredObject, deprecationWarning, isObject, LegacyWarnings, described } from '../notification/legacy.ts';
import { ImageAccessFrom } from './common.ts';
import {
  DefaultImageExclusionList,
  ImageGroup,
  ImageGroupVersion,
  ImageRepositoryProviders,
  MaxImageExclusionListItems,
} from './constants.ts';

/** Duration pattern of `spec.timeout` fields of the image kinds (no hours, as upstream). */
export const ImageTimeoutPattern = SourceTimeoutPattern;

/** `ImageRepository.spec`: which image repository to scan, how often and with which credentials. */
export const ImageRepositorySpec = Obj(
  {
    accessFrom: Type.Optional(ImageAccessFrom),
    certSecretRef: Type.Optional(
      described(
        LocalObjectReference,
        'CertSecretRef can be given the name of a Secret containing\neither or both of a PEM-encoded client certificate (`tls.crt`) and private\nkey (`tls.key`), and a PEM-encoded CA certificate (`ca.crt`).',
      ),
    ),
    exclusionList: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'ExclusionList is a list of regex strings used to exclude certain tags\nfrom being stored in the database.',
        default: [...DefaultImageExclusionList],
        maxItems: MaxImageExclusionListItems,
      }),
    ),
    image: Type.String({ description: 'Image is the name of the image repository' }),
    insecure: Type.Optional(
      Type.Boolean({ description: 'Insecure allows connecting to a non-TLS HTTP container registry.' }),
    ),
    interval: Duration({
      description: 'Interval is the length of time to wait between\nscans of the image repository.',
    }),
    provider: Type.Optional(
      StringEnum(ImageRepositoryProviders, {
        description:
          "The provider used for authentication, can be 'aws', 'azure', 'gcp' or 'generic'.\nWhen not specified, defaults to 'generic'.",
        default: 'generic',
      }),
    ),
    proxySecretRef: Type.Optional(
      described(
        LocalObjectReference,
        'ProxySecretRef specifies the Secret containing the proxy configuration\nto use while communicating with the container registry.',
      ),
    ),
    secretRef: Type.Optional(
      described(
        LocalObjectReference,
        'SecretRef can be given the name of a secret containing\ncredentials to use for the image registry. The secret should be\ncreated with `kubectl create secret docker-registry`, or the\nequivalent.',
      ),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        description:
          'ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate\nthe image pull if the service account has attached pull secrets.',
        maxLength: 253,
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description:
          'This flag tells the controller to suspend subsequent image scans.\nIt does not apply to already started scans. Defaults to false.',
      }),
    ),
    timeout: Type.Optional(
      Type.String({
        description: "Timeout for image scanning.\nDefaults to 'Interval' duration.",
        pattern: ImageTimeoutPattern,
      }),
    ),
  },
  { description: 'ImageRepositorySpec defines the parameters for scanning an image\nrepository, e.g., `fluxcd/flux`.' },
);

/** `ImageRepository.status`: canonical name and the result of the last scan. */
export const ImageRepositoryStatus = Obj(
  {
    canonicalImageName: Type.Optional(
      Type.String({
        description:
          'CanonicalName is the name of the image repository with all the\nimplied bits made explicit; e.g., `docker.io/library/alpine`\nrather than `alpine`.',
      }),
    ),
    conditions: Type.Optional(Type.Array(Condition)),
    ...ReconcileRequestStatus,
    lastScanResult: Type.Optional(
      Obj(
        {
          latestTags: Type.Optional(
            Type.Array(Type.String(), {
              description:
                "LatestTags is a small sample of the tags found in the last scan.\nIt's the first 10 tags when sorting all the tags in descending\nalphabetical order.",
            }),
          ),
          revision: Type.Optional(Type.String({ description: 'Revision is a stable hash of the scanned tags.' })),
          scanTime: Type.Optional(
            Type.String({ description: 'ScanTime is the time when the last scan was performed.', format: 'date-time' }),
          ),
          tagCount: Type.Integer({ description: 'TagCount is the number of tags found in the last scan.' }),
        },
        { description: 'LastScanResult contains the number of fetched tags.' },
      ),
    ),
    observedExclusionList: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'ObservedExclusionList is a list of observed exclusion list. It reflects\nthe exclusion rules used for the observed scan result in\nspec.lastScanResult.',
      }),
    ),
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'ObservedGeneration is the last reconciled generation.', format: 'int64' }),
    ),
  },
  {
    description: 'ImageRepositoryStatus defines the observed state of ImageRepository',
    default: { observedGeneration: -1 },
  },
);

/** `ImageRepository.spec` as a TypeScript type. */
export type ImageRepositorySpec = Static<typeof ImageRepositorySpec>;

/** `ImageRepository.status` as a TypeScript type. */
export type ImageRepositoryStatus = Static<typeof ImageRepositoryStatus>;

/** An ImageRepository object (any served version, normalized to v1 by `normalizeImageRepository`). */
export interface ImageRepository {
  apiVersion: string;
  kind: 'ImageRepository';
  metadata: ObjectMeta;
  spec: ImageRepositorySpec;
  status?: ImageRepositoryStatus;
}

/** Every field of every older ImageRepository version still exists in v1: nothing to map. */
const imageRepositoryLegacyFields: readonly LegacyField[] = [];

/** The legacy versions of the image-reflector kinds, newest first. */
export const ImageReflectorLegacyVersions = ['v1beta2', 'v1beta1', 'v1alpha2', 'v1alpha1'] as const;

/** The ImageRepository kind. */
export const ImageRepositoryDefinition: KindDefinition<typeof ImageRepositorySpec, typeof ImageRepositoryStatus> = {
  group: ImageGroup,
  kind: 'ImageRepository',
  component: 'image-reflector-controller',
  listKind: 'ImageRepositoryList',
  plural: 'imagerepositories',
  singular: 'imagerepository',
  scope: 'Namespaced',
  shortNames: ['imgrepo', 'imagerepo'],
  categories: ['all', 'fluxcd', 'fluxcd-images'],
  description: 'ImageRepository is the Schema for the imagerepositories API',
  versions: [
    { name: 'v1', storage: true },
    ...ImageReflectorLegacyVersions.map((v) => ({
      name: v,
      storage: false,
      deprecationWarning: deprecationWarning(v, 'ImageRepository', 'v1'),
    })),
  ],
  spec: ImageRepositorySpec,
  status: ImageRepositoryStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Image', type: 'string', jsonPath: '.spec.image' },
    { name: 'Tags', type: 'string', jsonPath: '.status.lastScanResult.tagCount' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
    { name: 'Last scan', type: 'string', jsonPath: '.status.lastScanResult.scanTime', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  legacyFields: imageRepositoryLegacyFields,
};

/** Maps a stored ImageRepository of any served version to v1 (no field needs mapping; never warns). */
export function normalizeImageRepository(obj: unknown): NormalizeResult<ImageRepository> {
  const out = copyStoredObject('ImageRepository', obj);
  const warnings = new LegacyWarnings('ImageRepository', imageRepositoryLegacyFields);
  out['apiVersion'] = ImageGroupVersion;
  out['kind'] = 'ImageRepository';
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { object: out as unknown as ImageRepository, warnings: warnings.lines };
}
