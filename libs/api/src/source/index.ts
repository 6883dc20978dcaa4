/** The source-controller kinds (`source.toolkit.fluxcd.io`). */
export { SourceGroup, SourceVersion, SourceGroupVersion, SourceCategories, AccessFrom } from './common.ts';
export * from './gitrepository.ts';
export * from './ocirepository.ts';
export * from './helmrepository.ts';
export * from './helmchart.ts';
export * from './bucket.ts';
export * from './externalartifact.ts';
export * from './reasons.ts';
