/**
 * The ArtifactGenerator reconciler (source-watcher `ArtifactGeneratorReconciler`) on the runtime's reconcile
 * skeleton: validate the spec (ValidationFailed/AccessDenied stall), observe the sources from the cache, detect drift
 * (sources digest, generation, inventory, storage, ExternalArtifacts in the cluster) and, only when something
 * drifted, fetch the sources, build each output artifact into storage, apply its ExternalArtifact (owned by the
 * generator, status written here), garbage-collect what left the spec and record the inventory. Ready is not a
 * summary: the exit shows each failure on Ready with its reason, and success as `reconciliation succeeded, generated
 * N artifact(s)`. The `source.extensions.fluxcd.io/reconcile: disabled` annotation pauses it; a finalizer deletes
 * the ExternalArtifacts and their stored files with the generator.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  ArtifactGeneratorConstants,
  ArtifactGeneratorKind,
  BuildFailedReason,
  ExternalArtifactKind,
  ProgressingReason,
  ReadyCondition,
  ReconcilingCondition,
  ReconciliationFailedReason,
  SourceExtensionsGroupVersion,
  SourceGroupVersion,
  StalledCondition,
  SucceededReason,
  normalizeArtifactGenerator,
} from '@flux-ts/api';
import type { ArtifactGenerator, ExternalArtifact, ExternalArtifactReference, OutputArtifact } from '@flux-ts/api';
import type { Storage, StoredArtifact } from '@flux-ts/artifact';
import {
  GenericError,
  Result,
  StallingError,
  WaitingError,
  conditions,
  errMessage,
  fetchForReconcile,
  hasFinalizer,
  isDeleting,
  isNotFound,
  reconcileWith,
} from '@flux-ts/runtime';
import type {
  EventSink,
  ExitOptions,
  KubeClient,
  KubeObject,
  LoopContext,
  LoopOutcome,
  ReconcileConditions,
  ReconcileContext,
  ReconcileStep,
  Request,
  RequeueResult,
} from '@flux-ts/runtime';
import { CopyValidationError, buildArtifact, validateCopyOperation } from '../builder/index.ts';
import { fetchSources, hashObservedSources, observeSources, type ObservedSource } from './sources.ts';

/** apiVersion/kind of the reconciled kind. */
export const ArtifactGeneratorGVK = { apiVersion: SourceExtensionsGroupVersion, kind: ArtifactGeneratorKind } as const;
/** apiVersion/kind of the generated kind. */
export const ExternalArtifactGVK = { apiVersion: SourceGroupVersion, kind: ExternalArtifactKind } as const;

/** The reconciler owns Ready, Reconciling and Stalled (upstream `patchStatus`); Ready is set by the exit. */
export const artifactGeneratorConditions: ReconcileConditions = {
  target: ReadyCondition,
  owned: [ReadyCondition, ReconcilingCondition, StalledCondition],
  summarize: [],
  negativePolarity: [],
};

/** upstream `msgInProgress`, `msgReconciliationDisabled`. */
export const MsgInProgress = 'Reconciliation in progress';
/** Logged and recorded while the reconcile annotation is `disabled`. */
export const MsgReconciliationDisabled = 'Reconciliation is disabled';
/** ArtifactGenerator `GetRequeueAfter`: one hour. */
export const GeneratorInterval = 3_600_000;

/** A reader that also lists (the informer cache). */
export interface ListingReader {
  get<T extends KubeObject = KubeObject>(
    gvk: { apiVersion: string; kind: string },
    key: { namespace?: string; name: string },
    opts?: { signal?: AbortSignal },
  ): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    gvk: { apiVersion: string; kind: string },
    opts?: { namespace?: string; labelSelector?: string; signal?: AbortSignal },
  ): Promise<T[]>;
}

