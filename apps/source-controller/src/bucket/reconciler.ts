/**
 * The Bucket reconciler (source-controller `internal/controller/bucket_controller.go`): the condition table of
 * conditions.ts, the ordered steps storage → source → artifact, and one summarize-and-patch exit. The source step
 * lists the bucket into an etag index (fetch.ts) whose digest is the revision: an unchanged bucket costs the bucket
 * check, the `.sourceignore` read and the listing, and downloads nothing; otherwise every indexed object is
 * downloaded with bounded concurrency and the artifact step archives them as `<hex>.tar.gz`.
 */
import { stat } from 'node:fs/promises';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  BucketReasons,
  FetchFailedCondition,
  ProgressingReason,
  SourceGroupVersion,
  SourceReasons,
  StorageOperationFailedCondition,
  SucceededReason,
  normalizeBucket,
} from '@flux-ts/api';
import type { Bucket } from '@flux-ts/api';
import type { Storage, StoredArtifact } from '@flux-ts/artifact';
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
import { bucketFailConditions, bucketReadyCondition } from './conditions.ts';
import { azureProviderFor, validateAzureSecret } from './azure.ts';
import { fetchEtagIndex, fetchIndexFiles, indexDigest, keysFromSecret, s3ClientFor } from './fetch.ts';
import { gcpProviderFor, validateGcpSecret } from './gcp.ts';
import { BucketClientErrorReason, fetchProviderFiles, fetchProviderIndex } from './provider.ts';
import type { BucketProvider } from './provider.ts';
import type { BucketKeys } from './fetch.ts';
import { awsSTSCredentials, ldapSTSCredentials, validateSTSProvider, validateSTSSecret } from './sts.ts';
import type { BucketSTS } from './sts.ts';

/** The Bucket kind as the reconciler reads it. */
export const bucketGVK = Object.freeze({ apiVersion: SourceGroupVersion, kind: 'Bucket' });

/** `spec.timeout` when unset. */
export const BucketDefaultTimeout = '60s';

/** What the steps of one reconcile share (upstream's `index *index.Digester` and `dir`). */
export interface BucketState {
  dir: string;
  log: Logger;
  signal: AbortSignal;
  patcher: SerialPatcher<Bucket>;
  /** The etag index of the listed objects. */
  index?: Map<string, string>;
}

/** Dependencies and settings of {@link BucketReconciler}. */
export interface BucketReconcilerOptions {
  reader: ObjectReader;
  secretReader: ObjectReader;
  patchClient: PatchClient;
  storage: Storage;
  recorder?: EventSink | undefined;
  fieldManager: string;
  jitterPercent?: number | undefined;
  tmpDir?: string | undefined;
  /** Download concurrency (upstream `maxConcurrentBucketFetches`, 100). */
  concurrency?: number | undefined;
}

