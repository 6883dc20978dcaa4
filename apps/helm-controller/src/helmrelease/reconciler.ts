/**
 * The HelmRelease reconciler (helm-controller `HelmReleaseReconciler`) on the runtime's reconcile skeleton: the
 * steps dependsOn → chart (HelmChart template, readiness) → values → chart artifact → release, where the release
 * step is the atomic release of release.ts (its own loop of Helm actions, chosen from the observed storage). The
 * finalizer uninstalls the release (unless suspended) and deletes the HelmChart of a template.
 */
import {
  AccessDeniedReason,
  HelmEventMetadata,
  HelmReleaseReasons,
  HelmGroupVersion,
  ReconciliationFailedReason,
  normalizeHelmRelease,
} from '@flux-ts/api';
import type { Artifact, HelmRelease } from '@flux-ts/api';
import type { ActionConfig, Capabilities, Chart, Values } from '@flux-ts/helm';
import {
  GenericError,
  isNotFound,
  Result,
  StallingError,
  checkDependencies,
  conditions,
  errMessage,
  isSuspended,
  jitteredInterval,
  parseGoDuration,
  reconcileWith,
} from '@flux-ts/runtime';
import type {
  EventSink,
  ExitOptions,
  KubeClient,
  KubeConfigConfigMapOptions,
  KubeObject,
  LoopContext,
  LoopOutcome,
  ObjectReader,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
} from '@flux-ts/runtime';
import { CapabilitiesCache } from './capabilities.ts';
import {
  ChartArchiveCache,
  deleteHelmChart,
  fetchChart,
  getReadySource,
  helmChartRef,
  mutateChartWithSourceRevision,
  reconcileChartTemplate,
} from './chart.ts';
import type { ChartSource } from './chart.ts';
import { HelmControllerFieldManager, helmReleaseReadyConditions } from './conditions.ts';
import { buildPostRenderer, postRenderStrategyOf } from './postrender.ts';
import { HelmFieldManager, RemoteClientCache, RuntimeHelmKubeClient, releaseClusterFor } from './kube-client.ts';
import type { LoadedKubeConfig, ReleaseCluster } from './kube-client.ts';
import {
  activeRetry,
  atomicRelease,
  clearFailures,
  handleRequest,
  releaseNameOf,
  releaseNamespaceOf,
  storageNamespaceOf,
  uninstallRelease,
} from './release.ts';
import { composeValues, digestValues } from './values.ts';
import { BackoffWaiter } from './waiter.ts';

/** apiVersion/kind of the reconciled kind. */
export const HelmReleaseGVK = { apiVersion: HelmGroupVersion, kind: 'HelmRelease' } as const;

/** Dependencies and settings of the reconciler; only `main.ts` derives them from flags and env. */
export interface HelmReleaseReconcilerOptions {
  /** The controller's client. */
  client: KubeClient;
  /** Where HelmReleases, HelmCharts and dependencies are read (the informer cache); the client when unset. */
  reader?: ObjectReader;
  recorder?: EventSink;
  /** `--requeue-dependency` in ms. */
  requeueDependency?: number;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number;
  /** `--http-retry`. */
  httpRetry?: number;
  /** First wait between chart download retries in ms (default 1 s). */
  httpRetryWaitMs?: number;
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of artifact URLs. */
  sourceHostOverride?: string | undefined;
  /** Feature gates read by the reconciler. */
  featureGates?: {
    AdditiveCELDependencyCheck?: boolean;
    DefaultToRetryOnFailure?: boolean;
    DisableChartDigestTracking?: boolean;
    ExternalArtifact?: boolean;
    /**
     * Helm 3's defaults: among them, post-rendering without the hooks (`nohooks`) when the spec names no strategy,
     * and installs by three-way merge rather than server-side apply when `install.serverSideApply` is unset.
     */
    UseHelm3Defaults?: boolean;
  };
  /** The controller's kubeconfig: discovery of the local cluster's capabilities (Helm's defaults without it). */
  kubeConfig?: LoadedKubeConfig | undefined;
  /** `--default-service-account`: impersonated when a HelmRelease names none. */
  defaultServiceAccount?: string | undefined;
  /** `--insecure-kubeconfig-exec`. */
  insecureKubeconfigExec?: boolean | undefined;
  /** `--insecure-kubeconfig-tls`. */
  insecureKubeconfigTls?: boolean | undefined;
  /** `kubeConfig.configMapRef` workload identity (the gate, `--default-kubeconfig-service-account`, token file). */
  workloadIdentity?: KubeConfigConfigMapOptions | undefined;
  /** How long a cluster's discovered capabilities are reused, in ms (default 60 s). */
  capabilitiesTtlMs?: number;
  /** The longest poll interval of Helm's waits in ms (default 2 s, Helm's; the first polls come sooner). */
  waitInterval?: number;
  /** `--override-manager`: field managers whose changes drift detection reverts. */
  overrideManagers?: readonly string[];
  /** `--no-cross-namespace-refs`: the chart's source must be in the HelmRelease's namespace. */
  noCrossNamespaceRefs?: boolean | undefined;
  /** Clients of remote clusters reused across reconciles (the reconciler makes one when unset). */
  remoteClients?: RemoteClientCache | undefined;
}

