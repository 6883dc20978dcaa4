import { join } from 'node:path';
import {
  InconsistentObjectLevelConfigurationMessage,
  SERVICE_ACCOUNT_DIR,
  ServiceAccountDirEnv,
  errMessage,
  prepareControllerMain,
  readControllerEnv,
} from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { KustomizeControllerName, createKustomizeController } from './controller.ts';
import type { KustomizeController } from './controller.ts';
import { kustomizeControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const kustomizeControllerNotice =
  'flux-ts kustomize-controller: reconciles Kustomizations (GitRepository/OCIRepository/Bucket sources, dependsOn, kustomize build confined to the artifact, postBuild substitution, SOPS decryption with age and OpenPGP keys (--sops-age-secret), staged server-side apply, prune, health checks, impersonation, kubeConfig Secrets and ConfigMaps (workload identity: the generic provider), --override-manager, remote bases unless --no-remote-bases, spec.ignore drift rules, status.history); not implemented yet: SOPS with HashiCorp Vault or cloud KMS (--sops-vault-configmap, --default-decryption-service-account), the aws, azure and gcp kubeConfig providers.';

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-kustomize-controller: parses the upstream-compatible flags, resolves the kubeconfig and runs
 * the manager with the Kustomization controller until `signal` aborts. Returns the exit code: 0 for `--help` or a
 * clean stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  const start = prepareControllerMain({
    controller: KustomizeControllerName,
    notice: kustomizeControllerNotice,
    flags: kustomizeControllerFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;
  // fluxcd/pkg auth InconsistentObjectLevelConfiguration: a default service account needs the feature gate
  if (
    !config.featureGates.ObjectLevelWorkloadIdentity &&
    (config.defaultKubeconfigServiceAccount !== '' || config.defaultDecryptionServiceAccount !== '')
  ) {
    io.stderr.write(
      `${KustomizeControllerName}: invalid configuration: ${InconsistentObjectLevelConfigurationMessage}\n`,
    );
    return 1;
  }
  const controllerEnv = readControllerEnv(env);
  let controller: KustomizeController;
  try {
    controller = createKustomizeController(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      controllerTokenFile: join(env[ServiceAccountDirEnv] || SERVICE_ACCOUNT_DIR, 'token'),
      sourceControllerLocalhost: controllerEnv.sourceControllerLocalhost,
      logDestination: io.stdout,
    });
  } catch (err) {
    // the only failure of the wiring: flag values that do not fit together (leader election timings, addresses)
    io.stderr.write(`${KustomizeControllerName}: ${errMessage(err)}\n`);
    return 2;
  }
  try {
    controller.logger.info({ controller: KustomizeControllerName }, 'starting manager');
    await controller.run(opts.signal ?? new AbortController().signal);
  } catch (err) {
    io.stderr.write(`${KustomizeControllerName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
