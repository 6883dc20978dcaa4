/**
 * ImageUpdateAutomation — `image.toolkit.fluxcd.io/v1`, reconciled by image-automation-controller (served
 * also as deprecated v1beta2, v1beta1, v1alpha2 and v1alpha1).
 *
 * v1alpha1 described the Git side at the top of the spec (`spec.checkout.{gitRepositoryRef,branch}`,
 * `spec.commit.{authorName,authorEmail,signingKey,messageTemplate}`, `spec.push.branch`); v1alpha2 moved it
 * to `spec.sourceRef` + `spec.git.{checkout.ref,commit.author,push}`, the shape v1 still has.
 * `normalizeImageUpdateAutomation()` maps the v1alpha1 shape onto the current one.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  MapOf,
  Obj,
  StringEnum,
  StringMap,
  type KindDefinition,
  type LegacyField,
  type NormalizeResult,
} from '../define.ts';
import { Condition, Duration, LocalObjectReference, ReconcileRequestStatus, type ObjectMeta } from '../meta/index.ts';
import {
  childObject,
  copyStoredObject,
  deprecationWarning,
  isObject,
  LegacyWarnings,
  take,
  described,
} from '../notification/legacy.ts';
import { ImageLabelSelector, ImageRef } from './common.ts';
import {
  ImageGroup,
  ImageGroupVersion,
  ImageUpdateSourceKinds,
  SigningKeyTypes,
  UpdateStrategies,
} from './constants.ts';

const signingKey = (description: string) =>
  Obj(
    {
      secretRef: described(
        LocalObjectReference,
        "SecretRef references a Secret containing the signing key. For type\n'gpg', the Secret must contain a 'git.asc' (ASCII-armored OpenPGP\nkeypair) and may contain a 'passphrase'. For type 'ssh', the Secret\nmust contain an 'identity' and may contain a 'password'.",
      ),
      type: Type.Optional(
        StringEnum(SigningKeyTypes, {
          description:
            "Type selects the signing-key format expected in the referenced\nSecret. When empty, the controller defaults to 'gpg'.",
        }),
      ),
    },
    { description },
  );

/** `ImageUpdateAutomation.spec`: the Git source, how to commit and push, which policies and files to update. */
export const ImageUpdateAutomationSpec = Obj(
  {
    checkout: Type.Optional(
      Obj(
        {
          branch: Type.Optional(
            Type.String({ description: 'Branch gives the branch to clone from the git repository (v1alpha1).' }),
          ),
          gitRepositoryRef: described(
            LocalObjectReference,
            'GitRepositoryRef refers to the resource giving access details\nto a git repository to update files in (v1alpha1).',
          ),
        },
        { description: 'Deprecated (v1alpha1): use spec.sourceRef and spec.git.checkout.' },
      ),
    ),
    commit: Type.Optional(
      Obj(
        {
          authorEmail: Type.Optional(
            Type.String({ description: 'AuthorEmail gives the email to provide when making a commit (v1alpha1).' }),
          ),
          authorName: Type.Optional(
            Type.String({ description: 'AuthorName gives the name to provide when making a commit (v1alpha1).' }),
          ),
          messageTemplate: Type.Optional(
            Type.String({ description: 'MessageTemplate provides a template for the commit message (v1alpha1).' }),
          ),
          signingKey: Type.Optional(
            signingKey('SigningKey provides the option to sign commits with a GPG key (v1alpha1).'),
          ),
        },
        { description: 'Deprecated (v1alpha1): use spec.git.commit.' },
      ),
    ),
    git: Type.Optional(
      Obj(
        {
          checkout: Type.Optional(
            Obj(
              {
                ref: Obj(
                  {
                    branch: Type.Optional(
                      Type.String({
                        description: "Branch to check out, defaults to 'master' if no other field is defined.",
                      }),
                    ),
                    commit: Type.Optional(
                      Type.String({
                        description:
                          'Commit SHA to check out, takes precedence over all reference fields.\n\nThis can be combined with Branch to shallow clone the branch, in which\nthe commit is expected to exist.',
                      }),
                    ),
                    name: Type.Optional(
                      Type.String({
                        description:
                          'Name of the reference to check out; takes precedence over Branch, Tag and SemVer.\n\nIt must be a valid Git reference: https://git-scm.com/docs/git-check-ref-format#_description\nExamples: "refs/heads/main", "refs/tags/v0.1.0", "refs/pull/420/head", "refs/merge-requests/1/head"',
                      }),
                    ),
                    semver: Type.Optional(
                      Type.String({ description: 'SemVer tag expression to check out, takes precedence over Tag.' }),
                    ),
                    tag: Type.Optional(Type.String({ description: 'Tag to check out, takes precedence over Branch.' })),
                  },
                  { description: 'Reference gives a branch, tag or commit to clone from the Git\nrepository.' },
                ),
              },
              {
                description:
                  'Checkout gives the parameters for cloning the git repository,\nready to make changes. If not present, the `spec.ref` field from the\nreferenced `GitRepository` or its default will be used.',
              },
            ),
          ),
          commit: Obj(
            {
              author: Obj(
                {
                  email: Type.String({ description: 'Email gives the email to provide when making a commit.' }),
                  name: Type.Optional(
                    Type.String({ description: 'Name gives the name to provide when making a commit.' }),
                  ),
                },
                { description: 'Author gives the email and optionally the name to use as the\nauthor of commits.' },
              ),
              messageTemplate: Type.Optional(
                Type.String({
                  description:
                    'MessageTemplate provides a template for the commit message,\ninto which will be interpolated the details of the change made.\nNote: The `Updated` template field has been removed. Use `Changed` instead.',
                }),
              ),
              messageTemplateValues: Type.Optional(
                StringMap({
                  description:
                    'MessageTemplateValues provides additional values to be available to the\ntemplating rendering.',
                }),
              ),
              signingKey: Type.Optional(
                signingKey(
                  'SigningKey provides the option to sign commits with an OpenPGP or\nSSH signing key, referenced from a Secret.',
                ),
              ),
            },
            { description: 'Commit specifies how to commit to the git repository.' },
          ),
          push: Type.Optional(
            Obj(
              {
                branch: Type.Optional(
                  Type.String({
                    description:
                      "Branch specifies that commits should be pushed to the branch\nnamed. The branch is created using `.spec.checkout.branch` as the\nstarting point, if it doesn't already exist.",
                  }),
                ),
                options: Type.Optional(
                  MapOf(Type.String(), {
                    description:
                      'Options specifies the push options that are sent to the Git\nserver when performing a push operation.',
                  }),
                ),
                refspec: Type.Optional(
                  Type.String({
                    description:
                      'Refspec specifies the Git Refspec to use for a push operation.\nIf both Branch and Refspec are provided, then the commit is pushed\nto the branch and also using the specified refspec.',
                  }),
                ),
              },
              {
                description:
                  'Push specifies how and where to push commits made by the\nautomation. If missing, commits are pushed (back) to\n`.spec.checkout.branch` or its default.',
              },
            ),
          ),
        },
        {
          description:
            'GitSpec contains all the git-specific definitions. This is\ntechnically optional, but in practice mandatory until there are\nother kinds of source allowed.',
        },
      ),
    ),
    interval: Duration({
      description: 'Interval gives an lower bound for how often the automation\nrun should be attempted.',
    }),
    policySelector: Type.Optional(ImageLabelSelector),
    push: Type.Optional(
      Obj(
        {
          branch: Type.Optional(
            Type.String({
              description: 'Branch specifies that commits should be pushed to the branch named (v1alpha1).',
            }),
          ),
        },
        { description: 'Deprecated (v1alpha1): use spec.git.push.' },
      ),
    ),
    sourceRef: Type.Optional(
      Obj(
        {
          apiVersion: Type.Optional(Type.String({ description: 'API version of the referent.' })),
          kind: StringEnum(ImageUpdateSourceKinds, { description: 'Kind of the referent.', default: 'GitRepository' }),
          name: Type.String({ description: 'Name of the referent.' }),
          namespace: Type.Optional(
            Type.String({
              description:
                'Namespace of the referent, defaults to the namespace of the Kubernetes resource object that contains the reference.',
            }),
          ),
        },
        { description: 'SourceRef refers to the resource giving access details\nto a git repository.' },
      ),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description:
          'Suspend tells the controller to not run this automation, until\nit is unset (or set to false). Defaults to false.',
      }),
    ),
    update: Type.Optional(
      Obj(
        {
          path: Type.Optional(
            Type.String({
              description:
                "Path to the directory containing the manifests to be updated.\nDefaults to 'None', which translates to the root path\nof the GitRepositoryRef.",
            }),
          ),
          strategy: Type.Optional(
            StringEnum(UpdateStrategies, {
              description: 'Strategy names the strategy to be used.',
              default: 'Setters',
            }),
          ),
        },
        {
          description:
            'Update gives the specification for how to update the files in\nthe repository. This can be left empty, to use the default\nvalue.',
          default: { strategy: 'Setters' },
        },
      ),
    ),
  },
  {
    description: 'ImageUpdateAutomationSpec defines the desired state of ImageUpdateAutomation',
    'x-kubernetes-validations': [
      // v1 requires sourceRef; the shared schema also accepts the v1alpha1 spec.checkout in its place
      { rule: 'has(self.sourceRef) || has(self.checkout)', message: 'spec.sourceRef is required' },
    ],
  },
);

