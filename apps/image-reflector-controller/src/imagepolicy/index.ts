export {
  ImagePolicyReconciler,
  imagePolicyGVK,
  composeImagePolicyReadyMessage,
  imagePolicyInterval,
  imageRefString,
  imageRepositoryKey,
} from './reconciler.ts';
export type { ImagePolicyObject, ImagePolicyReconcilerOptions, ImagePolicyState } from './reconciler.ts';
export { imagePolicyReadyCondition } from './conditions.ts';
export { setupImagePolicyController, ImageRepositoryIndex, imageRepositoryRevisionChanged } from './setup.ts';
export type { ImagePolicyControllerDeps } from './setup.ts';
