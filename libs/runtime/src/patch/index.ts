/** Serial patch helper (fluxcd/pkg `runtime/patch`) and the client subset the reconcile kit uses. */
export { SerialPatcher, SerialPatchError } from './serial-patcher.ts';
/** Options of the patcher. */
export type { SerialPatchOptions, SerialPatcherOptions } from './serial-patcher.ts';
/** RFC 7386 merge patch generation. */
export { createMergePatch, isEmptyPatch } from './merge-patch.ts';
/** Three-way merge of condition changes (used by the patcher; exported for custom patch flows). */
export { newConditionsPatch, applyConditionsPatch, ConditionsMergeConflictError } from './conditions-patch.ts';
/** Types of the conditions three-way merge. */
export type { ConditionPatchOp, ApplyConditionsOptions } from './conditions-patch.ts';
/** Structural client subset and object types of the reconcile kit (any `KubeClient` satisfies `PatchClient`). */
export type { PatchClient, ClientPatchOptions } from './types.ts';