/** `ImageUpdateAutomation.status`: the last run, the last push and what it was computed from. */
export const ImageUpdateAutomationStatus = Obj(
  {
    conditions: Type.Optional(Type.Array(Condition)),
    lastAutomationRunTime: Type.Optional(
      Type.String({
        description:
          'LastAutomationRunTime records the last time the controller ran\nthis automation through to completion (even if no updates were\nmade).',
        format: 'date-time',
      }),
    ),
    ...ReconcileRequestStatus,
    lastPushCommit: Type.Optional(
      Type.String({
        description:
          'LastPushCommit records the SHA1 of the last commit made by the\ncontroller, for this automation object',
      }),
    ),
    lastPushTime: Type.Optional(
      Type.String({ description: 'LastPushTime records the time of the last pushed change.', format: 'date-time' }),
    ),
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64' })),
    observedPolicies: Type.Optional(
      MapOf(ImageRef, {
        description:
          'ObservedPolicies is the list of observed ImagePolicies that were\nconsidered by the ImageUpdateAutomation update process.',
      }),
    ),
    observedSourceRevision: Type.Optional(
      Type.String({
        description:
          'ObservedSourceRevision is the last observed source revision. This can be\nused to determine if the source has been updated since last observation.',
      }),
    ),
  },
  {
    description: 'ImageUpdateAutomationStatus defines the observed state of ImageUpdateAutomation',
    default: { observedGeneration: -1 },
  },
);

