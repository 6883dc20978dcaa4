export { main, helmControllerNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { helmControllerFlags, helmControllerFeatureGates } from './flags.ts';
export { createHelmController, HelmControllerName } from './controller.ts';
export type { HelmController, HelmControllerConfig, HelmControllerDeps } from './controller.ts';
export { HelmReleaseReconciler, HelmReleaseGVK, helmReleaseSteps, actionConfigFor } from './helmrelease/reconciler.ts';
export type { HelmReleaseReconcilerOptions, HelmReleaseState } from './helmrelease/reconciler.ts';
export { setupHelmReleaseController, HelmChartIndex, ValuesFromIndex, helmChartKey } from './helmrelease/setup.ts';
export type { HelmReleaseControllerDeps } from './helmrelease/setup.ts';
export { composeValues, digestValues, ValuesReferenceError } from './helmrelease/values.ts';
export {
  determineReleaseState,
  actionForState,
  releaseNameOf,
  releaseNamespaceOf,
  storageNamespaceOf,
  snapshotOf,
} from './helmrelease/release.ts';
export type { ReleaseState, ReleaseRequest, Snapshot } from './helmrelease/release.ts';
export { RuntimeHelmKubeClient } from './helmrelease/kube-client.ts';
export { helmChartFromTemplate, helmChartRef, HelmChartGVK } from './helmrelease/chart.ts';
