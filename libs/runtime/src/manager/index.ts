/** The manager: runs the cache, servers and runnables, gates leader-only runnables on election, shuts down gracefully. */
export { Manager } from './manager.ts';
export type { ManagerOptions, ManagerCache, ManagerLeaderElection } from './manager.ts';
export type { Runnable, RunnableContext } from './runnable.ts';
export { LeaderElectionNamespaceMissing, runtimeSettingsFromFlags } from './from-flags.ts';
export type { RuntimeFlagValues, RuntimeSettings } from './from-flags.ts';
export { newControllerProcess, newControllerRuntime } from './controller-runtime.ts';
export type {
  ControllerProcess,
  ControllerProcessDeps,
  ControllerProcessFlagValues,
  ControllerProcessParts,
  ControllerRuntimeFlagValues,
  ControllerRuntimeOptions,
} from './controller-runtime.ts';