/** `ImageUpdateAutomation.spec` as a TypeScript type. */
export type ImageUpdateAutomationSpec = Static<typeof ImageUpdateAutomationSpec>;

/** `ImageUpdateAutomation.status` as a TypeScript type. */
export type ImageUpdateAutomationStatus = Static<typeof ImageUpdateAutomationStatus>;

/** An ImageUpdateAutomation object (any served version, normalized to v1 by `normalizeImageUpdateAutomation`). */
export interface ImageUpdateAutomation {
  apiVersion: string;
  kind: 'ImageUpdateAutomation';
  metadata: ObjectMeta;
  spec: ImageUpdateAutomationSpec;
  status?: ImageUpdateAutomationStatus;
}

const v1alpha1 = ['v1alpha1'];

const imageUpdateAutomationLegacyFields: readonly LegacyField[] = [
  {
    path: 'spec.checkout.gitRepositoryRef',
    versions: v1alpha1,
    handling: 'mapped to spec.sourceRef {kind: GitRepository, name} (when sourceRef is unset)',
  },
  { path: 'spec.checkout.branch', versions: v1alpha1, handling: 'mapped to spec.git.checkout.ref.branch' },
  { path: 'spec.commit.authorName', versions: v1alpha1, handling: 'mapped to spec.git.commit.author.name' },
  { path: 'spec.commit.authorEmail', versions: v1alpha1, handling: 'mapped to spec.git.commit.author.email' },
  { path: 'spec.commit.signingKey', versions: v1alpha1, handling: 'mapped to spec.git.commit.signingKey' },
  { path: 'spec.commit.messageTemplate', versions: v1alpha1, handling: 'mapped to spec.git.commit.messageTemplate' },
  { path: 'spec.push.branch', versions: v1alpha1, handling: 'mapped to spec.git.push.branch' },
];

