/**
 * The GitRepository reconciler (source-controller `internal/controller/gitrepository_controller.go`): a table of owned
 * conditions ({@link gitRepositoryReadyCondition}), the ordered steps storage → source → include → artifact, and one
 * `summarizeAndPatch` exit. Steps set or clear their own conditions and never Ready/Stalled; errors carry intent
 * (StallingError: the spec must change; WaitingError: something else must happen first; else backoff).
 */
import { rm, stat } from 'node:fs/promises';
import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  FailedReason,
  FetchFailedCondition,
  IncludeUnavailableCondition,
  ProgressingReason,
  SourceGroupVersion,
  SourceReasons,
  SourceVerifiedCondition,
  StorageOperationFailedCondition,
  SucceededReason,
  normalizeGitRepository,
} from '@flux-ts/api';
import type { GitRepository } from '@flux-ts/api';
import { buildSourceIgnoreFilter } from '@flux-ts/artifact';
import type { Storage } from '@flux-ts/artifact';
import { authFromSecret, checkout, keysFromSecret, proxyFromSecret, verifyCommit, verifyTag } from '@flux-ts/git';
import type { CheckoutResult, GitAuth, GitProxy, GitRef } from '@flux-ts/git';
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
  removeFinalizer,
} from '@flux-ts/runtime';
import type {
  EventSink,
  LoopContext,
  Logger,
  ObjectReader,
  PatchClient,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
  SerialPatcher,
} from '@flux-ts/runtime';
import { parseGitURL, validateAuth } from './auth.ts';
import { GitReasons, gitRepositoryFailConditions, gitRepositoryReadyCondition } from './conditions.ts';
import {
  contentConfigChanged,
  includeFromPath,
  includeToPath,
  includesDiffer,
  shortMessage,
  verificationMode,
} from './content-config.ts';
import type { RecordedArtifact } from './content-config.ts';
import { makeWorkDir, patchProgress, readSecretData, sourceEvent, sourceExit } from '../source-reconcile.ts';
import type { SourceEventType } from '../source-reconcile.ts';
import { garbageCollectArtifacts, reconcileSourceStorage } from '../source-storage.ts';
import { copyArtifactToPath, secureJoin } from './include.ts';

/** The GitRepository kind as the reconciler reads it. */
export const gitRepositoryGVK = Object.freeze({ apiVersion: SourceGroupVersion, kind: 'GitRepository' });

/** Default `spec.timeout` (CRD default 60s). */
export const DefaultGitTimeoutMs = 60_000;

/** Dependencies and settings of {@link GitRepositoryReconciler}. */
export interface GitRepositoryReconcilerOptions {
  /** Reads GitRepositories (the informer cache). */
  reader: ObjectReader;
  /** Reads Secrets (uncached, as Flux without `CacheSecretsAndConfigMaps`). */
  secretReader: ObjectReader;
  /** Patches GitRepositories (the Kubernetes client). */
  patchClient: PatchClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  /** Field manager of status patches (Flux: the controller name). */
  controllerName?: string | undefined;
  /** `--requeue-dependency` in ms: wait for included repositories. */
  requeueDependencyMs?: number | undefined;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number | undefined;
  /** Parent of the per-reconcile working directories (default the OS temp dir). */
  tmpDir?: string | undefined;
}

/** State shared by the steps of one reconcile (upstream passes `&commit`, `&includes`, `dir`). */
export interface StepState {
  dir: string;
  commit?: CheckoutResult;
  includes: RecordedArtifact[];
  log: Logger;
  signal: AbortSignal;
  patcher: SerialPatcher<GitRepository>;
}

