/**
 * The reconcile skeleton every Flux reconciler shares, as code (fluxcd source-controller's `Reconcile` + `reconcile`
 * and kustomize-controller's `Reconcile`): fetch the object; deletion, then finalizer, then suspend; the progressive
 * status of a new generation; the ordered steps with their typed results (the lowest requeue wins, the first error or
 * Requeue ends the run); notify; one summarize-and-patch exit. A controller declares its condition table, its steps
 * and the outcome-dependent exit options ({@link ReconcilerShape}); the skeleton owns the order.
 *
 * helm-controller's action loop (plan an action from the observed release, run it, observe, repeat) is a different
 * driver of the same parts: it uses {@link fetchForReconcile}, the deletion/finalizer/suspend preamble
 * ({@link reconcilePreamble}) and `summarizeAndPatch`, with its action loop in place of {@link runSteps}.
 */
import { FluxFinalizer, ReconcileRequestAnnotation } from '@flux-ts/api';
import type { KubeObject, ObjectReader } from '../client/index.ts';
import type { ReconcileContext, Request } from '../controller/types.ts';
import type { Logger } from '../observability/index.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import { isNotFoundError, type PatchClient, type StatusObject } from '../patch/types.ts';
import {
  addFinalizer,
  ensureFinalizer,
  isDeleting,
  progressiveStatus,
  removeFinalizer,
  skipIfSuspended,
} from './helpers.ts';
import { errMessage } from '../util/err-message.ts';
import { GenericError } from './errors.ts';
import { Result, lowestRequeuingResult, type RequeueResult } from './result.ts';
import { summarizeAndPatch, type ReconcileConditions, type SummarizeAndPatchOptions } from './summarize.ts';

/** One step of a reconciler: sets or clears the conditions it owns, never Ready or Stalled. */
export interface ReconcileStep<T, S> {
  /** For logs and tests (upstream's function name, e.g. `reconcileSource`). */
  readonly name: string;
  /** Runs the step; throws a typed error (Stalling, Waiting, Generic) or any Error for a backoff retry. */
  run(obj: T, state: S): Promise<Result>;
}

/** What the skeleton hands the hooks of a {@link ReconcilerShape}. */
export interface LoopContext<T extends StatusObject> {
  log: Logger;
  signal: AbortSignal;
  reconcileID: string;
  patcher: SerialPatcher<T>;
  /** The object as it was read, before this run changed anything (upstream's `oldObj`). */
  observed: T;
}

/** The outcome of the steps, for the exit options. */
export interface LoopOutcome<S> {
  result: Result;
  error: unknown;
  /** Undefined on the deletion path and when the state could not be opened. */
  state: S | undefined;
  deleting: boolean;
}

/** The summarize-and-patch options a reconciler chooses per outcome (the skeleton sets the rest). */
export type ExitOptions<T extends StatusObject> = Omit<
  SummarizeAndPatchOptions<T>,
  'patcher' | 'conditions' | 'result' | 'error' | 'fieldManager' | 'ignoreNotFound' | 'signal'
>;

