import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** image-reflector-controller feature gates and their defaults (upstream internal/features + auth gate). */
export const imageReflectorControllerFeatureGates = {
  CacheSecretsAndConfigMaps: false,
  FluxStorage: false,
  ObjectLevelWorkloadIdentity: false,
} as const;

/** image-reflector-controller flags; upstream binds no --requeue-dependency or --interval-jitter-percentage. */
export const imageReflectorControllerFlags = defineFlags([
  ...withoutFlags(commonFlags, [
    'concurrent',
    'requeue-dependency',
    'interval-jitter-percentage',
    'default-service-account',
    'feature-gates',
  ]),
  { name: 'concurrent', type: 'int', default: 4, usage: 'The number of concurrent resource reconciles.' },
  featureGatesFlag(imageReflectorControllerFeatureGates),
  {
    name: 'default-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account to use for workload identity when not specified in resources.',
  },
  {
    name: 'storage-path',
    type: 'string',
    default: '/data',
    usage: 'Where to store the persistent database of image metadata',
  },
  {
    name: 'storage-value-log-file-size',
    type: 'int64',
    default: 268435456,
    usage:
      "Set the database's memory mapped value log file size in bytes. Effective memory usage is about two times this size.",
  },
  {
    name: 'storage-compression-threshold',
    type: 'int64',
    default: 65536,
    usage: 'The size in bytes above which the FluxStorage tag list is stored gzip-compressed.',
  },
  {
    name: 'gc-interval',
    type: 'uint16',
    default: 10,
    usage:
      'The interval in number of minutes at which the garbage collector will run for the tags database. Zero disables GC.',
  },
]);
