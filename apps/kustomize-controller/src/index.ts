export { main, kustomizeControllerNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { kustomizeControllerFlags, kustomizeControllerFeatureGates } from './flags.ts';
export { KustomizationReconciler, KustomizationGVK, SourceKinds, durations } from './kustomization/reconciler.ts';
export type { KustomizationReconcilerOptions } from './kustomization/reconciler.ts';
export { setupKustomizationController, sourceRefKey, SourceRefIndex, artifactChanged } from './kustomization/setup.ts';
