import { Command } from 'commander';
import { registerCreateCommands } from './commands/create/register.ts';
import { registerOpsCommands } from './commands/ops/register.ts';
import { registerReadCommands } from './commands/read/register.ts';
import type { CommandContext } from './context.ts';
import { addGlobalFlags } from './globals.ts';

/** The `flux-ts` command tree: flux's commands, flags and help, with the persistent flags on the root. */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('flux-ts')
    .description('Command line utility for assembling Kubernetes CD pipelines the GitOps way.')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride();
  addGlobalFlags(program, ctx.io.env);
  registerReadCommands(program, ctx);
  registerCreateCommands(program, ctx);
  registerOpsCommands(program, ctx);
  return program;
}
