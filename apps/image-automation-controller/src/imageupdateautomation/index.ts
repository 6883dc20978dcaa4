export {
  ImageUpdateAutomationReconciler,
  ReadyMessage,
  gitRepositoryGVK,
  imagePolicyGVK,
  imageUpdateAutomationGVK,
  parseRefspec,
} from './reconciler.ts';
export type {
  ImageUpdateAutomationObject,
  ImageUpdateAutomationReconcilerOptions,
  ImageUpdateAutomationState,
  PushResult,
  SourceConfig,
} from './reconciler.ts';
export { imageUpdateAutomationReadyCondition } from './conditions.ts';
export {
  GitRepositoryIndex,
  latestRefChanged,
  setupImageUpdateAutomationController,
  sourceConfigChanged,
} from './setup.ts';
export type { ImageUpdateAutomationControllerDeps } from './setup.ts';