/** The state of one reconcile, filled in step by step. */
export interface HelmReleaseState {
  readonly opts: HelmReleaseReconcilerOptions;
  readonly ctx: LoopContext<HelmRelease>;
  /** `spec.interval` in ms. */
  readonly interval: number;
  /** The chart artifact's URL and digest (chart step). */
  artifact?: Artifact;
  /** The source of the chart (chart step). */
  source?: ChartSource;
  /** The OCI digest of an OCIRepository chart ('' otherwise; load step). */
  ociDigest?: string;
  /** The release's cluster and identity with its capabilities (cluster step). */
  cluster?: ReleaseCluster & { capabilities?: Capabilities | undefined };
  /** Discovered capabilities per cluster (the reconciler's). */
  readonly capabilitiesCache?: CapabilitiesCache;
  /** Verified chart archives by digest (the reconciler's). */
  readonly chartCache?: ChartArchiveCache;
  /** The composed values and their digest (values step). */
  values?: Values;
  configDigest?: string;
  /** The loaded chart (load step). */
  chart?: Chart;
}

async function reconcileDependencies(hr: HelmRelease, state: HelmReleaseState): Promise<Result> {
  const deps = hr.spec.dependsOn ?? [];
  if (deps.length === 0) return Result.Success;
  const { opts } = state;
  await checkDependencies(hr, deps, {
    reader: opts.reader ?? opts.client,
    requeueAfter: opts.requeueDependency ?? 30_000,
    additiveCEL: opts.featureGates?.AdditiveCELDependencyCheck ?? false,
    signal: state.ctx.signal,
  });
  return Result.Success;
}

async function reconcileChart(hr: HelmRelease, state: HelmReleaseState): Promise<Result> {
  const { opts, ctx } = state;
  if (opts.noCrossNamespaceRefs) checkSameNamespace(hr);
  let written = false;
  if (hr.spec.chart) {
    try {
      written = await reconcileChartTemplate(opts.client, hr, ctx.signal, opts.reader ?? opts.client);
    } catch (err) {
      throw new GenericError(`chart reconciliation failed: ${errMessage(err)}`, HelmReleaseReasons.ArtifactFailed, {
        cause: err,
      });
    }
  } else if (hr.status?.helmChart) {
    // moved from a template to chartRef: the template's HelmChart goes
    await deleteHelmChart(opts.client, hr.status.helmChart, ctx.signal);
    delete hr.status.helmChart;
  }
  // not ready: its watch event (setup.ts) brings the next reconcile, --requeue-dependency is the fallback (upstream)
  state.source = await getReadySource(opts.reader ?? opts.client, hr, opts.requeueDependency ?? 30_000, ctx.signal, {
    allowExternalArtifact: opts.featureGates?.ExternalArtifact ?? false,
    written,
  });
  state.artifact = state.source.artifact;
  return Result.Success;
}

async function reconcileValues(hr: HelmRelease, state: HelmReleaseState): Promise<Result> {
  try {
    state.values = await composeValues(state.opts.client, hr.metadata.namespace ?? '', hr.spec, {
      signal: state.ctx.signal,
      log: state.ctx.log,
    });
  } catch (err) {
    throw new GenericError(errMessage(err), HelmReleaseReasons.ValuesError, { cause: err });
  }
  state.configDigest = digestValues(state.values);
  return Result.Success;
}

