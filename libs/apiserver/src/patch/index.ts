export { PatchError, unprocessablePatch } from './errors.ts';
export type { PatchErrorCause, PatchErrorStatus } from './errors.ts';
export { applyJsonPatch } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';
