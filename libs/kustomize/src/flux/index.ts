export type { EnvsubstOptions } from './envsubst.ts';
/** Flux's envsubst dialect. */
export { envsubst, EnvsubstError } from './envsubst.ts';
export type { SubstituteOptions } from './substitute.ts';
/** Flux postBuild substitution. */
export {
  substitute,
  substituteResource,
  isSubstitutionDisabled,
  SUBSTITUTE_ANNOTATION,
  VAR_NAME_REGEX,
} from './substitute.ts';
export type {
  ListedFile,
  DirectoryListing,
  GeneratedKustomization,
  FluxImage,
  FluxKustomizeSpec,
  MergeFluxSpecOptions,
} from './generator.ts';
/** Flux's kustomization generation and spec merge. */
export { generateKustomizationFiles, mergeFluxSpec, applyCommonMetadata } from './generator.ts';
