/**
 * The server's view of the patch helper's modules (src/patch, src/ssa, src/typeinfo): the server imports
 * patch and apply functions only from here.
 */
export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from '../patch/index.ts';
export { applyServerSide, ApplyConflictError, updateManagedFields } from '../ssa/index.ts';
export { builtinTypeInfo, crdTypeInfo, objectMetaTypeInfo } from '../typeinfo/index.ts';
export type { TypeInfo } from '../typeinfo/index.ts';
