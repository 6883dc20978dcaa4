/**
 * What a controller process does about its surroundings before `main` runs (the bin's job, at the process edge):
 * a private temporary directory, reaping those of dead predecessors, and, under a supervising parent
 * (`npm start`, `validate`, test harnesses), exiting when that parent dies however it dies (kill -9, OOM):
 * a signal to children is never sent then, and Linux's PR_SET_PDEATHSIG is out of Node's reach, so the child polls.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable through which a supervising parent names its pid to the controllers it starts. */
export const ParentPidEnv = 'FLUX_TS_PARENT_PID';

/** How often a supervised controller checks that its parent lives. */
export const ParentPollIntervalMs = 500;

/** Whether a process exists (signal 0 probes without sending anything; EPERM means it exists under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Inputs of {@link claimTempDir}. */
export interface ClaimTempDirOptions {
  /** The shared temporary directory (`os.tmpdir()` before the claim). */
  tmpRoot: string;
  pid: number;
  isAlive?: (pid: number) => boolean;
}

/**
 * Creates `<tmpRoot>/flux-ts-<controller>-<pid>` and removes every `flux-ts-<controller>-<N>` whose process `N` is
 * gone (what a kill -9 left behind). Returns the directory and the paths reaped.
 */
export function claimTempDir(controller: string, opts: ClaimTempDirOptions): { dir: string; reaped: string[] } {
  const isAlive = opts.isAlive ?? processAlive;
  const prefix = `flux-ts-${controller}-`;
  const reaped: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(opts.tmpRoot);
  } catch {
    entries = []; // tmpRoot missing: mkdirSync below creates it
  }
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    if (!/^[0-9]+$/.test(rest)) continue;
    const pid = Number(rest);
    if (pid === opts.pid || isAlive(pid)) continue;
    const path = join(opts.tmpRoot, name);
    rmSync(path, { recursive: true, force: true });
    reaped.push(path);
  }
  const dir = join(opts.tmpRoot, `${prefix}${opts.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { dir, reaped };
}

/** Polls `parentPid` and calls `onGone` once when it has died; returns a function that stops watching. */
export function watchParent(
  parentPid: number,
  onGone: () => void,
  opts: { isAlive?: (pid: number) => boolean; intervalMs?: number } = {},
): () => void {
  const isAlive = opts.isAlive ?? processAlive;
  const timer = setInterval(() => {
    if (isAlive(parentPid)) return;
    clearInterval(timer);
    onGone();
  }, opts.intervalMs ?? ParentPollIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Inputs of {@link superviseControllerProcess}: the process facts the bin passes in. */
export interface SuperviseOptions {
  env: NodeJS.ProcessEnv;
  pid: number;
  tmpRoot: string;
  /** Asked to stop gracefully when the parent died. */
  onParentGone: () => void;
  /** Forced exit this long after {@link SuperviseOptions.onParentGone} if the process still runs (default 10 s). */
  forceExitAfterMs?: number;
  exit?: (code: number) => void;
}

/**
 * The bin's preamble: claims the private temporary directory and points `TMPDIR` at it (so every `os.tmpdir()` of
 * the process lands there), and, when {@link ParentPidEnv} names a parent, stops the process when it dies.
 * `close()` removes the directory on a clean exit.
 */
export function superviseControllerProcess(controller: string, opts: SuperviseOptions): { close(): void } {
  const { dir } = claimTempDir(controller, { tmpRoot: opts.tmpRoot, pid: opts.pid });
  opts.env['TMPDIR'] = dir;
  const parent = Number(opts.env[ParentPidEnv] ?? '');
  const stopWatching =
    Number.isInteger(parent) && parent > 0
      ? watchParent(parent, () => {
          opts.onParentGone();
          const exit = opts.exit ?? ((code: number) => process.exit(code));
          setTimeout(() => exit(1), opts.forceExitAfterMs ?? 10_000).unref();
        })
      : () => undefined;
  return {
    close() {
      stopWatching();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
