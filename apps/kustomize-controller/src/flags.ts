import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** kustomize-controller feature gates and their defaults (upstream internal/features). */
export const kustomizeControllerFeatureGates = {
  AdditiveCELDependencyCheck: false,
  CacheSecretsAndConfigMaps: false,
  CancelHealthCheckOnNewRevision: false,
  DirectSourceFetch: false,
  DisableConfigWatchers: false,
  DisableFailFastBehavior: false,
  DisableStatusPollerCache: true,
  ExternalArtifact: false,
  GroupChangeLog: false,
  MigrateAPIVersion: false,
  ObjectLevelWorkloadIdentity: false,
  StrictPostBuildSubstitutions: true,
} as const;

/** kustomize-controller flags: the common set plus upstream main.go and runtime/client KubeConfigOptions. */
export const kustomizeControllerFlags = defineFlags([
  ...withoutFlags(commonFlags, ['concurrent', 'feature-gates']),
  { name: 'concurrent', type: 'int', default: 4, usage: 'The number of concurrent kustomize reconciles.' },
  featureGatesFlag(kustomizeControllerFeatureGates),
  { name: 'concurrent-ssa', type: 'int', default: 4, usage: 'The number of concurrent server-side apply operations.' },
  {
    name: 'no-remote-bases',
    type: 'bool',
    default: false,
    usage:
      'Disallow remote bases usage in Kustomize overlays. When this flag is enabled, all resources must refer to local files included in the source artifact.',
  },
  {
    name: 'http-retry',
    type: 'int',
    default: 9,
    usage: 'The maximum number of retries when failing to fetch artifacts over HTTP.',
  },
  {
    name: 'default-decryption-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account used for decryption.',
  },
  {
    name: 'default-kubeconfig-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account used for kubeconfig.',
  },
  {
    name: 'sops-age-secret',
    type: 'string',
    default: '',
    usage:
      'The name of a Kubernetes secret in the RUNTIME_NAMESPACE containing a SOPS age decryption key for fallback usage.',
  },
  {
    name: 'sops-vault-configmap',
    type: 'string',
    default: '',
    usage:
      'The name of a Kubernetes ConfigMap in the RUNTIME_NAMESPACE containing the HashiCorp Vault settings used for SOPS decryption.',
  },
  {
    name: 'override-manager',
    type: 'stringArray',
    default: [],
    usage: 'Field manager disallowed to perform changes on managed resources.',
  },
  {
    name: 'custom-apply-stage-kinds',
    type: 'string',
    default: '',
    usage:
      "A comma-separated list of GroupKind (e.g., 'rbac.authorization.k8s.io/Role,some.group.io/SomeResource') resources to be applied in a custom stage during server-side apply running after CRDs and before all namespaced resources not in this list.",
  },
  {
    name: 'insecure-kubeconfig-exec',
    type: 'bool',
    default: false,
    usage: 'Allow use of the user.exec section in kubeconfigs provided for remote apply.',
  },
  {
    name: 'insecure-kubeconfig-tls',
    type: 'bool',
    default: false,
    usage: 'Allow that kubeconfigs provided for remote apply can disable TLS verification.',
  },
]);
