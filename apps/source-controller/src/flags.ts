import { artifactStorageFlags, commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

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
  ...artifactStorageFlags,
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
