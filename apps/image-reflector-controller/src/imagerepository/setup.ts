import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, EventSink, KubeClient } from '@flux-ts/runtime';
import type { RegistryAccess } from '../registry/options.ts';
import type { TagStore } from '../storage/tag-store.ts';
import { ImageRepositoryReconciler, imageRepositoryGVK } from './reconciler.ts';

/** What {@link setupImageRepositoryController} wires together. */
export interface ImageRepositoryControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  access: RegistryAccess;
  tags: TagStore;
  recorder?: EventSink | undefined;
  controllerName: string;
  objectLevelWorkloadIdentity?: boolean | undefined;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the ImageRepository controller (upstream: generation changes and reconcile requests). */
export function setupImageRepositoryController(deps: ImageRepositoryControllerDeps): {
  controller: Controller;
  reconciler: ImageRepositoryReconciler;
} {
  const reconciler = new ImageRepositoryReconciler({
    reader: deps.cache,
    patchClient: deps.client,
    access: deps.access,
    tags: deps.tags,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    objectLevelWorkloadIdentity: deps.objectLevelWorkloadIdentity,
  });
  const controller = controllerBuilder(deps.manager)
    .named('imagerepository')
    .for(imageRepositoryGVK, {
      predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    })
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
