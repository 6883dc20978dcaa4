import { errMessage, prepareControllerMain, readControllerEnv } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { SourceWatcherName, createSourceWatcher } from './controller.ts';
import type { SourceWatcher } from './controller.ts';
import { sourceWatcherFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const sourceWatcherNotice =
  'flux-ts source-watcher: reconciles ArtifactGenerators (sources GitRepository, OCIRepository, Bucket, HelmChart and ExternalArtifact; copy with globs, exclude and the Overwrite, Merge and Extract strategies) into ExternalArtifacts served on --storage-addr.';

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-source-watcher: parses the upstream-compatible flags, resolves the kubeconfig and runs the
 * manager with the ArtifactGenerator controller and the artifact server until `signal` aborts. Returns the exit
 * code: 0 for `--help` or a clean stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  const start = prepareControllerMain({
    controller: SourceWatcherName,
    notice: sourceWatcherNotice,
    flags: sourceWatcherFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;
  const controllerEnv = readControllerEnv(env);
  let controller: SourceWatcher;
  try {
    controller = createSourceWatcher(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      sourceControllerLocalhost: controllerEnv.sourceControllerLocalhost,
      hostname: env['HOSTNAME'] || undefined,
      logDestination: io.stdout,
    });
  } catch (err) {
    // flag values that do not fit together (storage path, digest algorithm, leader election)
    io.stderr.write(`${SourceWatcherName}: ${errMessage(err)}\n`);
    return 2;
  }
  try {
    controller.logger.info({ controller: SourceWatcherName }, 'starting manager');
    await controller.run(opts.signal ?? new AbortController().signal);
  } catch (err) {
    io.stderr.write(`${SourceWatcherName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