/** A reconciler declared for {@link reconcileWith}. */
export interface ReconcilerShape<T extends StatusObject, S> {
  /** The kind, at the version the reader serves. */
  gvk: { apiVersion: string; kind: string };
  /** Reads the object (the informer cache). */
  reader: ObjectReader;
  /** Writes the status (the Kubernetes client). */
  patchClient: PatchClient;
  /** The condition table: owned types win patch conflicts; `summarize` feeds Ready. */
  conditions: ReconcileConditions;
  /** Field manager of the status patches. */
  fieldManager: string;
  /** The finalizer (default `finalizers.fluxcd.io`). */
  finalizer?: string;
  /**
   * How a missing finalizer is added: `requeue` (source-controller: the exit patches it and the object is
   * requeued) or `patch` (patched at once and the reconcile goes on).
   */
  finalizerMode: 'requeue' | 'patch';
  /** Turns what the reader returned into the typed object (e.g. maps legacy fields). */
  decode?(raw: KubeObject, log: Logger): T;
  /**
   * The start of a run: `inProgress` puts Reconciling=True/Ready=Unknown "reconciliation in progress" on the
   * object first (source-controller); `patchOnRequest` also patches when only `reconcile.fluxcd.io/requestedAt`
   * is new. A new generation is always published ("processing object: new generation X -> Y"). A failed patch is
   * a GenericError with `patchFailureReason` when set (source-controller: PatchOperationFailed), else thrown as is.
   */
  start?: { inProgress?: boolean; patchOnRequest?: boolean; patchFailureReason?: string };
  /** The deletion path (garbage collection, prune); the skeleton removes the finalizer after it. */
  finalize(obj: T, ctx: LoopContext<T>): Promise<void>;
  /** Opens the state the steps share (a working directory, the resolved source, …). */
  open(obj: T, ctx: LoopContext<T>): Promise<S>;
  /** The ordered steps. */
  steps: readonly ReconcileStep<T, S>[];
  /** Releases the state, whatever happened. */
  close?(state: S): Promise<void>;
  /** After the steps, also when one failed (upstream `notify`: informational events). */
  notify?(oldObj: T, obj: T, state: S, result: Result, error: unknown, ctx: LoopContext<T>): void;
  /** The exit options for this outcome (interval, jitter, recorder, log, events, `beforePatch`, …). */
  exit(obj: T, outcome: LoopOutcome<S>, ctx: LoopContext<T>): ExitOptions<T>;
  /**
   * A queue result instead of the exit's error, if the reconciler wants one (kustomize-controller: a failed
   * reconcile is retried after `spec.retryInterval`, not with the queue's backoff).
   */
  onExitError?(obj: T, err: unknown, outcome: LoopOutcome<S>): RequeueResult | undefined;
}

