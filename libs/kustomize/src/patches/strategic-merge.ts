/**
 * Strategic merge with kustomize's semantics (kyaml merge2 with `ListIncreaseDirection: prepend`), which differ
 * from apimachinery's in several observable ways, all checked against `kubectl kustomize` v5.5.0:
 * - merged lists start with the patch's items in the patch's order, followed by the target's remaining items;
 * - `$setElementOrder/…`, `$retainKeys` and `$deleteFromPrimitiveList/…` are NOT interpreted: they stay in the
 *   output as ordinary fields;
 * - kinds without a schema (custom resources) have every list replaced;
 * - only `$patch: delete | replace | merge` and `null` (delete the field) are directives.
 */
import type { KObject } from '../resource.ts';
import type { YamlValue } from '../yaml-emit.ts';
import type { SmpTypeInfo } from './type-info.ts';
import { smpTypeInfoFor } from './type-info.ts';

/** Options of {@link applyStrategicMerge}. */
export interface StrategicMergeOptions {
  /** Field facts; by default looked up from the target's `apiVersion`/`kind`. */
  typeInfo?: SmpTypeInfo;
}

const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const PATCH = '$patch';

/** A scalar's identity for merge keys and sets (kyaml compares the YAML text of scalars). */
const scalarKey = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const stripDirective = (m: KObject): KObject => {
  const out: KObject = {};
  for (const [k, v] of Object.entries(m)) if (k !== PATCH) out[k] = v;
  return out;
};

/** A value taken from the patch where the target has nothing: walked so nulls and directives are removed. */
const fresh = (patch: YamlValue | undefined, path: readonly string[], ti: SmpTypeInfo): YamlValue | undefined => {
  if (isObject(patch)) return mergeMaps(undefined, patch, path, ti);
  if (Array.isArray(patch)) return mergeLists(undefined, patch, path, ti);
  return patch;
};

const mergeValue = (
  dest: YamlValue | undefined,
  patch: YamlValue | undefined,
  path: readonly string[],
  ti: SmpTypeInfo,
): YamlValue | undefined => {
  if (patch === null) return undefined;
  if (isObject(patch)) return mergeMaps(isObject(dest) ? dest : undefined, patch, path, ti);
  if (Array.isArray(patch)) return mergeLists(Array.isArray(dest) ? dest : undefined, patch, path, ti);
  return patch;
};

