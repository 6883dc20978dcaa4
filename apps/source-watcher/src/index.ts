export { main, sourceWatcherNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { sourceWatcherFlags, sourceWatcherFeatureGates } from './flags.ts';
export { advertisedStorageAddress, createSourceWatcher, SourceWatcherName } from './controller.ts';
export type { SourceWatcher, SourceWatcherConfig, SourceWatcherDeps } from './controller.ts';
export * from './artifactgenerator/index.ts';
export * from './builder/index.ts';
