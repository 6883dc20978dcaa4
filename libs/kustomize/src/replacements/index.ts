export type { Replacement, ReplacementSource, ReplacementTarget, ReplacementFieldOptions } from './replacements.ts';
/** kustomize `replacements`. */
export { applyReplacements } from './replacements.ts';
export type { FieldRef, CreateKind } from './field-path.ts';
/** kyaml-style field paths on plain objects. */
export { splitFieldPath, matchFieldPath, getFieldValue } from './field-path.ts';
