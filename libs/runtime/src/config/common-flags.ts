import { defineFlags } from './flags.ts';
import type { FeatureGatesFlagSpec } from './flags.ts';

/**
 * Flags shared by (almost) every Flux controller, with upstream names, defaults and usage strings
 * (fluxcd/pkg runtime/{client,logger,leaderelection,controller,jitter,acl,features}, pkg/cache token flags,
 * controller-runtime's --kubeconfig, and each controller's main.go for the address flags).
 * Controllers drop or redefine rows with `withoutFlags` (e.g. source's --concurrent 2, notification's
 * listening --events-addr) and must replace `--feature-gates` with {@link featureGatesFlag} for their gates.
 */
export const commonFlags = defineFlags([
  { name: 'metrics-addr', type: 'address', default: ':8080', usage: 'The address the metric endpoint binds to.' },
  { name: 'health-addr', type: 'address', default: ':9440', usage: 'The address the health endpoint binds to.' },
  { name: 'events-addr', type: 'string', default: '', usage: 'The address of the events receiver.' },
  { name: 'concurrent', type: 'int', default: 4, usage: 'The number of concurrent reconciles per controller.' },
  {
    name: 'requeue-dependency',
    type: 'duration',
    default: '30s',
    usage: 'The interval at which failing dependencies are reevaluated.',
  },
  {
    name: 'watch-all-namespaces',
    type: 'bool',
    default: true,
    usage: 'Watch for resources in all namespaces, if set to false it will only watch the runtime namespace.',
  },
  {
    name: 'watch-label-selector',
    type: 'string',
    default: '',
    usage: "Watch for resources with matching labels e.g. 'sharding.fluxcd.io/shard=shard1'.",
  },
  {
    name: 'watch-configs-label-selector',
    type: 'string',
    default: 'reconcile.fluxcd.io/watch=Enabled',
    usage: 'Watch for ConfigMaps and Secrets with matching labels.',
  },
  {
    name: 'log-level',
    type: 'string',
    default: 'info',
    usage: "Log verbosity level. Can be one of 'trace', 'debug', 'info', 'error'.",
  },
  { name: 'log-encoding', type: 'string', default: 'json', usage: "Log encoding format. Can be 'json' or 'console'." },
  {
    name: 'kube-api-qps',
    type: 'float32',
    default: 50,
    usage: 'The maximum queries-per-second of requests sent to the Kubernetes API.',
  },
  {
    name: 'kube-api-burst',
    type: 'int',
    default: 300,
    usage: 'The maximum burst queries-per-second of requests sent to the Kubernetes API.',
  },
  {
    name: 'enable-leader-election',
    type: 'bool',
    default: false,
    usage:
      'Enable leader election for controller manager. Enabling this will ensure there is only one active controller manager.',
  },
  {
    name: 'leader-election-lease-duration',
    type: 'duration',
    default: '35s',
    usage: 'Interval at which non-leader candidates will wait to force acquire leadership (duration string).',
  },
  {
    name: 'leader-election-renew-deadline',
    type: 'duration',
    default: '30s',
    usage:
      'Duration that the leading controller manager will retry refreshing leadership before giving up (duration string).',
  },
  {
    name: 'leader-election-retry-period',
    type: 'duration',
    default: '5s',
    usage: 'Duration the LeaderElector clients should wait between tries of actions (duration string).',
  },
  {
    name: 'leader-election-release-on-cancel',
    type: 'bool',
    default: true,
    usage: 'Defines if the leader should step down voluntarily on controller manager shutdown.',
  },
  {
    name: 'min-retry-delay',
    type: 'duration',
    default: '750ms',
    usage: 'The minimum amount of time for which an object being reconciled will have to wait before a retry.',
  },
  {
    name: 'max-retry-delay',
    type: 'duration',
    default: '15m',
    usage: 'The maximum amount of time for which an object being reconciled will have to wait before a retry.',
  },
  {
    name: 'interval-jitter-percentage',
    type: 'uint8',
    default: 5,
    usage:
      'Percentage of jitter to apply to interval durations. A value of 10 will apply a jitter of +/-10% to the interval duration. It cannot be negative, and must be less than 100.',
  },
  {
    name: 'no-cross-namespace-refs',
    type: 'bool',
    default: false,
    usage:
      'When set to true, references between custom resources are allowed only if the reference and the referee are in the same namespace.',
  },
  {
    name: 'default-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account used for impersonation.',
  },
  {
    name: 'token-cache-max-size',
    type: 'int',
    default: 100,
    usage: 'The maximum size of the cache in number of tokens.',
  },
  {
    name: 'token-cache-max-duration',
    type: 'duration',
    default: '1h',
    usage: 'The maximum duration a token is cached.',
  },
  {
    name: 'feature-gates',
    type: 'featureGates',
    gates: {},
    usage: 'A comma separated list of key=value pairs defining the state of experimental features.',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: '',
    usage: 'Paths to a kubeconfig. Only required if out-of-cluster.',
  },
]);

/** Builds a controller's `--feature-gates` row from its known gates and their defaults. */
export function featureGatesFlag<const G extends Readonly<Record<string, boolean>>>(
  gates: G,
): FeatureGatesFlagSpec & { readonly name: 'feature-gates'; readonly gates: G } {
  return {
    name: 'feature-gates',
    type: 'featureGates',
    gates,
    usage: 'A comma separated list of key=value pairs defining the state of experimental features.',
  };
}

/**
 * fluxcd/pkg artifact/config's storage flags, shared by the controllers that store and serve artifacts
 * (source-controller, source-watcher), with their STORAGE_PATH/STORAGE_ADDRESS/STORAGE_ADV_ADDR env fallbacks.
 */
export const artifactStorageFlags = defineFlags([
  {
    name: 'storage-path',
    type: 'string',
    default: '/data',
    env: 'STORAGE_PATH',
    usage: 'The path to the directory where artifacts will be stored.',
  },
  {
    name: 'storage-addr',
    type: 'address',
    default: ':9090',
    env: 'STORAGE_ADDRESS',
    usage: 'The address the artifact server will bind to.',
  },
  {
    name: 'storage-adv-addr',
    type: 'string',
    default: '',
    env: 'STORAGE_ADV_ADDR',
    usage: 'The in-cluster address the artifact server will advertise to clients.',
  },
  {
    name: 'artifact-retention-ttl',
    type: 'duration',
    default: '1m',
    usage: 'The duration after which stale artifacts are garbage collected.',
  },
  {
    name: 'artifact-retention-records',
    type: 'int',
    default: 2,
    usage: 'The maximum number of artifacts to be kept in storage after a garbage collection.',
  },
  {
    name: 'artifact-digest-algo',
    type: 'string',
    default: 'sha256',
    usage: 'The hashing algorithm used to calculate the digest of artifacts.',
  },
]);
