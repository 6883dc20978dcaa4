/**
 * RFC 6902 JSON patch (`application/json-patch+json`) with the limits and errors of kube-apiserver, which applies
 * patches with evanphx/json-patch.
 *
 * Hand-written rather than `fast-json-patch`: that library walks paths with `obj[key]`, so `/__proto__/x` reaches
 * `Object.prototype` (its only guard throws a TypeError, and inherited keys such as `constructor` count as present),
 * and it has no bound on what `copy` may add. Here every key is an own property, `__proto__` included: plain data,
 * as in Go's maps.
 */
import { JSON_PATCH_MAX_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS, MAX_NESTING_DEPTH, measure } from '../limits.ts';
import { getOwn, setOwn } from '../util.ts';
import { PatchError, unprocessablePatch } from './errors.ts';

type Container = Record<string, unknown> | unknown[];

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
  hasValue: boolean;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Checks the shape of a decoded patch document: an array of operations; failures are 400 like a decode error. */
const decodeOps = (ops: unknown): Operation[] => {
  if (!Array.isArray(ops)) {
    throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    // kube-apiserver applyJSPatch: errors.NewRequestEntityTooLargeError
    throw new PatchError(
      413,
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  return ops.map((op: unknown, i): Operation => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) {
      throw new PatchError(
        400,
        `json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`,
      );
    }
    const kind = getOwn(op, 'op');
    if (typeof kind !== 'string' || !OPS.has(kind)) throw new PatchError(400, `Unexpected kind: ${String(kind)}`);
    const path = getOwn(op, 'path');
    if (typeof path !== 'string') throw new PatchError(400, `operation ${i}: path is missing or not a string`);
    const from = getOwn(op, 'from');
    return {
      op: kind as Operation['op'],
      path,
      ...(typeof from === 'string' ? { from } : {}),
      value: getOwn(op, 'value'),
      hasValue: Object.hasOwn(op, 'value'),
    };
  });
};

/** RFC 6901 reference tokens; undefined for a pointer that does not start with `/` (the root is not patchable). */
const tokens = (pointer: string): string[] | undefined =>
  pointer.startsWith('/')
    ? pointer
        .slice(1)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    : undefined;

/** An array index as RFC 6902 spells it: digits without a leading zero. */
const arrayIndex = (token: string): number | undefined => (/^(0|[1-9]\d*)$/.test(token) ? Number(token) : undefined);

/** Own member of a container, or undefined. */
const child = (c: Container, token: string): unknown => {
  if (Array.isArray(c)) {
    const i = arrayIndex(token);
    return i === undefined ? undefined : c[i];
  }
  return getOwn(c, token);
};

/** The container that holds the last token of `pointer`, and that token (evanphx `findObject`). */
const locate = (doc: unknown, pointer: string): { parent: Container; key: string } | undefined => {
  const parts = tokens(pointer);
  if (parts === undefined || parts.length === 0) return undefined;
  let cur: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isContainer(cur)) return undefined;
    cur = child(cur, part);
  }
  return isContainer(cur) ? { parent: cur, key: parts[parts.length - 1] as string } : undefined;
};

const has = (c: Container, key: string): boolean => {
  if (!Array.isArray(c)) return Object.hasOwn(c, key);
  const i = arrayIndex(key);
  return i !== undefined && i < c.length;
};

/** JSON equality, own keys only. */
const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (!isContainer(a) || !isContainer(b)) return false;
  const ka = Object.keys(a);
  return (
    ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(getOwn(a, k), getOwn(b, k)))
  );
};

class OpFailure extends Error {}
const missing = (op: Operation, pointer: string, what = 'path'): OpFailure =>
  new OpFailure(`${op.op} operation does not apply: doc is missing ${what}: "${pointer}": missing value`);
const badIndex = (op: Operation, pointer: string): OpFailure =>
  new OpFailure(`${op.op} operation does not apply: doc is missing path: "${pointer}": invalid index referenced`);

