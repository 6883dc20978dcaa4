/**
 * Wires the HelmRepository reconciler into a manager (source-controller `SetupWithManager`): the controller with
 * Flux's predicates (an OCI HelmRepository passes only while it still needs its one-off migration to a static
 * object; others on a new generation or `reconcile.fluxcd.io/requestedAt`), and a field index of normalized URLs
 * through which HelmCharts find the HelmRepository that holds a dependency's credentials.
 */
import type { HelmRepository } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type {
  BuilderOptions,
  Cache,
  Controller,
  ControllerManager,
  EventSink,
  KubeClient,
  Predicate,
} from '@flux-ts/runtime';
import type { IndexCache } from '../helm/index-cache.ts';
import { normalizeURL } from '../helm/normalize-url.ts';
import { HelmRepositoryReconciler, helmRepositoryGVK, ociRequiresMigration } from './reconciler.ts';

/** Name of the field index of normalized HelmRepository URLs (upstream `HelmRepositoryURLIndexKey`). */
export const HelmRepositoryURLIndex = '.metadata.helmRepositoryURL';

/** Index value of a HelmRepository: its normalized URL (none when it does not parse). */
export function helmRepositoryURLKeys(obj: HelmRepository): string[] {
  try {
    const url = normalizeURL(obj.spec?.url ?? '');
    return url ? [url] : [];
  } catch {
    return [];
  }
}

/** Upstream `HelmRepositoryOCIMigrationPredicate`. */
export const ociMigration: Predicate<HelmRepository> = Object.freeze({
  create: (obj: HelmRepository) => obj.spec?.type !== 'oci' || ociRequiresMigration(obj),
  update: (_old: HelmRepository, obj: HelmRepository) => obj.spec?.type !== 'oci' || ociRequiresMigration(obj),
  delete: (obj: HelmRepository) => obj.spec?.type !== 'oci',
});

/** What {@link setupHelmRepositoryController} wires together. */
export interface HelmRepositoryControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  controllerName: string;
  jitterPercent?: number | undefined;
  /** `--helm-index-max-size`. */
  indexMaxSize: number;
  indexCache?: IndexCache | undefined;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the HelmRepository controller with the manager. */
export function setupHelmRepositoryController(deps: HelmRepositoryControllerDeps): {
  controller: Controller;
  reconciler: HelmRepositoryReconciler;
} {
  deps.cache.indexField<HelmRepository>(helmRepositoryGVK, HelmRepositoryURLIndex, helmRepositoryURLKeys);
  const reconciler = new HelmRepositoryReconciler({
    reader: deps.cache,
    secretReader: deps.client,
    patchClient: deps.client,
    storage: deps.storage,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    jitterPercent: deps.jitterPercent,
    indexMaxSize: deps.indexMaxSize,
    cache: deps.indexCache,
    userAgent: deps.controllerName,
  });
  const controller = controllerBuilder(deps.manager)
    .named('helmrepository')
    .for<HelmRepository>(helmRepositoryGVK, {
      predicates: [
        predicates.and(ociMigration, predicates.or(predicates.generationChanged, predicates.reconcileRequested)),
      ],
    })
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
