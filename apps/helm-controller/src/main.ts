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
import { HelmControllerName, createHelmController } from './controller.ts';
import type { HelmController } from './controller.ts';
import { helmControllerFlags } from './flags.ts';
import { OomWatcher } from './oomwatch.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const helmControllerNotice =
  "flux-ts helm-controller: reconciles HelmReleases (chart templates as HelmCharts and chartRef to a HelmChart, an OCIRepository or an ExternalArtifact, dependsOn, suspend, values and valuesFrom, install/upgrade/test with rollback or uninstall remediation and retries or the RetryOnFailure strategy, serviceAccountName impersonation, kubeConfig Secrets and ConfigMaps (workload identity: the generic provider), the cluster's capabilities, the forceAt/resetAt annotations, reinstall on a release name, namespace or chart name change, uninstall on deletion, releases the helm CLI reads, postRenderers (kustomize patches and images), commonMetadata and origin labels, drift detection (warn and enabled, ignore rules, --override-manager)); not implemented yet: the aws, azure and gcp kubeConfig providers.";

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-helm-controller: parses the upstream-compatible flags, resolves the kubeconfig and runs the
 * manager with the HelmRelease controller until `signal` aborts. Returns the exit code: 0 for `--help` or a clean
 * stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  const start = prepareControllerMain({
    controller: HelmControllerName,
    notice: helmControllerNotice,
    flags: helmControllerFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;
  // fluxcd/pkg auth InconsistentObjectLevelConfiguration: a default service account needs the feature gate
  if (!config.featureGates.ObjectLevelWorkloadIdentity && config.defaultKubeconfigServiceAccount !== '') {
    io.stderr.write(`${HelmControllerName}: invalid configuration: ${InconsistentObjectLevelConfigurationMessage}\n`);
    return 1;
  }
  const controllerEnv = readControllerEnv(env);
  let controller: HelmController;
  try {
    controller = createHelmController(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      controllerTokenFile: join(env[ServiceAccountDirEnv] || SERVICE_ACCOUNT_DIR, 'token'),
      sourceControllerLocalhost: controllerEnv.sourceControllerLocalhost,
      logDestination: io.stdout,
    });
  } catch (err) {
    // the only failure of the wiring: flag values that do not fit together (leader election timings, addresses)
    io.stderr.write(`${HelmControllerName}: ${errMessage(err)}\n`);
    return 2;
  }
  const signal = opts.signal ?? new AbortController().signal;
  let stop = signal;
  let hardStop: AbortSignal | undefined;
  if (config.featureGates.OOMWatch) {
    controller.logger.info('setting up OOM watcher');
    try {
      const watcher = await OomWatcher.create({
        memoryMaxPath: config.oomWatchMaxMemoryPath,
        memoryCurrentPath: config.oomWatchCurrentMemoryPath,
        memoryUsagePercentThreshold: config.oomWatchMemoryThreshold,
        intervalMs: config.oomWatchInterval,
        logger: controller.logger.child({ logger: 'OOMwatch' }),
      });
      // near OOM: stop the manager and cancel in-flight Helm actions now, not after --graceful-shutdown-timeout
      hardStop = watcher.watch(signal);
      stop = AbortSignal.any([signal, hardStop]);
    } catch (err) {
      io.stderr.write(`${HelmControllerName}: unable to setup OOM watcher: ${errMessage(err)}\n`);
      return 1;
    }
  }
  try {
    controller.logger.info({ controller: HelmControllerName }, 'starting manager');
    await controller.run(stop, hardStop ? { hardStop } : {});
  } catch (err) {
    io.stderr.write(`${HelmControllerName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
