import { artifactStorageFlags, commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

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
  ...artifactStorageFlags,
]);
