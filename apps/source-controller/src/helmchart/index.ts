export { HelmChartReconciler, helmChartGVK, revisionMetadata } from './reconciler.ts';
export type { HelmChartObject, HelmChartReconcilerOptions, HelmChartState } from './reconciler.ts';
export { helmChartFailConditions, helmChartReadyCondition } from './conditions.ts';
export { SourceRefIndex, setupHelmChartController, sourceRefKeys, sourceRevisionChanged } from './setup.ts';
export type { HelmChartControllerDeps } from './setup.ts';
export {
  BuildError,
  BuildReasons,
  buildLocal,
  buildRemote,
  buildSummary,
  isPersistentBuildError,
  mergeChartValues,
  mergeFileValues,
  overwriteChartDefaultValues,
  withVersionMetadata,
} from './build.ts';
export type { Build, BuildOptions, BuildErrorReason } from './build.ts';
