/**
 * RFC 7386 JSON merge patch generation. Hand-written (about 20 lines) because no maintained generator is installed
 * and controller-runtime's `client.MergeFrom` semantics are exactly this: nested objects recurse, removed keys become
 * `null`, lists and scalars are replaced whole.
 */
import { isDeepStrictEqual } from 'node:util';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The merge patch turning `before` into `after` (both objects); `{}` when equal. */
export function createMergePatch(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(before)) {
    if (!(k in after) || after[k] === undefined) {
      if (before[k] !== undefined) patch[k] = null;
    }
  }
  for (const [k, a] of Object.entries(after)) {
    if (a === undefined) continue;
    const b = before[k];
    if (isPlainObject(a) && isPlainObject(b)) {
      const sub = createMergePatch(b, a);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!isDeepStrictEqual(normalize(a), normalize(b))) {
      patch[k] = a;
    }
  }
  return patch;
}

// Drops `undefined` members so `{a: undefined}` equals `{}` as it would after JSON encoding.
function normalize(v: unknown): Json | undefined {
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as Json);
}

/** True when the patch changes nothing. */
export function isEmptyPatch(patch: Record<string, unknown>): boolean {
  return Object.keys(patch).length === 0;
}
