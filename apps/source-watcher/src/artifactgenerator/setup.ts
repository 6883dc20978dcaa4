/**
 * Controller wiring of the ArtifactGenerator reconciler (source-watcher `artifactgenerator_manager.go`): generators
 * are indexed by their sources (`<Kind>/<namespace>/<name>`), and a source whose artifact appears or moves to a new
 * revision enqueues every generator that reads it, at once.
 */
import { ArtifactGeneratorSourceKinds, SourceGroupVersion } from '@flux-ts/api';
import type { ArtifactGenerator } from '@flux-ts/api';
import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, KubeObject, Predicate } from '@flux-ts/runtime';
import { ArtifactGeneratorGVK } from './reconciler.ts';
import type { ArtifactGeneratorReconciler } from './reconciler.ts';
import { sourceNamespace } from './sources.ts';

/** Field index of ArtifactGenerators by source (upstream `sourceRefIndexKey`). */
export const SourceRefIndex = '.metadata.sourceRef';

/** The {@link SourceRefIndex} values of a generator: `<Kind>/<namespace>/<name>` of each source. */
export function sourceRefKeys(ag: Pick<ArtifactGenerator, 'spec' | 'metadata'>): string[] {
  return (ag.spec?.sources ?? []).map((s) => `${s.kind}/${sourceNamespace(ag, s)}/${s.name}`);
}

type WithArtifact = KubeObject & { status?: { artifact?: { revision?: string; digest?: string } } };

/** upstream `sourceChangePredicate`: a source with an artifact that is new or has a new revision (or digest). */
export const sourceChanged: Predicate<WithArtifact> = {
  create: (o) => o.status?.artifact !== undefined,
  update: (old, o) =>
    o.status?.artifact !== undefined &&
    (old.status?.artifact === undefined ||
      old.status.artifact.revision !== o.status.artifact.revision ||
      old.status.artifact.digest !== o.status.artifact.digest),
  delete: () => false,
};

/** Generator updates that need a reconcile: generation, `reconcile.fluxcd.io/requestedAt`, or deletion started. */
export const generatorChanged: Predicate = predicates.or(predicates.generationChanged, predicates.reconcileRequested, {
  create: () => false,
  update: (old, o) =>
    (o.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined &&
    (old.metadata as { deletionTimestamp?: string }).deletionTimestamp === undefined,
  delete: () => false,
});

/** What {@link setupArtifactGeneratorController} wires together. */
export interface ArtifactGeneratorControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  reconciler: ArtifactGeneratorReconciler;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the ArtifactGenerator controller with the manager: its index, the source watches and the reconciler. */
export function setupArtifactGeneratorController(deps: ArtifactGeneratorControllerDeps): Controller {
  const { cache, reconciler } = deps;
  cache.indexField<ArtifactGenerator>(ArtifactGeneratorGVK, SourceRefIndex, sourceRefKeys);
  const generators = cache.informerFor<ArtifactGenerator>(ArtifactGeneratorGVK);
  let b = controllerBuilder(deps.manager)
    .named('artifactgenerator')
    .for(ArtifactGeneratorGVK, { predicates: [generatorChanged] });
  for (const kind of ArtifactGeneratorSourceKinds) {
    b = b.watches<WithArtifact>(
      { apiVersion: SourceGroupVersion, kind },
      (src) =>
        generators
          .byIndex(SourceRefIndex, `${kind}/${src.metadata.namespace ?? ''}/${src.metadata.name}`)
          .map(requestFor),
      { predicates: [sourceChanged] },
    );
  }
  return b.withOptions(deps.options ?? {}).complete(reconciler.reconcile);
}