async function reconcileChartLoad(_hr: HelmRelease, state: HelmReleaseState): Promise<Result> {
  const artifact = state.artifact;
  if (!artifact) throw new Error('internal error: no chart artifact resolved');
  state.chart = await fetchChart(artifact, {
    hostOverride: state.opts.sourceHostOverride,
    retries: state.opts.httpRetry ?? 9,
    ...(state.opts.httpRetryWaitMs !== undefined ? { retryWaitMs: state.opts.httpRetryWaitMs } : {}),
    cache: state.chartCache,
    signal: state.ctx.signal,
  });
  if (state.source)
    state.ociDigest = mutateChartWithSourceRevision(
      state.chart,
      state.source,
      state.opts.featureGates?.DisableChartDigestTracking ?? false,
    );
  return Result.Success;
}

/**
 * `--no-cross-namespace-refs` (helm-controller `acl.AllowsAccessTo`): the HelmChart of a template made in another
 * namespace than the HelmRelease's, or a `chartRef` there, is AccessDenied (stalled), before anything is written.
 */
function checkSameNamespace(hr: HelmRelease): void {
  const { namespace, name } = helmChartRef(hr);
  if (namespace === (hr.metadata.namespace ?? '')) return;
  const kind = hr.spec.chartRef?.kind ?? 'HelmChart';
  throw new StallingError(
    `cross-namespace references are not allowed: cannot access ${kind} ${namespace}/${name}`,
    AccessDeniedReason,
  );
}

/** The release's cluster and identity (helm-controller `buildRESTClientGetter`) and its capabilities. */
async function reconcileCluster(hr: HelmRelease, state: HelmReleaseState): Promise<Result> {
  const cluster = await releaseClusterFor(hr, state.opts, state.ctx.signal);
  let capabilities: Capabilities | undefined;
  try {
    capabilities = await state.capabilitiesCache?.get(cluster, state.ctx.signal);
  } catch (err) {
    throw new GenericError(errMessage(err), HelmReleaseReasons.RESTClientError, { cause: err });
  }
  state.cluster = { ...cluster, capabilities };
  return Result.Success;
}

/**
 * The Helm actions' configuration for a storage namespace, over the release's cluster and identity (the
 * controller's client when none is given).
 */
export function actionConfigFor(
  opts: HelmReleaseReconcilerOptions,
  storageNamespace: string,
  cluster?: { client: KubeClient; capabilities?: Capabilities | undefined },
): ActionConfig {
  const kube = new RuntimeHelmKubeClient(cluster?.client ?? opts.client);
  return {
    kube,
    waiter: new BackoffWaiter(kube, { maxIntervalMs: opts.waitInterval ?? 2000 }),
    storageNamespace,
    ...(cluster?.capabilities ? { capabilities: cluster.capabilities } : {}),
  };
}

async function reconcileRelease(hr: HelmRelease, state: HelmReleaseState): Promise<Result> {
  const { chart, values, configDigest } = state;
  if (!chart || !values || !configDigest) throw new Error('internal error: chart or values not resolved');
  const status = (hr.status ??= {});
  const generation = hr.metadata.generation ?? 0;
  const reset = handleRequest(hr, 'reset');
  if (
    reset ||
    status.lastAttemptedGeneration !== generation ||
    status.lastAttemptedRevision !== chart.metadata.version ||
    status.lastAttemptedConfigDigest !== configDigest
  )
    clearFailures(status);
  await uninstallMovedRelease(hr, chart, state);
  status.lastAttemptedGeneration = generation;
  status.lastAttemptedRevision = chart.metadata.version;
  status.lastAttemptedConfigDigest = configDigest;
  if (state.ociDigest) status.lastAttemptedRevisionDigest = state.ociDigest;
  else delete status.lastAttemptedRevisionDigest;
  status.storageNamespace = storageNamespaceOf(hr);
  const { ctx } = state;
  await atomicRelease({
    hr,
    chart,
    values,
    configDigest,
    cfg: {
      ...actionConfigFor(state.opts, status.storageNamespace, state.cluster),
      postRenderer: buildPostRenderer(hr),
      postRenderStrategy: postRenderStrategyOf(hr, state.opts.featureGates?.UseHelm3Defaults ?? false),
    },
    drift: {
      client: state.cluster?.client ?? state.opts.client,
      fieldManager: HelmFieldManager,
      overrideManagers: state.opts.overrideManagers,
    },
    recorder: state.opts.recorder,
    log: ctx.log,
    defaultToRetryOnFailure: state.opts.featureGates?.DefaultToRetryOnFailure ?? false,
    useHelm3Defaults: state.opts.featureGates?.UseHelm3Defaults ?? false,
    signal: ctx.signal,
    patch: async () => {
      await ctx.patcher.patch(hr, {
        ownedConditions: helmReleaseReadyConditions.owned,
        fieldManager: HelmControllerFieldManager,
        signal: ctx.signal,
      });
    },
  });
  // RetryOnFailure: a failed release is this generation's outcome until the retry (upstream returns RequeueAfter
  // without an error, so the generation is observed); the exit sees Ready=False and requeues after retryInterval
  if (!conditions.isReady(hr) && activeRetry(hr, state.opts.featureGates?.DefaultToRetryOnFailure ?? false))
    status.observedGeneration = generation;
  return Result.Success;
}

