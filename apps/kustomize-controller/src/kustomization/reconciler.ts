import { createHash } from 'node:crypto';
/**
 * The Kustomization reconciler (kustomize-controller `KustomizationReconciler`): fetch the source artifact, check
 * dependsOn, build, server-side apply through @flux-ts/ssa, prune, health-check, record the inventory; a
 * finalizer prunes on delete. Steps mark their own conditions; `summarizeAndPatch` is the single exit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedReason,
  ArtifactFailedReason,
  BuildFailedReason,
  HealthCheckFailedReason,
  HealthyCondition,
  KustomizeEventMetadata,
  KustomizeGroupVersion,
  KustomizeOwnerLabels,
  ProgressingReason,
  ReadyCondition,
  ReconciliationFailedReason,
  ReconciliationSucceededReason,
  SourceGroupVersion,
  SucceededReason,
  normalize,
} from '@flux-ts/api';
import type { Artifact, Kustomization, KustomizationSpec } from '@flux-ts/api';
import { fetchArtifact } from '@flux-ts/artifact';
import { selectTargets, toYaml } from '@flux-ts/kustomize';
import type { Selector } from '@flux-ts/kustomize';
import {
  GenericError,
  KubeClient,
  Result,
  SerialPatcher,
  StallingError,
  WaitingError,
  checkDependencies,
  conditions,
  ensureFinalizer,
  formatGoDuration,
  isDeleting,
  isNotFound,
  isSuspended,
  isTypedReconcileError,
  parseGoDuration,
  removeFinalizer,
  reconcileNewGeneration,
  skipIfSuspended,
  summarizeAndPatch,
  upsertHistory,
  withContext,
} from '@flux-ts/runtime';
import type {
  EventSink,
  KubeObject,
  Logger,
  ObjectReader,
  ReconcileContext,
  Request,
  RequeueResult,
  StatusObject,
} from '@flux-ts/runtime';
import {
  ChangeSet,
  HealthChecker,
  ResourceManager,
  fluxCleanupOptions,
  inventoryOfChangeSet,
  staleEntries,
} from '@flux-ts/ssa';
import type { HealthRef, Inventory } from '@flux-ts/ssa';
import { BuildError, buildManifests } from './build.ts';
import {
  DecryptionAgeExt,
  DecryptionProviderSOPS,
  Decryptor,
  isDecryptionDisabled,
  isEncryptedSecret,
} from './decryptor.ts';
import { ApplyFieldManager, StatusFieldManager, kustomizationReadyConditions } from './conditions.ts';

/** apiVersion/kind of the reconciled kind. */
export const KustomizationGVK = { apiVersion: KustomizeGroupVersion, kind: 'Kustomization' } as const;

/** Source kinds a Kustomization may reference. */
export const SourceKinds = ['GitRepository', 'OCIRepository', 'Bucket'] as const;

/** Dependencies of the reconciler; only `main.ts` derives them from flags and env. */
export interface KustomizationReconcilerOptions {
  /** The controller's client (its own identity). */
  client: KubeClient;
  /**
   * Where Kustomizations, their sources and their dependencies are read (the manager's informer cache, as Flux
   * reads them); the client when unset.
   */
  reader?: ObjectReader;
  recorder?: EventSink;
  /** `--concurrent-ssa`. */
  concurrentSsa?: number;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean;
  /** `--default-service-account`. */
  defaultServiceAccount?: string;
  /** `--no-remote-bases`: refuse remote resources in kustomize overlays. */
  noRemoteBases?: boolean;
  /** `--requeue-dependency` in ms. */
  requeueDependency?: number;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number;
  /** `--http-retry`. */
  httpRetry?: number;
  /** First wait between artifact download retries in ms (default 5 s, as Flux). */
  httpRetryWaitMinMs?: number;
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of artifact URLs. */
  sourceHostOverride?: string | undefined;
  /** Feature gates read by the reconciler. */
  featureGates?: {
    StrictPostBuildSubstitutions?: boolean;
    DisableFailFastBehavior?: boolean;
    AdditiveCELDependencyCheck?: boolean;
  };
  /** `--override-manager`: field managers whose fields the controller takes over on apply. */
  overrideManagers?: readonly string[];
  /** `--custom-apply-stage-kinds` (`group/Kind`). */
  customApplyStageKinds?: readonly string[];
  /** `--insecure-kubeconfig-exec` / `--insecure-kubeconfig-tls` for `spec.kubeConfig`. */
  insecureKubeconfigExec?: boolean;
  insecureKubeconfigTls?: boolean;
  /** Poll interval of health checks and stage waits in ms (Flux: 2 s). */
  pollInterval?: number;
  /** Where artifacts are extracted (default the OS temp dir). */
  tmpDir?: string;
  /** `--sops-age-secret` in the runtime namespace: fallback age keys when `decryption.secretRef` is unset. */
  sopsAgeSecret?: { namespace: string; name: string } | undefined;
}

