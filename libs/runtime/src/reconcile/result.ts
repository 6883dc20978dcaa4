/**
 * Reconcile results (source-controller `internal/reconcile`): the `Result` enum steps return, how results merge, and
 * how a result plus an error become the queue's `{ requeueAfter }` or a thrown error, with the kstatus corrections
 * to Stalled/Reconciling that go with each outcome.
 */
import { ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import { conditions } from '../conditions/index.ts';
import type { ConditionsObject } from '../conditions/index.ts';
import { GenericError, StallingError, WaitingError } from './errors.ts';

/** Abstract outcome of a reconcile step. */
export const Result = {
  /** No requeue (also used together with an error, which overshadows it). */
  Empty: 'Empty',
  /** Requeue immediately: the current generation has not been fully reconciled. */
  Requeue: 'Requeue',
  /** Success: requeue after `spec.interval` (with jitter). */
  Success: 'Success',
} as const;
/** One of {@link Result}. */
export type Result = (typeof Result)[keyof typeof Result];

/** What the work queue receives (the `ReconcileResult` of the controller contract); durations in ms. */
export interface RequeueResult {
  requeueAfter?: number;
  requeue?: boolean;
}

/** The result with the lowest requeue period: Requeue < Success < Empty. */
export function lowestRequeuingResult(i: Result, j: Result): Result {
  if (i === Result.Empty) return j;
  if (j === Result.Empty) return i;
  if (i === Result.Requeue) return i;
  if (j === Result.Requeue) return j;
  return j;
}

/**
 * `d` ± up to `percent`% (Flux `--interval-jitter-percentage`, default 5), so objects created together spread out.
 */
export function jitteredInterval(d: number, percent: number, random: () => number = Math.random): number {
  if (percent <= 0 || d <= 0) return d;
  const p = Math.min(percent, 100) / 100;
  return Math.round(d + d * (random() * 2 * p - p));
}

/** Options of {@link computeReconcileResult}. */
export interface ComputeResultOptions {
  /** `spec.interval` in ms: the success requeue period. */
  interval: number;
  /** `--interval-jitter-percentage` (default 0: no jitter). */
  jitterPercent?: number;
  /** Random source for the jitter (tests). */
  random?: () => number;
}

/** The analysed outcome: what to return to the queue, what to throw, and whether the generation was observed. */
export interface ReconcileOutcome {
  result: RequeueResult;
  /** Error to surface to the queue (rate-limited retry), if any. */
  error?: Error;
  /** Set `status.observedGeneration` in the final patch (success, stall, or ignored error). */
  observedGeneration: boolean;
  /** True when the outcome is a non-stalled success at the regular interval. */
  success: boolean;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Analyses a step result and error (source-controller `ComputeReconcileResult` with `AlwaysRequeueResultBuilder`),
 * adjusting Stalled/Reconciling on `obj`:
 * - success → Reconciling and Stalled removed, requeue after the jittered interval, generation observed;
 * - {@link WaitingError} → Stalled removed, requeue after its `requeueAfter` (interval when 0), no error;
 * - {@link StallingError} → Stalled=True (Reconciling removed), no requeue, no error, generation observed;
 * - {@link GenericError} with `ignore` → treated as success; otherwise like any other error;
 * - any other error → Stalled removed, returned as `error` for a backoff retry.
 */
export function analyzeReconcileResult(
  obj: ConditionsObject,
  res: Result,
  err: unknown,
  opts: ComputeResultOptions,
): ReconcileOutcome {
  const interval = jitteredInterval(opts.interval, opts.jitterPercent ?? 0, opts.random);
  const observed = conditions.getConditions(obj).length > 0;

  if (err instanceof StallingError) {
    // The generation was reconciled and ended stalled: no requeue until the spec changes.
    conditions.markStalled(obj, err.reason, err.message);
    return { result: {}, observedGeneration: conditions.getConditions(obj).length > 0, success: false };
  }
  if (err instanceof WaitingError) {
    // Not stalled, just not yet: retry after the wait without backoff.
    conditions.remove(obj, StalledCondition);
    return {
      result: { requeueAfter: err.requeueAfter > 0 ? err.requeueAfter : interval },
      observedGeneration: false,
      success: false,
    };
  }
  if (err instanceof GenericError && err.ignore) {
    // A no-op error: the generation counts as reconciled, requeue at the success interval.
    conditions.remove(obj, StalledCondition);
    conditions.remove(obj, ReconcilingCondition);
    return { result: { requeueAfter: interval }, observedGeneration: observed, success: true };
  }
  if (err !== undefined && err !== null) {
    // A failure that is not a stall: retried with backoff by the queue.
    conditions.remove(obj, StalledCondition);
    return { result: {}, error: asError(err), observedGeneration: false, success: false };
  }
  conditions.remove(obj, StalledCondition);
  switch (res) {
    case Result.Success:
      conditions.remove(obj, ReconcilingCondition);
      return { result: { requeueAfter: interval }, observedGeneration: observed, success: true };
    case Result.Requeue:
      // A requeue means this generation is not reconciled yet.
      return { result: { requeue: true }, observedGeneration: false, success: false };
    default:
      return { result: {}, observedGeneration: observed, success: false };
  }
}

/**
 * The queue result for a step result and error, or throws the error for a backoff retry (see
 * {@link analyzeReconcileResult}; mutates Stalled/Reconciling on `obj`).
 */
export function computeReconcileResult(
  obj: ConditionsObject,
  res: Result,
  err: unknown,
  opts: ComputeResultOptions,
): RequeueResult {
  const o = analyzeReconcileResult(obj, res, err, opts);
  if (o.error) throw o.error;
  return o.result;
}