/**
 * A release whose name, namespace or storage namespace changed, or whose chart was renamed (chartNameChangeStrategy
 * Reinstall), is uninstalled from where it was before the new one is made (helm-controller's release identity check).
 */
async function uninstallMovedRelease(hr: HelmRelease, chart: Chart, state: HelmReleaseState): Promise<void> {
  const status = (hr.status ??= {});
  const cur = status.history?.[0];
  const storedIn = status.storageNamespace;
  if (cur === undefined || !storedIn) return;
  const moved =
    cur.name !== releaseNameOf(hr) || cur.namespace !== releaseNamespaceOf(hr) || storedIn !== storageNamespaceOf(hr);
  const renamed = cur.chartName !== chart.metadata.name && hr.spec.upgrade?.chartNameChangeStrategy !== 'InPlaceUpdate';
  if (!moved && !renamed) return;
  state.ctx.log.info(
    { release: `${cur.namespace}/${cur.name}`, storageNamespace: storedIn },
    'uninstalling the previous release',
  );
  await uninstallRelease(actionConfigFor(state.opts, storedIn, state.cluster), hr, cur.name, state.ctx.signal);
  delete status.history;
  clearFailures(status);
}

/** The ordered steps of a HelmRelease reconcile. */
export const helmReleaseSteps: readonly ReconcileStep<HelmRelease, HelmReleaseState>[] = [
  { name: 'reconcileDependencies', run: reconcileDependencies },
  { name: 'reconcileChart', run: reconcileChart },
  { name: 'reconcileValues', run: reconcileValues },
  { name: 'reconcileChartLoad', run: reconcileChartLoad },
  { name: 'reconcileCluster', run: reconcileCluster },
  { name: 'reconcileRelease', run: reconcileRelease },
];

