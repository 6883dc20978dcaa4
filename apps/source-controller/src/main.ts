import { errMessage, prepareControllerMain, readControllerEnv } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { SourceControllerName, createSourceController } from './controller.ts';
import { sourceControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const sourceControllerNotice =
  'flux-ts source-controller: reconciles GitRepository, HelmRepository, HelmChart, OCIRepository and Bucket objects into artifacts served on --storage-addr; not in this build: the azure and gcp providers of OCIRepository, keyless (cosign) and notation verification.';

/** Process hooks `main` uses besides argv, env and the output streams (`process` satisfies it). */
export interface MainProcess extends MainIO {
  on?(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off?(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/**
 * Entry point of flux-ts-source-controller: parses the upstream-compatible flags, resolves the kubeconfig and runs
 * the manager with the GitRepository, HelmRepository, HelmChart, OCIRepository and Bucket controllers and the artifact server until SIGINT/SIGTERM (or `signal`).
 * Returns the exit code: 0 for `--help` and after a graceful shutdown, 2 for bad flags, 1 on a start-up or fatal
 * error.
 */
export async function main(argv: readonly string[], env: Env, io: MainProcess, signal?: AbortSignal): Promise<number> {
  const start = prepareControllerMain({
    controller: SourceControllerName,
    notice: sourceControllerNotice,
    flags: sourceControllerFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;

  const controllerEnv = readControllerEnv(env);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  io.on?.('SIGINT', onSignal);
  io.on?.('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  if (signal?.aborted) stop.abort();
  try {
    const controller = await createSourceController(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      hostname: env['HOSTNAME'] || undefined,
    }).catch((err: unknown) => {
      io.stderr.write(`${SourceControllerName}: ${errMessage(err)}\n`);
      return undefined;
    });
    if (!controller) return 1;
    try {
      await controller.run(stop.signal);
    } catch (err) {
      controller.logger.error({ err: errMessage(err) }, 'problem running manager');
      controller.logger.flush();
      return 1;
    }
    controller.logger.flush();
    return 0;
  } finally {
    io.off?.('SIGINT', onSignal);
    io.off?.('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onSignal);
  }
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
