/**
 * GitRepository (`source.toolkit.fluxcd.io/v1`, legacy `v1beta1`/`v1beta2`): produces an artifact from a Git
 * repository. Fields, enums, patterns, defaults and CEL rules follow upstream source-controller
 * (`api/v1/gitrepository_types.go`, `config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml`).
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

/** Git authentication providers (`spec.provider`). */
export const GitProviders = ['generic', 'aws', 'azure', 'github'] as const;
/** Git verification modes (`spec.verify.mode`); `head` is kept for backwards compatibility. */
export const GitVerificationModes = ['head', 'HEAD', 'Tag', 'TagAndHEAD'] as const;

/** GitRepository-specific condition reasons. */
export const GitRepositoryReasons = {
  GitOperationSucceedReason: 'GitOperationSucceeded',
  GitOperationFailedReason: 'GitOperationFailed',
} as const;

const GitRepositoryInclude = Type.Object(
  {
    fromPath: Type.Optional(
      Type.String({
        description: 'FromPath specifies the path to copy contents from, defaults to the root of the Artifact.',
      }),
    ),
    repository: localRef('GitRepositoryRef specifies the GitRepository which Artifact contents must be included.'),
    toPath: Type.Optional(
      Type.String({
        description: 'ToPath specifies the path to copy contents to, defaults to the name of the GitRepositoryRef.',
      }),
    ),
  },
  {
    description:
      'GitRepositoryInclude specifies a local reference to a GitRepository which Artifact (sub-)contents must be included, and where they should be placed.',
  },
);

