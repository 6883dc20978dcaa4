import { CommanderError } from 'commander';
import { createCommandContext, type CommandContext } from './context.ts';
import { ExitCodeError } from './errors.ts';
import type { CliIO } from './io.ts';
import { addBoolNegations, normalizeBoolFlags } from './go-flags.ts';
import { buildProgram } from './program.ts';

/**
 * pflag reads `-n=ns` as the value `ns`; commander would read `=ns`. Splits a short flag written with `=` into flag
 * and value, before the first `--`, so that flux's documented forms parse the same.
 */
export function normalizeShortFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    if (rest) {
      out.push(arg);
      continue;
    }
    if (arg === '--') rest = true;
    const m = /^(-[A-Za-z])=(.*)$/s.exec(arg);
    if (m) out.push(m[1]!, m[2]!);
    else out.push(arg);
  }
  return out;
}

/**
 * Runs one `flux-ts` invocation and returns its exit code: 0 on success, 1 on an error, printed as flux prints it
 * (`✗ <message>` on stderr). Commander's own usage errors keep their text and code.
 */
export async function main(
  argv: readonly string[],
  io: CliIO,
  ctx: CommandContext = createCommandContext(io),
): Promise<number> {
  const program = buildProgram(ctx);
  addBoolNegations(program);
  try {
    await program.parseAsync(normalizeShortFlags(normalizeBoolFlags(program, argv)), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return err.exitCode;
    }
    if (err instanceof ExitCodeError) return err.exitCode;
    ctx.logger.failuref(err instanceof Error ? err.message : String(err));
    return 1;
  }
}
