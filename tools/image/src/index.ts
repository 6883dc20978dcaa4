/** The controllers that ship as images and the esbuild bundling of their bins. */
export { APPS, BUNDLE_ENTRY, bundleApp, bundleOptions } from './bundle.ts';
export type { AppName, BundleResult } from './bundle.ts';
/** buildah: the shared Node base, the app images, push, size. */
export {
  APP_DIR,
  NODE_PATH,
  buildAppImage,
  buildBaseImage,
  buildah,
  imageExists,
  inspectImage,
  pushImage,
  sharedLibraries,
  storageFlags,
} from './image.ts';
export type { AppImageOptions, BaseImage, BaseImageOptions, ImageInfo, Storage } from './image.ts';
/** gotk-components.yaml: deploy/install with the images set. */
export { DEFAULT_REGISTRY, DEFAULT_TAG, EXTRA_COMPONENTS, gotkComponents } from './components.ts';
export type { ComponentsOptions } from './components.ts';
/** The `flux-ts-image` command. */
export { main } from './main.ts';
export type { MainIO } from './main.ts';
