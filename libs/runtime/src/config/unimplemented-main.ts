import type { KubeConfig } from '@kubernetes/client-node';
import { FlagError, HelpRequestedError, formatHelp, parseFlags } from './flags.ts';
import type { Env, FlagConfig, FlagSpec } from './flags.ts';
import { KubeConfigError, loadKubeConfig } from './kubeconfig.ts';

/** The environment variable naming the ServiceAccount mount directory in place of the Kubernetes path. */
export const ServiceAccountDirEnv = 'FLUX_TS_SERVICE_ACCOUNT_DIR';

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

/** Inputs of {@link prepareControllerMain}. */
export interface ControllerMainOptions<T extends readonly FlagSpec[]> {
  /** Upstream controller name, e.g. `source-controller` (used in messages and `Usage of …`). */
  readonly controller: string;
  /** First line of `--help`: what this build does. */
  readonly notice: string;
  /** The controller's flag table; must contain a `kubeconfig` string flag. */
  readonly flags: T;
  readonly argv: readonly string[];
  readonly env: Env;
  readonly io: MainIO;
}

/**
 * The start every controller's `main` shares: `--help` prints the notice and the flag listing (exit 0); bad flags
 * print the error and the usage hint (exit 2); a kubeconfig that cannot be resolved is exit 1. Otherwise returns the
 * parsed flags and the kubeconfig.
 */
export function prepareControllerMain<const T extends readonly FlagSpec[]>(
  options: ControllerMainOptions<T>,
): { config: FlagConfig<T>; kubeConfig: KubeConfig } | { exitCode: number } {
  const { controller, io } = options;
  let config: FlagConfig<T>;
  try {
    config = parseFlags(options.flags, options.argv, options.env);
  } catch (err) {
    if (err instanceof HelpRequestedError) {
      io.stdout.write(formatHelp(options.flags, { program: controller, preamble: options.notice }));
      return { exitCode: 0 };
    }
    if (err instanceof FlagError) {
      io.stderr.write(`${controller}: ${err.message}\nRun '${controller} --help' for usage.\n`);
      return { exitCode: err.exitCode };
    }
    throw err;
  }
  const kubeconfig = (config as Readonly<Record<string, unknown>>)['kubeconfig'];
  try {
    // FLUX_TS_SERVICE_ACCOUNT_DIR: where a pod's token is mounted when it is not the Kubernetes path (libs/embedded's
    // process runtime runs pods as processes, each with its own mount); unset, the standard path.
    const saDir = options.env[ServiceAccountDirEnv];
    const kubeConfig = loadKubeConfig({
      kubeconfig: typeof kubeconfig === 'string' && kubeconfig !== '' ? kubeconfig : undefined,
      env: options.env,
      ...(saDir ? { serviceAccountDir: saDir } : {}),
    });
    return { config, kubeConfig };
  } catch (err) {
    if (err instanceof KubeConfigError) {
      io.stderr.write(`${controller}: ${err.message}\n`);
      return { exitCode: 1 };
    }
    throw err;
  }
}

/**
 * Shared `main` body for controllers whose reconcilers do not exist yet: the {@link prepareControllerMain} start,
 * then the process reports that no controller is implemented (exit 1). It never pretends to run.
 */
export async function runUnimplementedController(options: UnimplementedControllerOptions): Promise<number> {
  const start = prepareControllerMain(options);
  if ('exitCode' in start) return start.exitCode;
  options.io.stderr.write(`${options.controller}: no controllers are implemented yet in this build\n`);
  return 1;
}
