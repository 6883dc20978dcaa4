/**
 * Reconcile kit (fluxcd/pkg `runtime/reconcile` + source-controller `internal/reconcile`, `internal/error`), and the
 * reconcile skeleton as code: a reconciler declares a {@link ReconcilerShape} (condition table, ordered steps, exit
 * options) and {@link reconcileWith} runs it (see skeleton.ts).
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
export type { ReadyExprProgram } from './depends-on.ts';
/** Types of the dependsOn checks. */
export type { DependencyReference, DependencyReader, CheckDependenciesOptions } from './depends-on.ts';
/** The reconcile skeleton: a reconciler's shape and the loop that runs it. */
export { reconcileWith, fetchForReconcile, reconcilePreamble, startProgress, runSteps } from './skeleton.ts';
/** Types of the reconcile skeleton. */
export type { ReconcilerShape, ReconcileStep, LoopContext, LoopOutcome, ExitOptions, Preamble } from './skeleton.ts';