/** Reconciles HelmReleases. */
export class HelmReleaseReconciler {
  readonly #o: HelmReleaseReconcilerOptions;
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: HelmReleaseReconcilerOptions) {
    const opts: HelmReleaseReconcilerOptions = {
      ...options,
      remoteClients: options.remoteClients ?? new RemoteClientCache(),
    };
    this.#o = opts;
    const capabilitiesCache = new CapabilitiesCache(
      opts.capabilitiesTtlMs !== undefined ? { ttlMs: opts.capabilitiesTtlMs } : {},
    );
    const chartCache = new ChartArchiveCache();
    this.reconcile = reconcileWith<HelmRelease, HelmReleaseState>({
      gvk: HelmReleaseGVK,
      reader: opts.reader ?? opts.client,
      patchClient: opts.client,
      conditions: helmReleaseReadyConditions,
      fieldManager: HelmControllerFieldManager,
      finalizerMode: 'patch',
      decode: (raw: KubeObject, log) => {
        const normalized = normalizeHelmRelease(raw);
        for (const warning of normalized.warnings) log.debug({ warning }, 'legacy HelmRelease field');
        return normalized.object;
      },
      finalize: (obj, ctx) => this.#finalize(obj, ctx),
      open: async (obj, ctx) => ({
        opts,
        ctx,
        interval: parseGoDuration(obj.spec.interval),
        capabilitiesCache,
        chartCache,
      }),
      steps: helmReleaseSteps,
      exit: (obj, outcome, ctx) => this.#exit(obj, outcome, ctx),
      onExitError: (obj, _err, outcome) => this.#retryAfterInterval(obj, outcome),
    });
  }

  /**
   * RetryOnFailure: a release left failed by this reconcile (the steps ended, Ready=False) is tried again after the
   * strategy's `retryInterval` rather than with the queue's backoff.
   */
  #retryAfterInterval(obj: HelmRelease, outcome: LoopOutcome<HelmReleaseState>): RequeueResult | undefined {
    if (outcome.error !== undefined || outcome.state === undefined || outcome.deleting) return undefined;
    const retry = activeRetry(obj, this.#o.featureGates?.DefaultToRetryOnFailure ?? false);
    return retry ? { requeueAfter: jitteredInterval(retry.retryIntervalMs, this.#o.jitterPercent ?? 0) } : undefined;
  }

  #exit(
    obj: HelmRelease,
    outcome: LoopOutcome<HelmReleaseState>,
    ctx: LoopContext<HelmRelease>,
  ): ExitOptions<HelmRelease> {
    return {
      interval: parseGoDuration(obj.spec.interval),
      jitterPercent: this.#o.jitterPercent ?? 0,
      recorder: this.#o.recorder,
      log: ctx.log,
      readyFromError: true,
      failureReason: ReconciliationFailedReason,
      eventMetadata: outcome.state?.chart ? { [HelmEventMetadata.Revision]: outcome.state.chart.metadata.version } : {},
    };
  }

  /**
   * The cluster to uninstall from (helm-controller `reconcileReleaseDeletion`): undefined, and the uninstall skipped,
   * when the kubeconfig Secret or the impersonated ServiceAccount is gone (a namespace being terminated).
   */
  async #uninstallCluster(obj: HelmRelease, ctx: LoopContext<HelmRelease>): Promise<ReleaseCluster | undefined> {
    let cluster: ReleaseCluster;
    try {
      cluster = await releaseClusterFor(obj, this.#o, ctx.signal);
    } catch (err) {
      if (!isNotFound((err as { cause?: unknown }).cause)) throw err;
      ctx.log.error({ err: errMessage(err) }, 'skipping Helm release uninstallation');
      return undefined;
    }
    const sa = cluster.impersonate?.split(':').pop();
    if (obj.spec.kubeConfig === undefined && sa !== undefined) {
      try {
        await this.#o.client.get(
          { apiVersion: 'v1', kind: 'ServiceAccount' },
          { namespace: obj.metadata.namespace ?? '', name: sa },
          { signal: ctx.signal },
        );
      } catch (err) {
        if (!isNotFound(err))
          throw new GenericError(
            `failed to confirm ServiceAccount '${sa}' can be used to uninstall release: ${errMessage(err)}`,
            HelmReleaseReasons.UninstallFailed,
            { cause: err },
          );
        ctx.log.error({ err: errMessage(err) }, 'skipping Helm release uninstallation');
        return undefined;
      }
    }
    return cluster;
  }

  /** Finalizer: uninstall the release (unless suspended), then delete the HelmChart of a template. */
  async #finalize(obj: HelmRelease, ctx: LoopContext<HelmRelease>): Promise<void> {
    if (!isSuspended(obj)) {
      const cur = obj.status?.history?.[0];
      const storageNamespace = obj.status?.storageNamespace || storageNamespaceOf(obj);
      const name = cur?.name ?? releaseNameOf(obj);
      const cluster = await this.#uninstallCluster(obj, ctx);
      const done =
        cluster !== undefined &&
        (await uninstallRelease(actionConfigFor(this.#o, storageNamespace, cluster), obj, name, ctx.signal));
      if (done && this.#o.recorder) {
        const msg = `Helm uninstall succeeded for release ${cur?.namespace ?? releaseNamespaceOf(obj)}/${name}${
          cur ? `.v${cur.version} with chart ${cur.chartName}@${cur.chartVersion}` : ''
        }`;
        // fire-and-forget: recorder.event never rejects (it logs its own failures)
        void this.#o.recorder.event(obj, {
          type: 'Normal',
          reason: HelmReleaseReasons.UninstallSucceeded,
          message: msg,
        });
      }
    }
    if (obj.status?.helmChart && obj.spec.chart)
      await deleteHelmChart(this.#o.client, obj.status.helmChart, ctx.signal);
  }
}
