export * from './config/index.ts';
export * from './conditions/index.ts';
export * from './patch/index.ts';
export * from './reconcile/index.ts';
export * from './events/index.ts';
export * from './queue/index.ts';
export * from './controller/index.ts';
export * from './observability/index.ts';
export * from './http/index.ts';
export * from './client/index.ts';
export * from './cache/index.ts';
export * from './manager/index.ts';
export * from './leader-election/index.ts';
/** Waits, or rejects with the abort reason. */
export { sleep } from './util/sleep.ts';
/** The message of a caught value (`Error.message`, else `String(err)`). */
export { errMessage } from './util/err-message.ts';
export {
  ParentPidEnv,
  ParentPollIntervalMs,
  claimTempDir,
  processAlive,
  superviseControllerProcess,
  watchParent,
} from './process/supervise.ts';
export type { ClaimTempDirOptions, SuperviseOptions } from './process/supervise.ts';
