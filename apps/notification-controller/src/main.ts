import { errMessage, prepareControllerMain, readControllerEnv } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { NotificationControllerName, createNotificationController } from './controller.ts';
import type { NotificationController } from './controller.ts';
import { notificationControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const notificationControllerNotice =
  'flux-ts notification-controller: serves the event endpoint on --events-addr (validation, metadata filtering, duplicate rate limiting, Alert matching, dispatch to Providers) and handles the static Alert and Provider kinds, the Receiver reconciler and the webhook receiver on --receiverAddr; not implemented yet: Provider spec.serviceAccountName workload identity.';

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-notification-controller: parses the upstream-compatible flags, resolves the kubeconfig and
 * runs the manager with the event server and the Alert/Provider controllers until `signal` aborts. Returns the exit
 * code: 0 for `--help` or a clean stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  const start = prepareControllerMain({
    controller: NotificationControllerName,
    notice: notificationControllerNotice,
    flags: notificationControllerFlags,
    argv,
    env,
    io,
  });
  if ('exitCode' in start) return start.exitCode;
  const { config, kubeConfig } = start;
  const controllerEnv = readControllerEnv(env);
  let controller: NotificationController;
  try {
    controller = createNotificationController(config, {
      kubeConfig,
      runtimeNamespace: controllerEnv.runtimeNamespace,
      logDestination: io.stdout,
    });
  } catch (err) {
    // the only failure of the wiring: flag values that do not fit together (leader election timings, addresses)
    io.stderr.write(`${NotificationControllerName}: ${errMessage(err)}\n`);
    return 2;
  }
  try {
    controller.logger.info({ controller: NotificationControllerName }, 'starting manager');
    await controller.run(opts.signal ?? new AbortController().signal);
  } catch (err) {
    io.stderr.write(`${NotificationControllerName}: ${errMessage(err)}\n`);
    return 1;
  }
  return 0;
}

/** The bin's process preamble, re-exported so the bin loads @flux-ts/runtime through this module only. */
export { superviseControllerProcess } from '@flux-ts/runtime';
