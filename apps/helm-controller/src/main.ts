import { errMessage, prepareControllerMain, readControllerEnv } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { HelmControllerName, createHelmController } from './controller.ts';
import type { HelmController } from './controller.ts';
import { helmControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const helmControllerNotice =
  "flux-ts helm-controller: reconciles HelmReleases (chart templates as HelmCharts and chartRef to a HelmChart, an OCIRepository or an ExternalArtifact, dependsOn, suspend, values and valuesFrom, install/upgrade/test with rollback or uninstall remediation and retries or the RetryOnFailure strategy, serviceAccountName impersonation and kubeConfig Secrets, the cluster's capabilities, the forceAt/resetAt annotations, reinstall on a release name, namespace or chart name change, uninstall on deletion, releases the helm CLI reads, postRenderers (kustomize patches and images), commonMetadata and origin labels, drift detection (warn and enabled, ignore rules, --override-manager)); not implemented yet: kubeConfig.configMapRef.";

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
  const controllerEnv = readControllerEnv(env);
  let controller: HelmController;
  try {
    controller = createHelmController(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      sourceControllerLocalhost: controllerEnv.sourceControllerLocalhost,
      logDestination: io.stdout,
    });
  } catch (err) {
    // the only failure of the wiring: flag values that do not fit together (leader election timings, addresses)
    io.stderr.write(`${HelmControllerName}: ${errMessage(err)}\n`);
    return 2;
  }
  try {
    controller.logger.info({ controller: HelmControllerName }, 'starting manager');
    await controller.run(opts.signal ?? new AbortController().signal);
  } catch (err) {
    io.stderr.write(`${HelmControllerName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
