/**
 * Wires the Bucket reconciler into a manager (source-controller `SetupWithManager`): the controller with
 * Flux's predicates (a new generation or `reconcile.fluxcd.io/requestedAt`).
 */
import type { Bucket } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, EventSink, KubeClient } from '@flux-ts/runtime';
import { BucketReconciler, bucketGVK } from './reconciler.ts';

/** What {@link setupBucketController} wires together. */
export interface BucketControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  controllerName: string;
  jitterPercent?: number | undefined;
  tmpDir?: string | undefined;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the Bucket controller with the manager. */
export function setupBucketController(deps: BucketControllerDeps): {
  controller: Controller;
  reconciler: BucketReconciler;
} {
  const reconciler = new BucketReconciler({
    reader: deps.cache,
    secretReader: deps.client,
    patchClient: deps.client,
    storage: deps.storage,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    jitterPercent: deps.jitterPercent,
    tmpDir: deps.tmpDir,
  });
  const controller = controllerBuilder(deps.manager)
    .named('bucket')
    .for<Bucket>(bucketGVK, {
      predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    })
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