/** The legacy versions of ImageUpdateAutomation, newest first. */
export const ImageAutomationLegacyVersions = ['v1beta2', 'v1beta1', 'v1alpha2', 'v1alpha1'] as const;

/** The ImageUpdateAutomation kind. */
export const ImageUpdateAutomationDefinition: KindDefinition<
  typeof ImageUpdateAutomationSpec,
  typeof ImageUpdateAutomationStatus
> = {
  group: ImageGroup,
  kind: 'ImageUpdateAutomation',
  component: 'image-automation-controller',
  listKind: 'ImageUpdateAutomationList',
  plural: 'imageupdateautomations',
  singular: 'imageupdateautomation',
  scope: 'Namespaced',
  shortNames: ['iua', 'imgupd', 'imgauto'],
  categories: ['all', 'fluxcd', 'fluxcd-images'],
  description: 'ImageUpdateAutomation is the Schema for the imageupdateautomations API',
  versions: [
    { name: 'v1', storage: true },
    ...ImageAutomationLegacyVersions.map((v) => ({
      name: v,
      storage: false,
      deprecationWarning: deprecationWarning(v, 'ImageUpdateAutomation', 'v1'),
    })),
  ],
  spec: ImageUpdateAutomationSpec,
  status: ImageUpdateAutomationStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
    { name: 'Last run', type: 'string', jsonPath: '.status.lastAutomationRunTime', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  legacyFields: imageUpdateAutomationLegacyFields,
};

/** Moves `from[fromKey]` to `to[toKey]` unless `to` already has a value; returns whether `from` had it. */
function moveField(
  from: Record<string, unknown>,
  fromKey: string,
  to: () => Record<string, unknown>,
  toKey: string,
): boolean {
  const value = take(from, fromKey);
  if (value === undefined) return false;
  const target = to();
  if (target[toKey] === undefined) target[toKey] = value;
  return true;
}

/**
 * Maps a stored ImageUpdateAutomation of any served version to v1: the v1alpha1 `spec.checkout`,
 * `spec.commit` and `spec.push` move to `spec.sourceRef` and `spec.git`. Values already present in the
 * current fields win. One warning per legacy field found.
 */
export function normalizeImageUpdateAutomation(obj: unknown): NormalizeResult<ImageUpdateAutomation> {
  const out = copyStoredObject('ImageUpdateAutomation', obj);
  const warnings = new LegacyWarnings('ImageUpdateAutomation', imageUpdateAutomationLegacyFields);
  const spec = out['spec'] as Record<string, unknown>;
  const git = () => childObject(spec, 'git');
  const commit = () => childObject(git(), 'commit');

  const checkout = take(spec, 'checkout');
  if (isObject(checkout)) {
    const ref = take(checkout, 'gitRepositoryRef');
    if (ref !== undefined) {
      if (spec['sourceRef'] === undefined && isObject(ref) && typeof ref['name'] === 'string') {
        spec['sourceRef'] = { kind: 'GitRepository', name: ref['name'] };
      }
      warnings.add('spec.checkout.gitRepositoryRef');
    }
    if (moveField(checkout, 'branch', () => childObject(childObject(git(), 'checkout'), 'ref'), 'branch')) {
      warnings.add('spec.checkout.branch');
    }
  }

  const legacyCommit = take(spec, 'commit');
  if (isObject(legacyCommit)) {
    if (moveField(legacyCommit, 'authorName', () => childObject(commit(), 'author'), 'name'))
      warnings.add('spec.commit.authorName');
    if (moveField(legacyCommit, 'authorEmail', () => childObject(commit(), 'author'), 'email'))
      warnings.add('spec.commit.authorEmail');
    if (moveField(legacyCommit, 'signingKey', commit, 'signingKey')) warnings.add('spec.commit.signingKey');
    if (moveField(legacyCommit, 'messageTemplate', commit, 'messageTemplate'))
      warnings.add('spec.commit.messageTemplate');
  }

  const legacyPush = take(spec, 'push');
  if (isObject(legacyPush) && moveField(legacyPush, 'branch', () => childObject(git(), 'push'), 'branch')) {
    warnings.add('spec.push.branch');
  }

  out['apiVersion'] = ImageGroupVersion;
  out['kind'] = 'ImageUpdateAutomation';
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { object: out as unknown as ImageUpdateAutomation, warnings: warnings.lines };
}
