/** Small object helpers shared by the simulated controllers (plain JSON objects as the store holds them). */
import { canonicalJson } from './hash.ts';

/** A Kubernetes object or part of one, as JSON. */
export type Obj = Record<string, unknown>;

/** True for a plain JSON object. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `v` when it is an object, else `{}`. */
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
/** `v` truncated to an integer, or `dflt` when it is not a finite number. */
export const int = (v: unknown, dflt: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
/** RFC 3339 without fractional seconds, as Kubernetes prints times. */
export const ts = (d: Date | number): string => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Milliseconds of an RFC 3339 time, or undefined. */
export const ms = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

/** `metadata` of an object. */
export const metaOf = (o: Obj): Obj => obj(o['metadata']);
/** `metadata.name`. */
export const nameOf = (o: Obj): string => String(metaOf(o)['name'] ?? '');
/** `metadata.uid`. */
export const uidOf = (o: Obj): string => String(metaOf(o)['uid'] ?? '');
/** True when the object carries a `deletionTimestamp`. */
export const deleting = (o: Obj): boolean => metaOf(o)['deletionTimestamp'] !== undefined;
/** String-valued map (labels, annotations, matchLabels) of `v`. */
export const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** The controller ownerReference a controller puts on what it creates (`metav1.NewControllerRef`). */
export const controllerRef = (owner: Obj): Obj => ({
  apiVersion: String(owner['apiVersion'] ?? ''),
  kind: String(owner['kind'] ?? ''),
  name: nameOf(owner),
  uid: uidOf(owner),
  controller: true,
  blockOwnerDeletion: true,
});

/** `metav1.IsControlledBy`: the object's controller ownerReference has `ownerUid`. */
export const isControlledBy = (o: Obj, ownerUid: string): boolean => {
  const refs = metaOf(o)['ownerReferences'];
  return Array.isArray(refs) && refs.some((r) => isObj(r) && r['controller'] === true && r['uid'] === ownerUid);
};

/** Sorts by creationTimestamp, then name (`controller.ReplicaSetsByCreationTimestamp`). */
export const byCreation = (a: Obj, b: Obj): number =>
  (ms(metaOf(a)['creationTimestamp']) ?? 0) - (ms(metaOf(b)['creationTimestamp']) ?? 0) ||
  (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

/** Drops undefined, null, empty objects and empty arrays, at any depth (Go's semantic equality: nil == empty). */
const normalize = (v: unknown): unknown => {
  if (Array.isArray(v)) {
    const a = v.map(normalize);
    return a.length === 0 ? undefined : a;
  }
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
};

/** `apiequality.Semantic.DeepEqual` of two JSON values, as near as JSON allows (empty and absent are equal). */
export const semanticEqual = (a: unknown, b: unknown): boolean =>
  canonicalJson(normalize(a) ?? null) === canonicalJson(normalize(b) ?? null);

/** A condition of `status.conditions` by type. */
export const conditionOf = (o: Obj, type: string): Obj | undefined => {
  const cs = obj(o['status'])['conditions'];
  return Array.isArray(cs) ? cs.find((c): c is Obj => isObj(c) && c['type'] === type) : undefined;
};

/** Sets the non-zero integer fields of `values` (Kubernetes omits zero `omitempty` counters). */
export const counters = (target: Obj, values: Record<string, number>): Obj => {
  for (const [k, v] of Object.entries(values)) if (v !== 0) target[k] = v;
  return target;
};

/**
 * `v` without its time fields (keys ending in `Time` or `Timestamp`, at any depth): a status compared this way
 * changed only when more than its clocks moved, so that a writer of statuses writes only real changes.
 */
export const withoutTimes = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutTimes)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => !/(Time|Timestamp)$/.test(k))
            .map(([k, x]) => [k, withoutTimes(x)]),
        )
      : v;
