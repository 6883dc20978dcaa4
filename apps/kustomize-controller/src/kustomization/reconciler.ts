/**
 * The Kustomization reconciler (kustomize-controller `KustomizationReconciler`) on the runtime's reconcile skeleton:
 * the condition table of conditions.ts, the ordered steps of steps/ (source → dependsOn → fetch → build → apply →
 * prune → health), and one summarize-and-patch exit that alone sets Ready (`Applied revision: …` on success, the
 * failing step's reason otherwise). A finalizer prunes the inventory on delete, as `spec.deletionPolicy` says.
 */
import { rm } from 'node:fs/promises';
import {
  KustomizeEventMetadata,
  KustomizeGroupVersion,
  ProgressingReason,
  ReadyCondition,
  ReconciliationFailedReason,
  ReconciliationSucceededReason,
  normalize,
} from '@flux-ts/api';
import {
  conditions,
  formatGoDuration,
  isDeleting,
  isNotFound,
  isSuspended,
  reconcileWith,
  upsertHistory,
} from '@flux-ts/runtime';
import type {
  ExitOptions,
  KubeObject,
  LoopContext,
  LoopOutcome,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
} from '@flux-ts/runtime';
import type { Inventory } from '@flux-ts/ssa';
import { StatusFieldManager, kustomizationReadyConditions } from './conditions.ts';
import { durations, newKustomizationState } from './state.ts';
import type { KustomizationObject, KustomizationReconcilerOptions, KustomizationState } from './state.ts';
import { applyClientFor, reconcileApply, resourceManagerFor } from './steps/apply.ts';
import { ownerLabels, reconcileBuild } from './steps/build.ts';
import { reconcileDependencies } from './steps/dependencies.ts';
import { reconcileFetch } from './steps/fetch.ts';
import { reconcileHealth } from './steps/health.ts';
import { reconcilePrune } from './steps/prune.ts';
import { reconcileSource } from './steps/source.ts';

export { durations } from './state.ts';
export type { KustomizationReconcilerOptions, KustomizationState } from './state.ts';
export { SourceKinds } from './steps/source.ts';
export { ignoreRulesOf } from './steps/apply.ts';

/** apiVersion/kind of the reconciled kind. */
export const KustomizationGVK = { apiVersion: KustomizeGroupVersion, kind: 'Kustomization' } as const;

/** The ordered steps of a Kustomization reconcile (upstream's `Reconcile` and `reconcile`, in order). */
export const kustomizationSteps: readonly ReconcileStep<KustomizationObject, KustomizationState>[] = [
  { name: 'reconcileSource', run: reconcileSource },
  { name: 'reconcileDependencies', run: reconcileDependencies },
  { name: 'reconcileFetch', run: reconcileFetch },
  { name: 'reconcileBuild', run: reconcileBuild },
  { name: 'reconcileApply', run: reconcileApply },
  { name: 'reconcilePrune', run: reconcilePrune },
  { name: 'reconcileHealth', run: reconcileHealth },
];

/** Reconciles Kustomizations. */
export class KustomizationReconciler {
  readonly #o: KustomizationReconcilerOptions;
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(opts: KustomizationReconcilerOptions) {
    this.#o = opts;
    this.reconcile = reconcileWith<KustomizationObject, KustomizationState>({
      gvk: KustomizationGVK,
      reader: opts.reader ?? opts.client,
      patchClient: opts.client,
      conditions: kustomizationReadyConditions,
      fieldManager: StatusFieldManager,
      finalizerMode: 'patch',
      decode: (raw: KubeObject, log) => {
        const normalized = normalize(raw);
        for (const warning of normalized.warnings) log.debug({ warning }, 'legacy Kustomization field');
        return normalized.object as KustomizationObject;
      },
      finalize: (obj, ctx) => this.#finalize(obj, ctx),
      open: async (obj, ctx) => newKustomizationState(obj, opts, ctx, ownerLabels(obj)),
      steps: kustomizationSteps,
      close: async (state) => {
        if (state.dir !== undefined) await rm(state.dir, { recursive: true, force: true });
      },
      notify: (_old, obj, state) => this.#notifyChanges(obj, state),
      exit: (obj, outcome, ctx) => this.#exit(obj, outcome, ctx),
      onExitError: (obj, err, outcome) =>
        // Flux retries a failed Kustomization after spec.retryInterval rather than with the queue's backoff;
        // failures of the status patch itself still go to the queue.
        outcome.error !== undefined && !(err instanceof AggregateError) && !isDeleting(obj)
          ? { requeueAfter: durations(obj.spec).retryInterval }
          : undefined,
    });
  }

