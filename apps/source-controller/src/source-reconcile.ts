/**
 * The pieces every source reconciler shares besides storage (source-storage.ts): the exit options, events, Secret
 * data, the per-reconcile working directory, the status patch in the middle of a run, and the directory plus lock
 * taken before an artifact is written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceReasons, StorageOperationFailedCondition } from '@flux-ts/api';
import type { Artifact, Storage } from '@flux-ts/artifact';
import { GenericError, conditions, errMessage, parseGoDuration, withContext } from '@flux-ts/runtime';
import type {
  EventSink,
  ExitOptions,
  KubeObject,
  Logger,
  LoopContext,
  ObjectReader,
  PatchClient,
  ReconcileConditions,
  ReconcileStep,
  ReconcilerShape,
  SerialPatcher,
  StatusObject,
} from '@flux-ts/runtime';
import { garbageCollectArtifacts } from './source-storage.ts';
import type { SourceObject } from './source-storage.ts';

/** The event types a source reconciler records. */
export type SourceEventType = 'Normal' | 'Warning' | 'Trace';

/** The exit options of a source: interval with jitter, the recorder, and the artifact revision in logs and events. */
export function sourceExit<T extends SourceObject>(
  obj: T,
  ctx: LoopContext<T>,
  o: { intervalMs: number; jitterPercent?: number | undefined; recorder?: EventSink | undefined },
): ExitOptions<T> {
  const revision = obj.status?.artifact?.revision;
  return {
    interval: o.intervalMs,
    jitterPercent: o.jitterPercent ?? 5,
    recorder: o.recorder,
    log: revision ? withContext(ctx.log, { revision }) : ctx.log,
    ...(revision ? { eventMetadata: { revision } } : {}),
  };
}

/** Records an event (fire and forget: the recorder logs its own failures and the reconcile does not wait). */
export function sourceEvent(
  recorder: EventSink | undefined,
  obj: KubeObject,
  type: SourceEventType,
  reason: string,
  message: string,
  metadata?: Record<string, string>,
): void {
  void recorder?.event(obj, { type, reason, message, ...(metadata ? { metadata } : {}) });
}

