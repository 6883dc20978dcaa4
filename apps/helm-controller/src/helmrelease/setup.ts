/**
 * Controller wiring of the HelmRelease reconciler (helm-controller `helmrelease_controller.go` SetupWithManager and
 * its indexers): HelmReleases are indexed by the source of their chart (`<namespace>/<name>`, as upstream's
 * SourceIndexKey), and a HelmChart, OCIRepository or (feature gate ExternalArtifact) ExternalArtifact that becomes
 * ready or offers another artifact enqueues them through that index; ConfigMaps and Secrets with the watch label enqueue the HelmReleases that read
 * their values.
 */
import type { HelmRelease } from '@flux-ts/api';
import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, KubeObject, Predicate } from '@flux-ts/runtime';
import { ExternalArtifactGVK, HelmChartGVK, OCIRepositoryGVK, helmChartRef, sourceNotReadyMessage } from './chart.ts';
import type { HelmChartObject } from './chart.ts';
import { HelmReleaseGVK } from './reconciler.ts';
import type { HelmReleaseReconciler } from './reconciler.ts';

/** Field index of HelmReleases by the source of their chart (HelmChart, OCIRepository…): `<namespace>/<name>`. */
export const HelmChartIndex = '.metadata.helmChart';
/** Field index of HelmReleases by the objects of `spec.valuesFrom`: `<Kind>/<namespace>/<name>`. */
export const ValuesFromIndex = '.spec.valuesFrom';

/** The {@link HelmChartIndex} value of a HelmRelease. */
export function helmChartKey(hr: HelmRelease): string {
  const { namespace, name } = helmChartRef(hr);
  return `${namespace}/${name}`;
}

/** The artifact a ready source of `kind` offers (helm-controller `isReady`), undefined while it is not ready. */
const usableArtifact = (kind: string, o: HelmChartObject): string | undefined =>
  sourceNotReadyMessage(kind, o) === undefined
    ? `${o.status?.artifact?.revision ?? ''}@${o.status?.artifact?.digest ?? ''}`
    : undefined;

/**
 * Source events that matter (upstream's SourceRevisionChangePredicate, narrowed to what the reconcile can use): the
 * source became ready with an artifact, or a ready source's artifact changed. The progress of a source being
 * reconciled (Reconciling, a Ready=Unknown, an artifact of a generation not yet observed) enqueues nothing.
 */
export function sourceChanged(kind: 'HelmChart' | 'OCIRepository' | 'ExternalArtifact'): Predicate<HelmChartObject> {
  return {
    create: (o) => usableArtifact(kind, o) !== undefined,
    update: (old, o) => {
      const now = usableArtifact(kind, o);
      return now !== undefined && now !== usableArtifact(kind, old);
    },
    delete: () => false,
  };
}

/** HelmRelease updates that need a reconcile: generation, `reconcile.fluxcd.io/requestedAt`, or deletion started. */
export const helmReleaseChanged: Predicate = predicates.or(
  predicates.generationChanged,
  predicates.reconcileRequested,
  {
    create: () => false,
    update: (old, o) => o.metadata.deletionTimestamp !== undefined && old.metadata.deletionTimestamp === undefined,
    delete: () => false,
  },
);

type WithData = KubeObject & { data?: unknown };
const dataChanged: Predicate<WithData> = {
  update: (old, o) => JSON.stringify(old.data ?? {}) !== JSON.stringify(o.data ?? {}),
};

/** What {@link setupHelmReleaseController} wires together. */
export interface HelmReleaseControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  reconciler: HelmReleaseReconciler;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
  /** `--watch-configs-label-selector`; undefined disables the watch (`DisableConfigWatchers`). */
  watchConfigsLabelSelector?: string | undefined;
  /** Feature gate ExternalArtifact: watch ExternalArtifacts (their CRD may be absent otherwise). */
  externalArtifact?: boolean | undefined;
}

/** Registers the HelmRelease controller with the manager: its indexes, its watches and the reconciler. */
export function setupHelmReleaseController(deps: HelmReleaseControllerDeps): Controller {
  const { cache, reconciler, watchConfigsLabelSelector } = deps;
  cache.indexField<HelmRelease>(HelmReleaseGVK, HelmChartIndex, (hr) => [helmChartKey(hr)]);
  cache.indexField<HelmRelease>(HelmReleaseGVK, ValuesFromIndex, (hr) =>
    (hr.spec.valuesFrom ?? []).map((r) => `${r.kind}/${hr.metadata.namespace ?? ''}/${r.name}`),
  );
  const releases = cache.informerFor(HelmReleaseGVK);
  const bySource = (src: HelmChartObject): ReturnType<typeof requestFor>[] =>
    releases.byIndex(HelmChartIndex, `${src.metadata.namespace ?? ''}/${src.metadata.name}`).map(requestFor);
  let b = controllerBuilder(deps.manager)
    .named('helmrelease')
    .for(HelmReleaseGVK, { predicates: [helmReleaseChanged] })
    .watches<HelmChartObject>(HelmChartGVK, bySource, { predicates: [sourceChanged('HelmChart')] })
    .watches<HelmChartObject>(OCIRepositoryGVK, bySource, { predicates: [sourceChanged('OCIRepository')] });
  if (deps.externalArtifact)
    b = b.watches<HelmChartObject>(ExternalArtifactGVK, bySource, { predicates: [sourceChanged('ExternalArtifact')] });
  if (watchConfigsLabelSelector !== undefined) {
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      b = b.watches<WithData>(
        { apiVersion: 'v1', kind },
        (o) =>
          releases.byIndex(ValuesFromIndex, `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).map(requestFor),
        { predicates: [dataChanged], scope: { labelSelector: watchConfigsLabelSelector } },
      );
    }
  }
  return b.withOptions(deps.options ?? {}).complete(reconciler.reconcile);
}
