import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** notification-controller feature gates and their defaults (upstream internal/features + auth gate). */
export const notificationControllerFeatureGates = {
  CacheSecretsAndConfigMaps: false,
  DisableConfigWatchers: false,
  ObjectLevelWorkloadIdentity: false,
} as const;

/**
 * notification-controller flags. Here `--events-addr` is the address the event server listens on (:9090),
 * not a receiver URL; upstream binds no --requeue-dependency, --interval-jitter-percentage,
 * --watch-label-selector or --default-service-account.
 */
export const notificationControllerFlags = defineFlags([
  ...withoutFlags(commonFlags, [
    'events-addr',
    'concurrent',
    'requeue-dependency',
    'interval-jitter-percentage',
    'watch-label-selector',
    'default-service-account',
    'feature-gates',
  ]),
  { name: 'events-addr', type: 'address', default: ':9090', usage: 'The address the event endpoint binds to.' },
  {
    name: 'receiverAddr',
    type: 'address',
    default: ':9292',
    usage: 'The address the webhook receiver endpoint binds to.',
  },
  { name: 'concurrent', type: 'int', default: 4, usage: 'The number of concurrent notification reconciles.' },
  featureGatesFlag(notificationControllerFeatureGates),
  {
    name: 'rate-limit-interval',
    type: 'duration',
    default: '5m',
    usage: 'Interval in which rate limit has effect.',
  },
  {
    name: 'export-http-path-metrics',
    type: 'bool',
    default: false,
    usage: 'When enabled, the requests full path is included in the HTTP server metrics (risk as high cardinality',
  },
]);
