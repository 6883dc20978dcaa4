import { Option, type Command } from 'commander';
import { parseGoDuration } from '@flux-ts/runtime';

/** flux's persistent flags (`cmd/flux/main.go`), as every command reads them. */
export interface GlobalOptions {
  /** `-n/--namespace`: the namespace scope of the operation (default `flux-system`, or `$FLUX_SYSTEM_NAMESPACE`). */
  readonly namespace: string;
  /** `--timeout` in milliseconds (default 5m0s). */
  readonly timeoutMs: number;
  /** `--context`: the kubeconfig context to use. */
  readonly context?: string;
  /** `--kubeconfig`: path to the kubeconfig file. */
  readonly kubeconfig?: string;
  /** `--verbose`: print generated objects. */
  readonly verbose: boolean;
}

/** The default of `-n/--namespace`, as flux: `$FLUX_SYSTEM_NAMESPACE` or `flux-system`. */
export function defaultNamespace(env: Readonly<Record<string, string | undefined>>): string {
  const ns = env['FLUX_SYSTEM_NAMESPACE'];
  return ns !== undefined && ns !== '' ? ns : 'flux-system';
}

/** Declares flux's persistent flags on the root command. */
export function addGlobalFlags(program: Command, env: Readonly<Record<string, string | undefined>>): void {
  program
    .addOption(
      new Option('-n, --namespace <namespace>', 'the namespace scope for this operation').default(
        defaultNamespace(env),
      ),
    )
    .addOption(new Option('--timeout <duration>', 'timeout for this operation').default('5m0s'))
    .addOption(new Option('--context <context>', 'The name of the kubeconfig context to use'))
    .addOption(new Option('--kubeconfig <path>', 'Path to the kubeconfig file to use for CLI requests.'))
    .addOption(new Option('--verbose', 'print generated objects').default(false));
}

/** The persistent flags as a command sees them (commander's `optsWithGlobals`). */
export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const timeout = str(o['timeout']) ?? '5m0s';
  const context = str(o['context']);
  const kubeconfig = str(o['kubeconfig']);
  return {
    namespace: str(o['namespace']) ?? 'flux-system',
    timeoutMs: parseGoDuration(timeout),
    ...(context !== undefined ? { context } : {}),
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    verbose: o['verbose'] === true,
  };
}