/** `GitRepository.spec`. */
export const GitRepositorySpec = Type.Object(
  {
    url: Type.String({
      description: 'URL specifies the Git repository URL, it can be an HTTP/S or SSH address.',
      pattern: '^(http|https|ssh)://.*$',
    }),
    secretRef: Type.Optional(
      localRef(
        "SecretRef specifies the Secret containing authentication credentials for the GitRepository. For HTTPS repositories the Secret must contain 'username' and 'password' fields for basic auth or 'bearerToken' field for token auth. For SSH repositories the Secret must contain 'identity' and 'known_hosts' fields.",
      ),
    ),
    provider: Type.Optional(
      StringEnum(GitProviders, {
        description:
          "Provider used for authentication, can be 'aws', 'azure', 'github', 'generic'. When not specified, defaults to 'generic'.",
      }),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        description:
          "ServiceAccountName is the name of the Kubernetes ServiceAccount used to authenticate to the GitRepository. This field is only supported for 'azure' and 'aws' providers.",
      }),
    ),
    interval: Duration({
      description:
        'Interval at which the GitRepository URL is checked for updates. This interval is approximate and may be subject to jitter to ensure efficient use of resources.',
    }),
    timeout: Type.Optional(
      SourceTimeout({ description: 'Timeout for Git operations like cloning, defaults to 60s.', default: '60s' }),
    ),
    ref: Type.Optional(
      Type.Object(
        {
          branch: Type.Optional(
            Type.String({ description: "Branch to check out, defaults to 'master' if no other field is defined." }),
          ),
          tag: Type.Optional(Type.String({ description: 'Tag to check out, takes precedence over Branch.' })),
          semver: Type.Optional(
            Type.String({ description: 'SemVer tag expression to check out, takes precedence over Tag.' }),
          ),
          name: Type.Optional(
            Type.String({
              description:
                'Name of the reference to check out; takes precedence over Branch, Tag and SemVer. It must be a valid Git reference: https://git-scm.com/docs/git-check-ref-format#_description Examples: "refs/heads/main", "refs/tags/v0.1.0", "refs/pull/420/head", "refs/merge-requests/1/head"',
            }),
          ),
          commit: Type.Optional(
            Type.String({
              description:
                'Commit SHA to check out, takes precedence over all reference fields. This can be combined with Branch to shallow clone the branch, in which the commit is expected to exist.',
            }),
          ),
        },
        {
          description:
            "Reference specifies the Git reference to resolve and monitor for changes, defaults to the 'master' branch.",
        },
      ),
    ),
    verify: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(
            StringEnum(GitVerificationModes, {
              description:
                'Mode specifies which Git object(s) should be verified. The variants "head" and "HEAD" both imply the same thing, i.e. verify the commit that the HEAD of the Git repository points to. The variant "head" solely exists to ensure backwards compatibility.',
              default: 'HEAD',
            }),
          ),
          secretRef: localRef(
            'SecretRef specifies the Secret containing the public keys of trusted Git authors. PGP public keys must be stored under keys with the .asc suffix, and SSH public keys must be stored under keys with the .sshpub suffix.',
          ),
        },
        { description: 'Verification specifies the configuration to verify the Git commit signature(s).' },
      ),
    ),
    proxySecretRef: Type.Optional(
      localRef(
        'ProxySecretRef specifies the Secret containing the proxy configuration to use while communicating with the Git server.',
      ),
    ),
    ignore: Type.Optional(
      Type.String({
        description:
          'Ignore overrides the set of excluded patterns in the .sourceignore format (which is the same as .gitignore). If not provided, a default will be used, consult the documentation for your version to find out what those are.',
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description: 'Suspend tells the controller to suspend the reconciliation of this GitRepository.',
      }),
    ),
    recurseSubmodules: Type.Optional(
      Type.Boolean({
        description:
          'RecurseSubmodules enables the initialization of all submodules within the GitRepository as cloned from the URL, using their default settings.',
      }),
    ),
    include: Type.Optional(
      Type.Array(GitRepositoryInclude, {
        description:
          'Include specifies a list of GitRepository resources which Artifacts should be included in the Artifact produced for this GitRepository.',
      }),
    ),
    sparseCheckout: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'SparseCheckout specifies a list of directories to checkout when cloning the repository. If specified, only these directories are included in the Artifact produced for this GitRepository.',
      }),
    ),
    // --- legacy fields (v1beta1/v1beta2), see GitRepositoryDefinition.legacyFields ---
    gitImplementation: Type.Optional(
      StringEnum(['go-git', 'libgit2'] as const, {
        description: 'Deprecated (v1beta1, v1beta2): the Git client library; ignored, only one implementation exists.',
      }),
    ),
    accessFrom: Type.Optional(
      Described(
        AccessFrom,
        'Deprecated (v1beta1, v1beta2): cross-namespace ACL; ignored, it was never implemented for GitRepository.',
      ),
    ),
  },
  {
    description: 'GitRepositorySpec specifies the required configuration to produce an Artifact for a Git repository.',
    'x-kubernetes-validations': [
      {
        rule: "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))",
        message: "serviceAccountName can only be set when provider is 'azure' or 'aws'",
      },
    ],
  },
);
/** `GitRepository.spec`. */
export type GitRepositorySpec = Static<typeof GitRepositorySpec>;

