// helm 3.18.0's pkg/releaseutil (manifest splitting, hooks, kind order) and the parts of pkg/action and
// cmd/helm/template.go that assemble `helm template`'s output.
export { splitManifests, splitManifestList, bySplitManifestsOrder, goTrimSpace } from './manifest.ts';
export { readSimpleHead } from './simple-head.ts';
export type { SimpleHead } from './simple-head.ts';
export { INSTALL_ORDER, UNINSTALL_ORDER, kindComparator, sortByKind } from './kind-sorter.ts';
export type { KindSortOrder } from './kind-sorter.ts';
export {
  sortManifests,
  ManifestParseError,
  HOOK_ANNOTATION,
  HOOK_WEIGHT_ANNOTATION,
  HOOK_DELETE_ANNOTATION,
  HOOK_EVENTS,
} from './manifest-sorter.ts';
export type { Hook, HookEvent, Manifest, SortedManifests, SortManifestsOptions } from './manifest-sorter.ts';
export {
  crdObjects,
  renderResources,
  templateOutput,
  outputDirPlan,
  sourceBlock,
  isTestHook,
} from './render-resources.ts';
export type {
  Crd,
  RenderResourcesOptions,
  RenderedResources,
  TemplateOutputOptions,
  OutputFileWrite,
  OutputDirOptions,
} from './render-resources.ts';
export { helmTemplate, helmTemplateToDir, renderRelease, RenderStepError } from './template.ts';
export type { HelmTemplateOptions, RenderFunc } from './template.ts';
