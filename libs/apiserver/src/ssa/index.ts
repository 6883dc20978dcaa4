export {
  ancientChangesManager,
  ApplyConflictError,
  applyServerSide,
  beforeFirstApplyManager,
  lastAppliedAnnotation,
  maxUpdateManagers,
  updateManagedFields,
} from './managed-fields.ts';
export type {
  ApplyConflict,
  ApplyServerSideOptions,
  ApplyServerSideResult,
  ManagedFieldsEntry,
  UpdateManagedFieldsOptions,
} from './managed-fields.ts';
export { FieldSet, pathToString } from './fieldset.ts';
export type { FieldPath, PathElement } from './fieldset.ts';
export { compare, mergeApplied, toFieldSet } from './walk.ts';
export type { Comparison } from './walk.ts';
