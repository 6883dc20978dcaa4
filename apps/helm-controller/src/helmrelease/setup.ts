/**
 * Controller wiring of the HelmRelease reconciler (helm-controller `helmrelease_controller.go` SetupWithManager and
 * its indexers): HelmReleases are indexed by the source of their chart (`<namespace>/<name>`, as upstream's
 * SourceIndexKey), and a HelmChart, OCIRepository or (feature gate ExternalArtifact) ExternalArtifact whose artifact
 * or readiness changes enqueues them; ConfigMaps and Secrets with the watch label enqueue the HelmReleases that read
 * their values.
 */
import type { HelmRelease } from '@flux-ts/api';
import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type { BuilderOptions, Cache, Controller, ControllerManager, KubeObject, Predicate } from '@flux-ts/runtime';
import { ExternalArtifactGVK, HelmChartGVK, OCIRepositoryGVK, helmChartRef } from './chart.ts';
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

const readiness = (o: HelmChartObject): string =>
  JSON.stringify([
    o.status?.conditions?.find((c) => c.type === 'Ready')?.status,
    o.status?.observedGeneration,
    o.status?.artifact?.revision,
    o.status?.artifact?.digest,
  ]);

/** HelmChart events that matter: created with an artifact, or its artifact or readiness changed. */
export const helmChartChanged: Predicate<HelmChartObject> = {
  create: (o) => o.status?.artifact !== undefined,
  update: (old, o) => readiness(old) !== readiness(o),
  delete: () => false,
};

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
    .watches<HelmChartObject>(HelmChartGVK, bySource, { predicates: [helmChartChanged] })
    .watches<HelmChartObject>(OCIRepositoryGVK, bySource, { predicates: [helmChartChanged] });
  if (deps.externalArtifact)
    b = b.watches<HelmChartObject>(ExternalArtifactGVK, bySource, { predicates: [helmChartChanged] });
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
