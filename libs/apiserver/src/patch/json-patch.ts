/** RFC 6902 JSON patch (`application/json-patch+json`) with Kubernetes-style errors. */
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { PatchError, unprocessablePatch } from './errors.ts';

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a decoded patch document: an array of operations; failures are 400 like a decode error. */
const decodeOps = (ops_: unknown): Operation[] => {
  if (!Array.isArray(ops_)) {
    throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  ops_.forEach((op: unknown, i) => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) {
      throw new PatchError(
        400,
        `json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`,
      );
    }
    const kind = (op as Record<string, unknown>)['op'];
    if (typeof kind !== 'string' || !ops.has(kind)) {
      throw new PatchError(400, `Unexpected kind: ${String(kind)}`);
    }
    const path = (op as Record<string, unknown>)['path'];
    if (typeof path !== 'string') throw new PatchError(400, `operation ${i}: path is missing or not a string`);
  });
  return ops_ as Operation[];
};

/** The detail evanphx/json-patch (what Kubernetes uses) reports for a failed operation. */
const describe = (name: string, op: Operation): string => {
  const path = op.path;
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op.op} operation does not apply: doc is missing from path: ${'from' in op ? op.from : ''}: missing value`;
    case 'OPERATION_VALUE_REQUIRED':
    case 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED':
      return `${op.op} operation does not apply: value is missing`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `${op.op} operation does not apply: doc is missing path: "${path}": invalid index referenced`;
    default:
      return `${op.op} operation does not apply: doc is missing path: "${path}": missing value`;
  }
};

/**
 * Applies an RFC 6902 patch to a copy of `obj`. A malformed patch is a 400; an operation that cannot be
 * applied (a failing `test`, a missing path) is the 422 Kubernetes returns.
 */
export const applyJsonPatch = <T>(obj: T, ops_: unknown): T => {
  const operations = decodeOps(ops_);
  const doc = structuredClone(obj);
  try {
    return fjp.applyPatch(doc, operations, true, true, true).newDocument;
  } catch (err) {
    if (err instanceof fjp.JsonPatchError) {
      const op = (err.operation as Operation | undefined) ?? operations[err.index ?? 0];
      if (op === undefined) throw new PatchError(400, err.message, { cause: err });
      if (err.name === 'OPERATION_PATH_INVALID' || err.name === 'OPERATION_FROM_REQUIRED') {
        throw new PatchError(400, `failed to decode json patch: ${err.message.split('\n')[0]}`, { cause: err });
      }
      throw unprocessablePatch(describe(err.name, op), err);
    }
    throw err;
  }
};