/** Reconciles Bucket objects into artifacts. */
export class BucketReconciler {
  readonly #o: BucketReconcilerOptions;
  /** The ordered steps, each table-testable alone with a {@link BucketState}. */
  readonly steps: readonly ReconcileStep<Bucket, BucketState>[];
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(options: BucketReconcilerOptions) {
    this.#o = options;
    this.steps = [
      { name: 'reconcileStorage', run: (o, s) => this.reconcileStorage(o, s) },
      { name: 'reconcileSource', run: (o, s) => this.reconcileSource(o, s) },
      { name: 'reconcileArtifact', run: (o, s) => this.reconcileArtifact(o, s) },
    ];
    this.reconcile = reconcileWith<Bucket, BucketState>(
      sourceReconcilerShape({
        kind: 'Bucket',
        gvk: bucketGVK,
        conditions: bucketReadyCondition,
        decode: (raw: KubeObject) => normalizeBucket(raw).object,
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

  async #patch(obj: Bucket, state: BucketState): Promise<void> {
    await patchProgress(obj, state, bucketReadyCondition.owned, this.#o.fieldManager);
  }

  /** Storage step (shared with every source): GC, drop a vanished artifact, refresh URLs. */
  async reconcileStorage(obj: Bucket, state: BucketState): Promise<Result> {
    await reconcileSourceStorage(obj, {
      storage: this.#o.storage,
      kind: 'Bucket',
      event: (t, r, m) => this.#event(obj, t, r, m),
      log: state.log,
      signal: state.signal,
    });
    if (!obj.status?.artifact) await this.#patch(obj, state);
    return Result.Success;
  }

  /**
   * Source step (upstream `reconcileSource`): the Secrets (FetchFailed AuthenticationFailed; azure and gcp Secrets
   * checked as upstream's `ValidateSecret`), `spec.sts` validated as upstream (Stalled InvalidSTSConfiguration or
   * URLInvalid), the provider's client (S3 for generic and aws, azure.ts, gcp.ts; FetchFailed ClientError), the etag
   * index (FetchFailed BucketOperationFailed), and, when the index digest differs from the stored revision, the
   * downloads.
   */
  async reconcileSource(obj: Bucket, state: BucketState): Promise<Result> {
    const ns = obj.metadata.namespace ?? '';
    const authFailed = (message: string, cause?: unknown): GenericError =>
      this.#fetchFailed(
        obj,
        new GenericError(
          message,
          SourceReasons.AuthenticationFailedReason,
          cause === undefined ? undefined : { cause },
        ),
      );
    const secret = async (name: string): Promise<Record<string, Uint8Array>> => {
      try {
        return await readSecretData(this.#o.secretReader, ns, name, state.signal);
      } catch (err) {
        throw authFailed(`failed to get secret '${ns}/${name}': ${errMessage(err)}`, err);
      }
    };
    const provider = obj.spec.provider ?? 'generic';
    let keys: BucketKeys | undefined;
    let cloudSecret: { name: string; data: Record<string, Uint8Array> } | undefined;
    if (obj.spec.secretRef) {
      const name = obj.spec.secretRef.name;
      const data = await secret(name);
      if (provider === 'azure' || provider === 'gcp') {
        const invalid = provider === 'azure' ? validateAzureSecret(name, data) : validateGcpSecret(name, data);
        if (invalid !== undefined) throw authFailed(invalid);
        cloudSecret = { name, data };
      } else
        try {
          keys = keysFromSecret(name, data);
        } catch (err) {
          throw authFailed(errMessage(err), err);
        }
    }
    let proxy: URL | undefined;
    if (obj.spec.proxySecretRef) {
      const name = obj.spec.proxySecretRef.name;
      const data = await secret(name);
      const address = data['address'];
      if (!address) throw authFailed(`invalid proxy secret '${ns}/${name}': key 'address' is missing`);
      try {
        proxy = new URL(Buffer.from(address).toString('utf8'));
      } catch (err) {
        // the address is not echoed: it may carry credentials
        throw authFailed(`failed to parse proxy address: ${errMessage(err)}`, err);
      }
      const user = data['username'];
      const password = data['password'];
      if (user || password) {
        proxy.username = encodeURIComponent(Buffer.from(user ?? '').toString('utf8'));
        proxy.password = encodeURIComponent(Buffer.from(password ?? '').toString('utf8'));
      }
    }
    const sts = obj.spec.sts;
    let stsData: Record<string, Uint8Array> | undefined;
    if (sts?.secretRef) {
      try {
        stsData = await readSecretData(this.#o.secretReader, ns, sts.secretRef.name, state.signal);
      } catch (err) {
        throw authFailed(`failed to get STS secret '${ns}/${sts.secretRef.name}': ${errMessage(err)}`, err);
      }
    }
    let tls;
    if (obj.spec.certSecretRef) {
      const data = await secret(obj.spec.certSecretRef.name);
      try {
        tls = tlsFromSecret(data, `secret '${ns}/${obj.spec.certSecretRef.name}'`);
      } catch (err) {
        throw authFailed(`failed to create TLS config: ${errMessage(err)}`, err);
      }
      if (!tls) throw authFailed('certificate secret does not contain any TLS configuration');
    }
    let stsTLS;
    if (sts?.certSecretRef) {
      const data = await secret(sts.certSecretRef.name);
      try {
        stsTLS = tlsFromSecret(data, `secret '${ns}/${sts.certSecretRef.name}'`);
      } catch (err) {
        throw authFailed(`failed to get STS TLS config: ${errMessage(err)}`, err);
      }
    }
    let credentials;
    if (sts) {
      const invalid = validateSTSProvider(provider, sts);
      if (invalid !== undefined)
        throw this.#fetchFailed(obj, new StallingError(invalid, SourceReasons.InvalidSTSConfigurationReason));
      try {
        new URL(sts.endpoint);
      } catch (err) {
        throw this.#fetchFailed(
          obj,
          new StallingError(
            `failed to parse STS endpoint '${sts.endpoint}': ${errMessage(err)}`,
            SourceReasons.URLInvalidReason,
            { cause: err },
          ),
        );
      }
      const badSecret = validateSTSSecret(sts.provider, sts.secretRef?.name ?? '', stsData);
      if (badSecret !== undefined) throw authFailed(badSecret);
      if (!keys) credentials = this.#stsCredentials(obj, sts, stsData, stsTLS, proxy, state.signal);
    }
    const timeoutMs = parseGoDuration(obj.spec.timeout ?? BucketDefaultTimeout);
    const signal = AbortSignal.any([state.signal, AbortSignal.timeout(timeoutMs)]);
    if (provider === 'azure' || provider === 'gcp') {
      if (provider === 'gcp' && proxy)
        throw this.#fetchFailed(
          obj,
          new StallingError(
            `spec.proxySecretRef is not supported by this build for the 'gcp' bucket provider`,
            SourceReasons.InvalidProviderConfigurationReason,
          ),
        );
      let cloud: BucketProvider;
      try {
        cloud =
          provider === 'azure'
            ? await azureProviderFor(obj, { secret: cloudSecret, proxy })
            : await gcpProviderFor(obj, { secret: cloudSecret });
      } catch (err) {
        throw this.#fetchFailed(obj, new GenericError(errMessage(err), BucketClientErrorReason, { cause: err }));
      }
      try {
        return await this.#fetchAndDownload(
          obj,
          state,
          (s) => fetchProviderIndex(cloud, obj, s),
          (index, s) => fetchProviderFiles(cloud, obj, index, state.dir, s, this.#o.concurrency),
          signal,
        );
      } finally {
        cloud.close();
      }
    }
    const client = await s3ClientFor(obj, { keys, tls, proxy, credentials });
    try {
      return await this.#fetchAndDownload(
        obj,
        state,
        (s) => fetchEtagIndex(client, obj, s),
        (index, s) => fetchIndexFiles(client, obj, index, state.dir, s, this.#o.concurrency),
        signal,
      );
    } finally {
      client.destroy();
    }
  }

  /**
   * The index and, when its digest differs from the stored revision, the downloads (FetchFailed
   * BucketOperationFailed on failure); the revision message is patched after the downloads, as upstream's defer.
   */
  async #fetchAndDownload(
    obj: Bucket,
    state: BucketState,
    list: (signal: AbortSignal) => Promise<Map<string, string>>,
    download: (index: Map<string, string>, signal: AbortSignal) => Promise<void>,
    signal: AbortSignal,
  ): Promise<Result> {
    let index: Map<string, string>;
    try {
      index = await list(signal);
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(errMessage(err), BucketReasons.BucketOperationFailedReason, { cause: err }),
      );
    }
    state.index = index;
    const current = obj.status?.artifact?.revision;
    if (current !== undefined && current === indexDigest(index)) {
      conditions.remove(obj, FetchFailedCondition);
      return Result.Success;
    }
    try {
      await download(index, signal);
    } catch (err) {
      throw this.#fetchFailed(
        obj,
        new GenericError(errMessage(err), BucketReasons.BucketOperationFailedReason, { cause: err }),
      );
    } finally {
      // the downloads may have updated the index: the revision is computed afterwards (upstream's defer)
      const message = `new upstream revision '${indexDigest(index)}'`;
      if (obj.status?.artifact)
        conditions.markTrue(obj, ArtifactOutdatedCondition, SourceReasons.NewRevisionReason, message);
      progressiveStatus(obj, `building artifact: ${message}`, ProgressingReason, { keepFailure: true });
      await this.#patch(obj, state).catch((err: unknown) =>
        state.log.error({ err: errMessage(err) }, 'failed to patch'),
      );
    }
    conditions.remove(obj, FetchFailedCondition);
    return Result.Success;
  }

  /**
   * Artifact step (upstream `reconcileArtifact`): Trace ArtifactUpToDate when the index digest is the stored
   * revision; else archives the downloaded objects as `<hex>.tar.gz`, records `observedIgnore` and points
   * `latest.tar.gz` at it.
   */
  async reconcileArtifact(obj: Bucket, state: BucketState): Promise<Result> {
    const index = state.index;
    if (!index) throw new Error('internal error: no index fetched');
    const revision = indexDigest(index);
    const storage = this.#o.storage;
    const status = (obj.status ??= {});
    const artifact = storage.artifactFor(
      'Bucket',
      obj.metadata.namespace ?? '',
      obj.metadata.name,
      revision,
      `${revision.slice('sha256:'.length)}.tar.gz`,
    );
    const markInStorage = (): void => {
      if (status.artifact?.revision !== revision) return;
      conditions.remove(obj, ArtifactOutdatedCondition);
      conditions.markTrue(obj, ArtifactInStorageCondition, SucceededReason, `stored artifact: revision '${revision}'`);
    };
    if (status.artifact?.revision === revision) {
      this.#event(
        obj,
        'Trace',
        SourceReasons.ArtifactUpToDateReason,
        `artifact up-to-date with remote revision: '${revision}'`,
      );
      markInStorage();
      return Result.Success;
    }
    try {
      const st = await stat(state.dir);
      if (!st.isDirectory()) throw new Error(`source path '${state.dir}' is not a directory`);
    } catch (err) {
      const e = new GenericError(
        `failed to stat source path: ${errMessage(err)}`,
        SourceReasons.StatOperationFailedReason,
        {
          cause: err,
        },
      );
      conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
      throw e;
    }
    const unlock = await lockArtifact(obj, storage, artifact);
    let stored: StoredArtifact;
    try {
      try {
        stored = await storage.archive(artifact, state.dir, { signal: state.signal });
      } catch (err) {
        throw archiveFailed(obj, 'unable to archive artifact to storage', err);
      }
    } finally {
      await unlock().catch(() => undefined);
    }
    status.artifact = { ...stored };
    if (obj.spec.ignore !== undefined) status.observedIgnore = obj.spec.ignore;
    else delete status.observedIgnore;
    const url = await linkArtifact(storage, stored, 'latest.tar.gz', (t, r, m) => this.#event(obj, t, r, m));
    if (url !== undefined) status.url = url;
    conditions.remove(obj, StorageOperationFailedCondition);
    markInStorage();
    return Result.Success;
  }

  /**
   * The credential provider of `spec.sts` (upstream `newAWSCreds` / `newGenericCreds`): aws through the SDK chain
   * with `sts.endpoint`, ldap through AssumeRoleWithLDAPIdentity with the `sts.secretRef` username and password
   * (empty without a Secret, as minio-go). Called by the S3 client on its first request.
   */
  #stsCredentials(
    obj: Bucket,
    sts: BucketSTS,
    data: Record<string, Uint8Array> | undefined,
    tls: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array } | undefined,
    proxy: URL | undefined,
    signal: AbortSignal,
  ): S3ClientConfig['credentials'] {
    if (sts.provider === 'aws') return awsSTSCredentials(sts.endpoint, obj.spec.region, { proxy });
    const text = (k: string): string => (data?.[k] ? Buffer.from(data[k]).toString('utf8') : '');
    return () =>
      ldapSTSCredentials({
        endpoint: sts.endpoint,
        username: text('username'),
        password: text('password'),
        tls,
        proxy,
        signal,
      });
  }

  #fetchFailed<E extends GenericError | StallingError>(obj: Bucket, e: E): E {
    conditions.markTrue(obj, FetchFailedCondition, e.reason, e.message);
    return e;
  }

  /** NewArtifact for a new digest, Succeeded on recovery from a failure condition (upstream `notify`). */
  #notify(oldObj: Bucket, obj: Bucket, state: BucketState, res: Result, err: unknown): void {
    const artifact = obj.status?.artifact;
    if (err !== undefined || res !== Result.Success || !artifact) return;
    const metadata = { revision: artifact.revision, ...(artifact.digest ? { digest: artifact.digest } : {}) };
    const message = `stored artifact with ${state.index?.size ?? 0} fetched files from '${obj.spec.bucketName}' bucket`;
    if (oldObj.status?.artifact?.digest !== artifact.digest) {
      this.#event(obj, 'Normal', SourceReasons.NewArtifactReason, message, metadata);
      state.log.info(message);
    } else if (bucketFailConditions.some((t) => conditions.isTrue(oldObj, t))) {
      this.#event(obj, 'Normal', SucceededReason, message, metadata);
      state.log.info(message);
    }
  }

  #event(obj: Bucket, type: SourceEventType, reason: string, message: string, metadata?: Record<string, string>): void {
    sourceEvent(this.#o.recorder, obj, type, reason, message, metadata);
  }
}
