/** Helpers shared by the source kind specs. */
import type { FieldError } from '@flux-ts/schema';
import { schemaFieldPaths, type KindDefinition } from '../define.ts';
import { kindSchema } from '../registry.ts';

/** The reference field paths missing from a kind's schema (`spec.…`/`status.…`). */
export function missingPaths(def: KindDefinition, expected: readonly string[]): string[] {
  const have = new Set(schemaFieldPaths(kindSchema(def)));
  return expected.filter((p) => !have.has(p));
}

/** A minimal object of the kind with the given spec. */
export function objectOf(def: KindDefinition, spec: Record<string, unknown>, version = 'v1'): Record<string, unknown> {
  return {
    apiVersion: `${def.group}/${version}`,
    kind: def.kind,
    metadata: { name: 'test', namespace: 'default' },
    spec,
  };
}

/** The errors without the apiserver's "some validation rules were not checked" note. */
export function fieldErrors(errors: readonly FieldError[]): Pick<FieldError, 'type' | 'field'>[] {
  return errors.filter((e) => e.field !== '<nil>').map((e) => ({ type: e.type, field: e.field }));
}
