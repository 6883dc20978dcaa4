/**
 * Summary conditions (fluxcd/pkg `runtime/conditions` merge.go/merge_strategies.go `SetSummary`): the conditions in
 * scope are grouped by status and polarity, the highest-priority group decides the target status (inverted when
 * its polarity differs from the target's) and the first condition of that group in the given type order gives
 * reason and message.
 */
import type { Condition, ConditionStatus } from '@flux-ts/api';
import {
  compareConditions,
  getConditions,
  set,
  type ConditionsObject,
  type NewCondition,
  type SetOptions,
} from './conditions.ts';

/** Options of {@link summary} / {@link setSummary}. */
export interface SummaryOptions extends SetOptions {
  /** Condition types in scope, in priority order for reason and message. Default: every condition but the target. */
  conditions?: readonly string[];
  /** Types with abnormal-true ("negative") polarity, e.g. Reconciling, Stalled, FetchFailed, ArtifactOutdated. */
  negativePolarity?: readonly string[];
  /** Replace the message with "x of y completed" (x = True positive-polarity conditions). */
  stepCounter?: boolean;
}

interface Group {
  status: ConditionStatus;
  negative: boolean;
  conditions: Condition[];
}

// P0 True/negative, P1 False/positive, P2 True/positive, P3 False/negative, P4 Unknown.
function mergePriority(g: Group): number {
  switch (g.status) {
    case 'True':
      return g.negative ? 0 : 2;
    case 'False':
      return g.negative ? 3 : 1;
    case 'Unknown':
      return 4;
    default:
      return 99;
  }
}

/**
 * Computes the summary condition of `target` from the object's other conditions, or undefined when none is in
 * scope.
 */
export function summary(obj: ConditionsObject, target: string, opts: SummaryOptions = {}): NewCondition | undefined {
  const negative = new Set(opts.negativePolarity ?? []);
  const scope = opts.conditions;
  const inScope = getConditions(obj).filter(
    (c) => c.type !== target && (scope === undefined || scope.includes(c.type)),
  );

  const groups: Group[] = [];
  for (const c of inScope) {
    const neg = negative.has(c.type);
    const g = groups.find((x) => x.status === c.status && x.negative === neg);
    if (g) g.conditions.push(c);
    else groups.push({ status: c.status, negative: neg, conditions: [c] });
  }
  if (groups.length === 0) return undefined;
  groups.sort((a, b) => mergePriority(a) - mergePriority(b));
  const top = groups[0]!;
  top.conditions.sort(compareConditions);

  let first: Condition | undefined = top.conditions[0];
  if (top.conditions.length > 1 && scope) {
    for (const t of scope) {
      const c = top.conditions.find((x) => x.type === t);
      if (c) {
        first = c;
        break;
      }
    }
  }
  const reason = first?.reason ?? '';
  let message = first?.message ?? '';
  if (opts.stepCounter) {
    const truePositive = groups.find((g) => g.status === 'True' && !g.negative);
    const total = scope ? scope.length : inScope.length;
    message = `${truePositive?.conditions.length ?? 0} of ${total} completed`;
  }

  const targetNegative = negative.has(target);
  let status: ConditionStatus;
  if (top.status === 'True') status = top.negative !== targetNegative ? 'False' : 'True';
  else if (top.status === 'False') status = top.negative !== targetNegative ? 'True' : 'False';
  else status = 'Unknown';
  return { type: target, status, reason, message };
}

/**
 * Sets `target` (usually Ready) to the summary of the object's conditions; no-op when no condition is in scope.
 */
export function setSummary(obj: ConditionsObject, target: string, opts: SummaryOptions = {}): void {
  const c = summary(obj, target, opts);
  if (c) set(obj, c, opts);
}
