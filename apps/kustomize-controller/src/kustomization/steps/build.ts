/**
 * The build step: the SOPS decryptor of `spec.decryption`, the postBuild variables, then `buildManifests` (kustomize
 * confined to the artifact, SOPS, substitution). A Secret still SOPS-encrypted without decryption configured fails;
 * the built objects get the owner labels, and their digest feeds `status.history`.
 */
import { createHash } from 'node:crypto';
import { BuildFailedReason, KustomizeOwnerLabels, ReconciliationFailedReason } from '@flux-ts/api';
import { toYaml } from '@flux-ts/kustomize';
import { GenericError, Result, StallingError, errMessage, isNotFound } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { ArtifactFailedReason } from '@flux-ts/api';
import { BuildError, buildManifests } from '../build.ts';
import type { BuiltObject } from '../build.ts';
import {
  DecryptionAgeExt,
  DecryptionProviderSOPS,
  Decryptor,
  isDecryptionDisabled,
  isEncryptedSecret,
} from '../decryptor.ts';
import type { KustomizationObject, KustomizationState } from '../state.ts';

/** The owner labels of the objects a Kustomization applies. */
export function ownerLabels(obj: KustomizationObject): Record<string, string> {
  return {
    [KustomizeOwnerLabels.Name]: obj.metadata.name ?? '',
    [KustomizeOwnerLabels.Namespace]: obj.metadata.namespace ?? '',
  };
}

/**
 * The decryptor of `spec.decryption` (undefined when unset): keys from `secretRef` (`*.agekey`, `*.asc`), else
 * the `--sops-age-secret` fallback (`*.agekey` only). Failures are BuildFailed, as in Flux.
 */
async function decryptorFor(obj: KustomizationObject, state: KustomizationState): Promise<Decryptor | undefined> {
  const dec = obj.spec.decryption;
  if (!dec) return undefined;
  if (dec.provider !== DecryptionProviderSOPS)
    throw new StallingError(`unsupported decryption provider '${String(dec.provider)}'`, BuildFailedReason);
  const fallback = state.opts.sopsAgeSecret;
  const ref = dec.secretRef?.name
    ? { namespace: obj.metadata.namespace ?? '', name: dec.secretRef.name, fallback: false }
    : fallback
      ? { ...fallback, fallback: true }
      : undefined;
  if (!ref) return new Decryptor();
  const what = ref.fallback ? 'SOPS age decryption' : 'decryption';
  let secret: KubeObject & { data?: Record<string, string> };
  try {
    secret = await state.opts.client.get({ apiVersion: 'v1', kind: 'Secret' }, ref, { signal: state.signal });
  } catch (err) {
    const msg = isNotFound(err)
      ? errMessage(err)
      : `cannot get ${DecryptionProviderSOPS} ${what} Secret '${ref.namespace}/${ref.name}': ${errMessage(err)}`;
    throw new GenericError(msg, BuildFailedReason, { cause: err });
  }
  const data = Object.fromEntries(
    Object.entries(secret.data ?? {}).filter(([k]) => !ref.fallback || k.endsWith(DecryptionAgeExt)),
  );
  try {
    return await Decryptor.fromSecretData(data, `${ref.namespace}/${ref.name}`);
  } catch (err) {
    throw new GenericError(errMessage(err).replace(' decryption Secret', ` ${what} Secret`), BuildFailedReason, {
      cause: err,
    });
  }
}

/** postBuild variables: substituteFrom in order (later wins), then `substitute` (newlines stripped). */
async function postBuildVars(
  obj: KustomizationObject,
  state: KustomizationState,
): Promise<Record<string, string> | undefined> {
  const pb = obj.spec.postBuild;
  if (!pb) return undefined;
  const vars: Record<string, string> = {};
  const ns = obj.metadata.namespace ?? '';
  for (const ref of pb.substituteFrom ?? []) {
    const kind = ref.kind === 'Secret' ? 'Secret' : 'ConfigMap';
    let src: KubeObject & { data?: Record<string, string> };
    try {
      src = await state.opts.client.get(
        { apiVersion: 'v1', kind },
        { namespace: ns, name: ref.name },
        { signal: state.signal },
      );
    } catch (err) {
      if (isNotFound(err) && ref.optional) continue;
      throw new BuildError(`substitute from '${kind}/${ref.name}' failed: ${errMessage(err)}`, { cause: err });
    }
    for (const [k, v] of Object.entries(src.data ?? {}))
      vars[k] = kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
  }
  for (const [k, v] of Object.entries(pb.substitute ?? {})) vars[k] = v.replaceAll('\n', '');
  return vars;
}

/** Sets `state.objects` and `state.built`. */
export async function reconcileBuild(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const { opts } = state;
  if (state.dir === undefined) throw new Error('internal error: no artifact fetched');
  const decryptor = await decryptorFor(obj, state);
  let objects: BuiltObject[];
  try {
    objects = await buildManifests({
      root: state.dir,
      spec: obj.spec,
      vars: await postBuildVars(obj, state),
      strictSubstitutions: opts.featureGates?.StrictPostBuildSubstitutions ?? true,
      decryptor,
      remoteBases: !(opts.noRemoteBases ?? false),
      tmpDir: opts.tmpDir,
      signal: state.signal,
    });
  } catch (err) {
    if (err instanceof BuildError)
      throw new GenericError(err.message, err.pathNotFound ? ArtifactFailedReason : BuildFailedReason, {
        cause: err,
      });
    throw err;
  }
  for (const o of objects)
    if (isEncryptedSecret(o) && !isDecryptionDisabled(o))
      throw new GenericError(
        `Secret/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} is SOPS encrypted, configuring decryption is required for this secret to be reconciled`,
        ReconciliationFailedReason,
      );
  state.built.digest = `sha256:${createHash('sha256').update(toYaml(objects)).digest('hex')}`;
  state.built.revision = state.revision;
  for (const o of objects) o.metadata = { ...o.metadata, labels: { ...o.metadata.labels, ...state.owner } };
  state.objects = objects;
  return Result.Success;
}
