/**
 * The fetch step: records `lastAttemptedRevision`, shows "Fetching manifests for revision … with a timeout of …" on
 * Reconciling, and extracts the artifact (digest checked, safe extract) into a fresh directory that the reconciler
 * removes when the run ends. Download failures are ArtifactFailed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactFailedReason, ProgressingReason } from '@flux-ts/api';
import { fetchArtifact } from '@flux-ts/artifact';
import { GenericError, Result, conditions, errMessage, formatGoDuration } from '@flux-ts/runtime';
import type { KustomizationObject, KustomizationState } from '../state.ts';

/** Sets `state.signal` (bounded by `spec.timeout`) and `state.dir`. */
export async function reconcileFetch(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const { opts } = state;
  const artifact = state.artifact;
  if (!artifact || state.revision === undefined) throw new Error('internal error: no source artifact resolved');
  obj.status ??= {};
  obj.status.lastAttemptedRevision = state.revision;
  conditions.markReconciling(
    obj,
    ProgressingReason,
    `Fetching manifests for revision ${state.revision} with a timeout of ${formatGoDuration(state.timeout)}`,
  );
  state.signal = AbortSignal.any([state.ctx.signal, AbortSignal.timeout(state.timeout)]);
  state.dir = await mkdtemp(
    join(opts.tmpDir ?? tmpdir(), `kustomization-${obj.metadata.namespace}-${obj.metadata.name}-`),
  );
  try {
    await fetchArtifact({
      url: artifact.url,
      digest: artifact.digest ?? '',
      dir: state.dir,
      signal: state.signal,
      hostOverride: opts.sourceHostOverride,
      retries: opts.httpRetry ?? 9,
      ...(opts.httpRetryWaitMinMs !== undefined ? { retryWaitMinMs: opts.httpRetryWaitMinMs } : {}),
    });
  } catch (err) {
    throw new GenericError(errMessage(err), ArtifactFailedReason, { cause: err });
  }
  return Result.Success;
}
