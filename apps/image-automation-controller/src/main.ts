import { errMessage, prepareControllerMain, readControllerEnv } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { ImageAutomationControllerName, createImageAutomationController } from './controller.ts';
import type { ImageAutomationController } from './controller.ts';
import { imageAutomationControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const imageAutomationControllerNotice =
  'flux-ts image-automation-controller: reconciles ImageUpdateAutomations (GitRepository source with its auth, proxy and timeout, checkout ref, Setters strategy with policySelector, commit author, OpenPGP and SSH signing, message templates, push branch and refspec over HTTP(S) and SSH, redo on a moved remote); not implemented yet: push options, cloud provider auth.';

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-image-automation-controller: parses the upstream-compatible flags, resolves the kubeconfig
 * and runs the manager with the ImageUpdateAutomation controller until `signal` aborts. Returns the exit code: 0 for
 * `--help` or a clean stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  const start = prepareControllerMain({
    controller: ImageAutomationControllerName,
    notice: imageAutomationControllerNotice,
    flags: imageAutomationControllerFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;
  let controller: ImageAutomationController;
  try {
    controller = createImageAutomationController(config, {
      kubeConfig,
      logDestination: io.stdout,
      // RUNTIME_NAMESPACE (downward API): the Lease namespace with --enable-leader-election, as in the other controllers
      runtimeNamespace: readControllerEnv(env).runtimeNamespace,
    });
  } catch (err) {
    // the only failure of the wiring: flag values that do not fit together (leader election timings, addresses)
    io.stderr.write(`${ImageAutomationControllerName}: ${errMessage(err)}\n`);
    return 2;
  }
  try {
    controller.logger.info({ controller: ImageAutomationControllerName }, 'starting manager');
    await controller.run(opts.signal ?? new AbortController().signal);
  } catch (err) {
    io.stderr.write(`${ImageAutomationControllerName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
