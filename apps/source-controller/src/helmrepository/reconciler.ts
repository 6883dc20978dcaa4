/**
 * The HelmRepository reconciler (source-controller `internal/controller/helmrepository_controller.go`): the
 * condition table of conditions.ts, the ordered steps storage → source → artifact, and one summarize-and-patch
 * exit. `type: default` downloads `index.yaml` (size-capped), checks it parses, and stores it (as JSON, as upstream
 * does) under `index-<sha256 of the downloaded bytes>.yaml`, the revision being that digest: an unchanged index
 * writes nothing. `type: oci` is a static object: its finalizer and status are dropped once, then it is left alone.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  FailedReason,
  FetchFailedCondition,
  HelmRepositoryDefaultInterval,
  HelmRepositoryReasons,
  ProgressingReason,
  SourceGroupVersion,
  SourceReasons,
  StorageOperationFailedCondition,
  SucceededReason,
  normalizeHelmRepository,
} from '@flux-ts/api';
import type { HelmRepository } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { HttpChartRepository, loadIndex } from '@flux-ts/helm';
import type { IndexFile } from '@flux-ts/helm';
import {
  GenericError,
  Result,
  SerialPatcher,
  StallingError,
  conditions,
  errMessage,
  fetchForReconcile,
  hasFinalizer,
  isDeleting,
  parseGoDuration,
  progressiveStatus,
  reconcileWith,
  removeFinalizer,
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
} from '@flux-ts/runtime';
import { clientOptionsFor, redact } from '../helm/client-opts.ts';
import type { HelmClientOptions, SecretData } from '../helm/client-opts.ts';
import type { IndexCache } from '../helm/index-cache.ts';
import { humanSize, isOCI, normalizeURL } from '../helm/normalize-url.ts';
import {
  archiveFailed,
  linkArtifact,
  lockArtifact,
  patchProgress,
  readSecretData,
  siblingURL,
  sourceEvent,
  sourceExit,
} from '../source-reconcile.ts';
import type { SourceEventType } from '../source-reconcile.ts';
import { garbageCollectArtifacts, reconcileSourceStorage } from '../source-storage.ts';
import { helmRepositoryFailConditions, helmRepositoryReadyCondition } from './conditions.ts';

/** The HelmRepository kind as the reconciler reads it. */
export const helmRepositoryGVK = Object.freeze({ apiVersion: SourceGroupVersion, kind: 'HelmRepository' });

/** A HelmRepository as the steps handle it. */
export type HelmRepositoryObject = HelmRepository;

/** The downloaded index of one reconcile. */
export interface FetchedIndex {
  /** The index as downloaded. */
  bytes: Uint8Array;
  /** `sha256:<hex>` of {@link bytes}: the revision. */
  revision: string;
  /** The parsed index (undefined on the short-circuit path where the revision is already stored). */
  index?: IndexFile;
  url: string;
}

/** What the steps of one reconcile share. */
export interface HelmRepositoryState {
  log: Logger;
  signal: AbortSignal;
  patcher: SerialPatcher<HelmRepositoryObject>;
  fetched?: FetchedIndex;
}

/** Dependencies and settings of {@link HelmRepositoryReconciler}; only `main.ts` derives them from flags and env. */
export interface HelmRepositoryReconcilerOptions {
  /** Reads HelmRepository objects (the informer cache). */
  reader: ObjectReader;
  /** Reads Secrets (uncached, as Flux without `CacheSecretsAndConfigMaps`). */
  secretReader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number | undefined;
  /** `--helm-index-max-size`. */
  indexMaxSize: number;
  /** The parsed-index cache (`--helm-cache-max-size` > 0). */
  cache?: IndexCache | undefined;
  /** User-Agent of index downloads. */
  userAgent?: string | undefined;
}

/** True when an OCI HelmRepository still carries what a reconciled object has (upstream `HelmRepositoryOCIRequireMigration`). */
export function ociRequiresMigration(obj: HelmRepository): boolean {
  return hasFinalizer(obj) || (obj.status !== undefined && Object.keys(obj.status).length > 0);
}

