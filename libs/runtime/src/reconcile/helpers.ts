/**
 * Small reconcile steps every Flux reconciler shares: `spec.suspend`, the `finalizers.fluxcd.io` finalizer and the
 * progressive status published at the start of a reconcile (Reconciling=True, Ready=Unknown).
 */
import { FluxFinalizer, ProgressingReason, ProgressingWithRetryReason, ReadyCondition } from '@flux-ts/api';
import { conditions } from '../conditions/index.ts';
import type { Logger } from '../observability/index.ts';
import type { SerialPatcher, SerialPatchOptions } from '../patch/serial-patcher.ts';
import type { StatusObject } from '../patch/types.ts';

/** True when `spec.suspend` is true. */
export function isSuspended(obj: { spec?: unknown }): boolean {
  const spec = obj.spec;
  return typeof spec === 'object' && spec !== null && (spec as { suspend?: unknown }).suspend === true;
}

/**
 * Suspend handling: when suspended, logs "reconciliation is suspended for this object" (as Flux does) and returns
 * true; the reconciler then stops without requeue and without touching the status.
 */
export function skipIfSuspended(obj: { spec?: unknown }, log?: Logger): boolean {
  if (!isSuspended(obj)) return false;
  log?.info('reconciliation is suspended for this object');
  return true;
}

/** True when the object carries the finalizer (default `finalizers.fluxcd.io`). */
export function hasFinalizer(obj: { metadata: { finalizers?: string[] } }, finalizer: string = FluxFinalizer): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/** Adds the finalizer; returns true when it was missing (the change still has to be patched). */
export function addFinalizer(obj: { metadata: { finalizers?: string[] } }, finalizer: string = FluxFinalizer): boolean {
  if (hasFinalizer(obj, finalizer)) return false;
  obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), finalizer];
  return true;
}

/** Removes the finalizer; returns true when it was present (the change still has to be patched). */
export function removeFinalizer(
  obj: { metadata: { finalizers?: string[] } },
  finalizer: string = FluxFinalizer,
): boolean {
  if (!hasFinalizer(obj, finalizer)) return false;
  obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return true;
}

/** True when `metadata.deletionTimestamp` is set. */
export function isDeleting(obj: { metadata: { deletionTimestamp?: string } }): boolean {
  return obj.metadata.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== '';
}

/**
 * Adds the finalizer and patches it right away (one of the two early patches kstatus allows); returns true when the
 * finalizer was added.
 */
export async function ensureFinalizer<T extends StatusObject>(
  obj: T,
  patcher: SerialPatcher<T>,
  opts: SerialPatchOptions & { finalizer?: string } = {},
): Promise<boolean> {
  const { finalizer, ...patchOpts } = opts;
  if (!addFinalizer(obj, finalizer)) return false;
  await patcher.patch(obj, patchOpts);
  return true;
}

/** Default message of {@link progressiveStatus}. */
export const ReconciliationInProgressMessage = 'reconciliation in progress';

/**
 * Reconciling=True and Ready=Unknown with the same reason and message (default Progressing); with `keepFailure`, a
 * failure already on Ready is kept and Reconciling says ProgressingWithRetry (fluxcd/pkg `ProgressiveStatus`).
 */
export function progressiveStatus(
  obj: StatusObject,
  message: string = ReconciliationInProgressMessage,
  reason: string = ProgressingReason,
  opts: { keepFailure?: boolean } = {},
): void {
  if (opts.keepFailure && conditions.isFalse(obj, ReadyCondition)) {
    conditions.markReconciling(obj, ProgressingWithRetryReason, message);
    return;
  }
  conditions.markReconciling(obj, reason, message);
  conditions.markUnknown(obj, ReadyCondition, reason, message);
}

/**
 * When the generation is new (`metadata.generation != status.observedGeneration`), publishes the progressive status
 * "processing object: new generation X -> Y" through the patcher; returns true when it did.
 */
export async function reconcileNewGeneration<T extends StatusObject>(
  obj: T,
  patcher: SerialPatcher<T>,
  opts: SerialPatchOptions = {},
): Promise<boolean> {
  const generation = obj.metadata.generation ?? 0;
  const observed = obj.status?.observedGeneration ?? 0;
  if (generation === observed) return false;
  progressiveStatus(obj, `processing object: new generation ${observed} -> ${generation}`);
  await patcher.patch(obj, opts);
  return true;
}
