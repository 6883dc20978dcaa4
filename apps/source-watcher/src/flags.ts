import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** source-watcher feature gates and their defaults (upstream internal/features). */
export const sourceWatcherFeatureGates = {
  CacheSecretsAndConfigMaps: false,
} as const;

/**
 * source-watcher flags (upstream cmd/main.go): the common set with its own defaults (`--concurrent` 10,
 * `--requeue-dependency` 5s), `--http-retry`, `--reconciliation-timeout`, and fluxcd/pkg artifact/config's storage
 * flags with their STORAGE_PATH/STORAGE_ADDRESS/STORAGE_ADV_ADDR env fallbacks.
 */
export const sourceWatcherFlags = defineFlags([
  ...withoutFlags(commonFlags, [
    'concurrent',
    'requeue-dependency',
    'feature-gates',
    'default-service-account',
    'watch-configs-label-selector',
    'token-cache-max-size',
    'token-cache-max-duration',
  ]),
  { name: 'concurrent', type: 'int', default: 10, usage: 'The number of concurrent resource reconciles.' },
  {
    name: 'requeue-dependency',
    type: 'duration',
    default: '5s',
    usage: 'The interval at which failing dependencies are reevaluated.',
  },
  {
    name: 'http-retry',
    type: 'int',
    default: 9,
    usage: 'The maximum number of retries when failing to fetch artifacts over HTTP.',
  },
  {
    name: 'reconciliation-timeout',
    type: 'duration',
    default: '10m',
    usage: 'The maximum duration of a reconciliation.',
  },
  featureGatesFlag(sourceWatcherFeatureGates),
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
