/** The GitRepository reconciler of source-controller. */
export { GitRepositoryReconciler, gitRepositoryGVK, DefaultGitTimeoutMs } from './reconciler.ts';
export type { GitRepositoryReconcilerOptions } from './reconciler.ts';
export { gitRepositoryReadyCondition, gitRepositoryFailConditions, GitReasons } from './conditions.ts';
export {
  setupGitRepositoryController,
  includedRepositoryKeys,
  artifactChanged,
  IncludedRepositoryIndex,
} from './setup.ts';
export type { GitRepositoryControllerDeps } from './setup.ts';
