/**
 * The ImageUpdateAutomation controller (upstream `SetupWithManager`): automations are indexed by their GitRepository;
 * a GitRepository whose URL, ref, secrets, proxy or timeout change enqueues its automations
 * (`sourceConfigChangePredicate`), and an ImagePolicy whose `latestRef` changes enqueues every automation of its
 * namespace (the link is through markers in the repository, so any of them may be affected).
 */
import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, KubeObject, Predicate } from '@flux-ts/runtime';
import {
  ImageUpdateAutomationReconciler,
  gitRepositoryGVK,
  imagePolicyGVK,
  imageUpdateAutomationGVK,
} from './reconciler.ts';
import type { ImageUpdateAutomationReconcilerOptions } from './reconciler.ts';

/** Field index of ImageUpdateAutomations by GitRepository: `<namespace>/<name>`. */
export const GitRepositoryIndex = '.spec.gitRepository';

/** What {@link setupImageUpdateAutomationController} wires together. */
export interface ImageUpdateAutomationControllerDeps extends Omit<ImageUpdateAutomationReconcilerOptions, 'reader'> {
  manager: ControllerManager;
  cache: Cache;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

type Automation = KubeObject & { spec?: { sourceRef?: { name?: string; namespace?: string } } };
type GitRepo = KubeObject & { spec?: Record<string, unknown> };
type Policy = KubeObject & { status?: { latestRef?: unknown } };

/** GitRepository updates that change how the repository is reached (upstream `sourceConfigChangePredicate`). */
export const sourceConfigChanged: Predicate<GitRepo> = {
  create: () => true,
  update: (old, o) =>
    ['url', 'ref', 'secretRef', 'proxySecretRef', 'timeout', 'provider'].some(
      (k) => JSON.stringify(old.spec?.[k]) !== JSON.stringify(o.spec?.[k]),
    ),
  delete: () => false,
};

/** ImagePolicy updates whose elected image changed (upstream `latestImageChangePredicate`). */
export const latestRefChanged: Predicate<Policy> = {
  create: () => true,
  update: (old, o) => JSON.stringify(old.status?.latestRef) !== JSON.stringify(o.status?.latestRef),
  delete: () => false,
};

/** Registers the ImageUpdateAutomation controller with the manager. */
export function setupImageUpdateAutomationController(deps: ImageUpdateAutomationControllerDeps): {
  controller: Controller;
  reconciler: ImageUpdateAutomationReconciler;
} {
  const { manager, cache, options, ...reconcilerOptions } = deps;
  const reconciler = new ImageUpdateAutomationReconciler({ ...reconcilerOptions, reader: cache });
  cache.indexField<Automation>(imageUpdateAutomationGVK, GitRepositoryIndex, (a) => [
    `${a.spec?.sourceRef?.namespace || a.metadata.namespace || ''}/${a.spec?.sourceRef?.name ?? ''}`,
  ]);
  const automations = cache.informerFor<Automation>(imageUpdateAutomationGVK);
  const controller = controllerBuilder(manager)
    .named('imageupdateautomation')
    .for(imageUpdateAutomationGVK, {
      predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    })
    .watches<GitRepo>(
      gitRepositoryGVK,
      (repo) =>
        automations
          .byIndex(GitRepositoryIndex, `${repo.metadata.namespace ?? ''}/${repo.metadata.name}`)
          .map(requestFor),
      { predicates: [sourceConfigChanged] },
    )
    .watches<Policy>(
      imagePolicyGVK,
      (policy) => automations.list({ namespace: policy.metadata.namespace ?? '' }).map(requestFor),
      { predicates: [latestRefChanged] },
    )
    .withOptions(options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