interface SourceObject extends KubeObject {
  status?: { artifact?: Artifact };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sourceRefString(ref: KustomizationSpec['sourceRef'], defaultNs: string): string {
  return `${ref.kind}/${ref.namespace || defaultNs}/${ref.name}`;
}

/** `spec.interval`, `spec.retryInterval` (default interval) and `spec.timeout` (default interval−30s, min 30s) in ms. */
export function durations(spec: KustomizationSpec): { interval: number; retryInterval: number; timeout: number } {
  const interval = parseGoDuration(spec.interval);
  const retryInterval = spec.retryInterval ? parseGoDuration(spec.retryInterval) : interval;
  const timeout = spec.timeout ? parseGoDuration(spec.timeout) : Math.max(interval - 30_000, 30_000);
  return { interval, retryInterval, timeout };
}

/** Reconciles Kustomizations. */
/** `spec.ignore`: the JSON pointers each built object's apply leaves alone (rules without a target match all). */
export function ignoreRulesOf(
  spec: KustomizationSpec,
  objects: readonly KubeObject[],
): ((obj: KubeObject) => readonly string[]) | undefined {
  const rules = spec.ignore ?? [];
  if (rules.length === 0) return undefined;
  const byObject = new Map<KubeObject, string[]>();
  for (const rule of rules) {
    const selected = rule.target
      ? selectTargets(objects as never[], rule.target as Selector)
      : (objects as readonly KubeObject[]);
    for (const o of selected as readonly KubeObject[]) byObject.set(o, [...(byObject.get(o) ?? []), ...rule.paths]);
  }
  return (o) => byObject.get(o) ?? [];
}

/** What the build step of one reconcile leaves for `status.history`. */
interface BuiltSnapshot {
  digest?: string;
  revision?: string;
}

export class KustomizationReconciler {
  readonly #o: KustomizationReconcilerOptions;

  constructor(opts: KustomizationReconcilerOptions) {
    this.#o = opts;
  }

