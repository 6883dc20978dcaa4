/**
 * Walks JSON objects with field semantics the way structured-merge-diff does: field sets of an applied
 * configuration, comparisons between two versions, merging an applied configuration into the live
 * object and removing paths.
 */
import type { FieldTypeInfo, ListSemantics, TypeInfo } from '../typeinfo/types.ts';
import { PatchError } from '../patch/errors.ts';
import type { FieldPath, PathElement } from './fieldset.ts';
import { FieldSet, pathToString } from './fieldset.ts';
import { getOwn, setOwn } from '../util.ts';

type Obj = Record<string, unknown>;

/** True for a plain JSON object. */
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Structural equality of JSON values (object key order ignored). */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
};

/** Where a walk is: the property path for type lookups and the encoded path for field sets. */
interface Loc {
  props: readonly string[];
  pes: readonly PathElement[];
}

const root: Loc = { props: [], pes: [] };
const child = (loc: Loc, name: string): Loc => ({ props: [...loc.props, name], pes: [...loc.pes, `f:${name}`] });
const item = (loc: Loc, pe: PathElement): Loc => ({ props: loc.props, pes: [...loc.pes, pe] });

const info = (ti: TypeInfo, loc: Loc): FieldTypeInfo | undefined =>
  loc.props.length === 0 ? undefined : ti.field(loc.props);

const listSemantics = (ti: TypeInfo, loc: Loc): ListSemantics => info(ti, loc)?.list ?? { listType: 'atomic' };
const isAtomicMap = (ti: TypeInfo, loc: Loc): boolean => info(ti, loc)?.mapType === 'atomic';
/** True if anything at or above `loc` preserves unknown fields (an untyped subtree). */
const isUntyped = (ti: TypeInfo, loc: Loc): boolean => {
  for (let i = 1; i <= loc.props.length; i++)
    if (ti.field(loc.props.slice(0, i))?.preserveUnknownFields === true) return true;
  return false;
};
/** True for a real map (its keys are not struct fields): `map[string]T`, `additionalProperties`, untyped objects. */
const isRealMap = (ti: TypeInfo, loc: Loc): boolean => {
  if (loc.props.length === 0) return false;
  const i = info(ti, loc);
  if (i?.isMap === true) return true;
  return i?.list === undefined && i?.mapType === undefined && isUntyped(ti, loc);
};

/** The path element of a list item: `k:{...}` for map lists, `v:...` for sets. */
const itemElement = (list: ListSemantics, value: unknown, loc: Loc): PathElement => {
  if (list.listType === 'set') return `v:${JSON.stringify(value)}`;
  const key: Obj = {};
  for (const k of [...(list.keys ?? [])].sort()) {
    const v = isObject(value) ? value[k] : undefined;
    if (v !== undefined && v !== null) key[k] = v;
    else if (list.keyDefaults?.[k] !== undefined) key[k] = list.keyDefaults[k];
  }
  if (Object.keys(key).length === 0) {
    throw new PatchError(
      422,
      `${pathToString(loc.pes)}: associative list with keys has an element that omits all key fields`,
    );
  }
  return `k:${JSON.stringify(key)}`;
};

/** Indexes a non-atomic list by path element, keeping the first of duplicates. */
const indexList = (
  list: readonly unknown[],
  sem: ListSemantics,
  loc: Loc,
  rejectDuplicates: boolean,
): { order: PathElement[]; items: Map<PathElement, unknown> } => {
  const order: PathElement[] = [];
  const items = new Map<PathElement, unknown>();
  for (const v of list) {
    const pe = itemElement(sem, v, loc);
    if (items.has(pe)) {
      if (rejectDuplicates) {
        throw new PatchError(422, `${pathToString(loc.pes)}: duplicate entries for key ${pathToString([pe])}`);
      }
      continue;
    }
    items.set(pe, v);
    order.push(pe);
  }
  return { order, items };
};

