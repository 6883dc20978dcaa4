/**
 * @flux-ts/schema: Kubernetes structural schemas (CRD `openAPIV3Schema`) with the kube-apiserver's semantics:
 * validation (kube-openapi + list types + embedded resources + CEL `x-kubernetes-validations`), defaulting,
 * pruning, structural checks of the schema itself, and a subschema lookup for server-side apply.
 */
import { checkStructural as checkStructuralImpl, type CheckStructuralOptions } from './check-structural.ts';
import { StructuralSchema, type PruneOptions, type PruneResult, type ValidateOptions } from './structural-schema.ts';
import { schemaAt as schemaAtImpl } from './schema-at.ts';
import type { FieldError, JSONSchemaProps } from './types.ts';

export type { FieldError, FieldErrorType, JSONSchemaProps, ValidationRule } from './types.ts';
export type { CheckStructuralOptions, PruneOptions, PruneResult, ValidateOptions };
export { StructuralSchema };
export { formatFieldError, formatFieldErrorBody } from './go-format.ts';
export { schemaAt } from './schema-at.ts';
/** Label selector strings parsed and matched with k8s.io/apimachinery `labels.Parse` semantics and messages. */
export {
  LabelSelectorError,
  matchesLabelRequirements,
  parseLabelSelector,
  requirementMatches,
} from './label-selector.ts';
export type { LabelRequirement, SelectorOperator } from './label-selector.ts';
/** Unstructured JSON → CEL values as apiextensions' UnstructuredToVal does (maps, int for integral numbers). */
export { toCel } from './cel.ts';

/**
 * Validates a value against a CRD schema exactly as the kube-apiserver validates a custom resource on create.
 * Never throws. Compiles the schema on every call: use {@link StructuralSchema} to validate many objects.
 */
export function validate(schema: JSONSchemaProps, value: unknown, opts?: ValidateOptions): FieldError[] {
  return new StructuralSchema(schema).validate(value, opts);
}

/** Returns a copy of the value with the schema's defaults applied like the apiserver (see StructuralSchema). */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): unknown {
  return new StructuralSchema(schema).applyDefaults(value);
}

/** Returns a copy of the value without unknown fields and the dotted paths that were removed. */
export function prune(schema: JSONSchemaProps, value: unknown, opts?: PruneOptions): PruneResult {
  return new StructuralSchema(schema).prune(value, opts);
}

/** Checks the CRD schema itself (structural invariants, forbidden keywords, list types, patterns, CEL). */
export function checkStructural(schema: JSONSchemaProps, opts?: CheckStructuralOptions): FieldError[] {
  return checkStructuralImpl(schema, opts);
}

/** `x-kubernetes-list-type` of the node at a path of property names, if any. */
export function listTypeAt(schema: JSONSchemaProps, path: readonly string[]): 'atomic' | 'set' | 'map' | undefined {
  return schemaAtImpl(schema, path)?.['x-kubernetes-list-type'];
}

/** `x-kubernetes-map-type` of the node at a path of property names, if any. */
export function mapTypeAt(schema: JSONSchemaProps, path: readonly string[]): 'atomic' | 'granular' | undefined {
  return schemaAtImpl(schema, path)?.['x-kubernetes-map-type'];
}