/** Returns the merged map, or undefined when the patch deletes it. */
const mergeMaps = (
  dest: KObject | undefined,
  patch: KObject,
  path: readonly string[],
  ti: SmpTypeInfo,
): KObject | undefined => {
  const directive = patch[PATCH];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirective(patch);
  const out: KObject = dest === undefined ? {} : { ...dest };
  // kyaml walks field names sorted; existing fields keep their place, new ones are appended in that order
  for (const key of Object.keys(patch).sort()) {
    if (key === PATCH) continue;
    const merged =
      dest !== undefined && key in dest
        ? mergeValue(dest[key], patch[key], [...path, key], ti)
        : patch[key] === null
          ? undefined
          : fresh(patch[key], [...path, key], ti);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
};

/** The `$patch` directive of a list (an item `{ $patch: x }`), and the list without that item. */
const listDirective = (patch: readonly YamlValue[]): { directive: YamlValue | undefined; items: YamlValue[] } => {
  let directive: YamlValue | undefined;
  const items: YamlValue[] = [];
  for (const item of patch) {
    if (isObject(item) && PATCH in item && Object.keys(item).length === 1) directive = item[PATCH];
    else items.push(item);
  }
  return { directive, items };
};

const mergeLists = (
  dest: YamlValue[] | undefined,
  patch: readonly YamlValue[],
  path: readonly string[],
  ti: SmpTypeInfo,
): YamlValue[] | undefined => {
  const { directive, items } = listDirective(patch);
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return items;
  const info = ti.list(path);
  if (info === undefined) return items;
  if (info.key === undefined) {
    // a set of scalars: the patch's values first, then the target's others
    const seen = new Set<string>();
    const out: YamlValue[] = [];
    for (const v of [...items, ...(dest ?? [])]) {
      if (v === null) continue;
      const k = scalarKey(v);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(v);
    }
    return out;
  }
  if (info.keys !== undefined && info.keys.length > 1) {
    const secondary = info.keys.slice(1);
    const hasSecondary = (p: unknown): boolean =>
      isObject(p) && secondary.some((k) => p[k] !== undefined && p[k] !== null);
    const usesSecondary = items.some(hasSecondary) || (dest ?? []).some(hasSecondary);
    if (usesSecondary) return mergeMultiKey(dest ?? [], items, info.keys, path, ti);
  }
  const key = info.key;
  const keyOf = (item: unknown): string | undefined =>
    isObject(item) && item[key] !== undefined && item[key] !== null ? scalarKey(item[key]) : undefined;
  const destByKey = new Map<string, KObject>();
  for (const d of dest ?? []) {
    const k = keyOf(d);
    if (k !== undefined && isObject(d) && !destByKey.has(k)) destByKey.set(k, d);
  }
  const out: YamlValue[] = [];
  const used = new Set<string>();
  for (const p of items) {
    const k = keyOf(p);
    if (k === undefined || !isObject(p)) {
      out.push(p);
      continue;
    }
    used.add(k);
    const merged = mergeMaps(destByKey.get(k), p, path, ti);
    if (merged !== undefined) out.push(merged);
  }
  for (const d of dest ?? []) {
    const k = keyOf(d);
    if (k !== undefined && used.has(k)) continue;
    out.push(d);
  }
  return out;
};

/**
 * Lists with several map keys (ports: containerPort + protocol) when the patch or the target sets a secondary key.
 * Observed kyaml behaviour: an item whose whole key tuple matches is merged in place; an item whose primary key
 * matches a target item and whose other keys are equal or missing on one side is dropped; other items are new and
 * go first, in patch order.
 */
const mergeMultiKey = (
  dest: readonly YamlValue[],
  items: readonly YamlValue[],
  keys: readonly string[],
  path: readonly string[],
  ti: SmpTypeInfo,
): YamlValue[] => {
  const tuple = (item: unknown): string | undefined =>
    isObject(item)
      ? keys.map((k) => (item[k] === undefined || item[k] === null ? '' : scalarKey(item[k]))).join('\u0000')
      : undefined;
  const primary = keys[0] as string;
  const out: YamlValue[] = [...dest];
  const fresh: YamlValue[] = [];
  for (const p of items) {
    if (!isObject(p)) continue;
    const t = tuple(p);
    const idx = out.findIndex((d) => tuple(d) === t);
    if (idx >= 0) {
      const merged = mergeMaps(out[idx] as KObject, p, path, ti);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
      continue;
    }
    // same primary key and the other keys equal or missing on one side (either side): kyaml drops the item
    const missing = (v: unknown): boolean => v === undefined || v === null;
    const lacking = out.some(
      (d) =>
        isObject(d) &&
        scalarKey(d[primary]) === scalarKey(p[primary]) &&
        keys.slice(1).every((k) => missing(d[k]) || missing(p[k]) || scalarKey(d[k]) === scalarKey(p[k])),
    );
    if (lacking) continue;
    const created = mergeMaps(undefined, p, path, ti);
    if (created !== undefined) fresh.push(created);
  }
  return [...fresh, ...out];
};

/**
 * Applies a strategic-merge patch to a resource with kustomize (kyaml merge2) semantics. Returns the merged
 * resource, or `null` when the patch deletes it (`$patch: delete` at the top). Inputs are not mutated.
 */
export const applyStrategicMerge = (
  target: KObject,
  patch: KObject,
  options: StrategicMergeOptions = {},
): KObject | null => {
  const ti =
    options.typeInfo ??
    smpTypeInfoFor(
      String(target['apiVersion'] ?? patch['apiVersion'] ?? ''),
      String(target['kind'] ?? patch['kind'] ?? ''),
    );
  const merged = mergeMaps(target, patch, [], ti);
  return merged === undefined || Object.keys(merged).length === 0 ? null : merged;
};
