import { errMessage, prepareControllerMain, readControllerEnv } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { ImageReflectorControllerName, createImageReflectorController } from './controller.ts';
import type { ImageReflectorController } from './controller.ts';
import { imageReflectorControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const imageReflectorControllerNotice =
  "flux-ts image-reflector-controller: reconciles ImageRepositories (tag scans with Link paging, bearer-token and basic auth, secretRef and the ServiceAccount's imagePullSecrets, certSecretRef, proxySecretRef, insecure, exclusionList, provider aws through ECR tokens; tags stored per repository under --storage-path) and ImagePolicies (semver, alphabetical, numerical, filterTags, digestReflectionPolicy, accessFrom); not implemented yet: provider azure and gcp.";

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-image-reflector-controller: parses the upstream-compatible flags, resolves the kubeconfig
 * and runs the manager with the ImageRepository and ImagePolicy controllers until `signal` aborts. Returns the exit
 * code: 0 for `--help` or a clean stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  const start = prepareControllerMain({
    controller: ImageReflectorControllerName,
    notice: imageReflectorControllerNotice,
    flags: imageReflectorControllerFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;
  const controllerEnv = readControllerEnv(env);
  let controller: ImageReflectorController;
  try {
    controller = createImageReflectorController(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      logDestination: io.stdout,
    });
  } catch (err) {
    io.stderr.write(`${ImageReflectorControllerName}: ${errMessage(err)}\n`);
    return 2;
  }
  try {
    controller.logger.info({ controller: ImageReflectorControllerName }, 'starting manager');
    await controller.run(opts.signal ?? new AbortController().signal);
  } catch (err) {
    io.stderr.write(`${ImageReflectorControllerName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}