/** Dependencies and settings of the reconciler; only `main.ts` derives them from flags and env. */
export interface ArtifactGeneratorReconcilerOptions {
  client: KubeClient;
  /** The informer cache: generators, sources and ExternalArtifacts are read from it. */
  reader: ListingReader;
  storage: Storage;
  recorder?: EventSink | undefined;
  /** Field manager and `app.kubernetes.io/managed-by` (default `source-watcher`). */
  controllerName?: string | undefined;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean | undefined;
  /** `--requeue-dependency` in ms (default 5 s): the wait after a source could not be read or fetched. */
  requeueDependency?: number | undefined;
  /** `--http-retry`. */
  httpRetry?: number | undefined;
  /** First wait between artifact download retries in ms (default 5 s). */
  httpRetryWaitMinMs?: number | undefined;
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of source artifact URLs. */
  sourceHostOverride?: string | undefined;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number | undefined;
  /** Parent of the per-reconcile working directories (default the OS temp dir). */
  tmpDir?: string | undefined;
}

/** What the steps of one reconcile share. */
export interface ArtifactGeneratorState {
  readonly opts: ArtifactGeneratorReconcilerOptions;
  readonly ctx: LoopContext<ArtifactGenerator>;
  /** The working directory (sources in `<alias>/`, staging in `<artifact>/`), removed at the end. */
  readonly dir: string;
  sources?: Map<string, ObservedSource>;
  sourcesDigest?: string;
  /** Why the artifacts are rebuilt (upstream's drift reason); undefined when nothing drifted. */
  drift?: string;
  /** Set once the artifacts are up to date. */
  generated?: number;
}

function isDisabled(obj: ArtifactGenerator): boolean {
  const v = obj.metadata.annotations?.[ArtifactGeneratorConstants.ReconcileAnnotation];
  return v !== undefined && v.toLowerCase() === ArtifactGeneratorConstants.DisabledValue;
}

function stall(reason: string, message: string): StallingError {
  return new StallingError(message, reason);
}

/** upstream `validateSpec`, plus the copy operations that can never succeed (`..`, a `to` outside `@artifact/`). */
export function validateSpec(obj: ArtifactGenerator, noCrossNamespaceRefs: boolean): void {
  const { AccessDeniedReason, ValidationFailedReason } = ArtifactGeneratorConstants;
  const aliases = new Set<string>();
  for (const src of obj.spec.sources) {
    if (aliases.has(src.alias)) throw stall(ValidationFailedReason, `duplicate source alias '${src.alias}' found`);
    aliases.add(src.alias);
    if (noCrossNamespaceRefs && src.namespace && src.namespace !== obj.metadata.namespace)
      throw stall(
        AccessDeniedReason,
        `cross-namespace reference to source ${src.kind}/${src.namespace}/${src.name} is not allowed`,
      );
  }
  const names = new Set<string>();
  for (const artifact of obj.spec.artifacts) {
    if (names.has(artifact.name))
      throw stall(ValidationFailedReason, `duplicate artifact name '${artifact.name}' found`);
    for (const [field, ref] of [
      ['revision', artifact.revision],
      ['originRevision', artifact.originRevision],
    ] as const) {
      if (ref && !aliases.has(ref.replace(/^@/, '')))
        throw stall(
          ValidationFailedReason,
          `artifact ${artifact.name} ${field} source alias '${ref.replace(/^@/, '')}' not found`,
        );
    }
    for (const op of artifact.copy) {
      try {
        validateCopyOperation(op, aliases);
      } catch (err) {
        if (err instanceof CopyValidationError)
          throw stall(ValidationFailedReason, `artifact ${artifact.name}: ${err.message}`);
        throw err;
      }
    }
    names.add(artifact.name);
  }
}

async function reconcileValidation(obj: ArtifactGenerator, state: ArtifactGeneratorState): Promise<Result> {
  validateSpec(obj, state.opts.noCrossNamespaceRefs ?? false);
  return Result.Success;
}