  /** The change set, as one Normal Progressing event (only when something changed). */
  #notifyChanges(obj: KustomizationObject, state: KustomizationState): void {
    const changes = state.changeSet.changes();
    if (changes.length === 0 || !this.#o.recorder) return;
    // fire-and-forget: recorder.event never rejects (it logs its own failures) and the reconcile does not wait for it
    void this.#o.recorder.event(obj, {
      type: 'Normal',
      reason: ProgressingReason,
      message: changes.map((e) => `${e.subject} ${e.action}`).join('\n'),
      metadata: eventMetadata(obj),
    });
  }

  /** Ready on success, the failure reason of untyped errors, history, and the success event on change or recovery. */
  #exit(
    obj: KustomizationObject,
    outcome: LoopOutcome<KustomizationState>,
    ctx: LoopContext<KustomizationObject>,
  ): ExitOptions<KustomizationObject> {
    const state = outcome.state;
    const { interval } = durations(obj.spec);
    const metadata = eventMetadata(obj);
    const changed = (state?.changeSet.changes().length ?? 0) > 0;
    const started = state?.started ?? Date.now();
    return {
      interval,
      jitterPercent: this.#o.jitterPercent ?? 0,
      recorder: this.#o.recorder,
      log: state?.log ?? ctx.log,
      eventMetadata: metadata,
      readyFromError: true,
      failureReason: ReconciliationFailedReason,
      ...(state?.revision !== undefined && !outcome.deleting
        ? {
            readyOnSuccess: { reason: ReconciliationSucceededReason, message: `Applied revision: ${state.revision}` },
          }
        : {}),
      beforePatch: (o) => {
        // History records every reconcile that got as far as a build, keyed by its digest and Ready reason.
        if (state?.built.digest === undefined || isDeleting(o)) return;
        o.status ??= {};
        o.status.history = upsertHistory(o.status.history, {
          digest: state.built.digest,
          at: new Date(),
          durationMs: Date.now() - started,
          status: conditions.getReason(o, ReadyCondition),
          metadata: { revision: state.built.revision ?? '' },
        });
      },
      ...(state && (changed || !state.wasReady)
        ? {
            successEvent: {
              reason: ReconciliationSucceededReason,
              message: `Reconciliation finished in ${formatGoDuration(Date.now() - started)}, next run in ${formatGoDuration(interval)}`,
              metadata: { ...metadata, [KustomizeEventMetadata.CommitStatus]: 'update' },
            },
          }
        : {}),
    };
  }

  /** Finalizer: prune the inventory unless suspended or the deletion policy keeps the objects. */
  async #finalize(obj: KustomizationObject, ctx: LoopContext<KustomizationObject>): Promise<void> {
    const policy = obj.spec.deletionPolicy ?? 'MirrorPrune';
    const prune =
      policy === 'Delete' || policy === 'WaitForTermination' || (policy === 'MirrorPrune' && obj.spec.prune === true);
    const inventory = obj.status?.inventory as Inventory | undefined;
    if (!prune || isSuspended(obj) || !inventory || inventory.entries.length === 0) return;
    const client = await applyClientFor(obj, this.#o, ctx.signal);
    const manager = resourceManagerFor(client, this.#o);
    const cs = await manager.deleteAll(inventory.entries, { ownerLabels: ownerLabels(obj), signal: ctx.signal });
    if (cs.changes().length > 0) ctx.log.info({ output: cs.toMap() }, 'garbage collection completed');
    if (policy === 'WaitForTermination') {
      const { timeout } = durations(obj.spec);
      const deadline = Date.now() + timeout;
      for (const e of cs.entries.filter((x) => x.action === 'deleted')) {
        const gvk = { apiVersion: e.groupVersion, kind: e.objMetadata.kind };
        const key = e.objMetadata.namespace
          ? { namespace: e.objMetadata.namespace, name: e.objMetadata.name }
          : { name: e.objMetadata.name };
        for (;;) {
          try {
            await client.get(gvk, key, { signal: ctx.signal });
          } catch (err) {
            if (isNotFound(err)) break;
            throw err;
          }
          if (Date.now() > deadline) {
            ctx.log.info({ object: e.subject }, 'timeout waiting for the termination of managed objects');
            break;
          }
          await new Promise((r) => setTimeout(r, this.#o.pollInterval ?? 2000));
        }
      }
    }
    // fire-and-forget: recorder.event never rejects (it logs its own failures)
    if (cs.changes().length > 0 && this.#o.recorder)
      void this.#o.recorder.event(obj, { type: 'Normal', reason: ProgressingReason, message: cs.toString() });
  }
}

/** The revision metadata of this Kustomization's events. */
function eventMetadata(obj: KustomizationObject): Record<string, string> {
  const revision = obj.status?.lastAttemptedRevision ?? '';
  return revision ? { [KustomizeEventMetadata.Revision]: revision } : {};
}
