/**
 * The HelmChart reconciler (source-controller `internal/controller/helmchart_controller.go`): the condition table
 * of conditions.ts, the ordered steps storage → source → artifact, and one summarize-and-patch exit. The source step
 * resolves `spec.sourceRef` and builds the chart (build.ts): from a HelmRepository (HTTP index or OCI registry) the
 * newest version meeting `spec.version`; from a GitRepository or Bucket artifact the chart at `spec.chart`, with its
 * dependencies. The artifact step stores `<chart>-<version>.tgz` and the `<chart>-latest.tgz` symlink.
 */
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  BuildFailedCondition,
  FailedReason,
  FetchFailedCondition,
  HelmChartReasons,
  HelmChartSourceKinds,
  ProgressingReason,
  SourceGroupVersion,
  SourceReasons,
  SourceVerifiedCondition,
  StorageOperationFailedCondition,
  SucceededReason,
  normalizeHelmChart,
  normalizeHelmRepository,
} from '@flux-ts/api';
import type { HelmChart, HelmRepository } from '@flux-ts/api';
import { ConfinedFs, fetchArtifact } from '@flux-ts/artifact';
import type { Storage } from '@flux-ts/artifact';
import type { DependencyRepository } from '@flux-ts/helm';
import { cosignPublicKey } from '@flux-ts/oci';
import {
  GenericError,
  Result,
  StallingError,
  WaitingError,
  conditions,
  errMessage,
  parseGoDuration,
  progressiveStatus,
  reconcileWith,
} from '@flux-ts/runtime';
import type {
  EventSink,
  KubeObject,
  Logger,
  LoopContext,
  ObjectReader,
  PatchClient,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
  SerialPatcher,
} from '@flux-ts/runtime';
import { clientOptionsFor, redact } from '../helm/client-opts.ts';
import type { HelmClientOptions, SecretData } from '../helm/client-opts.ts';
import type { IndexCache } from '../helm/index-cache.ts';
import { isOCI, normalizeURL } from '../helm/normalize-url.ts';
import { httpChartSource, ociChartSource } from '../helm/repositories.ts';
import type { ChartSource } from '../helm/repositories.ts';
import { HelmRepositoryURLIndex } from '../helmrepository/setup.ts';
import { UnsupportedVerificationError } from '../ocirepository/reconciler.ts';
import {
  archiveFailed,
  linkArtifact,
  lockArtifact,
  makeWorkDir,
  readSecretData,
  siblingURL,
  sourceEvent,
  sourceExit,
} from '../source-reconcile.ts';
import type { SourceEventType } from '../source-reconcile.ts';
import { garbageCollectArtifacts, reconcileSourceStorage } from '../source-storage.ts';
import {
  BuildError,
  BuildReasons,
  buildComplete,
  buildLocal,
  buildRemote,
  buildSummary,
  isPersistentBuildError,
} from './build.ts';
import type { Build, BuildOptions } from './build.ts';
import { helmChartFailConditions, helmChartReadyCondition } from './conditions.ts';

/** The HelmChart kind as the reconciler reads it. */
export const helmChartGVK = Object.freeze({ apiVersion: SourceGroupVersion, kind: 'HelmChart' });
const sourceGVK = (kind: string): { apiVersion: string; kind: string } => ({ apiVersion: SourceGroupVersion, kind });

/** A HelmChart as the steps handle it. */
export type HelmChartObject = HelmChart;

/** A source object with an artifact (GitRepository, Bucket, HelmRepository). */
type SourceWithArtifact = KubeObject & {
  spec?: Record<string, unknown>;
  status?: { artifact?: { path: string; url: string; revision: string; digest?: string } };
};

/** What the steps of one reconcile share. */
export interface HelmChartState {
  log: Logger;
  signal: AbortSignal;
  patcher: SerialPatcher<HelmChartObject>;
  /** The per-reconcile working directory. */
  dir: string;
  build?: Build;
}

