/**
 * Wires the HelmChart reconciler into a manager (source-controller `SetupWithManager`): the controller with Flux's
 * predicates, a field index of `<kind>/<name>` of each HelmChart's sourceRef, and watches on HelmRepository,
 * GitRepository and Bucket that re-queue the HelmCharts of a source whose artifact revision changed.
 */
import type { HelmChart } from '@flux-ts/api';
import { SourceGroupVersion } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { controllerBuilder, predicates } from '@flux-ts/runtime';
import type {
  BuilderOptions,
  Cache,
  Controller,
  ControllerManager,
  EventSink,
  KubeClient,
  KubeObject,
  Predicate,
  Request,
} from '@flux-ts/runtime';
import type { IndexCache } from '../helm/index-cache.ts';
import { HelmChartReconciler, helmChartGVK } from './reconciler.ts';

/** Name of the field index of HelmChart sourceRefs (upstream `sourceRefIndexKey`). */
export const SourceRefIndex = '.metadata.sourceRef';

/** Index value of a HelmChart: `<kind>/<name>` of its sourceRef. */
export function sourceRefKeys(obj: HelmChart): string[] {
  const ref = obj.spec?.sourceRef;
  return ref ? [`${ref.kind}/${ref.name}`] : [];
}

type WithArtifact = KubeObject & { status?: { artifact?: { revision?: string } } };

/** Passes a source whose artifact revision changed (upstream `SourceRevisionChangePredicate`). */
export const sourceRevisionChanged: Predicate<WithArtifact> = Object.freeze({
  create: () => true,
  update: (old: WithArtifact, obj: WithArtifact) =>
    obj.status?.artifact !== undefined && old.status?.artifact?.revision !== obj.status.artifact.revision,
  delete: () => false,
});

/** What {@link setupHelmChartController} wires together. */
export interface HelmChartControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  controllerName: string;
  jitterPercent?: number | undefined;
  requeueDependencyMs?: number | undefined;
  /** `--helm-chart-max-size`. */
  chartMaxSize: number;
  indexCache?: IndexCache | undefined;
  tmpDir?: string | undefined;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
}

/** Registers the HelmChart controller with the manager. */
export function setupHelmChartController(deps: HelmChartControllerDeps): {
  controller: Controller;
  reconciler: HelmChartReconciler;
} {
  const { cache } = deps;
  cache.indexField<HelmChart>(helmChartGVK, SourceRefIndex, sourceRefKeys);
  const reconciler = new HelmChartReconciler({
    reader: cache,
    listByIndex: (gvk, index, value, opts) => cache.listByIndex(gvk, index, value, opts),
    secretReader: deps.client,
    patchClient: deps.client,
    storage: deps.storage,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    jitterPercent: deps.jitterPercent,
    requeueDependencyMs: deps.requeueDependencyMs,
    chartMaxSize: deps.chartMaxSize,
    cache: deps.indexCache,
    tmpDir: deps.tmpDir,
    userAgent: deps.controllerName,
  });
  const chartsOf =
    (kind: string) =>
    (source: WithArtifact): Request[] =>
      cache
        .informerFor<HelmChart>(helmChartGVK)
        .byIndex(SourceRefIndex, `${kind}/${source.metadata.name}`)
        .filter(
          (c) =>
            (c.metadata.namespace ?? '') === (source.metadata.namespace ?? '') &&
            c.status?.observedSourceArtifactRevision !== source.status?.artifact?.revision,
        )
        .map((c) => ({ namespace: c.metadata.namespace ?? '', name: c.metadata.name }));
  let builder = controllerBuilder(deps.manager)
    .named('helmchart')
    .for<HelmChart>(helmChartGVK, {
      predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    });
  for (const kind of ['HelmRepository', 'GitRepository', 'Bucket']) {
    builder = builder.watches<WithArtifact>({ apiVersion: SourceGroupVersion, kind }, chartsOf(kind), {
      predicates: [sourceRevisionChanged],
    });
  }
  const controller = builder.withOptions(deps.options ?? {}).complete(reconciler.reconcile);
  return { controller, reconciler };
}
