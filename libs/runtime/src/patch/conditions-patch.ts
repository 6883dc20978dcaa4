/**
 * Three-way merge of condition changes (fluxcd/pkg `runtime/conditions/patch.go`): the changes between a
 * before and an after snapshot are replayed onto the latest object read from the API server. Owned conditions (or
 * all, with forceOverwrite) always take our value; for the others a change made meanwhile by another writer is a
 * conflict unless it already equals what we wanted.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Condition } from '@flux-ts/api';
import { conditions } from '../conditions/index.ts';
import type { ConditionsObject } from '../conditions/index.ts';

/** One condition change. */
export type ConditionPatchOp =
  | { op: 'Add'; after: Condition }
  | { op: 'Change'; before: Condition; after: Condition }
  | { op: 'Remove'; before: Condition };

/** The list of condition changes from `before` to `after`. */
export function newConditionsPatch(before: ConditionsObject, after: ConditionsObject): ConditionPatchOp[] {
  const ops: ConditionPatchOp[] = [];
  for (const a of conditions.getConditions(after)) {
    const b = conditions.get(before, a.type);
    if (!b) ops.push({ op: 'Add', after: a });
    else if (!isDeepStrictEqual(a, b)) ops.push({ op: 'Change', before: b, after: a });
  }
  for (const b of conditions.getConditions(before)) {
    if (!conditions.has(after, b.type)) ops.push({ op: 'Remove', before: b });
  }
  return ops;
}

/** Options of {@link applyConditionsPatch}. */
export interface ApplyConditionsOptions {
  ownedConditions?: readonly string[];
  forceOverwrite?: boolean;
}

/** Raised when a non-owned condition was changed by another writer in an incompatible way. */
export class ConditionsMergeConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionsMergeConflictError';
  }
}

/** Replays `ops` onto `latest` (mutated). Throws {@link ConditionsMergeConflictError} on an unresolvable conflict. */
export function applyConditionsPatch(
  latest: ConditionsObject,
  ops: readonly ConditionPatchOp[],
  opts: ApplyConditionsOptions = {},
): void {
  const owned = (t: string) => opts.forceOverwrite === true || (opts.ownedConditions ?? []).includes(t);
  for (const p of ops) {
    switch (p.op) {
      case 'Add': {
        if (owned(p.after.type)) {
          conditions.set(latest, p.after);
          break;
        }
        const l = conditions.get(latest, p.after.type);
        if (l) {
          if (!conditions.hasSameState(l, p.after)) {
            throw new ConditionsMergeConflictError(
              `failed to patch conditions: condition "${p.after.type}" was added by a different process with a different state`,
            );
          }
          break; // latest already as intended; keep its lastTransitionTime
        }
        conditions.set(latest, p.after);
        break;
      }
      case 'Change': {
        if (owned(p.after.type)) {
          conditions.set(latest, p.after);
          break;
        }
        const l = conditions.get(latest, p.after.type);
        if (!l) {
          throw new ConditionsMergeConflictError(
            `failed to patch conditions: condition "${p.after.type}" was deleted by a different process`,
          );
        }
        if (!isDeepStrictEqual(l, p.before)) {
          if (!conditions.hasSameState(l, p.after)) {
            throw new ConditionsMergeConflictError(
              `failed to patch conditions: condition "${p.after.type}" was modified by a different process`,
            );
          }
          break;
        }
        conditions.set(latest, p.after);
        break;
      }
      case 'Remove': {
        if (owned(p.before.type)) {
          conditions.remove(latest, p.before.type);
          break;
        }
        const l = conditions.get(latest, p.before.type);
        if (l && !conditions.hasSameState(l, p.before)) {
          throw new ConditionsMergeConflictError(
            `failed to patch conditions: condition "${p.before.type}" was modified by a different process`,
          );
        }
        conditions.remove(latest, p.before.type);
        break;
      }
    }
  }
}
