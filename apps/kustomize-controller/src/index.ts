export { main, kustomizeControllerNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { kustomizeControllerFlags, kustomizeControllerFeatureGates } from './flags.ts';
export { createKustomizeController, KustomizeControllerName } from './controller.ts';
export type { KustomizeController, KustomizeControllerConfig, KustomizeControllerDeps } from './controller.ts';
export {
  KustomizationReconciler,
  KustomizationGVK,
  SourceKinds,
  durations,
  kustomizationSteps,
} from './kustomization/reconciler.ts';
export type { KustomizationReconcilerOptions, KustomizationState } from './kustomization/reconciler.ts';
export { setupKustomizationController, sourceRefKey, SourceRefIndex, artifactChanged } from './kustomization/setup.ts';
export type { KustomizationControllerDeps } from './kustomization/setup.ts';
