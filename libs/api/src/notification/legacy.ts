/**
 * Small helpers shared by the `normalize<Kind>()` functions of the notification and image groups: copy the
 * stored object, move or drop legacy fields, and word the warning for each one the same way.
 */
import { CloneType, type TSchema } from '@sinclair/typebox';
import type { LegacyField } from '../define.ts';

/** A mutable JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether a value is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Returns a deep copy of a stored object (anything JSON-shaped), so normalizers never mutate their input.
 * Throws when the input is not an object with a `spec` object.
 */
export function copyStoredObject(kind: string, obj: unknown): JsonObject {
  if (!isObject(obj)) {
    throw new Error(`failed to normalize ${kind}: expected an object, got ${obj === null ? 'null' : typeof obj}`);
  }
  const copy = structuredClone(obj);
  if (copy['spec'] === undefined) copy['spec'] = {};
  if (!isObject(copy['spec'])) {
    throw new Error(`failed to normalize ${kind}: spec must be an object`);
  }
  return copy;
}

/** Returns the child object at `key`, creating it when missing (or replacing a non-object). */
export function childObject(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** Removes `key` from `parent` and returns its value (undefined when absent). */
export function take(parent: JsonObject, key: string): unknown {
  if (!Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  delete parent[key];
  return value;
}

/** Collects warnings worded from a kind's `legacyFields` table, so the text always matches the declaration. */
export class LegacyWarnings {
  readonly #kind: string;
  readonly #fields: readonly LegacyField[];
  readonly lines: string[] = [];

  constructor(kind: string, fields: readonly LegacyField[]) {
    this.#kind = kind;
    this.#fields = fields;
  }

  /** Records that the legacy field at `path` (a path declared in `legacyFields`) was found and handled. */
  add(path: string): void {
    const field = this.#fields.find((f) => f.path === path);
    if (field === undefined) {
      throw new Error(`failed to word legacy warning: ${this.#kind} declares no legacy field ${path}`);
    }
    this.lines.push(`${this.#kind} ${path} (${field.versions.join(', ')}) is deprecated: ${field.handling}`);
  }
}

/** The deprecation warning of a legacy version, worded like the upstream CRDs. */
export function deprecationWarning(version: string, kind: string, current: string): string {
  return `${version} ${kind} is deprecated, upgrade to ${current}`;
}

/**
 * A copy of a shared schema with its own description. (TypeBox's `CloneType(schema, options)` lets the
 * schema's existing description win, which would repeat the shared type's text on every field.)
 */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...CloneType(schema), description };
}
