/**
 * ArtifactGenerator (`source.extensions.fluxcd.io/v1beta1`, source-watcher): composes ExternalArtifacts from the
 * artifacts of Flux sources, or splits one source into several. Follows upstream source-watcher
 * (`api/v1beta1/artifactgenerator_types.go`, `config/crd/bases/source.extensions.fluxcd.io_artifactgenerators.yaml`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, type KindDefinition, type NormalizeResult } from '../define.ts';
import { Condition, ReconcileRequestStatus, type FluxObject } from '../meta/index.ts';
import { ageColumn, isObject, readyColumn, statusColumn } from '../source/common.ts';

/** The API group of source-watcher. */
export const SourceExtensionsGroup = 'source.extensions.fluxcd.io';
/** The version of the ArtifactGenerator API. */
export const SourceExtensionsVersion = 'v1beta1';
/** `source.extensions.fluxcd.io/v1beta1`. */
export const SourceExtensionsGroupVersion = `${SourceExtensionsGroup}/${SourceExtensionsVersion}`;
/** The ArtifactGenerator kind name. */
export const ArtifactGeneratorKind = 'ArtifactGenerator';

/** Source kinds an ArtifactGenerator reads (`spec.sources[].kind`). */
export const ArtifactGeneratorSourceKinds = [
  'Bucket',
  'GitRepository',
  'OCIRepository',
  'HelmChart',
  'ExternalArtifact',
] as const;
/** Copy strategies (`spec.artifacts[].copy[].strategy`). */
export const CopyStrategies = ['Overwrite', 'Merge', 'Extract'] as const;

/** ArtifactGenerator reasons, annotations and values (upstream's constants). */
export const ArtifactGeneratorConstants = {
  Finalizer: 'source.extensions.fluxcd.io/finalizer',
  /** Label with the generator's UID on each ExternalArtifact it produces (upstream `ArtifactGeneratorLabel`). */
  GeneratorLabel: 'source.extensions.fluxcd.io/generator',
  /** Artifact metadata key `originRevision` fills (upstream `ArtifactOriginRevisionAnnotation`). */
  OriginRevisionAnnotation: 'org.opencontainers.image.revision',
  ReconcileAnnotation: 'source.extensions.fluxcd.io/reconcile',
  ReconciliationDisabledReason: 'ReconciliationDisabled',
  AccessDeniedReason: 'AccessDenied',
  ValidationFailedReason: 'ValidationFailed',
  SourceFetchFailedReason: 'SourceFetchFailed',
  BuildFailedReason: 'BuildFailed',
  EnabledValue: 'enabled',
  DisabledValue: 'disabled',
} as const;

const aliasPattern = '^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$';
const namePattern = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';
const aliasRefPattern = '^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$';

/** `spec.sources[]`. */
export const ArtifactGeneratorSource = Type.Object(
  {
    alias: Type.String({
      description:
        'Alias of the source within the ArtifactGenerator context. The alias must be unique per ArtifactGenerator, and must consist of lower case alphanumeric characters, underscores, and hyphens. It must start and end with an alphanumeric character.',
      maxLength: 63,
      pattern: aliasPattern,
    }),
    kind: StringEnum(ArtifactGeneratorSourceKinds, { description: 'Kind of the source.' }),
    name: Type.String({ description: 'Name of the source.', maxLength: 253, pattern: namePattern }),
    namespace: Type.Optional(
      Type.String({
        description:
          'Namespace of the source. If not provided, defaults to the same namespace as the ArtifactGenerator.',
        maxLength: 63,
        minLength: 1,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      }),
    ),
  },
  { description: 'SourceReference contains the reference to a Flux source-controller resource.' },
);
/** `spec.sources[]`. */
export type ArtifactGeneratorSource = Static<typeof ArtifactGeneratorSource>;

/** `spec.artifacts[].copy[]`. */
export const CopyOperation = Type.Object({
  from: Type.String({
    description:
      'From specifies the source (by alias) and the glob pattern to match files. The format is "@<alias>/<glob-pattern>".',
    maxLength: 1024,
    pattern: '^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$',
  }),
  to: Type.String({
    description:
      'To specifies the destination path within the artifact. The format is "@artifact/path", the alias "artifact" refers to the root path of the generated artifact.',
    maxLength: 1024,
    pattern: '^@(artifact)/(.*)$',
  }),
  exclude: Type.Optional(
    Type.Array(Type.String(), {
      description: "Exclude specifies a list of glob patterns to exclude files and dirs matched by the 'From' field.",
      maxItems: 100,
    }),
  ),
  strategy: Type.Optional(
    StringEnum(CopyStrategies, {
      description:
        "Strategy specifies the copy strategy to use. 'Overwrite' will overwrite existing files in the destination. 'Merge' is for merging YAML files using Helm values merge strategy. 'Extract' is for extracting the contents of tarball archives (.tar.gz, .tgz) When using glob patterns, non-tarball files are silently skipped. For single file sources, the file must be a tarball or an error is returned. Directories are not supported. If not specified, defaults to 'Overwrite'.",
    }),
  ),
});
/** `spec.artifacts[].copy[]`. */
export type CopyOperation = Static<typeof CopyOperation>;

