/**
 * The apply step: the client that applies (a `spec.kubeConfig` Secret's or workload-identity ConfigMap's cluster
 * and/or the impersonated `serviceAccountName`/`--default-service-account`), then the staged server-side apply of the built objects with
 * Flux's per-object policies and `spec.ignore` rules. Failures are ReconciliationFailed.
 */
import { ReconciliationFailedReason } from '@flux-ts/api';
import type { Kustomization } from '@flux-ts/api';
import { selectTargets } from '@flux-ts/kustomize';
import {
  GenericError,
  KubeClient,
  Result,
  StallingError,
  UnsupportedKubeConfigProviderError,
  errMessage,
  kubeConfigFromConfigMap,
} from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { ResourceManager, fluxCleanupOptions } from '@flux-ts/ssa';
import { ApplyFieldManager } from '../conditions.ts';
import type { BuiltObject } from '../build.ts';
import type { KustomizationObject, KustomizationReconcilerOptions, KustomizationState } from '../state.ts';

/** `spec.ignore`: the JSON pointers each built object's apply leaves alone (rules without a target match all). */
export function ignoreRulesOf(
  spec: Kustomization['spec'],
  objects: readonly BuiltObject[],
): ((obj: KubeObject) => readonly string[]) | undefined {
  const rules = spec.ignore ?? [];
  if (rules.length === 0) return undefined;
  const byObject = new Map<KubeObject, string[]>();
  for (const rule of rules) {
    const selected = rule.target ? selectTargets(objects, rule.target) : objects;
    for (const o of selected) byObject.set(o, [...(byObject.get(o) ?? []), ...rule.paths]);
  }
  return (o) => byObject.get(o) ?? [];
}

/** The client that applies, prunes and health-checks: remote cluster and/or impersonated service account. */
export async function applyClientFor(
  obj: KustomizationObject,
  opts: KustomizationReconcilerOptions,
  signal: AbortSignal,
): Promise<KubeClient> {
  let client = opts.client;
  const ns = obj.metadata.namespace ?? '';
  const kubeConfig = obj.spec.kubeConfig as
    { secretRef?: { name: string; key?: string }; configMapRef?: { name: string } } | undefined;
  if (!kubeConfig?.secretRef && kubeConfig?.configMapRef) {
    try {
      const remote = await kubeConfigFromConfigMap(
        client,
        ns,
        kubeConfig.configMapRef.name,
        opts.workloadIdentity ?? {},
        signal,
      );
      client = KubeClient.fromKubeConfig(remote.kubeConfig);
    } catch (err) {
      // a provider this build does not implement will not start working by retrying
      if (err instanceof UnsupportedKubeConfigProviderError)
        throw new StallingError(errMessage(err), ReconciliationFailedReason, { cause: err });
      throw new GenericError(errMessage(err), ReconciliationFailedReason, { cause: err });
    }
  } else if (kubeConfig?.secretRef) {
    const ref = kubeConfig.secretRef;
    let secret: KubeObject & { data?: Record<string, string> };
    try {
      secret = await client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace: ns, name: ref.name }, { signal });
    } catch (err) {
      throw new GenericError(
        `failed to get kubeconfig secret '${ns}/${ref.name}': ${errMessage(err)}`,
        ReconciliationFailedReason,
        { cause: err },
      );
    }
    try {
      client = KubeClient.fromKubeconfigSecret(secret, {
        ...(ref.key ? { key: ref.key } : {}),
        allowExec: opts.insecureKubeconfigExec ?? false,
        allowInsecureTLS: opts.insecureKubeconfigTls ?? false,
      });
    } catch (err) {
      throw new StallingError(
        `invalid kubeconfig secret '${ns}/${ref.name}': ${errMessage(err)}`,
        ReconciliationFailedReason,
        { cause: err },
      );
    }
  }
  const sa = obj.spec.serviceAccountName || opts.defaultServiceAccount;
  if (sa) client = client.impersonate(`system:serviceaccount:${ns}:${sa}`);
  return client;
}

/** The server-side apply manager of a Kustomization on `client`. */
export function resourceManagerFor(
  client: KubeClient,
  opts: KustomizationReconcilerOptions,
  log?: KustomizationState['log'],
): ResourceManager {
  return new ResourceManager({
    client,
    fieldManager: ApplyFieldManager,
    concurrency: opts.concurrentSsa ?? 4,
    cleanup: fluxCleanupOptions(opts.overrideManagers ?? [], ApplyFieldManager),
    ...(log ? { log } : {}),
  });
}

/** Sets `state.applyClient`, `state.manager` and `state.changeSet`. */
export async function reconcileApply(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const { opts } = state;
  const objects = state.objects;
  const signal = state.signal ?? state.ctx.signal;
  if (!objects) throw new Error('internal error: nothing built');
  state.applyClient = await applyClientFor(obj, opts, signal);
  state.manager = resourceManagerFor(state.applyClient, opts, state.log);
  try {
    const ignorePaths = ignoreRulesOf(obj.spec, objects);
    state.changeSet = await state.manager.applyAllStaged(objects, {
      force: obj.spec.force ?? false,
      ...(ignorePaths ? { ignorePaths } : {}),
      signal,
      waitInterval: opts.pollInterval ?? 2000,
      customStageKinds: opts.customApplyStageKinds ?? [],
    });
  } catch (err) {
    throw new GenericError(errMessage(err), ReconciliationFailedReason, { cause: err });
  }
  if (state.changeSet.changes().length > 0)
    state.log.info({ output: state.changeSet.toMap() }, 'server-side apply completed');
  return Result.Success;
}
