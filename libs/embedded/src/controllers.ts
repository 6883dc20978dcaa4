import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** What one controller process needs to start. */
export interface ControllerSpec {
  /** App name, e.g. `source-controller`; the bin is `apps/<name>/bin/flux-ts-<name>.js`. */
  name: string;
  /** Flags besides `--kubeconfig`. */
  args: string[];
}

/** A started controller process. */
export interface ControllerProcess {
  name: string;
  logFile: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Options of {@link startControllers}. */
export interface StartControllersOptions {
  /** Workspace root (holds `apps/`). */
  workspace: string;
  kubeconfig: string;
  logsDir: string;
  controllers: readonly ControllerSpec[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts each controller as its own process, as it would run in its own container: the same bin, the same
 * flags, talking HTTPS to the API server through the kubeconfig. stdout and stderr go to `<logs>/<name>.log`.
 */
export function startControllers(opts: StartControllersOptions): ControllerProcess[] {
  return opts.controllers.map((c) => {
    const logFile = join(opts.logsDir, `${c.name}.log`);
    const fd = openSync(logFile, 'a');
    const bin = join(opts.workspace, 'apps', c.name, 'bin', `flux-ts-${c.name}.js`);
    const child = spawn(process.execPath, [bin, '--kubeconfig', opts.kubeconfig, ...c.args], {
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
    });
    closeSync(fd);
    // Should this process die without stopping them (an uncaught error), its controllers die with it.
    const orphanGuard = (): void => void child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        process.off('exit', orphanGuard);
        resolve(code ?? signal ?? 'unknown');
      });
      child.once('error', () => {
        process.off('exit', orphanGuard);
        resolve('spawn-error');
      });
    });
    return { name: c.name, logFile, child, exited };
  });
}

/** Sends SIGTERM to every controller (graceful shutdown releases the Lease) and SIGKILL after the deadline. */
export async function stopControllers(procs: readonly ControllerProcess[], deadlineMs = 10_000): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), deadlineMs);
      await p.exited;
      clearTimeout(timer);
    }),
  );
}