  /** The `Reconciler` of the controller builder. */
  readonly reconcile = async (req: Request, ctx: ReconcileContext): Promise<RequeueResult> => {
    const client = this.#o.client;
    let raw: KubeObject;
    try {
      raw = await (this.#o.reader ?? client).get(KustomizationGVK, req, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
    const normalized = normalize(raw);
    const obj = normalized.object as Kustomization & StatusObject;
    for (const warning of normalized.warnings) ctx.log.debug({ warning }, 'legacy Kustomization field');
    const patcher = new SerialPatcher<Kustomization & StatusObject>(obj, client, {
      ...(this.#o.reader ? { reader: this.#o.reader } : {}),
    });
    const { interval, retryInterval } = durations(obj.spec);
    const started = Date.now();
    let log = ctx.log;
    let result: Result = Result.Empty;
    let error: unknown;
    let changes = new ChangeSet();
    const wasReady = conditions.isTrue(obj, ReadyCondition) && obj.status?.lastAppliedRevision !== undefined;
    /** Set by the build step: the digest of what this reconcile applies, for `status.history`. */
    const built: BuiltSnapshot = {};

    try {
      if (isDeleting(obj)) {
        await this.#finalize(obj, ctx);
        removeFinalizer(obj);
      } else if (skipIfSuspended(obj, log)) {
        return {};
      } else {
        await ensureFinalizer(obj, patcher, { fieldManager: StatusFieldManager, signal: ctx.signal });
        await reconcileNewGeneration(obj, patcher, { fieldManager: StatusFieldManager, signal: ctx.signal });
        const out = await this.#reconcileSteps(obj, ctx, built, (revision) => {
          log = withContext(ctx.log, { revision });
          return log;
        });
        changes = out;
        result = Result.Success;
      }
    } catch (err) {
      error = err;
      this.#markFailure(obj, err);
    }

    const revision = obj.status?.lastAttemptedRevision ?? '';
    const eventMetadata: Record<string, string> = revision ? { [KustomizeEventMetadata.Revision]: revision } : {};
    const changed = changes.changes().length > 0;
    if (changed && this.#o.recorder) {
      void this.#o.recorder.event(obj, {
        type: 'Normal',
        reason: ProgressingReason,
        message: changes
          .changes()
          .map((e) => `${e.subject} ${e.action}`)
          .join('\n'),
        metadata: eventMetadata,
      });
    }
    try {
      return await summarizeAndPatch(obj, {
        patcher,
        conditions: [kustomizationReadyConditions],
        result,
        error,
        interval,
        jitterPercent: this.#o.jitterPercent ?? 0,
        recorder: this.#o.recorder,
        log,
        fieldManager: StatusFieldManager,
        ignoreNotFound: isDeleting(obj),
        eventMetadata,
        beforePatch: (o) => {
          // History records every reconcile that got as far as a build, keyed by its digest and Ready reason.
          if (built.digest === undefined || isDeleting(o)) return;
          o.status ??= {};
          o.status.history = upsertHistory(o.status.history, {
            digest: built.digest,
            at: new Date(),
            durationMs: Date.now() - started,
            status: conditions.getReason(o, ReadyCondition),
            metadata: { revision: built.revision ?? '' },
          });
        },
        ...(changed || !wasReady
          ? {
              successEvent: {
                reason: ReconciliationSucceededReason,
                message: `Reconciliation finished in ${formatGoDuration(Date.now() - started)}, next run in ${formatGoDuration(interval)}`,
                metadata: { ...eventMetadata, [KustomizeEventMetadata.CommitStatus]: 'update' },
              },
            }
          : {}),
        signal: ctx.signal,
      });
    } catch (err) {
      // Flux retries a failed Kustomization after spec.retryInterval rather than with the queue's backoff;
      // failures of the status patch itself still go to the queue.
      if (error !== undefined && !(err instanceof AggregateError) && !isDeleting(obj))
        return { requeueAfter: retryInterval };
      throw err;
    }
  };

