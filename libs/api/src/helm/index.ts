/** The `helm.toolkit.fluxcd.io` group: the HelmRelease kind and its constants. */
export * from './constants.ts';
export * from './helmrelease.ts';