/** `GitRepository.status`. */
export const GitRepositoryStatus = statusObject(
  {
    ...commonStatusProperties('GitRepository'),
    artifact: Type.Optional(sourceArtifact('Artifact represents the last successful GitRepository reconciliation.')),
    includedArtifacts: Type.Optional(
      Type.Array(sourceArtifact('Artifact represents the output of a Source reconciliation.'), {
        description:
          'IncludedArtifacts contains a list of the last successfully included Artifacts as instructed by GitRepositorySpec.Include.',
      }),
    ),
    observedIgnore: Type.Optional(
      Type.String({
        description: 'ObservedIgnore is the observed exclusion patterns used for constructing the source artifact.',
      }),
    ),
    observedRecurseSubmodules: Type.Optional(
      Type.Boolean({
        description:
          'ObservedRecurseSubmodules is the observed resource submodules configuration used to produce the current Artifact.',
      }),
    ),
    observedInclude: Type.Optional(
      Type.Array(GitRepositoryInclude, {
        description:
          'ObservedInclude is the observed list of GitRepository resources used to produce the current Artifact.',
      }),
    ),
    observedSparseCheckout: Type.Optional(
      Type.Array(Type.String(), {
        description: 'ObservedSparseCheckout is the observed list of directories used to produce the current Artifact.',
      }),
    ),
    sourceVerificationMode: Type.Optional(
      Type.String({
        description:
          'SourceVerificationMode is the last used verification mode indicating which Git object(s) have been verified.',
      }),
    ),
    // --- legacy fields ---
    url: Type.Optional(
      Type.String({ description: 'Deprecated (v1beta1, v1beta2): download link of the artifact; use artifact.url.' }),
    ),
    contentConfigChecksum: Type.Optional(
      Type.String({
        description: 'Deprecated (v1beta2): checksum of the content configuration; replaced by the observed* fields.',
      }),
    ),
  },
  'GitRepositoryStatus records the observed state of a Git repository.',
);
/** `GitRepository.status`. */
export type GitRepositoryStatus = Static<typeof GitRepositoryStatus>;

/** A GitRepository object. */
export type GitRepository = FluxObject<GitRepositorySpec, GitRepositoryStatus>;

const legacyFields: readonly LegacyField[] = [
  {
    path: 'spec.gitImplementation',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: go-git is the only Git implementation (libgit2 was removed)',
  },
  {
    path: 'spec.accessFrom',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: cross-namespace ACL was never implemented for GitRepository',
  },
  {
    path: 'status.url',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: status.artifact.url holds the download address',
  },
  {
    path: 'status.contentConfigChecksum',
    versions: ['v1beta2'],
    handling: 'ignored: replaced by the status.observed* fields',
  },
  ...artifactChecksumLegacy(['status.artifact.checksum', 'status.includedArtifacts[].checksum']),
];

/** The GitRepository kind. */
export const GitRepositoryDefinition: KindDefinition<typeof GitRepositorySpec, typeof GitRepositoryStatus> = {
  group: SourceGroup,
  kind: 'GitRepository',
  component: 'source-controller',
  listKind: 'GitRepositoryList',
  plural: 'gitrepositories',
  singular: 'gitrepository',
  scope: 'Namespaced',
  shortNames: ['gitrepo'],
  categories: SourceCategories,
  description: 'GitRepository is the Schema for the gitrepositories API.',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta2', 'GitRepository') },
    { name: 'v1beta1', storage: false, deprecationWarning: sourceDeprecationWarning('v1beta1', 'GitRepository') },
  ],
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
  specRequired: true,
  printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ageColumn, readyColumn, statusColumn],
  legacyFields,
};

/** Maps a GitRepository of any served version to `source.toolkit.fluxcd.io/v1`, warning about each legacy field. */
export function normalizeGitRepository(obj: unknown): NormalizeResult<GitRepository> {
  const warnings: string[] = [];
  const { out, spec } = beginNormalize('GitRepository', obj, warnings);
  dropField(
    spec,
    'gitImplementation',
    'spec.gitImplementation',
    'go-git is the only Git implementation (libgit2 was removed)',
    warnings,
  );
  dropField(
    spec,
    'accessFrom',
    'spec.accessFrom',
    'cross-namespace ACL was never implemented for GitRepository',
    warnings,
  );
  const status = out['status'];
  if (isObject(status)) {
    dropField(status, 'url', 'status.url', 'status.artifact.url holds the download address', warnings);
    dropField(
      status,
      'contentConfigChecksum',
      'status.contentConfigChecksum',
      'replaced by the status.observed* fields',
      warnings,
    );
    normalizeArtifactChecksum(status['artifact'], 'status.artifact', warnings);
    const included = status['includedArtifacts'];
    if (Array.isArray(included)) {
      included.forEach((a, i) => normalizeArtifactChecksum(a, `status.includedArtifacts[${i}]`, warnings));
    }
  }
  return { object: out as unknown as GitRepository, warnings };
}
