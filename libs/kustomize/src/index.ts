/** Build a kustomization directory like `kubectl kustomize`. */
export { build, KUSTOMIZATION_FILE_NAMES } from './build.ts';
export type { BuildOptions, RemoteFetcher } from './build.ts';
/** The default remote fetcher (git clones through @flux-ts/git, https downloads) and kustomize's git URL syntax. */
export { createRemoteFetcher, parseGitUrl } from './remote.ts';
export type { ClosableRemoteFetcher, GitRepoSpec, RemoteFetcherOptions } from './remote.ts';
/** Serialise resources exactly as kustomize prints them. */
export { toYaml } from './to-yaml.ts';
/** Low-level YAML emitter in kustomize's (go-yaml v2) style. */
export { emitDocument, formatNumber, goYamlKeyLess } from './yaml-emit.ts';
export type { YamlValue } from './yaml-emit.ts';
/** File-system and load-restriction types. */
export type { KustomizeFs, LoadRestrictions } from './loader.ts';
/** An untyped manifest as parsed from YAML (a map of YAML values), used by every part of the engine. */
export type { KObject } from './resource.ts';
/** Resource ids and the engine's error type. */
export { KustomizeError } from './resource.ts';
export type { ResId, Gvk } from './resource.ts';
/** kustomize's generator content hash. */
export { hashResource } from './hash.ts';
/** Strategic-merge and JSON 6902 patches, patch targets (see src/patches). */
export {
  applyStrategicMerge,
  applyJson6902,
  applyPatchEntry,
  parsePatch,
  selectTargets,
  matchesLabelSelector,
} from './patches/index.ts';
export type { PatchEntry, Selector, Json6902Op } from './patches/index.ts';
/** kustomize `replacements` (see src/replacements). */
export { applyReplacements } from './replacements/index.ts';
export type { Replacement } from './replacements/index.ts';
/** kustomize `vars` (see src/vars). */
export { resolveVars } from './vars/index.ts';
export type { Var } from './vars/index.ts';
/** Flux extras: kustomization generation, spec merge, postBuild substitution (see src/flux). */
export {
  generateKustomizationFiles,
  mergeFluxSpec,
  applyCommonMetadata,
  substitute,
  substituteResource,
  isSubstitutionDisabled,
  envsubst,
  SUBSTITUTE_ANNOTATION,
} from './flux/index.ts';
export type { FluxKustomizeSpec, SubstituteOptions, GeneratedKustomization } from './flux/index.ts';
