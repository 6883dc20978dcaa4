/**
 * ImagePolicy — `image.toolkit.fluxcd.io/v1`, reconciled by image-reflector-controller (served also as
 * deprecated v1beta2, v1beta1, v1alpha2 and v1alpha1). `spec.imageRepositoryRef` kept its shape (v1alpha*
 * had only `name`); the string `status.latestImage`/`observedPreviousImage` became `latestRef`/`observedPreviousRef`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import {
  Condition,
  Duration,
  NamespacedObjectReference,
  ReconcileRequestStatus,
  type ObjectMeta,
} from '../meta/index.ts';
import {
  copyStoredObject,
  deprecationWarning,
  isObject,
  LegacyWarnings,
  take,
  described,
} from '../notification/legacy.ts';
import { ImageRef, parseImageString } from './common.ts';
import { DigestReflectionPolicies, ImageGroup, ImageGroupVersion, ImagePolicyOrders } from './constants.ts';
import { ImageReflectorLegacyVersions } from './image-repository.ts';

const orderPolicy = (description: string) =>
  Obj(
    {
      order: Type.Optional(
        StringEnum(ImagePolicyOrders, {
          description: `Order specifies the sorting order of the tags. ${description}`,
          default: 'asc',
        }),
      ),
    },
    {},
  );

/** `ImagePolicy.spec`: which ImageRepository, how to filter its tags and how to pick the latest. */
export const ImagePolicySpec = Obj(
  {
    digestReflectionPolicy: Type.Optional(
      StringEnum(
        [
          DigestReflectionPolicies.Always,
          DigestReflectionPolicies.IfNotPresent,
          DigestReflectionPolicies.Never,
        ] as const,
        {
          description:
            'DigestReflectionPolicy governs the setting of the `.status.latestRef.digest` field.\n\nNever: The digest field will always be set to the empty string.\n\nIfNotPresent: The digest field will be set to the digest of the elected\nlatest image if the field is empty and the image did not change.\n\nAlways: The digest field will always be set to the digest of the elected\nlatest image.\n\nDefault: Never.',
          default: DigestReflectionPolicies.Never,
        },
      ),
    ),
    filterTags: Type.Optional(
      Obj(
        {
          extract: Type.Optional(
            Type.String({
              description:
                'Extract allows a capture group to be extracted from the specified regular\nexpression pattern, useful before tag evaluation.',
            }),
          ),
          pattern: Type.Optional(
            Type.String({
              description: 'Pattern specifies a regular expression pattern used to filter for image\ntags.',
            }),
          ),
        },
        {
          description:
            'FilterTags enables filtering for only a subset of tags based on a set of\nrules. If no rules are provided, all the tags from the repository will be\nordered and compared.',
        },
      ),
    ),
    imageRepositoryRef: described(
      NamespacedObjectReference,
      'ImageRepositoryRef points at the object specifying the image\nbeing scanned',
    ),
    interval: Type.Optional(
      Duration({
        description:
          'Interval is the length of time to wait between\nrefreshing the digest of the latest tag when the\nreflection policy is set to "Always".\n\nDefaults to 10m.',
      }),
    ),
    policy: Obj(
      {
        alphabetical: Type.Optional(
          described(
            orderPolicy(
              'Given the letters of the\nalphabet as tags, ascending order would select Z, and descending order\nwould select A.',
            ),
            'Alphabetical set of rules to use for alphabetical ordering of the tags.',
          ),
        ),
        numerical: Type.Optional(
          described(
            orderPolicy(
              'Given the integer values\nfrom 0 to 9 as tags, ascending order would select 9, and descending order\nwould select 0.',
            ),
            'Numerical set of rules to use for numerical ordering of the tags.',
          ),
        ),
        semver: Type.Optional(
          Obj(
            {
              range: Type.String({
                description:
                  "Range gives a semver range for the image tag; the highest\nversion within the range that's a tag yields the latest image.",
              }),
            },
            { description: 'SemVer gives a semantic version range to check against the tags\navailable.' },
          ),
        ),
      },
      {
        description: 'Policy gives the particulars of the policy to be followed in\nselecting the most recent image',
      },
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description:
          'This flag tells the controller to suspend subsequent policy reconciliations.\nIt does not apply to already started reconciliations. Defaults to false.',
      }),
    ),
  },
  {
    description: 'ImagePolicySpec defines the parameters for calculating the\nImagePolicy.',
    'x-kubernetes-validations': [
      {
        rule: "!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')",
        message: "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
      },
      {
        rule: "has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'",
        message: "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
      },
    ],
  },
);