/** Reconciles HelmRepository objects into index artifacts. */
export class HelmRepositoryReconciler {
  readonly #o: HelmRepositoryReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link HelmRepositoryState}. */
  readonly steps: readonly ReconcileStep<HelmRepositoryObject, HelmRepositoryState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;
  readonly #default: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: HelmRepositoryReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'reconcileStorage', run: (o, s) => this.reconcileStorage(o, s) },
      { name: 'reconcileSource', run: (o, s) => this.reconcileSource(o, s) },
      { name: 'reconcileArtifact', run: (o, s) => this.reconcileArtifact(o, s) },
    ];
    this.#default = reconcileWith<HelmRepositoryObject, HelmRepositoryState>({
      gvk: helmRepositoryGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: helmRepositoryReadyCondition,
      fieldManager: options.fieldManager,
      finalizerMode: 'requeue',
      decode: (raw) => normalizeHelmRepository(raw).object,
      start: { inProgress: true, patchOnRequest: true, patchFailureReason: SourceReasons.PatchOperationFailedReason },
      finalize: async (obj, ctx) => {
        await this.#gc(obj, ctx.log);
        this.#o.cache?.delete(this.#cacheKey(obj));
      },
      open: async (_obj, ctx: LoopContext<HelmRepositoryObject>) => ({
        log: ctx.log,
        signal: ctx.signal,
        patcher: ctx.patcher,
      }),
      steps: this.steps,
      notify: (oldObj, obj, state, res, err) => this.#notify(oldObj, obj, state, res, err),
      exit: (obj, _outcome, ctx) =>
        sourceExit(obj, ctx, {
          intervalMs: parseGoDuration(obj.spec.interval ?? HelmRepositoryDefaultInterval),
          jitterPercent: this.#o.jitterPercent,
          recorder: this.#o.recorder,
        }),
    });
    this.reconcile = (req, ctx) => this.#reconcile(req, ctx);
  }

  /** `type: oci` objects are static: drop finalizer, artifacts and status once (upstream `migrationToStatic`). */
  async #reconcile(req: Request, ctx: ReconcileContext): Promise<RequeueResult> {
    const obj = await fetchForReconcile<HelmRepositoryObject>(
      {
        gvk: helmRepositoryGVK,
        reader: this.#o.reader,
        decode: (raw: KubeObject) => normalizeHelmRepository(raw).object,
      },
      req,
      ctx,
    );
    if (!obj) return {};
    if (obj.spec.type !== 'oci') return this.#default(req, ctx);
    if (obj.spec.suspend && !isDeleting(obj)) return {};
    if (!ociRequiresMigration(obj)) return {};
    const patcher = new SerialPatcher<HelmRepositoryObject>(obj, this.#o.patchClient, { reader: this.#o.reader });
    await this.#gc(obj, ctx.log);
    removeFinalizer(obj);
    obj.status = {};
    await patcher.patch(obj, { fieldManager: this.#o.fieldManager, signal: ctx.signal });
    return {};
  }

  #cacheKey(obj: HelmRepositoryObject): string {
    return obj.status?.artifact?.path ?? '';
  }

  /** Upstream `garbageCollect`: an object of a type other than default loses all its artifacts, as a deleted one. */
  async #gc(obj: HelmRepositoryObject, log: Logger): Promise<void> {
    await garbageCollectArtifacts(
      obj,
      { storage: this.#o.storage, kind: 'HelmRepository', event: (t, r, m) => this.#event(obj, t, r, m), log },
      { removeAll: (obj.spec.type ?? 'default') !== 'default' },
    );
  }

  async #patch(obj: HelmRepositoryObject, state: HelmRepositoryState): Promise<void> {
    await patchProgress(obj, state, helmRepositoryReadyCondition.owned, this.#o.fieldManager);
  }

  /** Storage step (shared with every source): GC, drop a vanished artifact, refresh URLs. */
  async reconcileStorage(obj: HelmRepositoryObject, state: HelmRepositoryState): Promise<Result> {
    await reconcileSourceStorage(
      obj,
      {
        storage: this.#o.storage,
        kind: 'HelmRepository',
        event: (t, r, m) => this.#event(obj, t, r, m),
        log: state.log,
        signal: state.signal,
      },
      (a) => siblingURL(this.#o.storage, a.path, 'index.yaml'),
    );
    return Result.Success;
  }

  /**
   * Source step: validates the URL (Stalled URLInvalid for an `oci://` URL with `type: default` or an unparsable
   * one), builds the client options from the Secrets (FetchFailed AuthenticationFailed), downloads the index
   * (FetchFailed IndexationFailed), short-circuits when its digest is the stored revision, else checks it parses and
   * marks ArtifactOutdated with the new revision.
   */
  async reconcileSource(obj: HelmRepositoryObject, state: HelmRepositoryState): Promise<Result> {
    if (isOCI(obj.spec.url)) {
      throw this.#fetchFailed(
        obj,
        new StallingError(
          "invalid Helm repository URL: 'oci' URL scheme cannot be used with 'default' HelmRepository type",
          SourceReasons.URLInvalidReason,
        ),
      );
    }
    let url: string;
    try {
      url = normalizeURL(obj.spec.url);
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new StallingError(`invalid Helm repository URL: ${errMessage(err)}`, SourceReasons.URLInvalidReason, {
          cause: err,
        }),
      );
    }
    let opts: HelmClientOptions;
    try {
      opts = await clientOptionsFor(obj, url, (name) => this.#secret(obj, name, state.signal));
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(errMessage(err), SourceReasons.AuthenticationFailedReason, { cause: err }),
      );
    }
    if (opts.deprecatedTls) {
      state.log.info(
        'warning: specifying TLS authentication data via `.spec.secretRef` is deprecated, please use `.spec.certSecretRef` instead',
      );
    }
    const repo = new HttpChartRepository({
      url,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      passCredentials: opts.passCredentials,
      ...(opts.tls ? { tls: opts.tls } : {}),
      timeoutMs: opts.timeoutMs,
      ...(this.#o.userAgent ? { userAgent: this.#o.userAgent } : {}),
    });
    let bytes: Uint8Array;
    try {
      bytes = await repo.downloadIndex({
        signal: AbortSignal.any([state.signal, AbortSignal.timeout(opts.timeoutMs)]),
        maxSize: this.#o.indexMaxSize,
      });
    } catch (err) {
      const e = new GenericError(
        redact(`failed to fetch Helm repository index: ${errMessage(err)}`, opts.secrets),
        FailedReason,
        { cause: err },
      );
      conditions.markTrue(obj, FetchFailedCondition, HelmRepositoryReasons.IndexationFailedReason, e.message);
      throw e;
    }
    const revision = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const current = obj.status?.artifact;
    if (current && current.revision === revision) {
      state.fetched = { bytes, revision, url };
      conditions.remove(obj, FetchFailedCondition);
      return Result.Success;
    }
    let index: IndexFile;
    try {
      index = loadIndex(bytes, url);
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(
          redact(`failed to load Helm repository from index YAML: ${errMessage(err)}`, opts.secrets),
          HelmRepositoryReasons.IndexationFailedReason,
          { cause: err },
        ),
      );
    }
    conditions.remove(obj, FetchFailedCondition);
    state.fetched = { bytes, revision, index, url };
    const message = `new index revision '${revision}'`;
    if (current) conditions.markTrue(obj, ArtifactOutdatedCondition, SourceReasons.NewRevisionReason, message);
    progressiveStatus(obj, `building artifact: ${message}`, ProgressingReason, { keepFailure: true });
    await this.#patch(obj, state);
    return Result.Success;
  }

  /**
   * Artifact step: when the stored artifact has the revision, only renews the cache entry (Trace ArtifactUpToDate);
   * else writes the index as JSON under the per-artifact lock, records it, caches the parsed index and points the
   * `index.yaml` symlink (`status.url`) at it. Sets/clears StorageOperationFailed; ArtifactInStorage when current.
   */
  async reconcileArtifact(obj: HelmRepositoryObject, state: HelmRepositoryState): Promise<Result> {
    const fetched = state.fetched;
    if (!fetched) throw new Error('internal error: no index fetched');
    const storage = this.#o.storage;
    const status = (obj.status ??= {});
    const artifact = storage.artifactFor(
      'HelmRepository',
      obj.metadata.namespace ?? '',
      obj.metadata.name,
      fetched.revision,
      `index-${fetched.revision.slice('sha256:'.length)}.yaml`,
    );
    const markInStorage = (): void => {
      if (status.artifact?.revision !== artifact.revision) return;
      conditions.remove(obj, ArtifactOutdatedCondition);
      conditions.markTrue(
        obj,
        ArtifactInStorageCondition,
        SucceededReason,
        `stored artifact: revision '${artifact.revision}'`,
      );
    };
    if (status.artifact?.revision === artifact.revision && status.artifact.digest) {
      this.#o.cache?.touch(status.artifact.path);
      this.#event(
        obj,
        'Trace',
        SourceReasons.ArtifactUpToDateReason,
        `artifact up-to-date with remote revision: '${artifact.revision}'`,
      );
      markInStorage();
      return Result.Success;
    }
    const index = fetched.index ?? loadIndex(fetched.bytes, fetched.url);
    const unlock = await lockArtifact(obj, storage, artifact);
    try {
      const json = Buffer.from(JSON.stringify(index));
      let stored;
      try {
        stored = await storage.copy(artifact, Readable.from([json]), { signal: state.signal });
      } catch (err) {
        throw archiveFailed(obj, 'unable to save artifact to storage', err);
      }
      status.artifact = { ...stored };
      this.#o.cache?.set(stored.path, index);
      const url = await linkArtifact(storage, stored, 'index.yaml', (t, r, m) => this.#event(obj, t, r, m));
      if (url !== undefined) status.url = url;
    } finally {
      await unlock().catch(() => undefined);
    }
    conditions.remove(obj, StorageOperationFailedCondition);
    markInStorage();
    return Result.Success;
  }

  async #secret(obj: HelmRepositoryObject, name: string, signal: AbortSignal): Promise<SecretData> {
    return readSecretData(this.#o.secretReader, obj.metadata.namespace ?? '', name, signal);
  }

  #fetchFailed<E extends GenericError | StallingError>(obj: HelmRepositoryObject, e: E): E {
    conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
    return e;
  }

  /** NewArtifact for a new revision, Succeeded on recovery from a failure condition (upstream `notify`). */
  #notify(
    oldObj: HelmRepositoryObject,
    obj: HelmRepositoryObject,
    state: HelmRepositoryState,
    res: Result,
    err: unknown,
  ): void {
    const artifact = obj.status?.artifact;
    if (err !== undefined || res !== Result.Success || !artifact) return;
    const size = artifact.size !== undefined ? `size ${humanSize(artifact.size)}` : 'unknown size';
    const message = `stored fetched index of ${size} from '${state.fetched?.url ?? obj.spec.url}'`;
    const metadata = { revision: artifact.revision, ...(artifact.digest ? { digest: artifact.digest } : {}) };
    if (oldObj.status?.artifact?.revision !== artifact.revision) {
      this.#event(obj, 'Normal', SourceReasons.NewArtifactReason, message, metadata);
      state.log.info(message);
    } else if (helmRepositoryFailConditions.some((t) => conditions.isTrue(oldObj, t))) {
      this.#event(obj, 'Normal', SucceededReason, message, metadata);
      state.log.info(message);
    }
  }

  #event(
    obj: HelmRepositoryObject,
    type: SourceEventType,
    reason: string,
    message: string,
    metadata?: Record<string, string>,
  ): void {
    sourceEvent(this.#o.recorder, obj, type, reason, message, metadata);
  }
}
