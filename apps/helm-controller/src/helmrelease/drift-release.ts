/**
 * Drift in the atomic release (helm-controller `DetermineReleaseState`'s drift check, the Drifted case of
 * `AtomicRelease.actionForState` and the `CorrectClusterDrift` action reconciler): with `driftDetection.mode` warn or
 * enabled, a deployed release that is otherwise in sync is diffed against the cluster (drift.ts); drift gives a
 * Warning event DriftDetected and `Drifted=True` (reason DriftDetected, the event's message), and with mode enabled
 * the `correct cluster drift` action recreates and patches the objects, reported by a DriftCorrected or
 * DriftCorrectionFailed event. A release in sync with drift detection on is `Drifted=False` NoDriftDetected; with
 * drift detection off the condition is removed.
 */
import {
  HelmDriftDetectionModes,
  HelmEventMetadata,
  HelmReleaseDefaults,
  HelmReleaseConditions,
  HelmReleaseReasons,
  ProgressingReason,
  ReadyCondition,
} from '@flux-ts/api';
import type { HelmRelease } from '@flux-ts/api';
import type { Release } from '@flux-ts/helm';
import { conditions, parseGoDuration } from '@flux-ts/runtime';
import type { KubeClient } from '@flux-ts/runtime';
import {
  applyDiff,
  diffRelease,
  hasChanges,
  mustDetectChanges,
  summarizeDiffSet,
  summarizeDiffSetBrief,
} from './drift.ts';
import type { Diff } from './drift.ts';
import type { ReleaseRequest } from './release.ts';

export type { Diff } from './drift.ts';

/** The cluster side of drift detection. */
export interface DriftContext {
  /** The client of the release's cluster (dry-run applies, reads, corrections). */
  client: KubeClient;
  /** The field manager of the dry-run apply and of the corrections (`helm-controller`). */
  fieldManager: string;
  /** `--override-manager`. */
  overrideManagers?: readonly string[] | undefined;
}

/** `Drifted=False` message of a release in sync (upstream's literal). */
export const NoDriftMessage = 'No drift detected against the cluster state.';

const currentName = (hr: HelmRelease): string => {
  const cur = hr.status?.history?.[0];
  return cur ? `${cur.namespace}/${cur.name}.v${cur.version}` : '';
};

/**
 * The drift of the last (deployed) release, or undefined when none or drift detection is off. A diff that failed
 * for some objects still reports the drift of the others; one that failed without finding drift throws
 * `unable to determine cluster state: …`.
 */
export async function detectDrift(
  req: ReleaseRequest,
  last: Release,
): Promise<{ detail: string; diffs: Diff[] } | undefined> {
  if (!mustDetectChanges(req.hr) || req.drift === undefined) return undefined;
  const { diffs, error } = await diffRelease(
    req.drift.client,
    { manifest: last.manifest ?? '', name: last.name ?? '', namespace: last.namespace ?? '' },
    {
      fieldManager: req.drift.fieldManager,
      ignore: req.hr.spec.driftDetection?.ignore ?? [],
      ...(req.drift.overrideManagers ? { overrideManagers: req.drift.overrideManagers } : {}),
      signal: req.signal,
    },
  );
  const changed = hasChanges(diffs);
  if (error !== undefined) {
    if (!changed) throw new Error(`unable to determine cluster state: ${error.message}`, { cause: error });
    req.log.error({ err: error.message }, 'diff of release against cluster state completed with error');
  }
  return changed ? { detail: summarizeDiffSetBrief(diffs), diffs } : undefined;
}

/** In sync: `Drifted=False` NoDriftDetected with drift detection on, no Drifted condition with it off. */
export function markNoDrift(hr: HelmRelease): void {
  if (mustDetectChanges(hr))
    conditions.markFalse(hr, HelmReleaseConditions.Drifted, HelmReleaseReasons.NoDriftDetected, NoDriftMessage);
  else conditions.remove(hr, HelmReleaseConditions.Drifted);
}

/** Drift found: the DriftDetected event and `Drifted=True`; true when the drift is to be corrected (mode enabled). */
export function driftDetected(req: ReleaseRequest, diffs: readonly Diff[]): boolean {
  const hr = req.hr;
  for (const d of diffs)
    if (d.type === 'create' || d.type === 'update')
      req.log.debug(
        { resource: d.subject, ...(d.type === 'update' && d.desired.kind !== 'Secret' ? { patch: d.patch } : {}) },
        d.type === 'create' ? 'resource deleted' : 'resource modified',
      );
  const msg = `Cluster state of release ${currentName(hr)} has drifted from the desired state:\n${summarizeDiffSet(diffs)}`;
  conditions.markTrue(hr, HelmReleaseConditions.Drifted, HelmReleaseReasons.DriftDetected, msg);
  // fire-and-forget: recorder.event never rejects (it logs its own failures)
  if (req.recorder)
    void req.recorder.event(hr, { type: 'Warning', reason: HelmReleaseReasons.DriftDetected, message: msg });
  return (hr.spec.driftDetection?.mode ?? HelmDriftDetectionModes.Disabled) === HelmDriftDetectionModes.Enabled;
}

/** The `correct cluster drift` action: applies the diff within `spec.timeout` and reports it in an event. */
export async function correctClusterDrift(req: ReleaseRequest, diffs: readonly Diff[]): Promise<void> {
  const hr = req.hr;
  if (req.drift === undefined || diffs.length === 0) return;
  conditions.markUnknown(hr, ReadyCondition, ProgressingReason, 'correcting cluster drift');
  const signal = AbortSignal.any([
    req.signal,
    AbortSignal.timeout(parseGoDuration(hr.spec.timeout ?? HelmReleaseDefaults.timeout)),
  ]);
  const result = await applyDiff(req.drift.client, diffs, req.drift.fieldManager, signal);
  const cur = hr.status?.history?.[0];
  const metadata = {
    [HelmEventMetadata.Revision]: cur?.chartVersion ?? '',
    [HelmEventMetadata.Token]: cur?.configDigest ?? '',
  };
  const changes = result.changeSet.entries.length;
  let type: 'Normal' | 'Warning';
  let reason: string;
  let message: string;
  if (result.error !== undefined) {
    type = 'Warning';
    reason = HelmReleaseReasons.DriftCorrectionFailed;
    message = `Failed to ${changes > 0 ? 'partially ' : ''}correct cluster state of release ${currentName(hr)}:\n${
      result.error.message
    }${changes > 0 ? `\n\nSuccessful corrections:\n${result.changeSet.toString()}` : ''}`;
  } else if (changes > 0) {
    type = 'Normal';
    reason = HelmReleaseReasons.DriftCorrected;
    message = `Cluster state of release ${currentName(hr)} has been corrected:\n${result.changeSet.toString()}`;
  } else return;
  // fire-and-forget: recorder.event never rejects (it logs its own failures)
  if (req.recorder) void req.recorder.event(hr, { type, reason, message, metadata });
}