/** `ImagePolicy.status`: the elected image (and the previous one). */
export const ImagePolicyStatus = Obj(
  {
    conditions: Type.Optional(Type.Array(Condition)),
    ...ReconcileRequestStatus,
    latestImage: Type.Optional(
      Type.String({
        description:
          'LatestImage gives the first in the list of images scanned by\nthe image repository, when filtered and ordered according to\nthe policy.\nDeprecated: Replaced by the composite "latestRef" field.',
      }),
    ),
    latestRef: Type.Optional(
      described(
        ImageRef,
        'LatestRef gives the first in the list of images scanned by\nthe image repository, when filtered and ordered according\nto the policy.',
      ),
    ),
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64' })),
    observedPreviousImage: Type.Optional(
      Type.String({
        description:
          'ObservedPreviousImage is the observed previous LatestImage.\nDeprecated: Replaced by the composite "observedPreviousRef" field.',
      }),
    ),
    observedPreviousRef: Type.Optional(
      described(
        ImageRef,
        'ObservedPreviousRef is the observed previous LatestRef. It is used\nto keep track of the previous and current images.',
      ),
    ),
  },
  { description: 'ImagePolicyStatus defines the observed state of ImagePolicy', default: { observedGeneration: -1 } },
);

/** `ImagePolicy.spec` as a TypeScript type. */
export type ImagePolicySpec = Static<typeof ImagePolicySpec>;

/** `ImagePolicy.status` as a TypeScript type. */
export type ImagePolicyStatus = Static<typeof ImagePolicyStatus>;

/** An ImagePolicy object (any served version, normalized to v1 by `normalizeImagePolicy`). */
export interface ImagePolicy {
  apiVersion: string;
  kind: 'ImagePolicy';
  metadata: ObjectMeta;
  spec: ImagePolicySpec;
  status?: ImagePolicyStatus;
}

const imagePolicyLegacyFields: readonly LegacyField[] = [
  {
    path: 'status.latestImage',
    versions: ['v1alpha1', 'v1alpha2', 'v1beta1', 'v1beta2'],
    handling: 'mapped to status.latestRef {name, tag, digest} (when latestRef is unset)',
  },
  {
    path: 'status.observedPreviousImage',
    versions: ['v1beta2'],
    handling: 'mapped to status.observedPreviousRef {name, tag, digest} (when observedPreviousRef is unset)',
  },
];

/** The ImagePolicy kind. */
export const ImagePolicyDefinition: KindDefinition<typeof ImagePolicySpec, typeof ImagePolicyStatus> = {
  group: ImageGroup,
  kind: 'ImagePolicy',
  component: 'image-reflector-controller',
  listKind: 'ImagePolicyList',
  plural: 'imagepolicies',
  singular: 'imagepolicy',
  scope: 'Namespaced',
  shortNames: ['imgpol', 'imagepol'],
  categories: ['all', 'fluxcd', 'fluxcd-images'],
  description: 'ImagePolicy is the Schema for the imagepolicies API',
  versions: [
    { name: 'v1', storage: true },
    ...ImageReflectorLegacyVersions.map((v) => ({
      name: v,
      storage: false,
      deprecationWarning: deprecationWarning(v, 'ImagePolicy', 'v1'),
    })),
  ],
  spec: ImagePolicySpec,
  status: ImagePolicyStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Image', type: 'string', jsonPath: '.status.latestRef.name' },
    { name: 'Tag', type: 'string', jsonPath: '.status.latestRef.tag' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  legacyFields: imagePolicyLegacyFields,
};

/**
 * Maps a stored ImagePolicy of any served version to v1: the string `status.latestImage` and
 * `status.observedPreviousImage` become `latestRef` / `observedPreviousRef`. One warning per legacy field found.
 */
export function normalizeImagePolicy(obj: unknown): NormalizeResult<ImagePolicy> {
  const out = copyStoredObject('ImagePolicy', obj);
  const warnings = new LegacyWarnings('ImagePolicy', imagePolicyLegacyFields);

  const status = out['status'];
  if (isObject(status)) {
    for (const [legacy, current] of [
      ['latestImage', 'latestRef'],
      ['observedPreviousImage', 'observedPreviousRef'],
    ] as const) {
      const value = take(status, legacy);
      if (value === undefined) continue;
      if (status[current] === undefined && typeof value === 'string') {
        const ref = parseImageString(value);
        if (ref !== undefined) status[current] = ref;
      }
      warnings.add(`status.${legacy}`);
    }
  }

  out['apiVersion'] = ImageGroupVersion;
  out['kind'] = 'ImagePolicy';
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { object: out as unknown as ImagePolicy, warnings: warnings.lines };
}
