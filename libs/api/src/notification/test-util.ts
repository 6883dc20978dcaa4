/**
 * Test helpers of the notification and image kinds (used by their `*.spec.ts` only; not exported by the package).
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { FieldError, JSONSchemaProps } from '@flux-ts/schema';
import { objectSchema, type KindDefinition } from '../define.ts';

/** Reads every YAML document of a fixture, resolved relative to the calling module's URL. */
export function readYamlDocs(relativePath: string, from: string): Record<string, unknown>[] {
  const text = readFileSync(new URL(relativePath, from), 'utf8');
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`failed to parse fixture ${relativePath}`, { cause: doc.errors[0] });
    return doc.toJS() as Record<string, unknown>;
  });
}

/** The whole-object OpenAPI schema of a kind, typed for `@flux-ts/schema`. */
export function kindSchema(def: KindDefinition): JSONSchemaProps {
  return objectSchema(def) as JSONSchemaProps;
}

/** Returns the schema node at a dotted path of property names (`[]` steps into array items). */
export function nodeAt(schema: unknown, path: string): Record<string, unknown> {
  let node = schema as Record<string, unknown>;
  for (const part of path.split('.')) {
    const arrays = part.endsWith('[]');
    const key = arrays ? part.slice(0, -2) : part;
    const props = node['properties'] as Record<string, Record<string, unknown>> | undefined;
    const next = props?.[key];
    if (next === undefined) throw new Error(`no schema node at ${path} (stopped at ${part})`);
    node = arrays ? (next['items'] as Record<string, unknown>) : next;
  }
  return node;
}

/**
 * `[type, field]` of each validation error, without the apiserver's trailing `<nil>` note that CEL rules
 * were skipped because the object was already invalid.
 */
export function errorPaths(errors: readonly FieldError[]): [string, string][] {
  return errors.filter((e) => e.field !== '<nil>').map((e) => [e.type, e.field]);
}
