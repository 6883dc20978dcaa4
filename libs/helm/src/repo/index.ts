/** Helm's repository side: the chart repository index, the HTTP chart repository, `helm package`, `helm repo index` and `helm dependency build`. */
export * from './index-file.ts';
export * from './http-repository.ts';
export * from './dependency-manager.ts';
export * from './package.ts';
export * from './generate-index.ts';