/** The decoded data of a Secret (uncached read). */
export async function readSecretData(
  reader: ObjectReader,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<Record<string, Uint8Array>> {
  const secret = await reader.get<KubeObject & { data?: Record<string, string> }>(
    { apiVersion: 'v1', kind: 'Secret' },
    { namespace, name },
    { signal },
  );
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

/** The working directory of one reconcile (StorageOperationFailed DirectoryCreationFailed when it cannot be made). */
export async function makeWorkDir(obj: StatusObject, kind: string, parent: string | undefined): Promise<string> {
  try {
    const dir = await mkdtemp(
      join(parent ?? tmpdir(), `${kind.toLowerCase()}-${obj.metadata.namespace ?? ''}-${obj.metadata.name}-`),
    );
    conditions.remove(obj, StorageOperationFailedCondition);
    return dir;
  } catch (err) {
    const e = new GenericError(
      `failed to create temporary working directory: ${errMessage(err)}`,
      SourceReasons.DirCreationFailedReason,
      { cause: err },
    );
    conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
    throw e;
  }
}

/** Patches the status in the middle of a run (a progress report); a failure is a PatchOperationFailed error. */
export async function patchProgress<T extends StatusObject>(
  obj: T,
  state: { patcher: SerialPatcher<T>; signal: AbortSignal },
  owned: readonly string[],
  fieldManager: string,
): Promise<void> {
  try {
    await state.patcher.patch(obj, { ownedConditions: owned, fieldManager, signal: state.signal });
  } catch (err) {
    throw new GenericError(errMessage(err), SourceReasons.PatchOperationFailedReason, { cause: err });
  }
}

/**
 * Creates the artifact's directory and takes its lock (StorageOperationFailed DirectoryCreationFailed or
 * AcquireLockFailed); resolves to the release function.
 */
export async function lockArtifact(
  obj: StatusObject,
  storage: Storage,
  artifact: Pick<Artifact, 'path'>,
): Promise<() => Promise<void>> {
  const fail = (message: string, reason: string, cause: unknown): GenericError => {
    const e = new GenericError(`${message}: ${errMessage(cause)}`, reason, { cause });
    conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
    return e;
  };
  try {
    await storage.mkdirFor(artifact);
  } catch (err) {
    throw fail('failed to create artifact directory', SourceReasons.DirCreationFailedReason, err);
  }
  try {
    return await storage.lock(artifact);
  } catch (err) {
    throw fail('failed to acquire lock for artifact', SourceReasons.AcquireLockFailedReason, err);
  }
}

/** Marks StorageOperationFailed ArchiveOperationFailed with `<message>: <cause>` and returns the error to throw. */
export function archiveFailed(obj: StatusObject, message: string, cause: unknown): GenericError {
  const e = new GenericError(`${message}: ${errMessage(cause)}`, SourceReasons.ArchiveOperationFailedReason, {
    cause,
  });
  conditions.markTrue(obj, StorageOperationFailedCondition, e.reason, e.message);
  return e;
}

/** The URL of `<object dir>/<linkName>`, the file next to an artifact (`index.yaml`, `<chart>-latest.tgz`). */
export function siblingURL(storage: Storage, artifactPath: string, linkName: string): string {
  return storage.artifactURL(`${artifactPath.slice(0, artifactPath.lastIndexOf('/'))}/${linkName}`);
}

/**
 * Points `<object dir>/<linkName>` at the artifact (upstream `Storage.Symlink`) and returns the link's URL for
 * `status.url`; a failure is a Warning `SymlinkUpdateFailed` event, not an error, and gives undefined.
 */
export async function linkArtifact(
  storage: Storage,
  artifact: Pick<Artifact, 'path'>,
  linkName: string,
  event: (type: SourceEventType, reason: string, message: string) => void,
): Promise<string | undefined> {
  try {
    await storage.symlink(artifact, linkName);
    return siblingURL(storage, artifact.path, linkName);
  } catch (err) {
    event(
      'Warning',
      SourceReasons.SymlinkUpdateFailedReason,
      `failed to update status URL symlink: ${errMessage(err)}`,
    );
    return undefined;
  }
}

/** The state every source reconcile opens: its working directory, log, signal and patcher. */
export interface SourceWorkState<T extends StatusObject> {
  dir: string;
  log: Logger;
  signal: AbortSignal;
  patcher: SerialPatcher<T>;
}

/** What a source reconciler gives {@link sourceReconcilerShape}: its kind and table, and its steps. */
export interface SourceShapeSpec<
  T extends SourceObject & { spec: { interval: string } },
  S extends SourceWorkState<T>,
> {
  kind: string;
  gvk: { apiVersion: string; kind: string };
  conditions: ReconcileConditions;
  decode: (raw: KubeObject) => T;
  reader: ObjectReader;
  patchClient: PatchClient;
  fieldManager: string;
  storage: Storage;
  tmpDir?: string | undefined;
  jitterPercent?: number | undefined;
  recorder?: EventSink | undefined;
  steps: readonly ReconcileStep<T, S>[];
  event: (obj: T, type: SourceEventType, reason: string, message: string) => void;
  notify: NonNullable<ReconcilerShape<T, S>['notify']>;
}

/**
 * The reconcile shape the sources share: progressive status at start (PatchOperationFailed on a failed patch),
 * artifact GC on deletion, a fresh working directory per run (removed after), the interval exit.
 */
export function sourceReconcilerShape<
  T extends SourceObject & { spec: { interval: string } },
  S extends SourceWorkState<T>,
>(spec: SourceShapeSpec<T, S>): ReconcilerShape<T, S> {
  return {
    gvk: spec.gvk,
    reader: spec.reader,
    patchClient: spec.patchClient,
    conditions: spec.conditions,
    fieldManager: spec.fieldManager,
    finalizerMode: 'requeue',
    decode: spec.decode,
    start: { inProgress: true, patchOnRequest: true, patchFailureReason: SourceReasons.PatchOperationFailedReason },
    finalize: async (obj, ctx) => {
      await garbageCollectArtifacts(obj, {
        storage: spec.storage,
        kind: spec.kind,
        event: (t, r, m) => spec.event(obj, t, r, m),
        log: ctx.log,
      });
    },
    // S adds only optional fields to the work state, filled in by the steps
    open: async (obj, ctx) =>
      ({
        dir: await makeWorkDir(obj, spec.kind, spec.tmpDir),
        log: ctx.log,
        signal: ctx.signal,
        patcher: ctx.patcher,
      }) as S,
    steps: spec.steps,
    close: (state) => rm(state.dir, { recursive: true, force: true }).catch(() => undefined),
    notify: spec.notify,
    exit: (obj, _outcome, ctx) =>
      sourceExit(obj, ctx, {
        intervalMs: parseGoDuration(obj.spec.interval),
        jitterPercent: spec.jitterPercent,
        recorder: spec.recorder,
      }),
  };
}
