export {
  ImageRepositoryReconciler,
  imageRepositoryGVK,
  exclusionListOf,
  filterOutTags,
  sortTagsAndGetLatestTags,
  latestTagsCount,
  ScanReasons,
} from './reconciler.ts';
export type { ImageRepositoryObject, ImageRepositoryReconcilerOptions, ImageRepositoryState } from './reconciler.ts';
export { imageRepositoryReadyCondition } from './conditions.ts';
export { setupImageRepositoryController } from './setup.ts';
export type { ImageRepositoryControllerDeps } from './setup.ts';
