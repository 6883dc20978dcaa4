/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), following
 * k8s.io/apimachinery/pkg/util/strategicpatch: lists with `patchStrategy: merge` merge by their
 * `patchMergeKey`, primitive merge lists union, `$patch`, `$retainKeys`, `$setElementOrder/<field>`,
 * `$deleteFromPrimitiveList/<field>` directives, `null` deletes.
 */
import type { FieldTypeInfo, TypeInfo } from '../typeinfo/types.ts';
import { getOwn, setOwn } from '../util.ts';
import { PatchError, unprocessablePatch } from './errors.ts';

type Obj = Record<string, unknown>;

const directiveKey = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): boolean => v === null || (typeof v !== 'object' && v !== undefined);

/** Go's `%v` of a JSON value, as apimachinery puts maps into its error messages. */
const goFormat = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  if (v === null) return '<nil>';
  return String(v);
};

// apimachinery/pkg/util/mergepatch error texts
const errBadPatchFormatForPrimitiveList = () => new PatchError(400, 'invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = () => new PatchError(400, 'invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = () =>
  new PatchError(400, 'invalid patch format of setElementOrder list');
const errNoListOfLists = () => unprocessablePatch('lists of lists are not supported');
// Kubernetes returns these two as 500 (it does not map them); we report them as 422.
const errBadPatchType = (t: unknown, m: unknown) =>
  new PatchError(422, `unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);
const errNoMergeKey = (m: unknown, k: string) =>
  new PatchError(422, `map: ${goFormat(m)} does not contain declared merge key: ${k}`);

interface Ctx {
  typeInfo: TypeInfo | undefined;
}

const fieldInfo = (ctx: Ctx, path: readonly string[]): FieldTypeInfo | undefined => ctx.typeInfo?.field(path);

const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
};

/** Removes every directive from a patch fragment that lands where the original has nothing. */
const stripDirectives = (v: unknown): unknown => {
  if (Array.isArray(v)) {
    return v.filter((item) => !(isObject(item) && directiveKey in item)).map(stripDirectives);
  }
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === directiveKey || k === retainKeysDirective) continue;
    if (k.startsWith(setElementOrderPrefix) || k.startsWith(deleteFromPrimitiveListPrefix)) continue;
    if (val === null) continue;
    setOwn(out, k, stripDirectives(val));
  }
  return out;
};

const mergeMap = (original: Obj, patch: Obj, path: readonly string[], ctx: Ctx): Obj | undefined => {
  const directive = getOwn(patch, directiveKey);
  if (directive !== undefined) {
    if (directive === 'replace') return stripDirectives(patch) as Obj;
    if (directive === 'delete') return undefined;
    if (directive !== 'merge') throw errBadPatchType(directive, patch);
  }
  let out: Obj = { ...original };

  const retain = getOwn(patch, retainKeysDirective);
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) throw errBadPatchFormatForRetainKeys();
    const keep = new Set(retain as string[]);
    // apimachinery applyRetainKeysDirective: null values and directives aside, the patch may only set retained keys
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith('$')) continue;
      if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
    }
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }

  // $deleteFromPrimitiveList/<field>: remove the given values from a primitive list
  for (const [k, values] of Object.entries(patch)) {
    if (!k.startsWith(deleteFromPrimitiveListPrefix)) continue;
    const field = k.slice(deleteFromPrimitiveListPrefix.length);
    if (!Array.isArray(values)) throw errBadPatchFormatForPrimitiveList();
    const current = getOwn(out, field);
    if (current === undefined) continue;
    if (!Array.isArray(current)) throw errBadPatchFormatForPrimitiveList();
    setOwn(
      out,
      field,
      current.filter((item) => !values.some((v) => deepEqual(v, item))),
    );
  }

  const orders = new Map<string, unknown[]>();
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(setElementOrderPrefix)) continue;
    if (!Array.isArray(order)) throw errBadPatchFormatForSetElementOrderList();
    orders.set(k.slice(setElementOrderPrefix.length), order);
  }

  for (const [k, patchV] of Object.entries(patch)) {
    if (k === directiveKey || k === retainKeysDirective) continue;
    if (k.startsWith(setElementOrderPrefix) || k.startsWith(deleteFromPrimitiveListPrefix)) continue;
    const childPath = [...path, k];
    if (patchV === null) {
      delete out[k];
      continue;
    }
    const origV = getOwn(out, k);
    const info = fieldInfo(ctx, childPath);
    if (isObject(patchV)) {
      const base = isObject(origV) ? origV : {};
      if (info?.patchStrategy === 'replace') {
        setOwn(out, k, stripDirectives(patchV));
        continue;
      }
      const merged = mergeMap(base, patchV, childPath, ctx);
      if (merged === undefined) delete out[k];
      else setOwn(out, k, merged);
      continue;
    }
    if (Array.isArray(patchV)) {
      const base = Array.isArray(origV) ? origV : [];
      setOwn(out, k, mergeList(base, patchV, childPath, info, orders.get(k), ctx));
      continue;
    }
    setOwn(out, k, patchV);
  }

  // $setElementOrder for a list the patch does not otherwise touch
  for (const [k, order] of orders) {
    if (Object.hasOwn(patch, k)) continue;
    const current = getOwn(out, k);
    if (!Array.isArray(current)) continue;
    const info = fieldInfo(ctx, [...path, k]);
    setOwn(out, k, normalizeOrder(current, current, order, info?.patchMergeKey));
  }
  return out;
};

const isMergeStrategy = (info: FieldTypeInfo | undefined): boolean =>
  info?.patchStrategy === 'merge' || info?.patchStrategy === 'merge,retainKeys';

const identity = (item: unknown, mergeKey: string | undefined): unknown =>
  mergeKey !== undefined && isObject(item) ? item[mergeKey] : item;

const indexIn = (list: readonly unknown[], item: unknown, mergeKey: string | undefined): number => {
  const id = identity(item, mergeKey);
  return list.findIndex((x) => deepEqual(identity(x, mergeKey), id));
};

/**
 * Orders a merged list as apimachinery's normalizeElementOrder does: the items the order names (the
 * `$setElementOrder` list, else the patch list itself) come in that order, and the items only the
 * server has are slotted in by their original positions.
 */
const normalizeOrder = (
  merged: readonly unknown[],
  original: readonly unknown[],
  order: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] => {
  for (const o of order) {
    if (mergeKey !== undefined && (!isObject(o) || !(mergeKey in o))) throw errBadPatchFormatForSetElementOrderList();
  }
  const ordered = merged.filter((item) => indexIn(order, item, mergeKey) >= 0);
  ordered.sort((a, b) => indexIn(order, a, mergeKey) - indexIn(order, b, mergeKey));
  const serverOnly = merged.filter((item) => indexIn(order, item, mergeKey) < 0);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < ordered.length || j < serverOnly.length) {
    if (i >= ordered.length) out.push(serverOnly[j++]);
    else if (j >= serverOnly.length) out.push(ordered[i++]);
    else {
      const li = indexIn(original, ordered[i], mergeKey);
      const ri = indexIn(original, serverOnly[j], mergeKey);
      if (li >= 0 && ri >= 0 && ri < li) out.push(serverOnly[j++]);
      else out.push(ordered[i++]);
    }
  }
  return out;
};

const mergeList = (
  original: readonly unknown[],
  patch: readonly unknown[],
  path: readonly string[],
  info: FieldTypeInfo | undefined,
  order: unknown[] | undefined,
  ctx: Ctx,
): unknown[] => {
  if (patch.some((item) => Array.isArray(item))) throw errNoListOfLists();
  if (!isMergeStrategy(info)) {
    // replace strategy (the default): the patch list is the new value
    return stripDirectives(patch) as unknown[];
  }
  const mergeKey = info?.patchMergeKey;

  // `$patch: replace` anywhere in the list replaces the whole list
  if (patch.some((item) => isObject(item) && item[directiveKey] === 'replace')) {
    return patch.filter((item) => !(isObject(item) && directiveKey in item)).map(stripDirectives);
  }

  let merged: unknown[] = [...original];
  const scalars = patch.every(isScalar) && original.every(isScalar);
  if (scalars || mergeKey === undefined) {
    // primitive list with merge strategy: union, original order first
    for (const item of patch) {
      if (isObject(item) && directiveKey in item) {
        throw errBadPatchType(item[directiveKey], item);
      }
      if (!merged.some((m) => deepEqual(m, item))) merged.push(item);
    }
  } else {
    for (const item of patch) {
      if (!isObject(item)) throw errNoMergeKey(item, mergeKey);
      const directive = item[directiveKey];
      if (!(mergeKey in item)) {
        if (directive !== undefined && directive !== 'delete' && directive !== 'merge' && directive !== 'replace') {
          throw errBadPatchType(directive, item);
        }
        throw errNoMergeKey(item, mergeKey);
      }
      const idx = merged.findIndex((m) => isObject(m) && deepEqual(m[mergeKey], item[mergeKey]));
      if (directive === 'delete') {
        merged = merged.filter((m) => !(isObject(m) && deepEqual(m[mergeKey], item[mergeKey])));
        continue;
      }
      if (directive !== undefined && directive !== 'merge') throw errBadPatchType(directive, item);
      const base = idx >= 0 && isObject(merged[idx]) ? (merged[idx] as Obj) : {};
      const result = mergeMap(base, item, path, ctx);
      if (idx >= 0) {
        if (result === undefined) merged.splice(idx, 1);
        else merged[idx] = result;
      } else if (result !== undefined) {
        merged.push(result);
      }
    }
  }
  const patchOrder = order ?? patch.filter((item) => !(isObject(item) && directiveKey in item));
  return normalizeOrder(merged, original, patchOrder, scalars ? undefined : mergeKey);
};

/**
 * Applies a strategic merge patch to a copy of `obj` using the kind's field semantics
 * (`patchMergeKey`/`patchStrategy`). Throws {@link PatchError} with the Kubernetes status and message.
 */
export const applyStrategicMergePatch = <T>(obj: T, patch: unknown, typeInfo: TypeInfo | undefined): T => {
  if (!isObject(patch)) {
    const got = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw new PatchError(400, `json: cannot unmarshal ${got} into Go value of type map[string]interface {}`);
  }
  const original = isObject(obj) ? (structuredClone(obj) as Obj) : {};
  const result = mergeMap(original, patch, [], { typeInfo });
  return (result ?? {}) as T;
};
