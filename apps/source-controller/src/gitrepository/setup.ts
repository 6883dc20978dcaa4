/**
 * Wires the GitRepository reconciler into a manager (source-controller `SetupWithManager`): the controller for
 * GitRepository with Flux's predicates (generation changed or `reconcile.fluxcd.io/requestedAt` changed), a field
 * index of the repositories each GitRepository includes, and a watch that re-queues the includers of a repository
 * whose artifact changed.
 */
import type { GitRepository } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type {
  BuilderOptions,
  Cache,
  Controller,
  EventSink,
  KubeClient,
  Manager,
  Predicate,
  Request,
} from '@flux-ts/runtime';
import { GitRepositoryReconciler, gitRepositoryGVK } from './reconciler.ts';

/** Name of the field index: the names of the GitRepositories a GitRepository includes (`<ns>/<name>`). */
export const IncludedRepositoryIndex = '.spec.include.repository';

/** Index values of a GitRepository: `<namespace>/<name>` of every included repository. */
export function includedRepositoryKeys(obj: GitRepository): string[] {
  const ns = obj.metadata.namespace ?? '';
  return [...new Set((obj.spec?.include ?? []).map((i) => `${ns}/${i.repository.name}`))];
}

/** Passes updates whose artifact revision or digest changed (an included repository produced a new artifact). */
export const artifactChanged: Predicate<GitRepository> = Object.freeze({
  create: () => true,
  update: (old: GitRepository, obj: GitRepository) =>
    old.status?.artifact?.revision !== obj.status?.artifact?.revision ||
    old.status?.artifact?.digest !== obj.status?.artifact?.digest,
  delete: () => true,
});

/** Dependencies of {@link setupGitRepositoryController}. */
export interface GitRepositoryControllerDeps {
  manager: Manager;
  cache: Cache;
  client: KubeClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  controllerName?: string | undefined;
  requeueDependencyMs?: number | undefined;
  jitterPercent?: number | undefined;
  tmpDir?: string | undefined;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the GitRepository controller with the manager; returns it with its reconciler. */
export function setupGitRepositoryController(deps: GitRepositoryControllerDeps): {
  controller: Controller;
  reconciler: GitRepositoryReconciler;
} {
  const { cache, client } = deps;
  cache.indexField<GitRepository>(gitRepositoryGVK, IncludedRepositoryIndex, includedRepositoryKeys);
  const reconciler = new GitRepositoryReconciler({
    reader: cache,
    secretReader: client,
    patchClient: client,
    storage: deps.storage,
    recorder: deps.recorder,
    controllerName: deps.controllerName,
    requeueDependencyMs: deps.requeueDependencyMs,
    jitterPercent: deps.jitterPercent,
    tmpDir: deps.tmpDir,
  });
  const includers = (obj: GitRepository): Request[] =>
    cache
      .informerFor<GitRepository>(gitRepositoryGVK)
      .byIndex(IncludedRepositoryIndex, `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`)
      .map((o) => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' }));
  const controller = controllerBuilder(deps.manager)
    .named('gitrepository')
    .for<GitRepository>(gitRepositoryGVK, {
      predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    })
    .watches<GitRepository>(gitRepositoryGVK, includers, { predicates: [artifactChanged] })
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
