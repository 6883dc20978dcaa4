/**
 * The OCIRepository reconciler (source-controller `internal/controller/ocirepository_controller.go`): the condition
 * table of conditions.ts, the ordered steps storage → source → artifact, and one summarize-and-patch exit. The
 * source step resolves the reference (digest > semver > tag) and its digest with one manifest request (HEAD); an
 * unchanged revision with an unchanged content configuration stops there, with no layer download. Otherwise it
 * pulls the manifest, selects the layer (`layerSelector`) and extracts it (or copies it as it is); the artifact step
 * archives the working directory with the ignore rules under `<digest>.tar.gz`, with the manifest annotations as
 * the artifact metadata.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  FetchFailedCondition,
  OCIRepositoryReasons,
  ProgressingReason,
  SourceGroupVersion,
  SourceReasons,
  SourceVerifiedCondition,
  StorageOperationFailedCondition,
  SucceededReason,
  normalizeOCIRepository,
} from '@flux-ts/api';
import type { OCIRepository } from '@flux-ts/api';
import { buildSourceIgnoreFilter } from '@flux-ts/artifact';
import type { Storage, StoredArtifact } from '@flux-ts/artifact';
import { proxyFromSecret } from '@flux-ts/git';
import { RegistryClient, cosignPublicKey, ecrCredentials, verifyCosignSignatures } from '@flux-ts/oci';
import type { Reference, RegistryClientOptions, RegistryCredentials } from '@flux-ts/oci';
import {
  GenericError,
  Result,
  StallingError,
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
  ObjectReader,
  PatchClient,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
  SerialPatcher,
} from '@flux-ts/runtime';
import { tlsFromSecret } from '../helm/client-opts.ts';
import {
  archiveFailed,
  linkArtifact,
  lockArtifact,
  patchProgress,
  readSecretData,
  sourceEvent,
  sourceReconcilerShape,
} from '../source-reconcile.ts';
import type { SourceEventType } from '../source-reconcile.ts';
import { reconcileSourceStorage } from '../source-storage.ts';
import { ociRepositoryFailConditions, ociRepositoryReadyCondition } from './conditions.ts';
import {
  InvalidOCIURLError,
  RevisionAnnotation,
  SourceAnnotation,
  digestFromRevision,
  pullSecretCredentials,
  referenceString,
  resolveReference,
  resolveRevision,
  selectLayer,
  untarLayer,
} from './pull.ts';

/** The OCIRepository kind as the reconciler reads it. */
export const ociRepositoryGVK = Object.freeze({ apiVersion: SourceGroupVersion, kind: 'OCIRepository' });

/** `spec.timeout` when unset. */
export const OCIRepositoryDefaultTimeout = '60s';

/** What the steps of one reconcile share (upstream's `metadata *meta.Artifact` and `dir`). */
export interface OCIRepositoryState {
  dir: string;
  log: Logger;
  signal: AbortSignal;
  patcher: SerialPatcher<OCIRepository>;
  /** The revision the source step resolved. */
  revision?: string;
  /** The manifest annotations of the pulled artifact. */
  metadata?: Record<string, string>;
  /** With `operation: copy`: the layer file inside {@link dir}. */
  copyPath?: string;
}

/** Dependencies and settings of {@link OCIRepositoryReconciler}; only `main.ts` derives them from flags and env. */
export interface OCIRepositoryReconcilerOptions {
  /** Reads OCIRepository objects (the informer cache). */
  reader: ObjectReader;
  /** Reads Secrets and ServiceAccounts (uncached, as Flux without `CacheSecretsAndConfigMaps`). */
  secretReader: ObjectReader;
  /** Patches their status (the Kubernetes client). */
  patchClient: PatchClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  /** Field manager of the status patches (the controller name). */
  fieldManager: string;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number | undefined;
  /** Parent of the working directories. */
  tmpDir?: string | undefined;
  /** User-Agent of registry requests. */
  userAgent?: string | undefined;
  /** Extra registry client options (tests: host name resolution). */
  clientOptions?: Pick<RegistryClientOptions, 'lookup'> | undefined;
}

/** A verification this build cannot perform (keyless cosign, notation): the object stalls until the spec changes. */
export class UnsupportedVerificationError extends Error {
  override readonly name = 'UnsupportedVerificationError';
}

