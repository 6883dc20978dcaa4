/**
 * Names, enums and reasons of the `image.toolkit.fluxcd.io` group, byte-identical to upstream
 * image-reflector-controller and image-automation-controller (`api/v1/*.go`, `internal/update/setters.go`).
 */

/** The API group of ImageRepository, ImagePolicy and ImageUpdateAutomation. */
export const ImageGroup = 'image.toolkit.fluxcd.io' as const;

/** The current (storage) API version of the image kinds. */
export const ImageGroupVersion = 'image.toolkit.fluxcd.io/v1' as const;

/** Finalizer the image controllers add to their objects. */
export const ImageFinalizer = 'finalizers.fluxcd.io' as const;

/** `ImageRepository.spec.provider` values: `generic` (default) or a cloud provider's native auth. */
export const ImageRepositoryProviders = ['generic', 'aws', 'azure', 'gcp'] as const;

/** Tags an ImageRepository does not store when `spec.exclusionList` is unset (cosign signatures). */
export const DefaultImageExclusionList = ['^.*\\.sig$'] as const;

/** Maximum number of `ImageRepository.spec.exclusionList` entries. */
export const MaxImageExclusionListItems = 25;

/** The ordering policies an ImagePolicy may choose from (`spec.policy.<kind>`). */
export const ImagePolicyKinds = ['semver', 'alphabetical', 'numerical'] as const;

/** `spec.policy.alphabetical.order` / `spec.policy.numerical.order` values; `asc` is the default. */
export const ImagePolicyOrders = ['asc', 'desc'] as const;

/** `ImagePolicy.spec.digestReflectionPolicy` values; `Never` is the default. */
export const DigestReflectionPolicies = {
  /** Always refresh `status.latestRef.digest` (every `spec.interval`). */
  Always: 'Always',
  /** Set the digest only when empty and the elected image did not change. */
  IfNotPresent: 'IfNotPresent',
  /** Never set the digest. */
  Never: 'Never',
} as const;

/** Digest refresh interval of an ImagePolicy with `digestReflectionPolicy: Always` and no `spec.interval`. */
export const DefaultImagePolicyDigestInterval = '10m' as const;

/** Reasons of the image-reflector-controller's conditions (upstream `api/v1/condition_types.go` + reconcilers). */
export const ImageReflectorReasons = {
  /** The ImageRepository's `spec.image` is not a valid image reference. */
  ImageURLInvalid: 'ImageURLInvalid',
  /** The ImagePolicy's ImageRepository is not Ready. */
  DependencyNotReady: 'DependencyNotReady',
  /** A Secret lacks the required fields or the registry rejected the credentials. */
  AuthenticationFailed: 'AuthenticationFailed',
  /** Reading the tag database failed. */
  ReadOperationFailed: 'ReadOperationFailed',
  /** An ImagePolicy with `digestReflectionPolicy: Always` has no interval. */
  IntervalNotConfigured: 'IntervalNotConfigured',
  /** The ImagePolicy's `spec.policy` is invalid (e.g. a bad semver range). */
  InvalidPolicy: 'InvalidPolicy',
  /** The ImageRepository is scanning the registry (Reconciling). */
  Scanning: 'Scanning',
  /** The object's generation changed (Reconciling). */
  NewGeneration: 'NewGeneration',
  /** `metav1.StatusFailure`: an untyped failure (reading the tags, fetching a digest). */
  Failure: 'Failure',
} as const;

/** Reasons of the image-automation-controller's conditions (upstream `api/v1/condition_types.go`). */
export const ImageAutomationReasons = {
  InvalidUpdateStrategy: 'InvalidUpdateStrategy',
  InvalidSourceConfiguration: 'InvalidSourceConfiguration',
  SourceManagerFailed: 'SourceManagerFailed',
  GitOperationFailed: 'GitOperationFailed',
  UpdateFailed: 'UpdateFailed',
  InvalidPolicySelector: 'InvalidPolicySelector',
  /** The commit message template uses the removed `.Updated` field. */
  RemovedTemplateField: 'RemovedTemplateField',
} as const;

/** `ImageUpdateAutomation.spec.update.strategy` values (only `Setters`, the default). */
export const UpdateStrategies = ['Setters'] as const;

/** `ImageUpdateAutomation.spec.sourceRef.kind` values (only `GitRepository`, the default). */
export const ImageUpdateSourceKinds = ['GitRepository'] as const;

/** `spec.git.commit.signingKey.type` values. */
export const SigningKeyTypes = ['gpg', 'ssh'] as const;

/** The signing key type the controller uses when `spec.git.commit.signingKey.type` is unset (no CRD default). */
export const DefaultSigningKeyType = 'gpg' as const;

/** Commit message of an ImageUpdateAutomation without `spec.git.commit.messageTemplate`. */
export const DefaultCommitMessageTemplate = 'Update from image update automation' as const;

/** The token a file must contain to be read by the Setters strategy, and the key of the marker comment. */
export const ImagePolicyMarker = '$imagepolicy' as const;

/**
 * Setter names a marker may use: `<ns>:<policy>` sets the whole reference (`name:tag[@digest]`),
 * `<ns>:<policy>:<suffix>` only one part.
 */
export const ImagePolicySetterSuffixes = {
  /** The image name without tag (e.g. Helm `image.repository`). */
  Name: 'name',
  /** The tag only. */
  Tag: 'tag',
  /** The digest only (empty unless digest reflection is on). */
  Digest: 'digest',
} as const;

/** Returns the setter name of a marker: `ns:policy` or `ns:policy:suffix`. */
export function imagePolicySetterName(
  namespace: string,
  policy: string,
  suffix?: (typeof ImagePolicySetterSuffixes)[keyof typeof ImagePolicySetterSuffixes],
): string {
  return suffix === undefined ? `${namespace}:${policy}` : `${namespace}:${policy}:${suffix}`;
}
