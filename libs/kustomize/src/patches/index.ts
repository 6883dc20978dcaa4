export type { StrategicMergeOptions } from './strategic-merge.ts';
/** Strategic merge with kustomize (kyaml merge2) semantics. */
export { applyStrategicMerge } from './strategic-merge.ts';
export type { SmpTypeInfo, ListMergeInfo, SmpTable } from './type-info.ts';
/** Strategic-merge facts of the built-in kinds. */
export { smpTypeInfoFor, noSmpTypeInfo } from './type-info.ts';
export type { Json6902Op } from './json6902.ts';
/** RFC 6902 JSON patches. */
export { applyJson6902, toJson6902Ops } from './json6902.ts';
export type { Selector, ResIdSelector, ResId, SelectOptions } from './selector.ts';
/** kustomize resource selection (patch targets). */
export {
  selectTargets,
  compileSelector,
  resIdOf,
  effectiveNamespace,
  isClusterScoped,
  matchesLabelSelector,
} from './selector.ts';
export type { PatchEntry, ParsedPatch, ApplyPatchOptions, LegacyJson6902Entry } from './patch-entry.ts';
/** `patches:` entries and the legacy patch fields. */
export { applyPatchEntry, parsePatch, fromPatchesStrategicMerge, fromPatchesJson6902 } from './patch-entry.ts';