/** Upstream `ociContentConfigChanged`: `spec.ignore` or `spec.layerSelector` differ from what the artifact saw. */
export function ociContentConfigChanged(obj: OCIRepository): boolean {
  const status = obj.status ?? {};
  if ((obj.spec.ignore ?? undefined) !== (status.observedIgnore ?? undefined)) return true;
  const a = obj.spec.layerSelector;
  const b = status.observedLayerSelector;
  if ((a === undefined) !== (b === undefined)) return true;
  return a !== undefined && b !== undefined && (a.mediaType !== b.mediaType || a.operation !== b.operation);
}

/** The layer operation (`extract` unless `copy`). */
function layerOperation(obj: OCIRepository): string {
  return obj.spec.layerSelector?.operation ?? 'extract';
}

/** Reconciles OCIRepository objects into artifacts. */
export class OCIRepositoryReconciler {
  readonly #o: OCIRepositoryReconcilerOptions;
  /** The ordered steps, each table-testable alone with an {@link OCIRepositoryState}. */
  readonly steps: readonly ReconcileStep<OCIRepository, OCIRepositoryState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: OCIRepositoryReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'reconcileStorage', run: (o, s) => this.reconcileStorage(o, s) },
      { name: 'reconcileSource', run: (o, s) => this.reconcileSource(o, s) },
      { name: 'reconcileArtifact', run: (o, s) => this.reconcileArtifact(o, s) },
    ];
    this.reconcile = reconcileWith<OCIRepository, OCIRepositoryState>(
      sourceReconcilerShape({
        kind: 'OCIRepository',
        gvk: ociRepositoryGVK,
        conditions: ociRepositoryReadyCondition,
        decode: (raw: KubeObject) => normalizeOCIRepository(raw).object,
        reader: options.reader,
        patchClient: options.patchClient,
        fieldManager: options.fieldManager,
        storage: options.storage,
        tmpDir: options.tmpDir,
        jitterPercent: options.jitterPercent,
        recorder: options.recorder,
        steps: this.steps,
        event: (obj, t, r, m) => this.#event(obj, t, r, m),
        notify: (oldObj, obj, state, res, err) => this.#notify(oldObj, obj, state, res, err),
      }),
    );
  }

  async #patch(obj: OCIRepository, state: OCIRepositoryState): Promise<void> {
    await patchProgress(obj, state, ociRepositoryReadyCondition.owned, this.#o.fieldManager);
  }

  /** Storage step (shared with every source): GC, drop a vanished artifact, refresh URLs. */
  async reconcileStorage(obj: OCIRepository, state: OCIRepositoryState): Promise<Result> {
    await reconcileSourceStorage(obj, {
      storage: this.#o.storage,
      kind: 'OCIRepository',
      event: (t, r, m) => this.#event(obj, t, r, m),
      log: state.log,
      signal: state.signal,
    });
    if (!obj.status?.artifact) await this.#patch(obj, state);
    return Result.Success;
  }

  /**
   * Source step (upstream `reconcileSource`): credentials (FetchFailed AuthenticationFailed), the reference
   * (Stalled URLInvalid, or FetchFailed ReadOperationFailed for a failed listing or semver), the revision
   * (FetchFailed OCIArtifactPullFailed), verification (SourceVerified), then, unless the revision and content
   * configuration are already stored, the pull (OCIArtifactPullFailed) and the layer operation
   * (OCIArtifactLayerOperationFailed). Marks ArtifactOutdated and Reconciling for a new revision.
   */
  async reconcileSource(obj: OCIRepository, state: OCIRepositoryState): Promise<Result> {
    if (conditions.isFalse(obj, SourceVerifiedCondition)) conditions.remove(obj, SourceVerifiedCondition);
    const timeoutMs = parseGoDuration(obj.spec.timeout ?? OCIRepositoryDefaultTimeout);
    const signal = AbortSignal.any([state.signal, AbortSignal.timeout(timeoutMs)]);
    const options = await this.#clientOptions(obj, timeoutMs, signal);
    let client: RegistryClient;
    try {
      client = new RegistryClient(options);
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(`failed to get proxy address: ${errMessage(err)}`, SourceReasons.AuthenticationFailedReason, {
          cause: err,
        }),
      );
    }
    try {
      let ref: Reference;
      try {
        ref = await resolveReference(obj, (registry, repository) => client.listTags(registry, repository, signal));
      } catch (err) {
        if (err instanceof InvalidOCIURLError)
          throw this.#fetchFailed(
            obj,
            new StallingError(
              `URL validation failed for '${obj.spec.url}': ${err.message}`,
              SourceReasons.URLInvalidReason,
              {
                cause: err,
              },
            ),
          );
        throw this.#fetchFailed(
          obj,
          new GenericError(
            `failed to determine the artifact tag for '${obj.spec.url}': ${errMessage(err)}`,
            SourceReasons.ReadOperationFailedReason,
            { cause: err },
          ),
        );
      }
      let resolved: { revision: string; digest: string };
      try {
        resolved = await resolveRevision(client, ref, signal);
      } catch (err) {
        throw this.#fetchFailed(
          obj,
          new GenericError(
            `failed to determine artifact digest: ${errMessage(err)}`,
            OCIRepositoryReasons.OCIPullFailedReason,
            { cause: err },
          ),
        );
      }
      const revision = resolved.revision;
      state.revision = revision;
      try {
        return await this.#pull(obj, state, client, { ...ref, digest: resolved.digest }, signal);
      } finally {
        // upstream's deferred observation of a new revision, whatever the outcome of the pull
        if (obj.status?.artifact?.revision !== revision) {
          const message = `new revision '${revision}' for '${referenceString(ref)}'`;
          if (obj.status?.artifact)
            conditions.markTrue(obj, ArtifactOutdatedCondition, SourceReasons.NewRevisionReason, message);
          progressiveStatus(obj, `building artifact: ${message}`, ProgressingReason, { keepFailure: true });
          await this.#patch(obj, state).catch((err: unknown) =>
            state.log.error({ err: errMessage(err) }, 'failed to patch'),
          );
        }
      }
    } finally {
      client.close();
    }
  }

  /** Verification, the no-op check, the pull and the layer operation (the second half of `reconcileSource`). */
  async #pull(
    obj: OCIRepository,
    state: OCIRepositoryState,
    client: RegistryClient,
    ref: Reference & { digest: string },
    signal: AbortSignal,
  ): Promise<Result> {
    const revision = state.revision ?? '';
    const artifact = obj.status?.artifact;
    if (!obj.spec.verify) conditions.remove(obj, SourceVerifiedCondition);
    else if (
      artifact?.revision !== revision ||
      conditions.get(obj, SourceVerifiedCondition)?.observedGeneration !== obj.metadata.generation ||
      conditions.isFalse(obj, SourceVerifiedCondition)
    ) {
      const provider = obj.spec.verify.provider ?? 'cosign';
      const shown = !obj.spec.verify.secretRef && provider === 'cosign' ? 'cosign keyless' : provider;
      try {
        await this.#verifySignature(obj, client, ref, state, signal);
      } catch (err) {
        const message = `failed to verify the signature using provider '${shown}': ${errMessage(err)}`;
        const e =
          err instanceof UnsupportedVerificationError
            ? new StallingError(message, SourceReasons.VerificationError, { cause: err })
            : new GenericError(message, SourceReasons.VerificationError, { cause: err });
        conditions.markFalse(obj, SourceVerifiedCondition, e.reason, e.message);
        throw e;
      }
      conditions.markTrue(obj, SourceVerifiedCondition, SucceededReason, `verified signature of revision ${revision}`);
    }
    if (artifact?.revision === revision && !ociContentConfigChanged(obj)) {
      conditions.remove(obj, FetchFailedCondition);
      return Result.Success;
    }
    let manifest;
    try {
      manifest = (await client.getManifest(ref, signal)).manifest;
      if (manifest.manifests && !manifest.layers)
        throw new Error('the reference is an image index, not an artifact manifest');
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(
          `failed to pull artifact from '${obj.spec.url}': ${errMessage(err)}`,
          OCIRepositoryReasons.OCIPullFailedReason,
          { cause: err },
        ),
      );
    }
    state.metadata = manifest.annotations ?? {};
    const layerFailed = (message: string, err?: unknown): GenericError =>
      this.#fetchFailed(
        obj,
        new GenericError(
          err === undefined ? message : `${message}: ${errMessage(err)}`,
          OCIRepositoryReasons.OCILayerOperationFailedReason,
          err === undefined ? undefined : { cause: err },
        ),
      );
    let layer;
    try {
      layer = selectLayer(manifest, obj.spec.layerSelector?.mediaType);
    } catch (err) {
      throw layerFailed(errMessage(err));
    }
    const copy = layerOperation(obj) === 'copy';
    let blob: Uint8Array;
    try {
      blob = await client.fetchBlob(ref.registry, ref.repository, layer.digest, { signal, maxSize: layer.size });
    } catch (err) {
      throw layerFailed(
        copy ? 'failed to copy layer from artifact' : 'failed to extract layer contents from artifact',
        err,
      );
    }
    if (copy) {
      const path = join(state.dir, `${digestFromRevision(revision)}.tgz`);
      try {
        await writeFile(path, blob);
      } catch (err) {
        throw layerFailed('failed to copy layer from artifact', err);
      }
      state.copyPath = path;
    } else {
      try {
        await untarLayer(blob, state.dir, signal);
      } catch (err) {
        throw layerFailed('failed to extract layer contents from artifact', err);
      }
    }
    conditions.remove(obj, FetchFailedCondition);
    return Result.Success;
  }

  /**
   * Upstream `verifySignature`: cosign with the `*.pub` keys of `verify.secretRef` (the first key that verifies a
   * signature of the digest wins; a key that is not PEM fails the verification; registry errors count as no
   * signature, as upstream's verifier loop `continue`s). Keyless cosign and notation need trust material this build
   * does not carry: they fail with {@link UnsupportedVerificationError}.
   */
  async #verifySignature(
    obj: OCIRepository,
    client: RegistryClient,
    ref: Reference & { digest: string },
    state: OCIRepositoryState,
    signal: AbortSignal,
  ): Promise<void> {
    const verify = obj.spec.verify;
    if (!verify) return;
    const provider = verify.provider ?? 'cosign';
    const shownRef = referenceString({
      registry: ref.registry,
      repository: ref.repository,
      ...(ref.tag ? { tag: ref.tag } : { digest: ref.digest }),
    });
    if (provider === 'notation')
      throw new UnsupportedVerificationError(
        'notation verification is not supported by this build (no Notary Project verifier for Node.js)',
      );
    if (provider !== 'cosign') throw new Error(`unsupported verification provider: ${provider}`);
    if (!verify.secretRef)
      throw new UnsupportedVerificationError(
        'keyless verification (matchOIDCIdentity) is not supported by this build: it has no Fulcio and Rekor trust roots',
      );
    const data = await readSecretData(
      this.#o.secretReader,
      obj.metadata.namespace ?? '',
      verify.secretRef.name,
      signal,
    );
    const keys = Object.keys(data)
      .filter((k) => k.endsWith('.pub'))
      .sort()
      .map((k) => cosignPublicKey(data[k] as Uint8Array));
    if (keys.length > 0) {
      try {
        // one fetch of the signature image; each layer is checked against every key
        const result = await verifyCosignSignatures(client, ref, keys, { signal });
        if (result.verified.length > 0) return;
        state.log.debug({ rejected: result.rejected }, 'no matching cosign signature');
      } catch (err) {
        if (signal.aborted) throw err;
        state.log.debug({ err: errMessage(err) }, 'cosign signature lookup failed');
      }
    }
    throw new Error(`no matching signatures were found for '${shownRef}'`);
  }

  /** The registry client options of one reconcile: credentials, TLS, insecure, timeout (FetchFailed AuthenticationFailed). */
  async #clientOptions(obj: OCIRepository, timeoutMs: number, signal: AbortSignal): Promise<RegistryClientOptions> {
    const ns = obj.metadata.namespace ?? '';
    const authFailed = (message: string, err: unknown): GenericError =>
      this.#fetchFailed(
        obj,
        new GenericError(`${message}: ${errMessage(err)}`, SourceReasons.AuthenticationFailedReason, { cause: err }),
      );
    const pullSecrets: Record<string, Uint8Array>[] = [];
    if (obj.spec.secretRef) {
      const name = obj.spec.secretRef.name;
      try {
        pullSecrets.push(await readSecretData(this.#o.secretReader, ns, name, signal));
      } catch (err) {
        this.#event(obj, 'Trace', SourceReasons.AuthenticationFailedReason, `auth secret '${name}' not found`);
        throw authFailed(
          'failed to get credential',
          new Error(`failed to get secret '${ns}/${name}': ${errMessage(err)}`),
        );
      }
    }
    if (obj.spec.serviceAccountName) {
      try {
        const sa = await this.#o.secretReader.get<KubeObject & { imagePullSecrets?: { name?: string }[] }>(
          { apiVersion: 'v1', kind: 'ServiceAccount' },
          { namespace: ns, name: obj.spec.serviceAccountName },
          { signal },
        );
        for (const ips of sa.imagePullSecrets ?? [])
          if (ips.name) pullSecrets.push(await readSecretData(this.#o.secretReader, ns, ips.name, signal));
      } catch (err) {
        throw authFailed('failed to get credential', err);
      }
    }
    let proxy: RegistryClientOptions['proxy'];
    if (obj.spec.proxySecretRef) {
      try {
        proxy = proxyFromSecret(await readSecretData(this.#o.secretReader, ns, obj.spec.proxySecretRef.name, signal));
      } catch (err) {
        throw authFailed('failed to get proxy address', err);
      }
    }
    let credentials: RegistryClientOptions['credentials'];
    const provider = obj.spec.provider ?? 'generic';
    if (pullSecrets.length > 0) credentials = pullSecretCredentials(pullSecrets);
    else if (provider === 'aws') {
      let creds: RegistryCredentials;
      try {
        const registry = new URL(`http://${obj.spec.url.replace(/^oci:\/\//, '')}`).host;
        creds = await ecrCredentials({ registry, signal });
      } catch (err) {
        throw authFailed(`failed to get credential from ${provider}`, err);
      }
      credentials = creds;
    } else if (provider !== 'generic') {
      throw authFailed(
        `failed to get credential from ${provider}`,
        new Error(`provider '${provider}' is not supported by this build`),
      );
    }
    let tls: RegistryClientOptions['tls'];
    if (obj.spec.certSecretRef) {
      const name = obj.spec.certSecretRef.name;
      try {
        tls = tlsFromSecret(await readSecretData(this.#o.secretReader, ns, name, signal), `secret '${ns}/${name}'`);
      } catch (err) {
        throw authFailed(`failed to generate transport for '${obj.spec.url}'`, err);
      }
    }
    return {
      ...(credentials ? { credentials } : {}),
      ...(tls ? { tls } : {}),
      ...(proxy ? { proxy } : {}),
      ...(obj.spec.insecure ? { insecure: true } : {}),
      timeoutMs,
      userAgent: this.#o.userAgent ?? 'flux/v2',
      ...this.#o.clientOptions,
    };
  }

  /**
   * Artifact step (upstream `reconcileArtifact`): when the stored artifact has the revision and the content
   * configuration is unchanged, a Trace ArtifactUpToDate; else archives the working directory with `.sourceignore`
   * and `spec.ignore` (extract) or copies the layer (copy) as `<digest>.tar.gz`, records it with the manifest
   * annotations, `observedIgnore`, `observedLayerSelector`, and points `latest.tar.gz` at it.
   */
  async reconcileArtifact(obj: OCIRepository, state: OCIRepositoryState): Promise<Result> {
    const revision = state.revision;
    if (revision === undefined) throw new Error('internal error: no revision resolved');
    const storage = this.#o.storage;
    const status = (obj.status ??= {});
    const artifact = storage.artifactFor(
      'OCIRepository',
      obj.metadata.namespace ?? '',
      obj.metadata.name,
      revision,
      `${digestFromRevision(revision)}.tar.gz`,
    );
    const upToDate = (): boolean => status.artifact?.revision === artifact.revision && !ociContentConfigChanged(obj);
    const markInStorage = (): void => {
      if (!upToDate()) return;
      conditions.remove(obj, ArtifactOutdatedCondition);
      conditions.markTrue(
        obj,
        ArtifactInStorageCondition,
        SucceededReason,
        `stored artifact for digest '${artifact.revision}'`,
      );
    };
    if (upToDate()) {
      this.#event(
        obj,
        'Trace',
        SourceReasons.ArtifactUpToDateReason,
        `artifact up-to-date with remote revision: '${artifact.revision}'`,
      );
      markInStorage();
      return Result.Success;
    }
    const storageFailed = (message: string, reason: string, cause?: unknown): GenericError => {
      const e = new GenericError(message, reason, cause === undefined ? undefined : { cause });
      conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
      return e;
    };
    try {
      const st = await stat(state.dir);
      if (!st.isDirectory())
        throw storageFailed(`source path '${state.dir}' is not a directory`, SourceReasons.InvalidPathReason);
    } catch (err) {
      if (err instanceof GenericError) throw err;
      throw storageFailed(
        `failed to stat source path: ${errMessage(err)}`,
        SourceReasons.StatOperationFailedReason,
        err,
      );
    }
    const unlock = await lockArtifact(obj, storage, artifact);
    let stored: StoredArtifact;
    try {
      if (layerOperation(obj) === 'copy') {
        if (!state.copyPath) throw new Error('internal error: no layer copied');
        try {
          stored = await storage.copyFromPath(artifact, state.copyPath, { signal: state.signal });
        } catch (err) {
          throw archiveFailed(obj, 'unable to copy artifact to storage', err);
        }
      } else {
        let filter;
        try {
          filter = await buildSourceIgnoreFilter(state.dir, { ignore: obj.spec.ignore, signal: state.signal });
        } catch (err) {
          throw new GenericError(
            `failed to load source ignore patterns from repository: ${errMessage(err)}`,
            SourceReasons.SourceIgnoreErrorReason,
            { cause: err },
          );
        }
        try {
          stored = await storage.archive(artifact, state.dir, { filter, signal: state.signal });
        } catch (err) {
          throw archiveFailed(obj, 'unable to archive artifact to storage', err);
        }
      }
    } finally {
      await unlock().catch(() => undefined);
    }
    status.artifact = {
      ...stored,
      ...(state.metadata && Object.keys(state.metadata).length > 0 ? { metadata: state.metadata } : {}),
    };
    if (obj.spec.ignore !== undefined) status.observedIgnore = obj.spec.ignore;
    else delete status.observedIgnore;
    if (obj.spec.layerSelector !== undefined) status.observedLayerSelector = { ...obj.spec.layerSelector };
    else delete status.observedLayerSelector;
    const url = await linkArtifact(storage, stored, 'latest.tar.gz', (t, r, m) => this.#event(obj, t, r, m));
    if (url !== undefined) status.url = url;
    conditions.remove(obj, StorageOperationFailedCondition);
    markInStorage();
    return Result.Success;
  }

  #fetchFailed<E extends GenericError | StallingError>(obj: OCIRepository, e: E): E {
    conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
    return e;
  }

  /** NewArtifact for a new digest, Succeeded on recovery from a failure condition (upstream `notify`). */
  #notify(oldObj: OCIRepository, obj: OCIRepository, state: OCIRepositoryState, res: Result, err: unknown): void {
    const artifact = obj.status?.artifact;
    if (err !== undefined || res !== Result.Success || !artifact) return;
    const metadata = { revision: artifact.revision, ...(artifact.digest ? { digest: artifact.digest } : {}) };
    let message = `stored artifact with revision '${artifact.revision}' from '${obj.spec.url}'`;
    const source = artifact.metadata?.[SourceAnnotation];
    const origin = artifact.metadata?.[RevisionAnnotation];
    if (source && origin) message = `${message}, origin source '${source}', origin revision '${origin}'`;
    if (oldObj.status?.artifact?.digest !== artifact.digest) {
      this.#event(obj, 'Normal', SourceReasons.NewArtifactReason, message, metadata);
      state.log.info(message);
    } else if (ociRepositoryFailConditions.some((t) => conditions.isTrue(oldObj, t))) {
      this.#event(obj, 'Normal', SucceededReason, message, metadata);
      state.log.info(message);
    }
  }

  #event(
    obj: OCIRepository,
    type: SourceEventType,
    reason: string,
    message: string,
    metadata?: Record<string, string>,
  ): void {
    sourceEvent(this.#o.recorder, obj, type, reason, message, metadata);
  }
}
