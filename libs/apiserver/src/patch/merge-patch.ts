/** RFC 7386 JSON merge patch (`application/merge-patch+json`). */
import { getOwn, setOwn } from '../util.ts';
import { PatchError } from './errors.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Hand-written: RFC 7386 is ten lines and the library candidates mutate their input or drag in extras.
// Keys are own properties only: `__proto__` and `constructor` are plain data, as in Go's maps.
const merge = (target: unknown, patch: unknown): unknown => {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, merge(getOwn(out, key), value));
  }
  return out;
};

/** Applies an RFC 7386 merge patch: objects merge, `null` deletes, everything else (lists too) replaces. */
export const applyMergePatch = <T>(obj: T, patch: unknown): T => {
  if (!isObject(patch))
    throw new PatchError(400, 'json: cannot unmarshal non-object into Go value of type map[string]interface {}');
  return merge(structuredClone(obj), patch) as T;
};
