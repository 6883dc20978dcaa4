/** RFC 6902 JSON patches as kustomize applies them (every op, `test` included; any failure is an error). */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { KObject } from '../resource.ts';

/** One RFC 6902 operation. */
export type Json6902Op = Operation;

const describe = (err: unknown): string => {
  const e = err as { name?: string; message?: string; operation?: { path?: string } };
  // the wording of evanphx/json-patch, which kustomize uses
  if (e.name === 'TEST_OPERATION_FAILED') return `testing value ${e.operation?.path ?? ''} failed: test failed`;
  const first = String(e.message ?? err).split('\n')[0] ?? '';
  return e.operation === undefined ? first : `${first} (operation ${JSON.stringify(e.operation)})`;
};

/** Validates that `ops` is a list of RFC 6902 operations; throws otherwise. */
export const toJson6902Ops = (ops: unknown): Json6902Op[] => {
  if (!Array.isArray(ops)) throw new Error('failed to parse json patch: expected a list of operations');
  for (const [i, op] of ops.entries()) {
    if (typeof op !== 'object' || op === null || typeof (op as KObject)['op'] !== 'string')
      throw new Error(`failed to parse json patch: operation ${i} has no "op"`);
    const name = (op as KObject)['op'];
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(name as string))
      throw new Error(`failed to parse json patch: operation ${i}: unexpected kind ${JSON.stringify(name)}`);
    if (typeof (op as KObject)['path'] !== 'string')
      throw new Error(`failed to parse json patch: operation ${i} has no "path"`);
  }
  return ops as Json6902Op[];
};

type Container = Record<string, unknown> | unknown[];

const unescape = (t: string): string => t.replace(/~1/g, '/').replace(/~0/g, '~');

/** The parent container and last token of a JSON pointer, or undefined when the parent does not exist. */
const resolveParent = (doc: unknown, pointer: string): { parent: Container; key: string } | undefined => {
  const tokens = pointer.split('/').slice(1).map(unescape);
  const key = tokens.pop();
  if (key === undefined) return undefined;
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
    else if (typeof cur === 'object' && cur !== null)
      cur = Object.hasOwn(cur, t) ? (cur as Record<string, unknown>)[t] : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return typeof cur === 'object' && cur !== null ? { parent: cur as Container, key } : undefined;
};

const has = (ref: { parent: Container; key: string } | undefined): boolean =>
  ref !== undefined &&
  (Array.isArray(ref.parent)
    ? /^\d+$/.test(ref.key) && Number(ref.key) < ref.parent.length
    : Object.hasOwn(ref.parent, ref.key));

/**
 * Adapts one operation to evanphx/json-patch (which kustomize uses) where it differs from RFC 6902 as
 * fast-json-patch implements it, and returns the error kustomize would give, if any.
 */
const adapt = (doc: unknown, op: Json6902Op): { op?: Json6902Op; error?: string } => {
  const target = resolveParent(doc, op.path);
  switch (op.op) {
    case 'remove':
      if (!has(target))
        return {
          error: `error in remove for path: '${op.path}': Unable to remove nonexistent key: ${target?.key ?? op.path}: missing value`,
        };
      return { op };
    case 'replace':
      if (target === undefined || (Array.isArray(target.parent) && !has(target)))
        return { error: `replace operation does not apply: doc is missing path: ${op.path}: missing value` };
      // evanphx sets a missing object key instead of failing
      return { op: has(target) ? op : { op: 'add', path: op.path, value: op.value } };
    case 'add':
      if (target === undefined)
        return {
          error: `add operation does not apply: doc is missing path: ${JSON.stringify(op.path)}: missing value`,
        };
      return { op };
    case 'test':
      // a missing path equals null
      if (!has(target)) return op.value === null ? {} : { error: `testing value ${op.path} failed: test failed` };
      return { op };
    case 'copy': {
      const from = resolveParent(doc, op.from);
      if (!has(from)) return { op: { op: 'add', path: op.path, value: null } };
      return { op };
    }
    case 'move': {
      const from = resolveParent(doc, op.from);
      if (!has(from)) {
        const key = from?.key ?? op.from;
        return { error: `error in move for path: '${key}': Unable to remove nonexistent key: ${key}: missing value` };
      }
      return { op };
    }
    default:
      return { op };
  }
};

/** Applies RFC 6902 operations to a resource (evanphx/json-patch semantics) and returns the patched copy. */
export const applyJson6902 = (target: KObject, ops: readonly Json6902Op[]): KObject => {
  let doc: unknown = structuredClone(target);
  for (const raw of ops) {
    const { op, error } = adapt(doc, raw);
    if (error !== undefined) throw new Error(error);
    if (op === undefined) continue;
    try {
      doc = fastJsonPatch.applyOperation(doc, structuredClone(op), true, true).newDocument;
    } catch (err) {
      throw new Error(describe(err), { cause: err });
    }
  }
  return doc as KObject;
};