/** The fields an applied configuration sets (structured-merge-diff `ToFieldSet`). */
export const toFieldSet = (obj: unknown, ti: TypeInfo): FieldSet => {
  const set = new FieldSet();
  const walk = (v: unknown, loc: Loc): void => {
    if (Array.isArray(v)) {
      const sem = listSemantics(ti, loc);
      if (sem.listType === 'atomic') {
        set.insert(loc.pes);
        return;
      }
      const { order, items } = indexList(v, sem, loc, true);
      for (const pe of order) {
        const l = item(loc, pe);
        walk(items.get(pe), l);
        set.insert(l.pes);
      }
      return;
    }
    if (isObject(v) && !(isAtomicMap(ti, loc) && loc.pes.length > 0)) {
      // an empty object is a leaf; so is every key of a real map, on top of what lies below it
      if (Object.keys(v).length === 0 && loc.pes.length > 0) set.insert(loc.pes);
      const mapKeys = isRealMap(ti, loc);
      for (const [k, val] of Object.entries(v)) {
        const l = child(loc, k);
        walk(val, l);
        if (mapKeys) set.insert(l.pes);
      }
      return;
    }
    // scalars and null (an applied null owns the field and clears it)
    if (loc.pes.length > 0) set.insert(loc.pes);
  };
  walk(obj, root);
  return set;
};

/** What changed between two versions of an object. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares two versions of an object (structured-merge-diff `Compare`). */
export const compare = (lhs: unknown, rhs: unknown, ti: TypeInfo): Comparison => {
  const added = new FieldSet();
  const modified = new FieldSet();
  const removed = new FieldSet();

  const leaf = (l: unknown, r: unknown, loc: Loc): void => {
    if (l === undefined) added.insert(loc.pes);
    else if (r === undefined) removed.insert(loc.pes);
    else if (!deepEqual(l, r)) modified.insert(loc.pes);
  };

  const walk = (l: unknown, r: unknown, loc: Loc, isItem: boolean): void => {
    const sample = r === undefined ? l : r;
    const other = r === undefined ? undefined : l;
    if (Array.isArray(sample) && (other === undefined || Array.isArray(other))) {
      const sem = listSemantics(ti, loc);
      const ll = (l ?? []) as unknown[];
      const rl = (r ?? []) as unknown[];
      if (sem.listType === 'atomic' || (ll.length === 0 && rl.length === 0)) {
        leaf(l, r, loc);
        return;
      }
      const li = indexList(ll, sem, loc, false);
      const ri = indexList(rl, sem, loc, false);
      for (const pe of li.order) walk(li.items.get(pe), ri.items.get(pe), item(loc, pe), true);
      for (const pe of ri.order) if (!li.items.has(pe)) walk(undefined, ri.items.get(pe), item(loc, pe), true);
      return;
    }
    if (isObject(sample) && (other === undefined || isObject(other))) {
      const lo = (l ?? {}) as Obj;
      const ro = (r ?? {}) as Obj;
      const empty = Object.keys(lo).length === 0 && Object.keys(ro).length === 0;
      if ((isAtomicMap(ti, loc) && loc.pes.length > 0) || (empty && loc.pes.length > 0)) {
        leaf(l, r, loc);
        return;
      }
      for (const k of Object.keys(lo)) walk(lo[k], getOwn(ro, k), child(loc, k), false);
      for (const k of Object.keys(ro)) if (!Object.hasOwn(lo, k)) walk(undefined, ro[k], child(loc, k), false);
      // the item or map itself: list items always, real maps (labels, data…) too; struct fields are implicit
      if (loc.pes.length > 0 && (isItem || isRealMap(ti, loc))) {
        if (l === undefined) added.insert(loc.pes);
        else if (r === undefined) removed.insert(loc.pes);
      }
      return;
    }
    if (loc.pes.length > 0) leaf(l, r, loc);
  };
  walk(lhs, rhs, root, false);
  return { added, modified, removed };
};

