export { main, imageAutomationControllerNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { imageAutomationControllerFlags, imageAutomationControllerFeatureGates } from './flags.ts';
export { ImageAutomationControllerName, createImageAutomationController } from './controller.ts';
export type {
  ImageAutomationController,
  ImageAutomationControllerConfig,
  ImageAutomationControllerDeps,
} from './controller.ts';
export * from './imageupdateautomation/index.ts';
