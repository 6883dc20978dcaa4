/**
 * @flux-ts/api: the Flux API kinds as TypeBox schemas and TypeScript types, the shared meta types and
 * constants, the kind registry (lookup, validation, normalization of legacy versions) and CRD rendering.
 */
export * from './define.ts';
export * from './meta/index.ts';
export * from './source/index.ts';
export * from './kustomize/index.ts';
export * from './helm/index.ts';
export * from './notification/index.ts';
export * from './image/index.ts';
export * from './extensions/index.ts';
export * from './registry.ts';