  /** Marks Ready=False with the reason of a step failure (typed errors carry it; anything else is ReconciliationFailed). */
  #markFailure(obj: Kustomization & StatusObject, err: unknown): void {
    if (err instanceof StallingError || err instanceof WaitingError || err instanceof GenericError) {
      conditions.markFalse(obj, ReadyCondition, err.reason, err.message);
    } else {
      conditions.markFalse(obj, ReadyCondition, ReconciliationFailedReason, message(err));
    }
    if (!isTypedReconcileError(err) || err instanceof GenericError)
      conditions.markReconciling(obj, 'ProgressingWithRetry', conditions.getMessage(obj, ReadyCondition));
  }

  /** The client that applies, prunes and health-checks: remote cluster and/or impersonated service account. */
  async #applyClient(obj: Kustomization, signal: AbortSignal): Promise<KubeClient> {
    let client = this.#o.client;
    const ns = obj.metadata.namespace ?? '';
    const kubeConfig = obj.spec.kubeConfig as { secretRef?: { name: string; key?: string } } | undefined;
    if (kubeConfig?.secretRef) {
      const ref = kubeConfig.secretRef;
      let secret: KubeObject & { data?: Record<string, string> };
      try {
        secret = await client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace: ns, name: ref.name }, { signal });
      } catch (err) {
        throw new GenericError(
          `failed to get kubeconfig secret '${ns}/${ref.name}': ${message(err)}`,
          ReconciliationFailedReason,
          { cause: err },
        );
      }
      try {
        client = KubeClient.fromKubeconfigSecret(secret, {
          ...(ref.key ? { key: ref.key } : {}),
          allowExec: this.#o.insecureKubeconfigExec ?? false,
          allowInsecureTLS: this.#o.insecureKubeconfigTls ?? false,
        });
      } catch (err) {
        throw new StallingError(
          `invalid kubeconfig secret '${ns}/${ref.name}': ${message(err)}`,
          ReconciliationFailedReason,
          { cause: err },
        );
      }
    }
    const sa = obj.spec.serviceAccountName || this.#o.defaultServiceAccount;
    if (sa) client = client.impersonate(`system:serviceaccount:${ns}:${sa}`);
    return client;
  }

  /** Resolves the source and its artifact (ArtifactFailed while missing, AccessDenied across namespaces when disabled). */
  async #source(obj: Kustomization, signal: AbortSignal, retryInterval: number): Promise<Artifact> {
    const ref = obj.spec.sourceRef;
    const ns = obj.metadata.namespace ?? '';
    const sourceNs = ref.namespace || ns;
    if (this.#o.noCrossNamespaceRefs && sourceNs !== ns) {
      throw new StallingError(
        `cannot access ${ref.kind}/${sourceNs}/${ref.name}, cross-namespace references have been disabled`,
        AccessDeniedReason,
      );
    }
    if (!(SourceKinds as readonly string[]).includes(ref.kind))
      throw new StallingError(`source '${ref.kind}' kind is not supported`, ArtifactFailedReason);
    let src: SourceObject;
    try {
      // The cache holds the storage version of each source kind, whatever version the reference names.
      const apiVersion = this.#o.reader ? SourceGroupVersion : ref.apiVersion || SourceGroupVersion;
      src = await (this.#o.reader ?? this.#o.client).get<SourceObject>(
        { apiVersion, kind: ref.kind },
        { namespace: sourceNs, name: ref.name },
        { signal },
      );
    } catch (err) {
      if (isNotFound(err))
        throw new WaitingError(`Source '${sourceRefString(ref, ns)}' not found`, ArtifactFailedReason, retryInterval, {
          cause: err,
        });
      throw new Error(`failed to get source '${sourceRefString(ref, ns)}'`, { cause: err });
    }
    const artifact = src.status?.artifact;
    if (!artifact?.url || !artifact.revision)
      throw new WaitingError('Source is not ready, artifact not found', ArtifactFailedReason, retryInterval);
    return artifact;
  }

  /**
   * The decryptor of `spec.decryption` (undefined when unset): keys from `secretRef` (`*.agekey`, `*.asc`), else
   * the `--sops-age-secret` fallback (`*.agekey` only). Failures are BuildFailed, as in Flux.
   */
  async #decryptor(obj: Kustomization, signal: AbortSignal): Promise<Decryptor | undefined> {
    const dec = obj.spec.decryption;
    if (!dec) return undefined;
    if (dec.provider !== DecryptionProviderSOPS)
      throw new StallingError(`unsupported decryption provider '${String(dec.provider)}'`, BuildFailedReason);
    const ref = dec.secretRef?.name
      ? { namespace: obj.metadata.namespace ?? '', name: dec.secretRef.name, fallback: false }
      : this.#o.sopsAgeSecret
        ? { ...this.#o.sopsAgeSecret, fallback: true }
        : undefined;
    if (!ref) return new Decryptor();
    const what = ref.fallback ? 'SOPS age decryption' : 'decryption';
    let secret: KubeObject & { data?: Record<string, string> };
    try {
      secret = await this.#o.client.get({ apiVersion: 'v1', kind: 'Secret' }, ref, { signal });
    } catch (err) {
      const msg = isNotFound(err)
        ? message(err)
        : `cannot get ${DecryptionProviderSOPS} ${what} Secret '${ref.namespace}/${ref.name}': ${message(err)}`;
      throw new GenericError(msg, BuildFailedReason, { cause: err });
    }
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).filter(([k]) => !ref.fallback || k.endsWith(DecryptionAgeExt)),
    );
    try {
      return await Decryptor.fromSecretData(data, `${ref.namespace}/${ref.name}`);
    } catch (err) {
      throw new GenericError(message(err).replace(' decryption Secret', ` ${what} Secret`), BuildFailedReason, {
        cause: err,
      });
    }
  }

  /** postBuild variables: substituteFrom in order (later wins), then `substitute` (newlines stripped). */
  async #vars(obj: Kustomization, signal: AbortSignal): Promise<Record<string, string> | undefined> {
    const pb = obj.spec.postBuild;
    if (!pb) return undefined;
    const vars: Record<string, string> = {};
    const ns = obj.metadata.namespace ?? '';
    for (const ref of pb.substituteFrom ?? []) {
      const kind = ref.kind === 'Secret' ? 'Secret' : 'ConfigMap';
      let src: KubeObject & { data?: Record<string, string> };
      try {
        src = await this.#o.client.get({ apiVersion: 'v1', kind }, { namespace: ns, name: ref.name }, { signal });
      } catch (err) {
        if (isNotFound(err) && ref.optional) continue;
        throw new BuildError(`substitute from '${kind}/${ref.name}' failed: ${message(err)}`, { cause: err });
      }
      for (const [k, v] of Object.entries(src.data ?? {}))
        vars[k] = kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
    }
    for (const [k, v] of Object.entries(pb.substitute ?? {})) vars[k] = v.replaceAll('\n', '');
    return vars;
  }

  async #reconcileSteps(
    obj: Kustomization & StatusObject,
    ctx: ReconcileContext,
    built: BuiltSnapshot,
    withRevision: (r: string) => Logger,
  ): Promise<ChangeSet> {
    const { retryInterval, timeout } = durations(obj.spec);
    const artifact = await this.#source(obj, ctx.signal, retryInterval);
    const revision = artifact.revision;
    const log = withRevision(revision);

    const deps = obj.spec.dependsOn ?? [];
    if (deps.length > 0) {
      await checkDependencies(obj, deps, {
        reader: this.#o.reader ?? this.#o.client,
        requeueAfter: this.#o.requeueDependency ?? 30_000,
        additiveCEL: this.#o.featureGates?.AdditiveCELDependencyCheck ?? false,
        extraCheck: (dep) => {
          const d = dep as unknown as Kustomization;
          const sameSource =
            d.spec?.sourceRef?.kind === obj.spec.sourceRef.kind &&
            d.spec.sourceRef.name === obj.spec.sourceRef.name &&
            (d.spec.sourceRef.namespace || d.metadata.namespace) ===
              (obj.spec.sourceRef.namespace || obj.metadata.namespace);
          if (sameSource && d.status?.lastAppliedRevision !== revision)
            return `dependency '${d.metadata.namespace}/${d.metadata.name}' revision is not up to date`;
          return undefined;
        },
        signal: ctx.signal,
      });
      log.debug('all dependencies are ready');
    }

    obj.status ??= {};
    obj.status.lastAttemptedRevision = revision;
    conditions.markReconciling(
      obj,
      ProgressingReason,
      `Fetching manifests for revision ${revision} with a timeout of ${formatGoDuration(timeout)}`,
    );

    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout)]);
    const dir = await mkdtemp(
      join(this.#o.tmpDir ?? tmpdir(), `kustomization-${obj.metadata.namespace}-${obj.metadata.name}-`),
    );
    try {
      try {
        await fetchArtifact({
          url: artifact.url,
          digest: artifact.digest ?? '',
          dir,
          signal,
          hostOverride: this.#o.sourceHostOverride,
          retries: this.#o.httpRetry ?? 9,
          ...(this.#o.httpRetryWaitMinMs !== undefined ? { retryWaitMinMs: this.#o.httpRetryWaitMinMs } : {}),
        });
      } catch (err) {
        throw new GenericError(message(err), ArtifactFailedReason, { cause: err });
      }

      const decryptor = await this.#decryptor(obj, signal);
      let objects: KubeObject[];
      try {
        objects = await buildManifests({
          root: dir,
          spec: obj.spec,
          vars: await this.#vars(obj, signal),
          strictSubstitutions: this.#o.featureGates?.StrictPostBuildSubstitutions ?? true,
          decryptor,
          remoteBases: !(this.#o.noRemoteBases ?? false),
          tmpDir: this.#o.tmpDir,
          signal,
        });
      } catch (err) {
        if (err instanceof BuildError)
          throw new GenericError(err.message, err.pathNotFound ? ArtifactFailedReason : BuildFailedReason, {
            cause: err,
          });
        throw err;
      }
      for (const o of objects)
        if (isEncryptedSecret(o as never) && !isDecryptionDisabled(o as never))
          throw new GenericError(
            `Secret/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} is SOPS encrypted, configuring decryption is required for this secret to be reconciled`,
            ReconciliationFailedReason,
          );
      built.digest = `sha256:${createHash('sha256')
        .update(toYaml(objects as never))
        .digest('hex')}`;
      built.revision = revision;
      const owner = {
        [KustomizeOwnerLabels.Name]: obj.metadata.name ?? '',
        [KustomizeOwnerLabels.Namespace]: obj.metadata.namespace ?? '',
      };
      for (const o of objects) o.metadata = { ...o.metadata, labels: { ...o.metadata.labels, ...owner } };

      const client = await this.#applyClient(obj, signal);
      const manager = new ResourceManager({
        client,
        fieldManager: ApplyFieldManager,
        concurrency: this.#o.concurrentSsa ?? 4,
        cleanup: fluxCleanupOptions(this.#o.overrideManagers ?? [], ApplyFieldManager),
        log,
      });
      let changeSet: ChangeSet;
      try {
        const ignorePaths = ignoreRulesOf(obj.spec, objects);
        changeSet = await manager.applyAllStaged(objects, {
          force: obj.spec.force ?? false,
          ...(ignorePaths ? { ignorePaths } : {}),
          signal,
          waitInterval: this.#o.pollInterval ?? 2000,
          customStageKinds: this.#o.customApplyStageKinds ?? [],
        });
      } catch (err) {
        throw new GenericError(message(err), ReconciliationFailedReason, { cause: err });
      }
      if (changeSet.changes().length > 0) log.info({ output: changeSet.toMap() }, 'server-side apply completed');

      const oldInventory = obj.status.inventory as Inventory | undefined;
      const newInventory = inventoryOfChangeSet(changeSet);
      if (obj.spec.prune) {
        const stale = staleEntries(oldInventory, newInventory);
        if (stale.length > 0) {
          let pruned: ChangeSet;
          try {
            pruned = await manager.deleteAll(stale, { ownerLabels: owner, signal });
          } catch (err) {
            obj.status.inventory = { entries: [...newInventory.entries, ...stale] };
            throw new GenericError(`prune failed: ${message(err)}`, 'PruneFailed', { cause: err });
          }
          if (pruned.changes().length > 0) log.info({ output: pruned.toMap() }, 'garbage collection completed');
          changeSet.append(pruned);
        }
      }
      obj.status.inventory = newInventory;

      await this.#checkHealth(obj, client, objects, changeSet.observed(), revision, timeout, ctx.signal);

      obj.status.lastAppliedRevision = revision;
      conditions.markTrue(obj, ReadyCondition, ReconciliationSucceededReason, `Applied revision: ${revision}`);
      return changeSet;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `wait: true` checks every applied object, else `healthChecks`; sets Healthy (removed when nothing is checked). */
  async #checkHealth(
    obj: Kustomization & StatusObject,
    client: KubeClient,
    applied: readonly KubeObject[],
    observed: ReadonlyMap<string, KubeObject>,
    revision: string,
    timeout: number,
    signal: AbortSignal,
  ): Promise<void> {
    const refs: HealthRef[] = obj.spec.wait
      ? applied.map((o) => ({
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
        }))
      : (obj.spec.healthChecks ?? []).map((h) => ({
          apiVersion: h.apiVersion ?? 'v1',
          kind: h.kind,
          metadata: { name: h.name, namespace: h.namespace || obj.metadata.namespace || '' },
        }));
    if (refs.length === 0) {
      conditions.remove(obj, HealthyCondition);
      return;
    }
    let checker: HealthChecker;
    try {
      checker = new HealthChecker({ client, exprs: obj.spec.healthCheckExprs ?? [] });
    } catch (err) {
      throw new StallingError(message(err), 'InvalidCELExpression', { cause: err });
    }
    if (!conditions.isTrue(obj, HealthyCondition) || obj.status?.lastAppliedRevision !== revision)
      conditions.markUnknown(
        obj,
        HealthyCondition,
        ProgressingReason,
        'Running health checks for revision ' + `${revision} with a timeout of ${formatGoDuration(timeout)}`,
      );
    const start = Date.now();
    try {
      await checker.waitForSet(refs, {
        timeout,
        interval: this.#o.pollInterval ?? 2000,
        failFast: !(this.#o.featureGates?.DisableFailFastBehavior ?? false),
        signal,
        // Objects the apply found unchanged were read a moment ago: their first status comes from that read.
        observed,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const msg = `health check failed after ${formatGoDuration(Date.now() - start)}: ${message(err)}`;
      conditions.markFalse(obj, HealthyCondition, HealthCheckFailedReason, msg);
      throw new GenericError(msg, HealthCheckFailedReason, { cause: err });
    }
    conditions.markTrue(obj, HealthyCondition, SucceededReason, 'Health check passed');
  }

  /** Finalizer: prune the inventory unless suspended or the deletion policy keeps the objects. */
  async #finalize(obj: Kustomization & StatusObject, ctx: ReconcileContext): Promise<void> {
    const policy = obj.spec.deletionPolicy ?? 'MirrorPrune';
    const prune =
      policy === 'Delete' || policy === 'WaitForTermination' || (policy === 'MirrorPrune' && obj.spec.prune === true);
    const inventory = obj.status?.inventory as Inventory | undefined;
    if (!prune || isSuspended(obj) || !inventory || inventory.entries.length === 0) return;
    const client = await this.#applyClient(obj, ctx.signal);
    const manager = new ResourceManager({
      client,
      fieldManager: ApplyFieldManager,
      concurrency: this.#o.concurrentSsa ?? 4,
    });
    const cs = await manager.deleteAll(inventory.entries, {
      ownerLabels: {
        [KustomizeOwnerLabels.Name]: obj.metadata.name ?? '',
        [KustomizeOwnerLabels.Namespace]: obj.metadata.namespace ?? '',
      },
      signal: ctx.signal,
    });
    if (cs.changes().length > 0) ctx.log.info({ output: cs.toMap() }, 'garbage collection completed');
    if (policy === 'WaitForTermination') {
      const { timeout } = durations(obj.spec);
      const deadline = Date.now() + timeout;
      for (const e of cs.entries.filter((x) => x.action === 'deleted')) {
        const gvk = { apiVersion: e.groupVersion, kind: e.objMetadata.kind };
        const key = e.objMetadata.namespace
          ? { namespace: e.objMetadata.namespace, name: e.objMetadata.name }
          : { name: e.objMetadata.name };
        for (;;) {
          try {
            await client.get(gvk, key, { signal: ctx.signal });
          } catch (err) {
            if (isNotFound(err)) break;
            throw err;
          }
          if (Date.now() > deadline) {
            ctx.log.info({ object: e.subject }, 'timeout waiting for the termination of managed objects');
            break;
          }
          await new Promise((r) => setTimeout(r, this.#o.pollInterval ?? 2000));
        }
      }
    }
    if (cs.changes().length > 0 && this.#o.recorder)
      void this.#o.recorder.event(obj, { type: 'Normal', reason: 'Progressing', message: cs.toString() });
  }
}
