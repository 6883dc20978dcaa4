/**
 * `spec.ignore` drift rules (Flux Kustomization): JSON pointer paths that apply must not fight over. For each path
 * of an object that exists: when another field manager owns the field through an Apply, the path is removed from
 * our payload (the other applier keeps it); when only we own it, the live value is copied into the payload (so
 * applying neither reverts a hand edit nor drops the field from our ownership). A new object is created as built.
 * Hand-written: it needs the managedFields (fieldsV1) walk, which no JSON-pointer library does.
 */
import type { KubeObject } from '@flux-ts/runtime';

type Json = unknown;
type JsonMap = Record<string, Json>;

const isMap = (v: Json): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901 pointer → reference tokens (`~1` is `/`, `~0` is `~`). An invalid pointer gives undefined. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function step(v: Json, token: string): Json {
  if (Array.isArray(v)) {
    if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
    return v[Number(token)];
  }
  return isMap(v) ? v[token] : undefined;
}

/** The value at `tokens`, or undefined. */
export function valueAt(obj: Json, tokens: readonly string[]): Json {
  let v = obj;
  for (const t of tokens) {
    v = step(v, t);
    if (v === undefined) return undefined;
  }
  return v;
}

function setAt(obj: Json, tokens: readonly string[], value: Json | undefined): void {
  let parent = obj;
  for (const t of tokens.slice(0, -1)) {
    parent = step(parent, t);
    if (parent === undefined) return;
  }
  const last = tokens.at(-1);
  if (last === undefined) return;
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i >= parent.length) return;
    if (value === undefined) parent.splice(i, 1);
    else parent[i] = value;
  } else if (isMap(parent)) {
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
}

/** The fieldsV1 key of the list item `item` (`k:{…}`, `v:…` or `i:N` forms of structured-merge-diff). */
function listItemKey(fields: JsonMap, item: Json, index: number): string | undefined {
  for (const key of Object.keys(fields)) {
    if (key.startsWith('k:')) {
      let keys: JsonMap;
      try {
        keys = JSON.parse(key.slice(2)) as JsonMap;
      } catch {
        continue;
      }
      if (isMap(item) && Object.entries(keys).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v)))
        return key;
    } else if (key.startsWith('v:')) {
      if (key.slice(2) === JSON.stringify(item)) return key;
    } else if (key === `i:${index}`) return key;
  }
  return undefined;
}

/** Whether the fieldsV1 set owns the field at `tokens` of `live` (the field itself or anything below it). */
export function ownsField(fieldsV1: Json, live: Json, tokens: readonly string[]): boolean {
  let fields = fieldsV1;
  let value = live;
  for (const t of tokens) {
    if (!isMap(fields)) return false;
    let key: string | undefined;
    if (Array.isArray(value)) {
      const i = Number(t);
      if (!Number.isInteger(i)) return false;
      key = listItemKey(fields, value[i], i);
    } else key = `f:${t}`;
    if (key === undefined || !(key in fields)) return false;
    fields = fields[key];
    value = step(value, t);
  }
  return true;
}

interface ManagedFields {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Json;
}

/**
 * Returns the payload to apply for `desired` given the live object and the ignored pointers (see the module
 * comment). `desired` is not modified; invalid pointers are ignored.
 */
export function applyIgnoreRules(
  desired: KubeObject,
  live: KubeObject | undefined,
  pointers: readonly string[],
  fieldManager: string,
): KubeObject {
  if (!live || pointers.length === 0) return desired;
  const out = structuredClone(desired);
  const others = ((live.metadata.managedFields ?? []) as ManagedFields[]).filter(
    (m) => m.operation === 'Apply' && m.manager !== fieldManager && !m.subresource,
  );
  for (const pointer of pointers) {
    const tokens = parsePointer(pointer);
    if (!tokens || tokens.length === 0 || valueAt(out, tokens) === undefined) continue;
    if (others.some((m) => ownsField(m.fieldsV1, live, tokens))) {
      setAt(out, tokens, undefined);
      continue;
    }
    const current = valueAt(live, tokens);
    setAt(out, tokens, current === undefined ? undefined : structuredClone(current));
  }
  return out;
}