/** Reconciles GitRepository objects into tarball artifacts in {@link Storage}. */
export class GitRepositoryReconciler {
  readonly #o: GitRepositoryReconcilerOptions;
  /** The ordered steps (upstream's `reconcilers`), each table-testable alone with a {@link StepState}. */
  readonly steps: readonly ReconcileStep<GitRepository, StepState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`, on the runtime's skeleton. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: GitRepositoryReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'reconcileStorage', run: (o, s) => this.reconcileStorage(o, s) },
      { name: 'reconcileSource', run: (o, s) => this.reconcileSource(o, s) },
      { name: 'reconcileInclude', run: (o, s) => this.reconcileInclude(o, s) },
      { name: 'reconcileArtifact', run: (o, s) => this.reconcileArtifact(o, s) },
    ];
    this.reconcile = reconcileWith<GitRepository, StepState>({
      gvk: gitRepositoryGVK,
      reader: options.reader,
      patchClient: options.patchClient,
      conditions: gitRepositoryReadyCondition,
      fieldManager: this.#fieldManager,
      finalizerMode: 'requeue',
      decode: (raw) => normalizeGitRepository(raw).object,
      start: { inProgress: true, patchOnRequest: true, patchFailureReason: SourceReasons.PatchOperationFailedReason },
      finalize: async (obj, ctx) => void (await this.reconcileDelete(obj, ctx.log)),
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

  get #fieldManager(): string {
    return this.#o.controllerName ?? 'source-controller';
  }

  /** The working directory of one reconcile (StorageOperationFailed when it cannot be made). */
  async #open(obj: GitRepository, ctx: LoopContext<GitRepository>): Promise<StepState> {
    const dir = await makeWorkDir(obj, 'GitRepository', this.#o.tmpDir);
    return { dir, includes: [], log: ctx.log, signal: ctx.signal, patcher: ctx.patcher };
  }

  async #patch(obj: GitRepository, state: StepState): Promise<void> {
    await patchProgress(obj, state, gitRepositoryReadyCondition.owned, this.#fieldManager);
  }

  /**
   * Storage step. Garbage-collects old artifacts; when the recorded artifact is gone from storage or its digest no
   * longer matches, drops `status.artifact` and reports "building artifact". Refreshes the artifact URL from the
   * advertised address. Sets Reconciling, removes ArtifactInStorage when there is no artifact; returns Success.
   */
  async reconcileStorage(obj: GitRepository, state: StepState): Promise<Result> {
    await reconcileSourceStorage(obj, {
      storage: this.#o.storage,
      kind: 'GitRepository',
      event: (t, r, m) => this.#event(obj, t, r, m),
      log: state.log,
      signal: state.signal,
    });
    return Result.Success;
  }

  /**
   * Source step. Reads the proxy and auth Secrets, fetches the include artifacts, then checks out the ref (the no-op
   * path when the remote still points at the stored revision and the content configuration is unchanged ends the
   * reconcile with an ignored GenericError), verifies signatures and marks ArtifactOutdated for a new revision.
   * Sets/clears FetchFailed, IncludeUnavailable, SourceVerified (via verify), ArtifactOutdated.
   */
  async reconcileSource(obj: GitRepository, state: StepState): Promise<Result> {
    if (conditions.isFalse(obj, SourceVerifiedCondition)) conditions.remove(obj, SourceVerifiedCondition);
    const ns = obj.metadata.namespace ?? '';
    let proxy: GitProxy | undefined;
    if (obj.spec.proxySecretRef) {
      try {
        const data = await this.#secretData(ns, obj.spec.proxySecretRef.name, state.signal);
        proxy = proxyFromSecret(data);
      } catch (err) {
        throw this.#fetchFailed(
          obj,
          new GenericError(
            `failed to configure proxy options: ${errMessage(err)}`,
            SourceReasons.AuthenticationFailedReason,
            { cause: err },
          ),
        );
      }
    }
    let transport;
    try {
      transport = parseGitURL(obj.spec.url).transport;
    } catch (err) {
      throw this.#fetchFailed(obj, new StallingError(errMessage(err), SourceReasons.URLInvalidReason, { cause: err }));
    }
    const auth = await this.#auth(obj, transport, state.signal);

    const includes = await this.#fetchIncludes(obj);
    const status = (obj.status ??= {});
    if (includesDiffer(includes, status.includedArtifacts)) {
      const message = 'included artifacts differ from last observed includes';
      if (status.includedArtifacts)
        conditions.markTrue(obj, ArtifactOutdatedCondition, GitReasons.IncludeChange, message);
      progressiveStatus(obj, `building artifact: ${message}`, ProgressingReason, { keepFailure: true });
      await this.#patch(obj, state);
    }
    conditions.remove(obj, ArtifactOutdatedCondition);
    state.includes = includes;

    const lastRevision = conditions.isTrue(obj, ArtifactInStorageCondition) ? status.artifact?.revision : undefined;
    let c: CheckoutResult = await this.#checkout(obj, state, auth, proxy, lastRevision);
    if (c.skipped) {
      if (!contentConfigChanged(obj, includes, conditions.has(obj, SourceVerifiedCondition))) {
        conditions.remove(obj, FetchFailedCondition);
        conditions.markTrue(
          obj,
          ArtifactInStorageCondition,
          SucceededReason,
          `stored artifact for revision '${c.revision}'`,
        );
        state.commit = c;
        throw new GenericError(
          `no changes since last reconcilation: observed revision '${c.revision}'`,
          GitReasons.GitOperationSucceeded,
          { ignore: true, log: true, event: 'Normal', notification: false },
        );
      }
      // The content configuration changed: check out for real.
      c = await this.#checkout(obj, state, auth, proxy, undefined);
    }
    if (c.skipped) throw new Error('internal error: checkout without lastRevision was skipped');
    state.commit = c;
    state.log.debug({ url: obj.spec.url, revision: c.revision }, 'git repository checked out');
    conditions.remove(obj, FetchFailedCondition);

    // The sparse checkout directories must exist in the checked-out commit.
    for (const d of obj.spec.sparseCheckout ?? []) {
      const isDir = await stat(secureJoin(state.dir, d)).then(
        (st) => st.isDirectory(),
        () => false,
      );
      if (!isDir) {
        throw this.#fetchFailed(
          obj,
          new GenericError(
            `failed to sparse checkout directories : sparse checkout dir '${d}' does not exist in repository`,
            GitReasons.GitOperationFailed,
          ),
        );
      }
    }

    await this.#verify(obj, c, state);

    if (status.artifact?.revision !== c.revision) {
      const message = `new upstream revision '${c.revision}'`;
      if (status.artifact)
        conditions.markTrue(obj, ArtifactOutdatedCondition, SourceReasons.NewRevisionReason, message);
      progressiveStatus(obj, `building artifact: ${message}`, ProgressingReason, { keepFailure: true });
      await this.#patch(obj, state);
    }
    return Result.Success;
  }

  /**
   * Include step. Copies each included artifact's `fromPath` to `toPath` in the working directory (in spec order).
   * Sets IncludeUnavailable on failure (Stalling IllegalPath / Generic CopyFailure), removes it on success.
   */
  async reconcileInclude(obj: GitRepository, state: StepState): Promise<Result> {
    const include = obj.spec.include ?? [];
    for (const [i, incl] of include.entries()) {
      const toPath = secureJoin(state.dir, includeToPath(incl));
      if (toPath === state.dir) {
        const e = new StallingError(
          `path calculation for include '${incl.repository.name}' failed: toPath resolves to the repository root`,
          GitReasons.IllegalPath,
        );
        conditions.markTrue(obj, IncludeUnavailableCondition, e.reason, e.message);
        throw e;
      }
      const artifact = state.includes[i];
      try {
        if (!artifact) throw new Error('no artifact fetched');
        await copyArtifactToPath({
          storage: this.#o.storage,
          artifact,
          fromPath: includeFromPath(incl),
          toPath,
          root: state.dir,
          tmpDir: this.#o.tmpDir,
          signal: state.signal,
        });
      } catch (err) {
        const e = new GenericError(
          `failed to copy '${incl.repository.name}' include from ${includeFromPath(incl)} to ${includeToPath(incl)}: ${errMessage(err)}`,
          GitReasons.CopyFailure,
          { cause: err },
        );
        conditions.markTrue(obj, IncludeUnavailableCondition, e.reason, e.message);
        throw e;
      }
    }
    conditions.remove(obj, IncludeUnavailableCondition);
    return Result.Success;
  }

  /**
   * Artifact step. When the stored artifact already has this revision and the content configuration is unchanged,
   * only marks ArtifactInStorage; otherwise archives the working directory (with `.sourceignore` and `spec.ignore`)
   * under the per-artifact lock and records `status.artifact` and the observed content configuration.
   * Sets/clears StorageOperationFailed; sets ArtifactInStorage and removes ArtifactOutdated when up to date.
   */
  async reconcileArtifact(obj: GitRepository, state: StepState): Promise<Result> {
    const commit = state.commit;
    if (!commit) throw new Error('internal error: no commit checked out');
    const storage = this.#o.storage;
    const status = (obj.status ??= {});
    const artifact = storage.artifactFor(
      'GitRepository',
      obj.metadata.namespace ?? '',
      obj.metadata.name ?? '',
      commit.revision,
      `${commit.commit.hash}.tar.gz`,
    );
    const upToDate = (): boolean =>
      status.artifact?.revision === artifact.revision &&
      !includesDiffer(state.includes, status.includedArtifacts) &&
      !contentConfigChanged(obj, state.includes, conditions.has(obj, SourceVerifiedCondition));
    const markUpToDate = (): void => {
      if (!upToDate()) return;
      conditions.remove(obj, ArtifactOutdatedCondition);
      conditions.markTrue(
        obj,
        ArtifactInStorageCondition,
        SucceededReason,
        `stored artifact for revision '${status.artifact?.revision ?? ''}'`,
      );
    };
    if (upToDate()) {
      markUpToDate();
      this.#event(
        obj,
        'Trace',
        SourceReasons.ArtifactUpToDateReason,
        `artifact up-to-date with remote revision: '${artifact.revision}'`,
      );
      return Result.Success;
    }
    try {
      const st = await stat(state.dir).catch((err: unknown) => {
        throw new GenericError(
          `failed to stat target artifact path: ${errMessage(err)}`,
          SourceReasons.StatOperationFailedReason,
          { cause: err },
        );
      });
      if (!st.isDirectory()) {
        throw new GenericError(
          `invalid target path: '${state.dir}' is not a directory`,
          SourceReasons.InvalidPathReason,
        );
      }
      await storage.mkdirFor(artifact).catch((err: unknown) => {
        throw new GenericError(
          `failed to create artifact directory: ${errMessage(err)}`,
          SourceReasons.DirCreationFailedReason,
          { cause: err },
        );
      });
    } catch (err) {
      if (err instanceof GenericError)
        conditions.markTrue(obj, StorageOperationFailedCondition, err.reason, err.message);
      throw err;
    }
    let unlock: () => Promise<void>;
    try {
      unlock = await storage.lock(artifact);
    } catch (err) {
      throw new GenericError(`failed to acquire lock for artifact: ${errMessage(err)}`, FailedReason, { cause: err });
    }
    try {
      let filter;
      try {
        filter = await buildSourceIgnoreFilter(state.dir, { ignore: obj.spec.ignore, signal: state.signal });
      } catch (err) {
        throw new GenericError(
          `failed to load source ignore patterns from repository: ${errMessage(err)}`,
          GitReasons.SourceIgnoreError,
          { cause: err },
        );
      }
      let stored;
      try {
        stored = await storage.archive(artifact, state.dir, { filter, signal: state.signal });
      } catch (err) {
        const e = new GenericError(
          `unable to archive artifact to storage: ${errMessage(err)}`,
          SourceReasons.ArchiveOperationFailedReason,
          { cause: err },
        );
        conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
        throw e;
      }
      status.artifact = { ...stored };
      status.includedArtifacts = state.includes.map((a) => ({ ...a }));
      if (obj.spec.ignore !== undefined) status.observedIgnore = obj.spec.ignore;
      else delete status.observedIgnore;
      status.observedRecurseSubmodules = obj.spec.recurseSubmodules ?? false;
      if (obj.spec.include !== undefined) status.observedInclude = obj.spec.include.map((i) => structuredClone(i));
      else delete status.observedInclude;
      if (obj.spec.sparseCheckout !== undefined) status.observedSparseCheckout = [...obj.spec.sparseCheckout];
      else delete status.observedSparseCheckout;
    } finally {
      await unlock().catch(() => undefined);
    }
    conditions.remove(obj, StorageOperationFailedCondition);
    markUpToDate();
    return Result.Success;
  }

  /** Deletion: removes every artifact of the object from storage, then the finalizer. */
  async reconcileDelete(obj: GitRepository, log: Logger): Promise<Result> {
    await this.#garbageCollect(obj, log);
    removeFinalizer(obj);
    return Result.Empty;
  }

  async #garbageCollect(obj: GitRepository, log: Logger): Promise<void> {
    await garbageCollectArtifacts(obj, {
      storage: this.#o.storage,
      kind: 'GitRepository',
      event: (t, r, m) => this.#event(obj, t, r, m),
      log,
    });
  }

  async #secretData(namespace: string, name: string, signal: AbortSignal): Promise<Record<string, Uint8Array>> {
    return readSecretData(this.#o.secretReader, namespace, name, signal);
  }

  async #auth(
    obj: GitRepository,
    transport: 'http' | 'https' | 'ssh',
    signal: AbortSignal,
  ): Promise<GitAuth | undefined> {
    const ns = obj.metadata.namespace ?? '';
    const ref = obj.spec.secretRef;
    let data: Record<string, Uint8Array> = {};
    if (ref) {
      try {
        data = await this.#secretData(ns, ref.name, signal);
      } catch (err) {
        throw this.#fetchFailed(
          obj,
          new GenericError(
            `failed to get secret '${ns}/${ref.name}': ${errMessage(err)}`,
            SourceReasons.AuthenticationFailedReason,
            { cause: err },
          ),
        );
      }
    }
    try {
      const auth = authFromSecret(data);
      validateAuth(transport, auth);
      return ref ? auth : undefined;
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(
          `failed to configure authentication options: ${errMessage(err)}`,
          SourceReasons.AuthenticationFailedReason,
          { cause: err },
        ),
      );
    }
  }

  async #fetchIncludes(obj: GitRepository): Promise<RecordedArtifact[]> {
    const out: RecordedArtifact[] = [];
    const wait = this.#o.requeueDependencyMs ?? 30_000;
    for (const incl of obj.spec.include ?? []) {
      let dep: GitRepository;
      try {
        dep = await this.#o.reader.get<GitRepository>(gitRepositoryGVK, {
          namespace: obj.metadata.namespace ?? '',
          name: incl.repository.name,
        });
      } catch (err) {
        const e = new WaitingError(
          `could not get resource for include '${incl.repository.name}': ${errMessage(err)}`,
          GitReasons.NotFound,
          wait,
          { cause: err },
        );
        conditions.markTrue(obj, IncludeUnavailableCondition, e.reason, e.message);
        throw e;
      }
      const artifact = dep.status?.artifact;
      if (!artifact) {
        const e = new WaitingError(
          `no artifact available for include '${incl.repository.name}'`,
          GitReasons.NoArtifact,
          wait,
        );
        conditions.markTrue(obj, IncludeUnavailableCondition, e.reason, e.message);
        throw e;
      }
      out.push(structuredClone(artifact));
    }
    conditions.remove(obj, IncludeUnavailableCondition);
    return out;
  }

  async #checkout(
    obj: GitRepository,
    state: StepState,
    auth: GitAuth | undefined,
    proxy: GitProxy | undefined,
    lastRevision: string | undefined,
  ): Promise<CheckoutResult> {
    const timeoutMs = obj.spec.timeout ? parseGoDuration(obj.spec.timeout) : DefaultGitTimeoutMs;
    const signal = AbortSignal.any([state.signal, AbortSignal.timeout(timeoutMs)]);
    const ref = obj.spec.ref;
    const gitRef: GitRef = {};
    if (ref?.branch) gitRef.branch = ref.branch;
    if (ref?.tag) gitRef.tag = ref.tag;
    if (ref?.semver) gitRef.semver = ref.semver;
    if (ref?.name) gitRef.name = ref.name;
    if (ref?.commit) gitRef.commit = ref.commit;
    try {
      return await checkout({
        url: obj.spec.url,
        ref: gitRef,
        dir: state.dir,
        ...(auth ? { auth } : {}),
        ...(proxy ? { proxy } : {}),
        ...(lastRevision ? { lastRevision } : {}),
        ...(obj.spec.sparseCheckout && obj.spec.sparseCheckout.length > 0
          ? { sparseCheckout: obj.spec.sparseCheckout }
          : {}),
        ...(obj.spec.recurseSubmodules ? { recurseSubmodules: true } : {}),
        signal,
      });
    } catch (err) {
      // Messages of @flux-ts/git are redacted (no userinfo, no secret values). Like upstream, every checkout failure,
      // a rejected credential or host key included, is GitOperationFailed; AuthenticationFailed is for Secrets.
      throw this.#fetchFailed(
        obj,
        new GenericError(
          `failed to checkout and determine revision: ${errMessage(err)}`,
          GitReasons.GitOperationFailed,
          { cause: err },
        ),
      );
    }
  }

  /**
   * Verifies the commit and/or tag signature per `spec.verify.mode` against the keys of `spec.verify.secretRef`;
   * sets SourceVerified and `status.sourceVerificationMode`, or removes both when verification is not configured.
   */
  async #verify(obj: GitRepository, c: Extract<CheckoutResult, { skipped: false }>, state: StepState): Promise<void> {
    const status = (obj.status ??= {});
    const mode = verificationMode(obj);
    const verify = obj.spec.verify;
    if (!verify || mode === undefined) {
      delete status.sourceVerificationMode;
      conditions.remove(obj, SourceVerifiedCondition);
      return;
    }
    const fail = (e: GenericError | StallingError): never => {
      conditions.markFalse(obj, SourceVerifiedCondition, e.reason, e.message);
      throw e;
    };
    let keys: string[];
    try {
      keys = keysFromSecret(await this.#secretData(obj.metadata.namespace ?? '', verify.secretRef.name, state.signal));
    } catch (err) {
      return fail(
        new GenericError(`PGP public keys secret error: ${errMessage(err)}`, SourceReasons.VerificationError, {
          cause: err,
        }),
      );
    }
    const lines: string[] = [];
    if (mode === 'Tag' || mode === 'TagAndHEAD') {
      const tag = c.tag;
      if (!tag) {
        fail(
          new StallingError(
            "cannot verify tag object's signature if a tag reference is not specified",
            GitReasons.InvalidVerificationMode,
          ),
        );
        return;
      }
      if (!tag.signature) {
        fail(
          new GenericError(
            `cannot verify signature of tag '${tag.name}' since it is not signed`,
            GitReasons.InvalidGitObject,
          ),
        );
      }
      try {
        const v = await verifyTag(tag, keys);
        lines.push(`tag '${tag.name}@${tag.hash}' with key '${v.keyId}'`);
      } catch (err) {
        fail(
          new GenericError(
            `signature verification of tag '${tag.name}@${tag.hash}' failed: ${errMessage(err)}`,
            GitReasons.InvalidTagSignature,
            {
              cause: err,
            },
          ),
        );
      }
    }
    if (mode === 'HEAD' || mode === 'TagAndHEAD') {
      try {
        const v = await verifyCommit(c.commit, keys);
        lines.push(`commit '${c.commit.hash}' with key '${v.keyId}'`);
      } catch (err) {
        fail(
          new GenericError(
            `signature verification of commit '${c.commit.hash}' failed: ${errMessage(err)}`,
            GitReasons.InvalidCommitSignature,
            {
              cause: err,
            },
          ),
        );
      }
    }
    const message = `verified signature of\n${lines.map((l) => `\t- ${l}`).join('\n')}`;
    status.sourceVerificationMode = mode;
    conditions.markTrue(obj, SourceVerifiedCondition, SucceededReason, message);
    this.#event(obj, 'Trace', SucceededReason, message);
  }

  #fetchFailed<E extends GenericError | StallingError>(obj: GitRepository, e: E): E {
    conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
    return e;
  }

  /** NewArtifact on a new digest, Succeeded on recovery from a failure condition (upstream `notify`). */
  /**
   * Informational events after the steps (upstream `notify`/`shouldNotify`): on success, or on the no-op path (the
   * ignored GenericError), NewArtifact for a new digest, else Succeeded when recovering from a failure condition.
   */
  #notify(oldObj: GitRepository, obj: GitRepository, state: StepState, res: Result, err: unknown): void {
    const artifact = obj.status?.artifact;
    const c = state.commit;
    if (!artifact || !c) return;
    const noop = err instanceof GenericError && err.ignore && res === Result.Empty;
    if (!(err === undefined && res === Result.Success) && !noop) return;
    const metadata = { revision: artifact.revision, ...(artifact.digest ? { digest: artifact.digest } : {}) };
    const message = `stored artifact for commit '${c.skipped ? c.revision : shortMessage(c.commit.message)}'`;
    if (oldObj.status?.artifact?.digest !== artifact.digest) {
      this.#event(obj, 'Normal', SourceReasons.NewArtifactReason, message, metadata);
      state.log.info({ revision: artifact.revision }, message);
    } else if (gitRepositoryFailConditions.some((t) => conditions.isTrue(oldObj, t))) {
      this.#event(obj, 'Normal', SucceededReason, message, metadata);
      state.log.info({ revision: artifact.revision }, message);
    }
  }

  #event(
    obj: GitRepository,
    type: SourceEventType,
    reason: string,
    message: string,
    metadata?: Record<string, string>,
  ): void {
    sourceEvent(this.#o.recorder, obj, type, reason, message, metadata);
  }
}
