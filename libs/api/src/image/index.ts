/** The `image.toolkit.fluxcd.io` kinds: ImageRepository, ImagePolicy and ImageUpdateAutomation (v1). */
export * from './constants.ts';
export * from './common.ts';
export * from './image-repository.ts';
export * from './image-policy.ts';
export * from './image-update-automation.ts';