/** Merges an applied configuration into the live object (structured-merge-diff `Merge`). */
export const mergeApplied = (live: unknown, config: unknown, ti: TypeInfo): unknown => {
  const walk = (l: unknown, r: unknown, loc: Loc): unknown => {
    if (r === undefined) return l;
    if (l === undefined) return structuredClone(r);
    if (Array.isArray(l) && Array.isArray(r)) {
      const sem = listSemantics(ti, loc);
      if (sem.listType === 'atomic') return structuredClone(r);
      return mergeList(l, r, sem, loc);
    }
    if (isObject(l) && isObject(r) && !(isAtomicMap(ti, loc) && loc.pes.length > 0)) {
      const out: Obj = { ...l };
      for (const [k, v] of Object.entries(r)) setOwn(out, k, walk(getOwn(l, k), v, child(loc, k)));
      return out;
    }
    return structuredClone(r);
  };

  // Interleaves live-only items where they were and takes the applied order for the rest.
  const mergeList = (l: unknown[], r: unknown[], sem: ListSemantics, loc: Loc): unknown[] => {
    const li = indexList(l, sem, loc, false);
    const ri = indexList(r, sem, loc, true);
    const shared = ri.order.filter((pe) => li.items.has(pe));
    let nextShared = 0;
    const out: unknown[] = [];
    const emitted = new Set<PathElement>();
    const emit = (pe: PathElement): void => {
      if (emitted.has(pe)) return;
      emitted.add(pe);
      out.push(walk(li.items.get(pe), ri.items.get(pe), item(loc, pe)));
      if (shared[nextShared] === pe) nextShared++;
    };
    let lI = 0;
    let rI = 0;
    while (lI < li.order.length || rI < ri.order.length) {
      const lpe = li.order[lI];
      const rpe = ri.order[rI];
      if (lpe !== undefined && emitted.has(lpe)) {
        lI++;
        continue;
      }
      if (lpe !== undefined && rpe !== undefined && lpe === rpe) {
        emit(lpe);
        lI++;
        rI++;
        continue;
      }
      if (lpe !== undefined && !ri.items.has(lpe)) {
        emit(lpe);
        lI++;
        continue;
      }
      if (rpe !== undefined) {
        emit(rpe);
        rI++;
        continue;
      }
      lI++;
    }
    return out;
  };

  return walk(live, config, root);
};

/**
 * Removes the given paths from a copy of `obj`, parents first (a removed item takes its fields along);
 * maps and lists the removal empties are dropped too. The key fields of a list-map item that stays are kept.
 */
export const removePaths = (obj: Obj, paths: readonly FieldPath[], ti: TypeInfo): Obj => {
  const out = structuredClone(obj);
  const removed = new FieldSet();
  const ordered = [...paths].sort((a, b) => a.length - b.length);
  for (const path of ordered) {
    if (path.some((_, i) => i < path.length - 1 && removed.has(path.slice(0, i + 1)))) continue;
    if (isKeyField(path)) continue;
    removePath(out, path, ti);
    removed.insert(path);
  }
  return out;
};

/** True for `…k:{"name":"x"}/f:name`: a key field of a list-map item. */
const isKeyField = (path: FieldPath): boolean => {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === undefined || parent === undefined || !last.startsWith('f:') || !parent.startsWith('k:')) return false;
  try {
    const key = JSON.parse(parent.slice(2)) as Record<string, unknown>;
    return Object.hasOwn(key, last.slice(2));
  } catch {
    return false;
  }
};

const removePath = (obj: Obj, path: FieldPath, ti: TypeInfo): void => {
  const chain: { container: unknown; key: string | number }[] = [];
  let cur: unknown = obj;
  let loc: Loc = root;
  for (const pe of path) {
    if (pe.startsWith('f:')) {
      const name = pe.slice(2);
      if (!isObject(cur) || !Object.hasOwn(cur, name)) return;
      chain.push({ container: cur, key: name });
      cur = cur[name];
      loc = child(loc, name);
    } else if (pe.startsWith('k:') || pe.startsWith('v:')) {
      if (!Array.isArray(cur)) return;
      const sem = listSemantics(ti, loc);
      const idx = cur.findIndex((v) => {
        try {
          return itemElement(sem, v, loc) === pe;
        } catch {
          return false; // an item without its keys matches no path
        }
      });
      if (idx < 0) return;
      chain.push({ container: cur, key: idx });
      cur = cur[idx];
      loc = item(loc, pe);
    } else {
      return;
    }
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const { container, key } = chain[i] as { container: unknown; key: string | number };
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete (container as Obj)[key as string];
    // keep going up only while the removal left an empty map or list behind
    const parent = chain[i - 1];
    if (parent === undefined) break;
    const holder = parent.container as Obj | unknown[];
    const value = Array.isArray(holder) ? holder[parent.key as number] : holder[parent.key as string];
    const empty = Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0;
    if (!empty) break;
  }
};

/**
 * Deletes from `merged` the fields the applied configuration set to `null`: the typed merge keeps the null,
 * and Kubernetes drops it when it decodes the result into the stored object.
 */
export const dropAppliedNulls = (merged: unknown, config: unknown): unknown => {
  if (!isObject(merged) || !isObject(config)) return merged;
  const out: Obj = { ...merged };
  for (const [k, v] of Object.entries(config)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(getOwn(out, k))) setOwn(out, k, dropAppliedNulls(out[k], v));
  }
  return out;
};
