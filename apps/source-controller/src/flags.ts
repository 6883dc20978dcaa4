import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** source-controller feature gates and their defaults (upstream internal/features). */
export const sourceControllerFeatureGates = {
  CacheSecretsAndConfigMaps: false,
  ObjectLevelWorkloadIdentity: false,
} as const;

/**
 * source-controller flags: upstream main.go plus fluxcd/pkg artifact/config (storage flags with their
 * STORAGE_PATH/STORAGE_ADDRESS/STORAGE_ADV_ADDR env fallbacks) and METRICS_ADDR/EVENTS_ADDR fallbacks.
 * Upstream binds no --no-cross-namespace-refs here.
 */
export const sourceControllerFlags = defineFlags([
  ...withoutFlags(commonFlags, [
    'metrics-addr',
    'events-addr',
    'concurrent',
    'default-service-account',
    'no-cross-namespace-refs',
    'feature-gates',
  ]),
  {
    name: 'metrics-addr',
    type: 'address',
    default: ':8080',
    env: 'METRICS_ADDR',
    usage: 'The address the metric endpoint binds to.',
  },
  {
    name: 'events-addr',
    type: 'string',
    default: '',
    env: 'EVENTS_ADDR',
    usage: 'The address of the events receiver.',
  },
  { name: 'concurrent', type: 'int', default: 2, usage: 'The number of concurrent reconciles per controller.' },
  {
    name: 'default-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account to use for workload identity when not specified in resources.',
  },
  featureGatesFlag(sourceControllerFeatureGates),
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
  {
    name: 'helm-index-max-size',
    type: 'int64',
    default: 52428800,
    usage: 'The max allowed size in bytes of a Helm repository index file.',
  },
  {
    name: 'helm-chart-max-size',
    type: 'int64',
    default: 10485760,
    usage: 'The max allowed size in bytes of a Helm chart file.',
  },
  {
    name: 'helm-chart-file-max-size',
    type: 'int64',
    default: 5242880,
    usage: 'The max allowed size in bytes of a file in a Helm chart.',
  },
  {
    name: 'helm-cache-max-size',
    type: 'int',
    default: 0,
    usage: 'The maximum size of the cache in number of indexes.',
  },
  {
    name: 'helm-cache-ttl',
    type: 'string',
    default: '15m',
    usage: 'The TTL of an index in the cache. Valid time units are ns, us (or µs), ms, s, m, h.',
  },
  {
    name: 'helm-cache-purge-interval',
    type: 'string',
    default: '1m',
    usage: 'The interval at which the cache is purged. Valid time units are ns, us (or µs), ms, s, m, h.',
  },
  {
    name: 'ssh-kex-algos',
    type: 'stringSlice',
    default: [],
    usage: 'The list of key exchange algorithms to use for ssh connections, arranged from most preferred to the least.',
  },
  {
    name: 'ssh-hostkey-algos',
    type: 'stringSlice',
    default: [],
    usage: 'The list of hostkey algorithms to use for ssh connections, arranged from most preferred to the least.',
  },
]);
