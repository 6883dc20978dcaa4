import { FlagError, HelpRequestedError, formatHelp, parseFlags } from './flags.ts';
import type { Env, FlagSpec } from './flags.ts';
import { KubeConfigError, loadKubeConfig } from './kubeconfig.ts';

/** The output streams `main` writes to (`process` satisfies it). */
export interface MainIO {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

/** Inputs for {@link runUnimplementedController}. */
export interface UnimplementedControllerOptions {
  /** Upstream controller name, e.g. `source-controller` (used in messages and `Usage of …`). */
  readonly controller: string;
  /** First line of `--help`: states plainly what is not implemented yet. */
  readonly notice: string;
  /** The controller's flag table; must contain a `kubeconfig` string flag. */
  readonly flags: readonly FlagSpec[];
  readonly argv: readonly string[];
  readonly env: Env;
  readonly io: MainIO;
}

/**
 * Shared `main` body for controllers whose reconcilers do not exist yet: `--help` prints the notice and the
 * full flag listing (exit 0); bad flags print the error (exit 2); otherwise the configuration and kubeconfig
 * are resolved and the process reports that no controller is implemented (exit 1). It never pretends to run.
 */
export async function runUnimplementedController(options: UnimplementedControllerOptions): Promise<number> {
  const { controller, io } = options;
  let config: Readonly<Record<string, unknown>>;
  try {
    config = parseFlags(options.flags, options.argv, options.env) as Readonly<Record<string, unknown>>;
  } catch (err) {
    if (err instanceof HelpRequestedError) {
      io.stdout.write(formatHelp(options.flags, { program: controller, preamble: options.notice }));
      return 0;
    }
    if (err instanceof FlagError) {
      io.stderr.write(`${controller}: ${err.message}\nRun '${controller} --help' for usage.\n`);
      return err.exitCode;
    }
    throw err;
  }

  const kubeconfig = config['kubeconfig'];
  try {
    loadKubeConfig({ kubeconfig: typeof kubeconfig === 'string' ? kubeconfig : undefined, env: options.env });
  } catch (err) {
    if (err instanceof KubeConfigError) {
      io.stderr.write(`${controller}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }

  io.stderr.write(`${controller}: no controllers are implemented yet in this build\n`);
  return 1;
}
