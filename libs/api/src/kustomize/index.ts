/** The `kustomize.toolkit.fluxcd.io` group: the Kustomization kind, its shared kustomize types and constants. */
export * from './constants.ts';
export * from './kustomize-types.ts';
export * from './kustomization.ts';
