/**
 * Reconcile kit (fluxcd/pkg `runtime/reconcile` + source-controller `internal/reconcile`, `internal/error`).
 *
 * The canonical reconcile skeleton:
 * ```ts
 * const readyConditions: ReconcileConditions = {
 *   target: 'Ready',
 *   owned: ['Ready', 'Reconciling', 'Stalled', 'FetchFailed', 'ArtifactInStorage'],
 *   summarize: ['Stalled', 'FetchFailed', 'ArtifactInStorage', 'Reconciling'],
 *   negativePolarity: ['Stalled', 'FetchFailed', 'Reconciling'],
 * };
 * async function reconcile(req: Request, ctx: ReconcileContext): Promise<RequeueResult> {
 *   let obj: GitRepository;
 *   try { obj = await client.get(gvk, req); } catch (e) { if (isNotFound(e)) return {}; throw e; }
 *   const patcher = new SerialPatcher(obj, client);
 *   let result: Result = Result.Empty;
 *   let error: unknown;
 *   try {
 *     if (isDeleting(obj)) { ...cleanup; removeFinalizer(obj); }
 *     else if (addFinalizer(obj)) result = Result.Requeue;        // patched by the exit below
 *     else if (skipIfSuspended(obj, ctx.log)) result = Result.Empty;
 *     else {
 *       await reconcileNewGeneration(obj, patcher);                // Reconciling=True "new generation X -> Y"
 *       await checkDependencies(obj, obj.spec.dependsOn ?? [], { reader: client, requeueAfter: 30_000 });
 *       result = await steps(obj);                                 // steps set their own conditions, never Ready
 *     }
 *   } catch (e) { error = e; }                                     // StallingError / WaitingError / GenericError / Error
 *   return summarizeAndPatch(obj, { patcher, conditions: [readyConditions], result, error, interval, jitterPercent,
 *     recorder, log: ctx.log, ignoreNotFound: isDeleting(obj), signal: ctx.signal });
 * }
 * ```
 */
export { StallingError, WaitingError, GenericError, isTypedReconcileError } from './errors.ts';
/** Types of the typed reconcile errors. */
export type { ErrorConfig, ErrorEventType, TypedErrorOptions, TypedReconcileError } from './errors.ts';
/** Result enum and its mapping to queue results. */
export {
  Result,
  lowestRequeuingResult,
  jitteredInterval,
  analyzeReconcileResult,
  computeReconcileResult,
} from './result.ts';
/** Types of the result computation. */
export type { RequeueResult, ComputeResultOptions, ReconcileOutcome } from './result.ts';
export { upsertHistory, HISTORY_MAX_SIZE } from './history.ts';
/** Types of `status.history`. */
export type { HistorySnapshot, HistoryEntry } from './history.ts';
/** The single summarize-and-patch exit of a reconcile. */
export { summarizeAndPatch, recordReconcileRequest } from './summarize.ts';
/** Types of the summarize-and-patch exit. */
export type { ReconcileConditions, EventSink, SummarizeAndPatchOptions } from './summarize.ts';
/** Suspend, finalizer and progressive-status helpers. */
export {
  isSuspended,
  skipIfSuspended,
  hasFinalizer,
  addFinalizer,
  removeFinalizer,
  isDeleting,
  ensureFinalizer,
  progressiveStatus,
  reconcileNewGeneration,
  ReconciliationInProgressMessage,
} from './helpers.ts';
/** dependsOn checks with optional CEL readyExpr. */
export { checkDependencies, isDependencyReady, compileReadyExpr, evalReadyExpr } from './depends-on.ts';
/** Types of the dependsOn checks. */
export type { DependencyReference, DependencyReader, CheckDependenciesOptions } from './depends-on.ts';
