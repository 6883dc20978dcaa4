import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** helm-controller feature gates and their defaults (upstream internal/features; all default to false). */
export const helmControllerFeatureGates = {
  AdditiveCELDependencyCheck: false,
  AdoptLegacyReleases: false,
  AllowDNSLookups: false,
  CacheSecretsAndConfigMaps: false,
  CancelHealthCheckOnNewRevision: false,
  CorrectDrift: false,
  DefaultToRetryOnFailure: false,
  DetectDrift: false,
  DisableChartDigestTracking: false,
  DisableConfigWatchers: false,
  ExternalArtifact: false,
  ObjectLevelWorkloadIdentity: false,
  OOMWatch: false,
  UseHelm3Defaults: false,
} as const;

/** helm-controller flags: the common set plus upstream main.go and runtime/client KubeConfigOptions. */
export const helmControllerFlags = defineFlags([
  ...withoutFlags(commonFlags, ['concurrent', 'feature-gates']),
  { name: 'concurrent', type: 'int', default: 4, usage: 'The number of concurrent HelmRelease reconciles.' },
  featureGatesFlag(helmControllerFeatureGates),
  {
    name: 'graceful-shutdown-timeout',
    type: 'duration',
    default: '600s',
    usage: 'The duration given to the reconciler to finish before forcibly stopping.',
  },
  {
    name: 'http-retry',
    type: 'int',
    default: 9,
    usage: 'The maximum number of retries when failing to fetch artifacts over HTTP.',
  },
  {
    name: 'default-kubeconfig-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account used for kubeconfig.',
  },
  {
    name: 'snapshot-digest-algo',
    type: 'string',
    default: 'sha256',
    usage: 'The algorithm to use to calculate the digest of Helm release storage snapshots.',
  },
  {
    name: 'override-manager',
    type: 'stringArray',
    default: [],
    usage: 'Field manager disallowed to perform changes on managed resources.',
  },
  {
    name: 'oom-watch-memory-threshold',
    type: 'uint8',
    default: 95,
    usage:
      "The memory threshold in percentage at which the OOM watcher will trigger a graceful shutdown. Requires feature gate 'OOMWatch' to be enabled.",
  },
  {
    name: 'oom-watch-interval',
    type: 'duration',
    default: '500ms',
    usage:
      "The interval at which the OOM watcher will check for memory usage. Requires feature gate 'OOMWatch' to be enabled.",
  },
  {
    name: 'oom-watch-max-memory-path',
    type: 'string',
    default: '',
    usage:
      "The path to the cgroup memory limit file. Requires feature gate 'OOMWatch' to be enabled. If not set, the path will be automatically detected.",
  },
  {
    name: 'oom-watch-current-memory-path',
    type: 'string',
    default: '',
    usage:
      "The path to the cgroup current memory usage file. Requires feature gate 'OOMWatch' to be enabled. If not set, the path will be automatically detected.",
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
