import { commonFlags, defineFlags, featureGatesFlag, withoutFlags } from '@flux-ts/runtime';

/** image-automation-controller feature gates and their defaults (upstream internal/features + auth gate). */
export const imageAutomationControllerFeatureGates = {
  CacheSecretsAndConfigMaps: false,
  GitAllBranchReferences: true,
  GitForcePushBranch: true,
  GitShallowClone: true,
  GitSparseCheckout: false,
  ObjectLevelWorkloadIdentity: false,
} as const;

/** image-automation-controller flags; upstream binds no --requeue-dependency or --interval-jitter-percentage. */
export const imageAutomationControllerFlags = defineFlags([
  ...withoutFlags(commonFlags, [
    'concurrent',
    'requeue-dependency',
    'interval-jitter-percentage',
    'default-service-account',
    'feature-gates',
  ]),
  { name: 'concurrent', type: 'int', default: 4, usage: 'The number of concurrent resource reconciles.' },
  featureGatesFlag(imageAutomationControllerFeatureGates),
  {
    name: 'default-service-account',
    type: 'string',
    default: '',
    usage: 'Default service account to use for workload identity when not specified in resources.',
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
