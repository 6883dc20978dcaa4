export type { Var, ResolvedVars } from './vars.ts';
/** kustomize `vars` and `$(VAR)` expansion. */
export { resolveVars, resolveVarsDetailed, expandVarRefs } from './vars.ts';
export type { VarRefFieldSpec } from './default-specs.ts';
/** kustomize's default var-reference field specs. */
export { DEFAULT_VAR_REFERENCE_FIELD_SPECS } from './default-specs.ts';
