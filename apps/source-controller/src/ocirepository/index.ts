export {
  OCIRepositoryDefaultTimeout,
  OCIRepositoryReconciler,
  ociContentConfigChanged,
  ociRepositoryGVK,
} from './reconciler.ts';
export type { OCIRepositoryReconcilerOptions, OCIRepositoryState } from './reconciler.ts';
export { ociRepositoryFailConditions, ociRepositoryReadyCondition } from './conditions.ts';
export { FluxConfigMediaType, FluxContentMediaType } from './pull.ts';
export { setupOCIRepositoryController } from './setup.ts';
export type { OCIRepositoryControllerDeps } from './setup.ts';