/** Dependencies and settings of {@link HelmChartReconciler}; only `main.ts` derives them from flags and env. */
export interface HelmChartReconcilerOptions {
  /** Reads HelmCharts and their sources (the informer cache). */
  reader: ObjectReader;
  /** Lists HelmRepositories by URL (the informer cache). */
  listByIndex: <T extends KubeObject>(
    gvk: { apiVersion: string; kind: string },
    index: string,
    value: string,
    opts: { namespace?: string; signal?: AbortSignal },
  ) => Promise<T[]>;
  /** Reads Secrets (uncached). */
  secretReader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number | undefined;
  /** `--requeue-dependency`: wait for a source without artifact. */
  requeueDependencyMs?: number | undefined;
  /** `--helm-chart-max-size`. */
  chartMaxSize: number;
  /** The parsed-index cache. */
  cache?: IndexCache | undefined;
  tmpDir?: string | undefined;
  userAgent?: string | undefined;
}

/** The build metadata of the Revision strategy: the first 12 hex characters of the source revision's digest. */
export function revisionMetadata(kind: string, revision: string): string {
  let rev = revision;
  if (kind === 'GitRepository') {
    const at = rev.lastIndexOf('@');
    rev = at >= 0 ? rev.slice(at + 1) : rev;
    const colon = rev.indexOf(':');
    rev = colon >= 0 ? rev.slice(colon + 1) : rev;
  } else if (kind === 'Bucket') {
    const m = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:([a-zA-Z0-9=_-]+)$/.exec(rev);
    if (m?.[1]) rev = m[1];
  }
  return kind === 'GitRepository' || kind === 'Bucket' ? rev.slice(0, 12) : rev;
}

