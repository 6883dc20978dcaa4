/**
 * Controller wiring of the Kustomization reconciler (kustomize-controller `kustomization_manager.go` +
 * `kustomization_indexers.go`): Kustomizations are indexed by `spec.sourceRef`, and a source whose artifact
 * revision changes enqueues every Kustomization that references it.
 */
import { SourceGroupVersion } from '@flux-ts/api';
import type { Kustomization } from '@flux-ts/api';
import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, KubeObject, Predicate } from '@flux-ts/runtime';
import { KustomizationGVK, SourceKinds } from './reconciler.ts';
import type { KustomizationReconciler } from './reconciler.ts';

/** Field index of Kustomizations by source: `<Kind>/<namespace>/<name>`. */
export const SourceRefIndex = '.metadata.source';

/** The {@link SourceRefIndex} value of a Kustomization. */
export function sourceRefKey(k: Pick<Kustomization, 'spec' | 'metadata'>): string {
  const ref = k.spec.sourceRef;
  return `${ref.kind}/${ref.namespace || k.metadata.namespace || ''}/${ref.name}`;
}

type WithArtifact = KubeObject & { status?: { artifact?: { revision?: string; digest?: string } } };

/** Source events that matter: an artifact appeared or its revision/digest changed. */
export const artifactChanged: Predicate<WithArtifact> = {
  create: (o) => o.status?.artifact !== undefined,
  update: (old, o) =>
    o.status?.artifact !== undefined &&
    (old.status?.artifact?.revision !== o.status.artifact.revision ||
      old.status?.artifact?.digest !== o.status.artifact.digest),
  delete: () => false,
};

/** Kustomization updates that need a reconcile: generation, `reconcile.fluxcd.io/requestedAt`, or deletion started. */
export const kustomizationChanged: Predicate = predicates.or(
  predicates.generationChanged,
  predicates.reconcileRequested,
  {
    create: () => false,
    update: (old, o) =>
      (o.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined &&
      (old.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined,
    delete: () => false,
  },
);

/** Field index of Kustomizations by the objects of `spec.postBuild.substituteFrom`: `<Kind>/<namespace>/<name>`. */
export const SubstituteFromIndex = '.spec.postBuild.substituteFromRefs';

/** The {@link SubstituteFromIndex} values of a Kustomization. */
export function substituteFromKeys(k: Pick<Kustomization, 'spec' | 'metadata'>): string[] {
  return (k.spec.postBuild?.substituteFrom ?? []).map((r) => `${r.kind}/${k.metadata.namespace ?? ''}/${r.name}`);
}

type WithData = KubeObject & { data?: unknown };

/** ConfigMap/Secret events that matter: created, deleted, or `data` changed. */
export const dataChanged: Predicate<WithData> = {
  update: (old, o) => JSON.stringify(old.data ?? {}) !== JSON.stringify(o.data ?? {}),
};

/** What {@link setupKustomizationController} wires together. */
export interface KustomizationControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  reconciler: KustomizationReconciler;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
  /**
   * `--watch-configs-label-selector`: ConfigMaps and Secrets with these labels that a Kustomization substitutes from
   * trigger it when they change; undefined disables the watch (`DisableConfigWatchers`).
   */
  watchConfigsLabelSelector?: string | undefined;
}

/** Registers the Kustomization controller with the manager: its indexes, its watches and the reconciler. */
export function setupKustomizationController(deps: KustomizationControllerDeps): Controller {
  const { cache, reconciler, watchConfigsLabelSelector } = deps;
  cache.indexField<Kustomization>(KustomizationGVK, SourceRefIndex, (k) => [sourceRefKey(k)]);
  cache.indexField<Kustomization>(KustomizationGVK, SubstituteFromIndex, substituteFromKeys);
  const kustomizations = cache.informerFor(KustomizationGVK);
  let b = controllerBuilder(deps.manager)
    .named('kustomization')
    .for(KustomizationGVK, { predicates: [kustomizationChanged] });
  for (const kind of SourceKinds) {
    b = b.watches<WithArtifact>(
      { apiVersion: SourceGroupVersion, kind },
      (src) =>
        kustomizations
          .byIndex(SourceRefIndex, `${kind}/${src.metadata.namespace ?? ''}/${src.metadata.name}`)
          .map(requestFor),
      { predicates: [artifactChanged] },
    );
  }
  if (watchConfigsLabelSelector !== undefined) {
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      b = b.watches<WithData>(
        { apiVersion: 'v1', kind },
        (o) =>
          kustomizations
            .byIndex(SubstituteFromIndex, `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
            .map(requestFor),
        { predicates: [dataChanged], scope: { labelSelector: watchConfigsLabelSelector } },
      );
    }
  }
  return b.withOptions(deps.options ?? {}).complete(reconciler.reconcile);
}