const insert = (op: Operation, doc: unknown, pointer: string, value: unknown): void => {
  const at = locate(doc, pointer);
  if (!at) throw missing(op, pointer);
  if (!Array.isArray(at.parent)) {
    setOwn(at.parent, at.key, value);
    return;
  }
  const i = at.key === '-' ? at.parent.length : arrayIndex(at.key);
  if (i === undefined || i > at.parent.length) throw badIndex(op, pointer);
  at.parent.splice(i, 0, value);
};

const take = (op: Operation, doc: unknown, pointer: string, what?: string): unknown => {
  const at = locate(doc, pointer);
  if (!at || !has(at.parent, at.key)) throw missing(op, pointer, what);
  const value = child(at.parent, at.key);
  if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
  else delete at.parent[at.key];
  return value;
};

const read = (op: Operation, doc: unknown, pointer: string, what?: string): unknown => {
  const at = locate(doc, pointer);
  if (!at || !has(at.parent, at.key)) throw missing(op, pointer, what);
  return child(at.parent, at.key);
};

const valueOf = (op: Operation): unknown => {
  if (!op.hasValue) throw new OpFailure(`${op.op} operation does not apply: value is missing`);
  return structuredClone(op.value);
};

/** The nesting depth a value adds below the container at `pointer`. */
const depthAt = (pointer: string, value: unknown): number =>
  (tokens(pointer)?.length ?? 0) + (measure(value)?.depth ?? Infinity);

/**
 * Applies an RFC 6902 patch to a copy of `obj`. A malformed patch is a 400 and more than 10,000 operations a 413;
 * an operation that cannot be applied (a failing `test`, a missing path, `copy` adding more than 3 MiB in all,
 * nesting deeper than a body may) is the generic 422 Kubernetes returns, the evanphx/json-patch text in `detail`.
 */
export const applyJsonPatch = <T>(obj: T, ops: unknown): T => {
  const operations = decodeOps(ops);
  const doc = structuredClone(obj) as unknown;
  let copied = 0;
  // the deepest the document may have become: `add`, `copy` and `move` can nest it deeper than any body could
  let depth = measure(doc)?.depth ?? 0;
  const grow = (op: Operation, value: unknown): void => {
    depth = Math.max(depth, depthAt(op.path, value));
    if (depth > MAX_NESTING_DEPTH)
      throw new OpFailure(
        `${op.op} operation does not apply: the result exceeds the max depth of ${MAX_NESTING_DEPTH}`,
      );
  };
  for (const op of operations) {
    try {
      switch (op.op) {
        case 'add': {
          const value = valueOf(op);
          grow(op, value);
          insert(op, doc, op.path, value);
          break;
        }
        case 'remove':
          take(op, doc, op.path);
          break;
        case 'replace': {
          const value = valueOf(op);
          const at = locate(doc, op.path);
          if (!at || !has(at.parent, at.key)) throw missing(op, op.path);
          grow(op, value);
          if (Array.isArray(at.parent)) at.parent[Number(at.key)] = value;
          else setOwn(at.parent, at.key, value);
          break;
        }
        case 'move': {
          if (op.from === undefined) throw new OpFailure('move operation does not apply: from is missing');
          const value = take(op, doc, op.from, 'from path');
          grow(op, value);
          insert(op, doc, op.path, value);
          break;
        }
        case 'copy': {
          if (op.from === undefined) throw new OpFailure('copy operation does not apply: from is missing');
          const value = read(op, doc, op.from, 'from path');
          copied += Buffer.byteLength(JSON.stringify(value) ?? '');
          if (copied > JSON_PATCH_MAX_COPY_BYTES) {
            throw new OpFailure(
              `Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${JSON_PATCH_MAX_COPY_BYTES}`,
            );
          }
          grow(op, value);
          insert(op, doc, op.path, structuredClone(value));
          break;
        }
        case 'test':
          if (!equal(read(op, doc, op.path), op.value))
            throw new OpFailure(`testing value ${op.path} failed: test failed`);
          break;
      }
    } catch (err) {
      if (err instanceof OpFailure) throw unprocessablePatch(err.message, err);
      throw err;
    }
  }
  return doc as T;
};