/** Reconciles HelmChart objects into packaged chart artifacts. */
export class HelmChartReconciler {
  readonly #o: HelmChartReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link HelmChartState}. */
  readonly steps: readonly ReconcileStep<HelmChartObject, HelmChartState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: HelmChartReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'reconcileStorage', run: (o, s) => this.reconcileStorage(o, s) },
      { name: 'reconcileSource', run: (o, s) => this.reconcileSource(o, s) },
      { name: 'reconcileArtifact', run: (o, s) => this.reconcileArtifact(o, s) },
    ];
    this.reconcile = reconcileWith<HelmChartObject, HelmChartState>({
      gvk: helmChartGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: helmChartReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'requeue',
      decode: (raw) => normalizeHelmChart(raw).object,
      start: { inProgress: true, patchOnRequest: true, patchFailureReason: SourceReasons.PatchOperationFailedReason },
      finalize: async (obj, ctx) => this.#gc(obj, ctx.log),
      open: (obj, ctx) => this.#open(obj, ctx),
      steps: this.steps,
      close: (state) => rm(state.dir, { recursive: true, force: true }).catch(() => undefined),
      notify: (oldObj, obj, state, res, err) => this.#notify(oldObj, obj, state, res, err),
      exit: (obj, _outcome, ctx) =>
        sourceExit(obj, ctx, {
          intervalMs: parseGoDuration(obj.spec.interval),
          jitterPercent: this.#o.jitterPercent,
          recorder: this.#o.recorder,
        }),
    });
  }

  async #open(obj: HelmChartObject, ctx: LoopContext<HelmChartObject>): Promise<HelmChartState> {
    const dir = await makeWorkDir(obj, 'HelmChart', this.#o.tmpDir);
    return { dir, log: ctx.log, signal: ctx.signal, patcher: ctx.patcher };
  }

  async #gc(obj: HelmChartObject, log: Logger): Promise<void> {
    await garbageCollectArtifacts(obj, {
      storage: this.#o.storage,
      kind: 'HelmChart',
      event: (t, r, m) => this.#event(obj, t, r, m),
      log,
    });
  }

  async #patch(obj: HelmChartObject, state: HelmChartState): Promise<void> {
    try {
      await state.patcher.patch(obj, {
        ownedConditions: helmChartReadyCondition.owned,
        fieldManager: this.#o.fieldManager,
        signal: state.signal,
      });
    } catch (err) {
      state.log.error({ err: errMessage(err) }, 'failed to patch');
    }
  }

  /** Storage step (shared with every source): GC, drop a vanished artifact, refresh URLs. */
  async reconcileStorage(obj: HelmChartObject, state: HelmChartState): Promise<Result> {
    await reconcileSourceStorage(
      obj,
      {
        storage: this.#o.storage,
        kind: 'HelmChart',
        event: (t, r, m) => this.#event(obj, t, r, m),
        log: state.log,
        signal: state.signal,
      },
      (a) => {
        const name = obj.status?.observedChartName;
        return name ? siblingURL(this.#o.storage, a.path, `${name}-latest.tgz`) : undefined;
      },
    );
    return Result.Success;
  }

  /**
   * Source step: resolves `spec.sourceRef` (FetchFailed SourceUnavailable; Stalled UnsupportedSourceKind), waits
   * for its artifact (NoSourceArtifact), records `observedSourceArtifactRevision`, builds the chart and observes the
   * build (ArtifactOutdated NewChart for a new name or version; BuildFailed or FetchFailed with the build error's
   * reason; persistent build errors stall).
   */
  async reconcileSource(obj: HelmChartObject, state: HelmChartState): Promise<Result> {
    if (conditions.isFalse(obj, SourceVerifiedCondition)) conditions.remove(obj, SourceVerifiedCondition);
    const ref = obj.spec.sourceRef;
    const ns = obj.metadata.namespace ?? '';
    if (!(HelmChartSourceKinds as readonly string[]).includes(ref.kind)) {
      const e = new StallingError(
        `failed to get source: unsupported source kind '${ref.kind}', must be one of: ${HelmChartSourceKinds.join(', ')}`,
        HelmChartReasons.UnsupportedSourceKindReason,
      );
      conditions.markTrue(obj, FetchFailedCondition, HelmChartReasons.SourceUnavailableReason, e.message);
      throw e;
    }
    let source: SourceWithArtifact;
    try {
      source = await this.#o.reader.get<SourceWithArtifact>(sourceGVK(ref.kind), { namespace: ns, name: ref.name });
    } catch (err) {
      const e = new GenericError(`failed to get source: ${errMessage(err)}`, HelmChartReasons.SourceUnavailableReason, {
        cause: err,
      });
      conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
      throw e;
    }
    const repo = ref.kind === 'HelmRepository' ? normalizeHelmRepository(source).object : undefined;
    const artifact = source.status?.artifact;
    const isOciRepo = repo?.spec.type === 'oci';
    if (!isOciRepo && (!artifact || !(await this.#o.storage.exists(artifact)))) {
      const message = `no artifact available for ${ref.kind} source '${ref.name}'`;
      this.#event(obj, 'Trace', HelmChartReasons.NoSourceArtifactReason, message);
      throw new WaitingError(message, HelmChartReasons.NoSourceArtifactReason, this.#o.requeueDependencyMs ?? 30_000);
    }
    const status = (obj.status ??= {});
    if (artifact) status.observedSourceArtifactRevision = artifact.revision;

    let secrets: readonly string[] = [];
    let err: unknown;
    try {
      const opts: BuildOptions = {
        valuesFiles: obj.spec.valuesFiles ?? [],
        ignoreMissingValuesFiles: obj.spec.ignoreMissingValuesFiles ?? false,
        force: obj.metadata.generation !== status.observedGeneration,
        versionMetadata: '',
        maxChartSize: this.#o.chartMaxSize,
        signal: state.signal,
        ...(status.artifact
          ? {
              cachedChart: this.#o.storage.localPath(status.artifact),
              cachedValuesFiles: status.observedValuesFiles ?? [],
            }
          : {}),
      };
      if (repo) {
        // Upstream verifies only with a provider set (the CRD defaults it to cosign).
        opts.verify = Boolean(obj.spec.verify?.provider);
        const keys = repo.spec.type === 'oci' && opts.verify ? await this.#verificationKeys(obj, state) : undefined;
        const remote = await this.#repositorySource(obj, repo, state, keys);
        secrets = remote.secrets;
        if (opts.valuesFiles.length > 0) opts.versionMetadata = String(obj.metadata.generation ?? 0);
        state.build = await buildRemote(remote, { name: obj.spec.chart, version: obj.spec.version ?? '*' }, opts);
      } else if (artifact) {
        if (obj.spec.reconcileStrategy === 'Revision')
          opts.versionMetadata = revisionMetadata(ref.kind, artifact.revision);
        if (opts.valuesFiles.length > 0) {
          if (opts.versionMetadata !== '') opts.versionMetadata += '.';
          opts.versionMetadata += String(obj.metadata.generation ?? 0);
        }
        const sourceDir = await this.#extract(obj, artifact, state);
        const fs = new ConfinedFs(sourceDir);
        const used: string[] = [];
        // One repository (and one index load) per URL, however many dependencies come from it.
        const repos = new Map<string, Promise<DependencyRepository>>();
        const resolve = (url: string): Promise<DependencyRepository> => {
          let repo = repos.get(url);
          if (!repo) {
            repo = this.#dependencyRepository(obj, url, state, used);
            repos.set(url, repo);
          }
          return repo;
        };
        state.build = await buildLocal(fs, obj.spec.chart, resolve, opts);
        secrets = used;
      }
    } catch (e) {
      err = e;
    }
    await this.#observeBuild(obj, state, err, secrets);
    if (state.build && buildComplete(state.build) && state.build.resolvedDependencies > 0) {
      this.#event(
        obj,
        'Normal',
        HelmChartReasons.ResolvedDependenciesReason,
        `resolved ${state.build.resolvedDependencies} chart dependencies`,
      );
    }
    if (err instanceof BuildError) {
      const message = redact(err.message, secrets);
      if (isPersistentBuildError(err.reason)) throw new StallingError(message, err.reason.reason, { cause: err });
      throw new GenericError(message, err.reason.reason, { cause: err });
    }
    if (err !== undefined) throw err;
    return Result.Success;
  }

  /** Records the build on the object (upstream `observeChartBuild`). */
  async #observeBuild(
    obj: HelmChartObject,
    state: HelmChartState,
    err: unknown,
    secrets: readonly string[],
  ): Promise<void> {
    const b = state.build;
    const status = (obj.status ??= {});
    if (b && b.name && b.version) {
      if (b.name !== status.observedChartName || status.artifact?.revision !== b.version) {
        const summary = buildSummary({ ...b, done: false });
        if (status.artifact) conditions.markTrue(obj, ArtifactOutdatedCondition, SourceReasons.NewChartReason, summary);
        progressiveStatus(obj, `building artifact: ${summary}`, ProgressingReason, { keepFailure: true });
        await this.#patch(obj, state);
      }
    }
    if (err === undefined) {
      conditions.remove(obj, FetchFailedCondition);
      conditions.remove(obj, BuildFailedCondition);
      if (!obj.spec.verify) conditions.remove(obj, SourceVerifiedCondition);
      else if (buildComplete(b) && b.verified)
        conditions.markTrue(
          obj,
          SourceVerifiedCondition,
          SucceededReason,
          `verified signature of version ${b.version}`,
        );
      return;
    }
    // Errors from the steps before the build (client options, extraction) set their own conditions.
    if (!(err instanceof BuildError)) return;
    const message = redact(err.message, secrets);
    switch (err.reason) {
      case BuildReasons.ChartMetadataPatch:
      case BuildReasons.ValuesFilesMerge:
      case BuildReasons.DependencyBuild:
      case BuildReasons.ChartPackage:
        conditions.remove(obj, FetchFailedCondition);
        conditions.markTrue(obj, BuildFailedCondition, err.reason.reason, message);
        break;
      case BuildReasons.ChartVerification:
        conditions.remove(obj, FetchFailedCondition);
        conditions.markTrue(obj, BuildFailedCondition, err.reason.reason, message);
        conditions.markFalse(obj, SourceVerifiedCondition, SourceReasons.VerificationError, message);
        break;
      default:
        conditions.remove(obj, BuildFailedCondition);
        conditions.markTrue(obj, FetchFailedCondition, err.reason.reason, message);
    }
  }

  async #secret(namespace: string, name: string, signal: AbortSignal): Promise<SecretData> {
    return readSecretData(this.#o.secretReader, namespace, name, signal);
  }

  async #clientOptions(repo: HelmRepository, url: string, signal: AbortSignal): Promise<HelmClientOptions> {
    return clientOptionsFor(repo, url, (name) => this.#secret(repo.metadata.namespace ?? '', name, signal));
  }

  /**
   * Upstream `makeVerifiers` for an OCI HelmRepository: the `*.pub` keys of `verify.secretRef` for cosign. Keyless
   * cosign and notation need trust material this build does not carry (stalled, with OCIRepository's texts). Any
   * failure is SourceVerified False VerificationError `failed to verify the signature using provider '<p>': …`.
   */
  async #verificationKeys(obj: HelmChartObject, state: HelmChartState): Promise<KeyObject[]> {
    const verify = obj.spec.verify;
    const provider = verify?.provider ?? 'cosign';
    try {
      if (provider === 'notation')
        throw new UnsupportedVerificationError(
          'notation verification is not supported by this build (no Notary Project verifier for Node.js)',
        );
      if (provider !== 'cosign') throw new Error(`unsupported verification provider: ${provider}`);
      if (!verify?.secretRef)
        throw new UnsupportedVerificationError(
          'keyless verification (matchOIDCIdentity) is not supported by this build: it has no Fulcio and Rekor trust roots',
        );
      const ns = obj.metadata.namespace ?? '';
      const data = await this.#secret(ns, verify.secretRef.name, state.signal);
      const keys = Object.keys(data)
        .filter((k) => k.endsWith('.pub'))
        .sort()
        .map((k) => cosignPublicKey(data[k] as Uint8Array));
      if (keys.length === 0) throw new Error(`no public keys found in secret '${ns}/${verify.secretRef.name}'`);
      return keys;
    } catch (err) {
      if (state.signal.aborted) throw err;
      const shown = verify?.secretRef ? provider : `${provider} keyless`;
      const message = `failed to verify the signature using provider '${shown}': ${errMessage(err)}`;
      const e =
        err instanceof UnsupportedVerificationError
          ? new StallingError(message, SourceReasons.VerificationError, { cause: err })
          : new GenericError(message, SourceReasons.VerificationError, { cause: err });
      conditions.markFalse(obj, SourceVerifiedCondition, e.reason, e.message);
      throw e;
    }
  }

  /** The chart repository of a HelmRepository sourceRef (upstream `buildFromHelmRepository`, before the build). */
  async #repositorySource(
    obj: HelmChartObject,
    repo: HelmRepository,
    state: HelmChartState,
    verifyKeys?: readonly KeyObject[],
  ): Promise<ChartSource> {
    let url: string;
    try {
      url = normalizeURL(repo.spec.url);
      if (repo.spec.type === 'oci' && !isOCI(url)) throw new Error(`invalid OCI registry URL: ${url}`);
    } catch (err) {
      const e = new StallingError(errMessage(err), SourceReasons.URLInvalidReason, { cause: err });
      conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
      throw e;
    }
    let opts: HelmClientOptions;
    try {
      opts = await this.#clientOptions(repo, url, state.signal);
    } catch (err) {
      const e = new GenericError(errMessage(err), SourceReasons.AuthenticationFailedReason, { cause: err });
      conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
      throw e;
    }
    if (repo.spec.type === 'oci') {
      try {
        return await ociChartSource(
          repo,
          opts,
          state.signal,
          this.#o.userAgent,
          verifyKeys ? { keys: verifyKeys } : undefined,
        );
      } catch (err) {
        const e = new GenericError(
          redact(`failed to login to OCI registry: ${errMessage(err)}`, opts.secrets),
          SourceReasons.AuthenticationFailedReason,
          { cause: err },
        );
        conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
        throw e;
      }
    }
    return httpChartSource(repo, opts, {
      storage: this.#o.storage,
      cache: this.#o.cache,
      userAgent: this.#o.userAgent,
      owner: { name: repo.metadata.name, namespace: repo.metadata.namespace ?? '' },
    });
  }

  /**
   * The repository of a dependency URL (upstream `namespacedChartRepositoryCallback`): the HelmRepository in the
   * HelmChart's namespace with that URL gives credentials (and its stored index); otherwise the URL is used as is.
   */
  async #dependencyRepository(
    obj: HelmChartObject,
    rawURL: string,
    state: HelmChartState,
    secrets: string[],
  ): Promise<DependencyRepository> {
    const url = normalizeURL(rawURL);
    const ns = obj.metadata.namespace ?? '';
    const found = await this.#o.listByIndex<KubeObject>(sourceGVK('HelmRepository'), HelmRepositoryURLIndex, url, {
      namespace: ns,
      signal: state.signal,
    });
    const repo: HelmRepository = found[0]
      ? normalizeHelmRepository(found[0]).object
      : ({
          apiVersion: SourceGroupVersion,
          kind: 'HelmRepository',
          metadata: { name: '', namespace: ns },
          spec: { url: rawURL, timeout: '60s' },
        } as HelmRepository);
    const opts = await this.#clientOptions(repo, url, state.signal);
    secrets.push(...opts.secrets);
    if (isOCI(url)) {
      const src = await ociChartSource(repo, opts, state.signal, this.#o.userAgent);
      secrets.push(...src.secrets);
      return src;
    }
    return httpChartSource(found[0] ? repo : undefined, opts, {
      storage: this.#o.storage,
      cache: this.#o.cache,
      userAgent: this.#o.userAgent,
      owner: { name: obj.metadata.name, namespace: ns },
    });
  }

  /** Extracts a source artifact from local storage into `<dir>/source` (digest checked, entries validated). */
  async #extract(
    obj: HelmChartObject,
    artifact: { path: string; url: string; digest?: string },
    state: HelmChartState,
  ): Promise<string> {
    const sourceDir = join(state.dir, 'source');
    try {
      await mkdir(sourceDir, { mode: 0o700 });
    } catch (err) {
      const e = new GenericError(
        `failed to create directory to untar source into: ${errMessage(err)}`,
        SourceReasons.DirCreationFailedReason,
        { cause: err },
      );
      conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
      throw e;
    }
    const local = this.#o.storage.localPath(artifact);
    const localFetch: typeof fetch = async () =>
      new Response(Readable.toWeb(createReadStream(local)) as ReadableStream<Uint8Array>, { status: 200 });
    try {
      await fetchArtifact({
        url: artifact.url,
        digest: artifact.digest ?? '',
        dir: sourceDir,
        fetch: localFetch,
        retries: 0,
        tmpDir: state.dir,
        signal: state.signal,
      });
    } catch (err) {
      throw new GenericError(`artifact untar error: ${errMessage(err)}`, FailedReason, { cause: err });
    }
    return sourceDir;
  }

  /**
   * Artifact step: nothing to do without a complete build; the cached build is up to date (Trace
   * ArtifactUpToDate); else stores the chart under the lock, records `artifact`, `observedChartName` and
   * `observedValuesFiles`, and points `<chart>-latest.tgz` (`status.url`) at it. ArtifactInStorage (reason
   * ChartPullSucceeded or ChartPackageSucceeded, message the build summary) once the artifact matches the build.
   */
  async reconcileArtifact(obj: HelmChartObject, state: HelmChartState): Promise<Result> {
    const b = state.build;
    if (!buildComplete(b)) return Result.Requeue;
    const storage = this.#o.storage;
    const status = (obj.status ??= {});
    const artifact = storage.artifactFor(
      'HelmChart',
      obj.metadata.namespace ?? '',
      obj.metadata.name,
      b.version,
      `${b.name}-${b.version}.tgz`,
    );
    const markInStorage = (): void => {
      if (status.observedChartName !== b.name || status.artifact?.revision !== b.version) return;
      conditions.remove(obj, ArtifactOutdatedCondition);
      conditions.markTrue(
        obj,
        ArtifactInStorageCondition,
        b.packaged ? HelmChartReasons.ChartPackageSucceededReason : HelmChartReasons.ChartPullSucceededReason,
        buildSummary({ ...b, done: true }),
      );
    };
    if (status.artifact && b.cachedPath !== undefined && storage.localPath(status.artifact) === b.cachedPath) {
      this.#event(
        obj,
        'Trace',
        SourceReasons.ArtifactUpToDateReason,
        `artifact up-to-date with remote revision: '${artifact.revision}'`,
      );
      markInStorage();
      return Result.Success;
    }
    const unlock = await lockArtifact(obj, storage, artifact);
    try {
      const body: Readable =
        b.data !== undefined ? Readable.from([Buffer.from(b.data)]) : createReadStream(b.cachedPath ?? '');
      let stored;
      try {
        stored = await storage.copy(artifact, body, { signal: state.signal });
      } catch (err) {
        throw archiveFailed(obj, 'unable to copy Helm chart to storage', err);
      }
      status.artifact = { ...stored };
      status.observedChartName = b.name;
      if (obj.spec.ignoreMissingValuesFiles) status.observedValuesFiles = [...b.valuesFiles];
      else delete status.observedValuesFiles;
      const url = await linkArtifact(storage, stored, `${b.name}-latest.tgz`, (t, r, m) => this.#event(obj, t, r, m));
      if (url !== undefined) status.url = url;
    } finally {
      await unlock().catch(() => undefined);
    }
    conditions.remove(obj, StorageOperationFailedCondition);
    markInStorage();
    return Result.Success;
  }

  /** An event with the build summary for a new artifact or a recovery (upstream `notify`). */
  #notify(oldObj: HelmChartObject, obj: HelmChartObject, state: HelmChartState, res: Result, err: unknown): void {
    const artifact = obj.status?.artifact;
    const b = state.build;
    if (err !== undefined || res !== Result.Success || !artifact || !buildComplete(b)) return;
    const metadata = { revision: artifact.revision, ...(artifact.digest ? { digest: artifact.digest } : {}) };
    const reason = b.packaged
      ? HelmChartReasons.ChartPackageSucceededReason
      : HelmChartReasons.ChartPullSucceededReason;
    const summary = buildSummary({ ...b, done: true });
    if (
      oldObj.status?.artifact?.digest !== artifact.digest ||
      helmChartFailConditions.some((t) => conditions.isTrue(oldObj, t))
    ) {
      this.#event(obj, 'Normal', reason, summary, metadata);
      state.log.info(summary);
    }
  }

  #event(
    obj: HelmChartObject,
    type: SourceEventType,
    reason: string,
    message: string,
    metadata?: Record<string, string>,
  ): void {
    sourceEvent(this.#o.recorder, obj, type, reason, message, metadata);
  }
}
