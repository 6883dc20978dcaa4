/**
 * The storage side every source reconciler shares (source-controller's `reconcileStorage` and
 * `garbageCollect`): verifying the recorded artifact against storage, refreshing its URL, Flux's retention GC and
 * the removal of all artifacts of a deleted object.
 */
import { rm } from 'node:fs/promises';
import { ArtifactInStorageCondition, ProgressingReason, SourceReasons } from '@flux-ts/api';
import type { Artifact, Storage } from '@flux-ts/artifact';
import { GenericError, conditions, errMessage, isDeleting, progressiveStatus } from '@flux-ts/runtime';
import type { Logger, StatusObject } from '@flux-ts/runtime';

/** Emits one event on the object (fire and forget). */
export type SourceEventFn = (type: 'Normal' | 'Warning' | 'Trace', reason: string, message: string) => void;

/** A source object: status with an optional artifact and URL. */
export type SourceObject = StatusObject & {
  status?: { artifact?: Artifact | undefined; url?: string | undefined } & Record<string, unknown>;
};

/** What the storage helpers need. */
export interface SourceStorageContext {
  storage: Storage;
  /** The kind, for the storage layout (`<lowercase kind>/<ns>/<name>`). */
  kind: string;
  event: SourceEventFn;
  log: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * Flux's retention after a store, or the removal of every artifact of a deleted object or with `removeAll` (then
 * `status.artifact` is dropped). GC failures of a live object are logged and reported, not returned.
 */
export async function garbageCollectArtifacts(
  obj: SourceObject,
  ctx: SourceStorageContext,
  opts: { removeAll?: boolean } = {},
): Promise<void> {
  const { storage } = ctx;
  if (isDeleting(obj) || opts.removeAll) {
    try {
      const removed = await storage.removeAll(ctx.kind, obj.metadata.namespace ?? '', obj.metadata.name);
      if (removed)
        ctx.event(
          'Trace',
          SourceReasons.GarbageCollectionSucceededReason,
          'garbage collected artifacts for deleted resource',
        );
    } catch (err) {
      throw new GenericError(
        `garbage collection for deleted resource failed: ${errMessage(err)}`,
        SourceReasons.GarbageCollectionFailedReason,
        { cause: err },
      );
    }
    if (obj.status) delete obj.status.artifact;
    return;
  }
  const artifact = obj.status?.artifact;
  if (!artifact) return;
  try {
    const deleted = await storage.garbageCollect(artifact);
    if (deleted.length > 0)
      ctx.event(
        'Trace',
        SourceReasons.GarbageCollectionSucceededReason,
        `garbage collected ${deleted.length} artifacts`,
      );
  } catch (err) {
    ctx.log.error({ err: errMessage(err) }, 'garbage collection of artifacts failed');
    ctx.event(
      'Warning',
      SourceReasons.GarbageCollectionFailedReason,
      `garbage collection of artifacts failed: ${errMessage(err)}`,
    );
  }
}

/**
 * The storage step: garbage-collects, drops a recorded artifact that is gone from storage or whose digest no
 * longer matches (reporting "building artifact"), removes ArtifactInStorage without an artifact, and refreshes the
 * artifact URL (and `status.url`, when `urlOf` gives it) from the advertised address.
 */
export async function reconcileSourceStorage(
  obj: SourceObject,
  ctx: SourceStorageContext,
  urlOf?: (artifact: Artifact) => string | undefined,
): Promise<void> {
  await garbageCollectArtifacts(obj, ctx);
  const status = (obj.status ??= {});
  let missing = false;
  const artifact = status.artifact;
  if (artifact) {
    if (!(await ctx.storage.exists(artifact))) missing = true;
    else {
      try {
        await ctx.storage.verify(artifact, ctx.signal);
      } catch (err) {
        ctx.event(
          'Warning',
          SourceReasons.ArtifactVerificationFailedReason,
          `failed to verify integrity of artifact: ${errMessage(err)}`,
        );
        await rm(ctx.storage.localPath(artifact), { force: true });
        missing = true;
      }
    }
    if (missing) delete status.artifact;
  }
  if (!status.artifact) {
    progressiveStatus(
      obj,
      missing ? 'building artifact: disappeared from storage' : 'building artifact',
      ProgressingReason,
      {
        keepFailure: true,
      },
    );
    conditions.remove(obj, ArtifactInStorageCondition);
    return;
  }
  status.artifact = ctx.storage.withCurrentURL(status.artifact);
  const url = urlOf?.(status.artifact);
  if (url !== undefined) status.url = url;
}
