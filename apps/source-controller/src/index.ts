export { main, sourceControllerNotice } from './main.ts';
export type { MainProcess } from './main.ts';
export { sourceControllerFlags, sourceControllerFeatureGates } from './flags.ts';
export { createSourceController, advertisedStorageAddress, SourceControllerName } from './controller.ts';
export type { SourceController, SourceControllerConfig, SourceControllerDeps } from './controller.ts';
export * from './gitrepository/index.ts';