async function reconcileSources(obj: ArtifactGenerator, state: ArtifactGeneratorState): Promise<Result> {
  try {
    state.sources = await observeSources(obj, state.opts.reader, state.ctx.signal);
  } catch (err) {
    throw new WaitingError(
      `get sources failed: ${errMessage(err)}`,
      ArtifactGeneratorConstants.SourceFetchFailedReason,
      state.opts.requeueDependency ?? 5000,
      { cause: err, event: 'Warning' },
    );
  }
  state.sourcesDigest = hashObservedSources(state.sources);
  return Result.Success;
}

function storagePath(
  storage: Storage,
  ref: Pick<ExternalArtifactReference, 'namespace' | 'name'>,
  file: string,
): string {
  return storage.artifactPath(ExternalArtifactKind, ref.namespace, ref.name, file);
}

/**
 * upstream `detectDrift` on the object as this run found it: not Ready, a new generation, other sources, a different
 * number of artifacts, a stored file missing or corrupted (then removed), or ExternalArtifacts in the cluster that are
 * not the inventory's. Returns the reason, or undefined when nothing drifted.
 */
async function detectDrift(obj: ArtifactGenerator, state: ArtifactGeneratorState): Promise<string | undefined> {
  const seen = state.ctx.observed;
  if (!conditions.isTrue(seen, ReadyCondition)) return 'NotReady';
  if ((seen.metadata.generation ?? 0) !== conditions.getObservedGeneration(seen, ReadyCondition))
    return 'GenerationChanged';
  if (seen.status?.observedSourcesDigest !== state.sourcesDigest) return 'SourcesChanged';
  const inventory = seen.status?.inventory ?? [];
  if (inventory.length !== obj.spec.artifacts.length) return 'ArtifactsChanged';
  const { storage } = state.opts;
  for (const ref of inventory) {
    const artifact = { path: storagePath(storage, ref, ref.filename), url: '', revision: '', digest: ref.digest };
    if (!(await storage.exists(artifact))) return 'ArtifactMissing';
    try {
      await storage.verify(artifact, state.ctx.signal);
    } catch (err) {
      state.ctx.log.error(
        { err: errMessage(err) },
        'Artifact integrity verification failed, deleting corrupted artifact',
      );
      await rm(storage.localPath(artifact), { force: true });
      return 'ArtifactCorrupted';
    }
  }
  let eas: ExternalArtifact[];
  try {
    eas = await state.opts.reader.list<ExternalArtifact>(ExternalArtifactGVK, {
      namespace: obj.metadata.namespace ?? '',
      labelSelector: `${ArtifactGeneratorConstants.GeneratorLabel}=${obj.metadata.uid ?? ''}`,
      signal: state.ctx.signal,
    });
  } catch {
    return 'ExternalArtifactsNotFound';
  }
  if (eas.length !== inventory.length) return 'ExternalArtifactsChanged';
  for (const ea of eas) {
    const digest = ea.status?.artifact?.digest;
    if (
      !inventory.some(
        (r) => r.name === ea.metadata.name && r.namespace === ea.metadata.namespace && r.digest === digest,
      )
    )
      return 'ExternalArtifactsChanged';
  }
  return undefined;
}

/** upstream `setArtifactRevisions`: `revision: @alias` takes the source's revision, `originRevision` the metadata. */
export function setArtifactRevisions(
  artifact: StoredArtifact,
  spec: OutputArtifact,
  sources: ReadonlyMap<string, ObservedSource>,
): StoredArtifact {
  const out = { ...artifact };
  const rev = spec.revision ? sources.get(spec.revision.replace(/^@/, '')) : undefined;
  if (rev) out.revision = rev.revision;
  const origin = spec.originRevision ? sources.get(spec.originRevision.replace(/^@/, '')) : undefined;
  if (origin)
    out.metadata = {
      ...out.metadata,
      [ArtifactGeneratorConstants.OriginRevisionAnnotation]: origin.originRevision || origin.revision,
    };
  return out;
}

function sameArtifact(a: ExternalArtifact['status'], b: StoredArtifact): boolean {
  const cur = a?.artifact;
  return (
    cur !== undefined &&
    cur.digest === b.digest &&
    cur.revision === b.revision &&
    cur.url === b.url &&
    cur.path === b.path &&
    isDeepStrictEqual(cur.metadata ?? {}, b.metadata ?? {}) &&
    conditions.isTrue({ metadata: {}, status: a }, ReadyCondition)
  );
}

