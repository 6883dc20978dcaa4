/** The source-watcher kinds (`source.extensions.fluxcd.io`). */
export * from './artifactgenerator.ts';
