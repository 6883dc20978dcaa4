export { parseGoDuration, formatGoDuration } from './duration.ts';
export { parseListenAddress, formatListenAddress } from './address.ts';
export type { ListenAddress } from './address.ts';
export {
  defineFlags,
  parseFlags,
  formatHelp,
  withoutFlags,
  wantsHelp,
  toCamelCase,
  FlagError,
  HelpRequestedError,
} from './flags.ts';
export type {
  Env,
  FlagSpec,
  BoolFlagSpec,
  StringFlagSpec,
  NumberFlagSpec,
  DurationFlagSpec,
  AddressFlagSpec,
  ListFlagSpec,
  FeatureGatesFlagSpec,
  FlagValue,
  FlagConfig,
  CamelCase,
  FormatHelpOptions,
} from './flags.ts';
export { artifactStorageFlags, commonFlags, featureGatesFlag } from './common-flags.ts';
export { loadKubeConfig, KubeConfigError, SERVICE_ACCOUNT_DIR } from './kubeconfig.ts';
/** A kubeconfig and its credentials without @kubernetes/client-node's generated API (see kube-config.ts). */
export { KubeConfig, asClientNodeKubeConfig } from './kube-config.ts';
export type { KubeConfigLike, KubeConfigOptions } from './kube-config.ts';
export type { LoadKubeConfigOptions } from './kubeconfig.ts';
export { ServiceAccountNamespaceFile, readControllerEnv } from './env.ts';
export type { ControllerEnv } from './env.ts';
export { prepareControllerMain, runUnimplementedController, ServiceAccountDirEnv } from './unimplemented-main.ts';
export type { ControllerMainOptions, MainIO, UnimplementedControllerOptions } from './unimplemented-main.ts';
