import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { fluxKinds, fluxKindWords } from '../shared/kinds.ts';
import { gvkOf, timeoutSignal } from '../shared/objects.ts';
import { addKindCommands, article } from './kind-commands.ts';

/** Reads one line of `stdin` (the answer to a prompt); '' at end of input. */
function readLine(stdin: NodeJS.ReadableStream, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, terminal: false, signal });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** promptui's confirm: `y`/`Y` (or yes) goes on, anything else aborts. */
export async function confirm(ctx: CommandContext, label: string, signal: AbortSignal): Promise<boolean> {
  ctx.io.stdout.write(`? ${label}? [y/N] `);
  const answer = (await readLine(ctx.io.stdin, signal)).trim();
  ctx.io.stdout.write('\n');
  return /^(y|yes)$/i.test(answer);
}

/** Registers `delete` and its subcommands. */
export function registerDelete(program: Command, ctx: CommandContext): void {
  const del = program
    .command('delete')
    .description('Delete sources and resources')
    .addHelpText('after', '\nThe delete sub-commands delete sources and resources.\n')
    .addOption(new Option('-s, --silent', 'delete resource without asking for confirmation').default(false));
  addKindCommands(
    del,
    'Delete',
    fluxKinds.filter((k) => k.kind !== 'ExternalArtifact'),
    (cmd, kind) => {
      const human = kind.humanKind;
      cmd
        .description(`Delete ${article(kind.kind)} ${kind.kind} resource`)
        .argument('[name]', `the name of the ${kind.kind}`)
        .addHelpText(
          'after',
          `\nExamples:\n  # Delete a ${kind.kind} and the objects it manages\n  flux-ts delete ${fluxKindWords(kind)} <name>\n`,
        )
        .action(async (name: string | undefined, _o: unknown, c: Command) => {
          if (name === undefined || name === '') throw new Error(`${human} name is required`);
          const globals = ctx.globals(c);
          const { client } = ctx.connect(c);
          const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
          const key = { namespace: globals.namespace, name };
          await client.get(gvkOf(kind), key, { signal });
          const silent = c.optsWithGlobals<Record<string, unknown>>()['silent'] === true;
          if (!silent && !(await confirm(ctx, `Are you sure you want to delete this ${human}`, signal))) {
            throw new Error('aborting');
          }
          ctx.logger.actionf(`deleting ${human} ${name} in ${globals.namespace} namespace`);
          await client.delete(gvkOf(kind), key, { signal });
          ctx.logger.successf(`${human} deleted`);
        });
    },
  );
}
