/**
 * The source step (kustomize-controller `getSource` and the artifact check of `Reconcile`): resolves `spec.sourceRef`
 * from the cache and its artifact. A missing source or artifact waits (ArtifactFailed, requeued after
 * `retryInterval`); a cross-namespace reference with `--no-cross-namespace-refs`, an unknown kind or an ExternalArtifact
 * without the `ExternalArtifact` feature gate stalls.
 */
import { AccessDeniedReason, ArtifactFailedReason, SourceGroupVersion } from '@flux-ts/api';
import type { Artifact, KustomizationSpec } from '@flux-ts/api';
import { Result, StallingError, WaitingError, isNotFound, withContext } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import type { KustomizationObject, KustomizationState } from '../state.ts';

/** Source kinds a Kustomization may reference (ExternalArtifact with its feature gate). */
export const SourceKinds = ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact'] as const;

/** The feature gate that allows ExternalArtifact sources (upstream `features.ExternalArtifact`). */
const ExternalArtifactGate = 'ExternalArtifact';

interface SourceObject extends KubeObject {
  status?: { artifact?: Artifact };
}

function sourceRefString(ref: KustomizationSpec['sourceRef'], defaultNs: string): string {
  return `${ref.kind}/${ref.namespace || defaultNs}/${ref.name}`;
}

/** Sets `state.artifact`, `state.revision` and the revision on the log. */
export async function reconcileSource(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const { opts } = state;
  const ref = obj.spec.sourceRef;
  const ns = obj.metadata.namespace ?? '';
  const sourceNs = ref.namespace || ns;
  if (opts.noCrossNamespaceRefs && sourceNs !== ns) {
    throw new StallingError(
      `cannot access ${ref.kind}/${sourceNs}/${ref.name}, cross-namespace references have been disabled`,
      AccessDeniedReason,
    );
  }
  if (!(SourceKinds as readonly string[]).includes(ref.kind))
    throw new StallingError(`source '${ref.kind}' kind is not supported`, ArtifactFailedReason);
  const gates: Readonly<Record<string, boolean | undefined>> = opts.featureGates ?? {};
  if (ref.kind === 'ExternalArtifact' && gates[ExternalArtifactGate] !== true)
    throw new StallingError(
      `can't access '${ref.kind}/${sourceNs}/${ref.name}', ${ExternalArtifactGate} feature gate is disabled`,
      AccessDeniedReason,
    );
  let src: SourceObject;
  try {
    // The cache holds the storage version of each source kind, whatever version the reference names.
    const apiVersion = opts.reader ? SourceGroupVersion : ref.apiVersion || SourceGroupVersion;
    src = await (opts.reader ?? opts.client).get<SourceObject>(
      { apiVersion, kind: ref.kind },
      { namespace: sourceNs, name: ref.name },
      { signal: state.ctx.signal },
    );
  } catch (err) {
    if (isNotFound(err))
      throw new WaitingError(
        `Source '${sourceRefString(ref, ns)}' not found`,
        ArtifactFailedReason,
        state.retryInterval,
        { cause: err },
      );
    throw new Error(`failed to get source '${sourceRefString(ref, ns)}'`, { cause: err });
  }
  const artifact = src.status?.artifact;
  if (!artifact?.url || !artifact.revision)
    throw new WaitingError('Source is not ready, artifact not found', ArtifactFailedReason, state.retryInterval);
  state.artifact = artifact;
  state.revision = artifact.revision;
  state.log = withContext(state.ctx.log, { revision: artifact.revision });
  return Result.Success;
}
