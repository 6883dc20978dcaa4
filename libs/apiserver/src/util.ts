/** Small helpers shared by the server modules. */

/** A raw, untyped JSON object as stored and served (not a client-side typed `KubeObject`). */
export type Obj = Record<string, unknown>;

/** True for a plain (non-array) object. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `metadata` of an object (created if missing). */
export const meta = (o: Obj): Obj => {
  if (!isObj(o['metadata'])) o['metadata'] = {};
  return o['metadata'] as Obj;
};

/**
 * An own property of an object, or undefined. Keys such as `__proto__` and `constructor` are plain data in
 * Kubernetes objects: reading them with `o[key]` would return what `Object.prototype` inherits instead.
 */
export const getOwn = (o: object, key: string): unknown =>
  Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;

/**
 * Sets an own, enumerable data property. Unlike `o[key] = value`, a `__proto__` key is stored as data and never
 * replaces the object's prototype.
 */
export const setOwn = (o: object, key: string, value: unknown): void => {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
};

/** Read a dotted path (`spec.replicas`) from an object (own properties only). */
export const getPath = (o: unknown, path: string | readonly string[]): unknown => {
  const parts = typeof path === 'string' ? path.split('.').filter((p) => p !== '') : path;
  let cur: unknown = o;
  for (const p of parts) {
    if (!isObj(cur)) return undefined;
    cur = getOwn(cur, p);
  }
  return cur;
};

/** Set a dotted path, creating intermediate objects (own properties only). */
export const setPath = (o: Obj, path: string, value: unknown): void => {
  const parts = path.split('.').filter((p) => p !== '');
  let cur: Obj = o;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    if (!isObj(getOwn(cur, p))) setOwn(cur, p, {});
    cur = cur[p] as Obj;
  }
  const last = parts[parts.length - 1];
  if (last !== undefined) setOwn(cur, last, value);
};

/** Deep copy of a JSON value. */
export const clone = <T>(v: T): T => structuredClone(v);

/** Structural JSON equality (key order independent). */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual(a[k], getOwn(b, k)));
  }
  return false;
};

/** Kubernetes `duration.HumanDuration` (the AGE column). */
export const humanDuration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
};

/** RFC 3339 timestamp with second precision, as Kubernetes writes `metav1.Time`. */
export const rfc3339 = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The age of an object's creationTimestamp as HumanDuration. */
export const ageOf = (o: Obj, now: number): string => {
  const ts = getPath(o, 'metadata.creationTimestamp');
  if (typeof ts !== 'string') return '<unknown>';
  return humanDuration(now - Date.parse(ts));
};