async function readExternalArtifact(
  state: ArtifactGeneratorState,
  namespace: string,
  name: string,
): Promise<ExternalArtifact | undefined> {
  try {
    // a live read: the cache may not have seen this controller's last write yet, and a stale copy costs a write
    return await state.opts.client.get<ExternalArtifact>(
      ExternalArtifactGVK,
      { namespace, name },
      { signal: state.ctx.signal },
    );
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * upstream `reconcileExternalArtifact`: the ExternalArtifact named after the output artifact, in the generator's
 * namespace, labelled with the generator's UID, owned by the generator and pointing at it; its status (the artifact
 * and Ready) written by this controller. Nothing is written when the object and its artifact are already current.
 */
async function reconcileExternalArtifact(
  obj: ArtifactGenerator,
  artifact: StoredArtifact,
  name: string,
  state: ArtifactGeneratorState,
): Promise<ExternalArtifactReference> {
  const { client } = state.opts;
  const fieldManager = state.opts.controllerName ?? 'source-watcher';
  const namespace = obj.metadata.namespace ?? '';
  const labels = {
    'app.kubernetes.io/managed-by': fieldManager,
    [ArtifactGeneratorConstants.GeneratorLabel]: obj.metadata.uid ?? '',
  };
  const ownerReferences = [
    {
      apiVersion: SourceExtensionsGroupVersion,
      kind: ArtifactGeneratorKind,
      name: obj.metadata.name,
      uid: obj.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const sourceRef = {
    apiVersion: SourceExtensionsGroupVersion,
    kind: ArtifactGeneratorKind,
    name: obj.metadata.name,
    namespace,
  };
  const existing = await readExternalArtifact(state, namespace, name);
  const current =
    existing !== undefined &&
    Object.entries(labels).every(([k, v]) => existing.metadata.labels?.[k] === v) &&
    (existing.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid && r.controller === true) &&
    isDeepStrictEqual(existing.spec?.sourceRef ?? {}, sourceRef);
  let generation = existing?.metadata.generation ?? 1;
  if (!current) {
    const applied = await client.apply<ExternalArtifact>(
      {
        ...ExternalArtifactGVK,
        metadata: { name, namespace, labels, ownerReferences },
        spec: { sourceRef },
      },
      { fieldManager, force: true, signal: state.ctx.signal },
    );
    generation = applied.metadata.generation ?? generation;
  }
  if (!sameArtifact(existing?.status, artifact)) {
    await client.apply<KubeObject & { status: ExternalArtifact['status'] }>(
      {
        ...ExternalArtifactGVK,
        metadata: { name, namespace },
        status: {
          artifact,
          conditions: [
            {
              type: ReadyCondition,
              status: 'True',
              observedGeneration: generation,
              lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
              reason: SucceededReason,
              message: 'Artifact is ready',
            },
          ],
        },
      },
      { fieldManager, force: true, subresource: 'status', signal: state.ctx.signal },
    );
  }
  const inInventory = (obj.status?.inventory ?? []).some(
    (r) => r.name === name && r.namespace === namespace && r.digest === artifact.digest,
  );
  const ref = `${ExternalArtifactKind}/${namespace}/${name}`;
  if (inInventory) state.ctx.log.info(`${ref} is up to date`);
  else {
    const message = `${ref} reconciled with revision ${artifact.revision}`;
    state.ctx.log.info(message);
    void state.opts.recorder?.event(obj, { type: 'Normal', reason: ReadyCondition, message });
  }
  return { name, namespace, digest: artifact.digest, filename: basename(artifact.path) };
}

/** upstream `finalizeExternalArtifacts`: each ExternalArtifact deleted with its stored files; failures are logged. */
async function finalizeExternalArtifacts(
  refs: readonly ExternalArtifactReference[],
  opts: ArtifactGeneratorReconcilerOptions,
  ctx: Pick<LoopContext<ArtifactGenerator>, 'log' | 'signal'>,
): Promise<void> {
  for (const ref of refs) {
    const id = `${ExternalArtifactKind}/${ref.namespace}/${ref.name}`;
    try {
      const dir = await opts.storage.removeAll(ExternalArtifactKind, ref.namespace, ref.name);
      if (dir) ctx.log.info({ path: dir }, `${id} deleted from storage`);
    } catch (err) {
      ctx.log.error({ err: errMessage(err) }, 'Failed to delete artifact from storage');
    }
    try {
      await opts.client.delete(
        ExternalArtifactGVK,
        { namespace: ref.namespace, name: ref.name },
        { signal: ctx.signal },
      );
      ctx.log.info(`${id} deleted from cluster`);
    } catch (err) {
      if (isNotFound(err)) ctx.log.info(`${id} deleted from cluster`);
      else ctx.log.error({ err: errMessage(err) }, 'Failed to delete ExternalArtifact');
    }
  }
}

/**
 * The build (upstream `reconcile` after drift detection): Reconciling published, sources fetched, each artifact
 * built and its ExternalArtifact applied, orphans and old files collected, inventory and sources digest recorded.
 */
async function reconcileArtifacts(obj: ArtifactGenerator, state: ArtifactGeneratorState): Promise<Result> {
  const { opts, ctx } = state;
  const sources = state.sources ?? new Map<string, ObservedSource>();
  const drift = await detectDrift(obj, state);
  if (drift === undefined) {
    state.generated = obj.status?.inventory?.length ?? 0;
    ctx.log.info(`No drift detected, ${state.generated} artifact(s) up to date`);
    return Result.Success;
  }
  state.drift = drift;
  conditions.markReconciling(obj, ProgressingReason, MsgInProgress);
  conditions.markUnknown(obj, ReadyCondition, ProgressingReason, MsgInProgress);
  ctx.log.info({ reason: drift }, MsgInProgress);
  await ctx.patcher.patch(obj, {
    ownedConditions: artifactGeneratorConditions.owned,
    fieldManager: opts.controllerName ?? 'source-watcher',
    signal: ctx.signal,
  });

  let dirs: Map<string, string>;
  try {
    dirs = await fetchSources(sources, state.dir, {
      retries: opts.httpRetry,
      retryWaitMinMs: opts.httpRetryWaitMinMs,
      hostOverride: opts.sourceHostOverride,
      signal: ctx.signal,
    });
  } catch (err) {
    throw new WaitingError(
      `fetch sources failed: ${errMessage(err)}`,
      ArtifactGeneratorConstants.SourceFetchFailedReason,
      opts.requeueDependency ?? 5000,
      { cause: err, event: 'Warning' },
    );
  }

  const refs: ExternalArtifactReference[] = [];
  for (const spec of obj.spec.artifacts) {
    let artifact: StoredArtifact;
    try {
      artifact = await buildArtifact({
        storage: opts.storage,
        spec,
        sources: dirs,
        namespace: obj.metadata.namespace ?? '',
        workspace: state.dir,
        signal: ctx.signal,
      });
    } catch (err) {
      throw new GenericError(`${spec.name} build failed: ${errMessage(err)}`, BuildFailedReason, { cause: err });
    }
    artifact = setArtifactRevisions(artifact, spec, sources);
    try {
      refs.push(await reconcileExternalArtifact(obj, artifact, spec.name, state));
    } catch (err) {
      throw new GenericError(`${spec.name} reconcile failed: ${errMessage(err)}`, ReconciliationFailedReason, {
        cause: err,
      });
    }
  }

  const keep = new Set(refs.map((r) => `${r.namespace}/${r.name}`));
  const orphans = (obj.status?.inventory ?? []).filter((r) => !keep.has(`${r.namespace}/${r.name}`));
  if (orphans.length > 0) await finalizeExternalArtifacts(orphans, opts, ctx);
  for (const ref of refs) {
    try {
      const deleted = await opts.storage.garbageCollect({ path: storagePath(opts.storage, ref, ref.filename) });
      if (deleted.length > 0)
        ctx.log.info({ artifacts: deleted }, `garbage collected ${deleted.length} old artifact(s)`);
    } catch (err) {
      ctx.log.error({ err: errMessage(err) }, 'failed to garbage collect artifacts');
    }
  }

  obj.status = { ...obj.status, inventory: refs, observedSourcesDigest: state.sourcesDigest ?? '' };
  state.generated = refs.length;
  return Result.Success;
}

/** The ordered steps of an ArtifactGenerator reconcile. */
export const artifactGeneratorSteps: readonly ReconcileStep<ArtifactGenerator, ArtifactGeneratorState>[] = [
  { name: 'validateSpec', run: reconcileValidation },
  { name: 'observeSources', run: reconcileSources },
  { name: 'reconcileArtifacts', run: reconcileArtifacts },
];

/** Reconciles ArtifactGenerators. */
export class ArtifactGeneratorReconciler {
  /** The reconcile function for `controllerBuilder(...).complete()`. */
  readonly reconcile: (req: Request, ctx: ReconcileContext) => Promise<RequeueResult>;

  constructor(opts: ArtifactGeneratorReconcilerOptions) {
    const fieldManager = opts.controllerName ?? 'source-watcher';
    const shape = {
      gvk: ArtifactGeneratorGVK,
      reader: opts.reader,
      patchClient: opts.client,
      conditions: artifactGeneratorConditions,
      fieldManager,
      finalizer: ArtifactGeneratorConstants.Finalizer,
      finalizerMode: 'requeue' as const,
      decode: (raw: KubeObject) => normalizeArtifactGenerator(raw).object,
      finalize: async (obj: ArtifactGenerator, ctx: LoopContext<ArtifactGenerator>) => {
        await finalizeExternalArtifacts(obj.status?.inventory ?? [], opts, ctx);
      },
      open: async (_obj: ArtifactGenerator, ctx: LoopContext<ArtifactGenerator>): Promise<ArtifactGeneratorState> => ({
        opts,
        ctx,
        dir: await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ag-')),
      }),
      close: async (state: ArtifactGeneratorState) => rm(state.dir, { recursive: true, force: true }),
      steps: artifactGeneratorSteps,
      exit: (
        obj: ArtifactGenerator,
        outcome: LoopOutcome<ArtifactGeneratorState>,
        ctx: LoopContext<ArtifactGenerator>,
      ): ExitOptions<ArtifactGenerator> => {
        const generated = outcome.state?.generated ?? obj.status?.inventory?.length ?? 0;
        const message = `reconciliation succeeded, generated ${generated} artifact(s)`;
        return {
          interval: GeneratorInterval,
          jitterPercent: opts.jitterPercent,
          recorder: opts.recorder,
          log: ctx.log,
          readyFromError: true,
          failureReason: ReconciliationFailedReason,
          readyOnSuccess: { reason: SucceededReason, message },
          ...(outcome.state?.drift !== undefined ? { successEvent: { reason: ReadyCondition, message } } : {}),
        };
      },
    };
    const inner = reconcileWith<ArtifactGenerator, ArtifactGeneratorState>(shape);
    this.reconcile = async (req, rctx) => {
      // upstream pauses after the finalizer is in place, before anything else, and writes nothing
      const obj = await fetchForReconcile(shape, req, rctx);
      if (obj && !isDeleting(obj) && hasFinalizer(obj, ArtifactGeneratorConstants.Finalizer) && isDisabled(obj)) {
        rctx.log.error({ err: "can't reconcile" }, MsgReconciliationDisabled);
        void opts.recorder?.event(obj, {
          type: 'Warning',
          reason: ArtifactGeneratorConstants.ReconciliationDisabledReason,
          message: MsgReconciliationDisabled,
        });
        return {};
      }
      return inner(req, rctx);
    };
  }
}
