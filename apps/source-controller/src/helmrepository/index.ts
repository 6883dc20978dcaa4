export { HelmRepositoryReconciler, helmRepositoryGVK, ociRequiresMigration } from './reconciler.ts';
export type { HelmRepositoryObject, HelmRepositoryReconcilerOptions, HelmRepositoryState } from './reconciler.ts';
export { helmRepositoryFailConditions, helmRepositoryReadyCondition } from './conditions.ts';
export { HelmRepositoryURLIndex, helmRepositoryURLKeys, ociMigration, setupHelmRepositoryController } from './setup.ts';
export type { HelmRepositoryControllerDeps } from './setup.ts';