/** `spec.artifacts[]`. */
export const OutputArtifact = Type.Object(
  {
    name: Type.String({
      description: 'Name is the name of the generated artifact.',
      maxLength: 253,
      pattern: namePattern,
    }),
    revision: Type.Optional(
      Type.String({
        description:
          'Revision is the revision of the generated artifact. If specified, it must point to an existing source alias in the format "@<alias>". If not specified, the revision is automatically set to the digest of the artifact content.',
        maxLength: 64,
        pattern: aliasRefPattern,
      }),
    ),
    originRevision: Type.Optional(
      Type.String({
        description:
          'OriginRevision is used to set the \'org.opencontainers.image.revision\' annotation on the generated artifact metadata. If specified, it must point to an existing source alias in the format "@<alias>". If the referenced source has an origin revision (e.g. a Git commit SHA), it will be used to set the annotation on the generated artifact. If the referenced source does not have an origin revision, the field is ignored.',
        maxLength: 64,
        pattern: aliasRefPattern,
      }),
    ),
    copy: Type.Array(CopyOperation, {
      description:
        'Copy defines a list of copy operations to perform from the sources to the generated artifact. The copy operations are performed in the order they are listed with existing files being overwritten by later copy operations.',
      minItems: 1,
    }),
  },
  {
    description: 'OutputArtifact defines the desired state of an ExternalArtifact generated by the ArtifactGenerator.',
  },
);
/** `spec.artifacts[]`. */
export type OutputArtifact = Static<typeof OutputArtifact>;

/** `ArtifactGenerator.spec`. */
export const ArtifactGeneratorSpec = Type.Object(
  {
    sources: Type.Array(ArtifactGeneratorSource, {
      description:
        'Sources is a list of references to the Flux source-controller resources that will be used to generate the artifact.',
      minItems: 1,
      maxItems: 1000,
    }),
    artifacts: Type.Array(OutputArtifact, {
      description: 'OutputArtifacts is a list of output artifacts to be generated.',
      minItems: 1,
      maxItems: 1000,
    }),
  },
  { description: 'ArtifactGeneratorSpec defines the desired state of ArtifactGenerator.' },
);
/** `ArtifactGenerator.spec`. */
export type ArtifactGeneratorSpec = Static<typeof ArtifactGeneratorSpec>;

/** `status.inventory[]`. */
export const ExternalArtifactReference = Type.Object(
  {
    name: Type.String({ description: 'Name of the referent artifact.' }),
    namespace: Type.String({ description: 'Namespace of the referent artifact.' }),
    digest: Type.String({ description: 'Digest of the referent artifact.' }),
    filename: Type.String({ description: 'Filename is the name of the artifact file.' }),
  },
  {
    description:
      'ExternalArtifactReference contains the reference to a generated ExternalArtifact along with its digest.',
  },
);
/** `status.inventory[]`. */
export type ExternalArtifactReference = Static<typeof ExternalArtifactReference>;

/** `ArtifactGenerator.status`. */
export const ArtifactGeneratorStatus = Type.Object(
  {
    ...ReconcileRequestStatus,
    conditions: Type.Optional(
      Type.Array(Condition, { description: 'Conditions holds the conditions for the ArtifactGenerator.' }),
    ),
    inventory: Type.Optional(
      Type.Array(ExternalArtifactReference, {
        description: 'Inventory contains the list of generated ExternalArtifact references.',
      }),
    ),
    observedSourcesDigest: Type.Optional(
      Type.String({
        description:
          'ObservedSourcesDigest is a hash representing the current state of all the sources referenced by the ArtifactGenerator.',
      }),
    ),
  },
  { description: 'ArtifactGeneratorStatus defines the observed state of ArtifactGenerator.' },
);
/** `ArtifactGenerator.status`. */
export type ArtifactGeneratorStatus = Static<typeof ArtifactGeneratorStatus>;

/** An ArtifactGenerator object. */
export type ArtifactGenerator = FluxObject<ArtifactGeneratorSpec, ArtifactGeneratorStatus>;

/** The ArtifactGenerator kind. */
export const ArtifactGeneratorDefinition: KindDefinition<typeof ArtifactGeneratorSpec, typeof ArtifactGeneratorStatus> =
  {
    group: SourceExtensionsGroup,
    kind: ArtifactGeneratorKind,
    component: 'source-watcher',
    listKind: 'ArtifactGeneratorList',
    plural: 'artifactgenerators',
    singular: 'artifactgenerator',
    scope: 'Namespaced',
    shortNames: ['ag'],
    categories: [],
    description: 'ArtifactGenerator is the Schema for the artifactgenerators API.',
    versions: [{ name: SourceExtensionsVersion, storage: true }],
    spec: ArtifactGeneratorSpec,
    status: ArtifactGeneratorStatus,
    specRequired: false,
    printerColumns: [ageColumn, readyColumn, statusColumn],
    legacyFields: [],
  };

/** An ArtifactGenerator needs no mapping: v1beta1 is its only version. */
export function normalizeArtifactGenerator(obj: unknown): NormalizeResult<ArtifactGenerator> {
  if (!isObject(obj))
    throw new Error(
      `failed to normalize ${ArtifactGeneratorKind}: expected an object, got ${obj === null ? 'null' : typeof obj}`,
    );
  const out = structuredClone(obj);
  out['apiVersion'] = SourceExtensionsGroupVersion;
  out['kind'] = ArtifactGeneratorKind;
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { object: out as unknown as ArtifactGenerator, warnings: [] };
}
