/**
 * Wires the OCIRepository reconciler into a manager (source-controller `SetupWithManager`): the controller with
 * Flux's predicates (a new generation or `reconcile.fluxcd.io/requestedAt`).
 */
import type { OCIRepository } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, EventSink, KubeClient } from '@flux-ts/runtime';
import { OCIRepositoryReconciler, ociRepositoryGVK } from './reconciler.ts';
import type { OCIRepositoryReconcilerOptions } from './reconciler.ts';

/** What {@link setupOCIRepositoryController} wires together. */
export interface OCIRepositoryControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  controllerName: string;
  jitterPercent?: number | undefined;
  tmpDir?: string | undefined;
  /** Extra registry client options (tests: host name resolution). */
  clientOptions?: OCIRepositoryReconcilerOptions['clientOptions'];
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the OCIRepository controller with the manager. */
export function setupOCIRepositoryController(deps: OCIRepositoryControllerDeps): {
  controller: Controller;
  reconciler: OCIRepositoryReconciler;
} {
  const reconciler = new OCIRepositoryReconciler({
    reader: deps.cache,
    secretReader: deps.client,
    patchClient: deps.client,
    storage: deps.storage,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    jitterPercent: deps.jitterPercent,
    tmpDir: deps.tmpDir,
    userAgent: deps.controllerName,
    clientOptions: deps.clientOptions,
  });
  const controller = controllerBuilder(deps.manager)
    .named('ocirepository')
    .for<OCIRepository>(ociRepositoryGVK, {
      predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    })
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