/** Reads the object of a request; undefined when it is gone (nothing to do). */
export async function fetchForReconcile<T extends StatusObject>(
  shape: Pick<ReconcilerShape<T, unknown>, 'gvk' | 'reader' | 'decode'>,
  req: Request,
  ctx: ReconcileContext,
): Promise<T | undefined> {
  let raw: KubeObject;
  try {
    raw = await shape.reader.get<KubeObject>(shape.gvk, req, { signal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw err;
  }
  return shape.decode ? shape.decode(raw, ctx.log) : (raw as T);
}

/** Where {@link reconcilePreamble} leaves a run. */
export type Preamble = 'deleted' | 'finalizer-added' | 'suspended' | 'proceed';

/**
 * Deletion, then finalizer, then suspend, in fluxcd's order: a deleted object is finalized even when suspended.
 * Returns what happened; on `deleted` the finalizer is already removed from `obj` (the exit patches it).
 */
export async function reconcilePreamble<T extends StatusObject>(
  shape: Pick<ReconcilerShape<T, unknown>, 'finalize' | 'finalizer' | 'finalizerMode' | 'fieldManager'>,
  obj: T,
  ctx: LoopContext<T>,
): Promise<Preamble> {
  const finalizer = shape.finalizer ?? FluxFinalizer;
  if (isDeleting(obj)) {
    await shape.finalize(obj, ctx);
    removeFinalizer(obj, finalizer);
    return 'deleted';
  }
  if (shape.finalizerMode === 'requeue') {
    if (addFinalizer(obj, finalizer)) return 'finalizer-added';
  } else {
    await ensureFinalizer(obj, ctx.patcher, { finalizer, fieldManager: shape.fieldManager, signal: ctx.signal });
  }
  if (skipIfSuspended(obj as { spec?: unknown }, ctx.log)) return 'suspended';
  return 'proceed';
}

/**
 * Publishes the progressive status of a new run: a new generation always ("processing object: new generation X ->
 * Y", patched at once), with `start.inProgress` "reconciliation in progress" first, and with `start.patchOnRequest`
 * a patch when only the reconcile request is new.
 */
export async function startProgress<T extends StatusObject>(
  shape: Pick<ReconcilerShape<T, unknown>, 'start' | 'conditions' | 'fieldManager'>,
  obj: T,
  ctx: LoopContext<T>,
): Promise<void> {
  if (shape.start?.inProgress) progressiveStatus(obj);
  const generation = obj.metadata.generation ?? 0;
  const observed = obj.status?.observedGeneration ?? 0;
  const requested = obj.metadata.annotations?.[ReconcileRequestAnnotation];
  const patch = async (): Promise<void> => {
    try {
      await ctx.patcher.patch(obj, {
        ownedConditions: shape.conditions.owned,
        fieldManager: shape.fieldManager,
        signal: ctx.signal,
      });
    } catch (err) {
      const reason = shape.start?.patchFailureReason;
      if (reason === undefined) throw err;
      throw new GenericError(errMessage(err), reason, { cause: err });
    }
  };
  if (generation !== observed) {
    progressiveStatus(obj, `processing object: new generation ${observed} -> ${generation}`);
    await patch();
  } else if (
    shape.start?.patchOnRequest &&
    requested !== undefined &&
    requested !== (obj.status?.lastHandledReconcileAt ?? '')
  ) {
    await patch();
  }
}

/**
 * Runs the steps in order: a Requeue ends the run at once, an error ends it (its result kept), otherwise the lowest
 * requeuing result wins.
 */
export async function runSteps<T, S>(
  steps: readonly ReconcileStep<T, S>[],
  obj: T,
  state: S,
): Promise<{ result: Result; error: unknown }> {
  let result: Result = Result.Empty;
  for (const step of steps) {
    let r: Result;
    try {
      r = await step.run(obj, state);
    } catch (error) {
      return { result: Result.Empty, error };
    }
    if (r === Result.Requeue) return { result: Result.Requeue, error: undefined };
    result = lowestRequeuingResult(result, r);
  }
  return { result, error: undefined };
}

/**
 * The reconcile function of a {@link ReconcilerShape}, for `controllerBuilder(...).complete()`: fetch; preamble;
 * progressive status; open → steps → notify → close; summarize and patch.
 */
export function reconcileWith<T extends StatusObject, S>(
  shape: ReconcilerShape<T, S>,
): (req: Request, ctx: ReconcileContext) => Promise<RequeueResult> {
  return async (req, rctx) => {
    const obj = await fetchForReconcile(shape, req, rctx);
    if (!obj) return {};
    const ctx: LoopContext<T> = {
      log: rctx.log,
      signal: rctx.signal,
      reconcileID: rctx.reconcileID,
      patcher: new SerialPatcher<T>(obj, shape.patchClient, { reader: shape.reader }),
      observed: structuredClone(obj),
    };
    const outcome: LoopOutcome<S> = { result: Result.Empty, error: undefined, state: undefined, deleting: false };
    try {
      const preamble = await reconcilePreamble(shape, obj, ctx);
      if (preamble === 'suspended') return {};
      if (preamble === 'deleted') outcome.deleting = true;
      else if (preamble === 'finalizer-added') outcome.result = Result.Requeue;
      else {
        await startProgress(shape, obj, ctx);
        const state = await shape.open(obj, ctx);
        outcome.state = state;
        try {
          const run = await runSteps(shape.steps, obj, state);
          outcome.result = run.result;
          outcome.error = run.error;
          if (run.result !== Result.Requeue) shape.notify?.(ctx.observed, obj, state, run.result, run.error, ctx);
        } finally {
          await shape.close?.(state);
        }
      }
    } catch (err) {
      outcome.error = err;
    }
    try {
      return await summarizeAndPatch(obj, {
        ...shape.exit(obj, outcome, ctx),
        patcher: ctx.patcher,
        conditions: [shape.conditions],
        result: outcome.result,
        error: outcome.error,
        fieldManager: shape.fieldManager,
        ignoreNotFound: outcome.deleting,
        signal: ctx.signal,
      });
    } catch (err) {
      const instead = shape.onExitError?.(obj, err, outcome);
      if (instead) return instead;
      throw err;
    }
  };
}
