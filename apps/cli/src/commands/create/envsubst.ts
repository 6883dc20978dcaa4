import type { Command } from 'commander';
import { envsubst } from '@flux-ts/kustomize';
import type { CommandContext } from '../../context.ts';

/** flux's `envsubstMaxLineSize` (2 MiB): longer than any Kubernetes object. */
const MAX_LINE_SIZE = 2 << 20;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** `envsubst [--strict]` (`cmd/flux/envsubst.go`): Flux's postBuild substitution of stdin with the environment. */
export function registerEnvsubst(program: Command, ctx: CommandContext): void {
  program
    .command('envsubst')
    .description('envsubst substitutes the values of environment variables')
    .option(
      '--strict',
      'fail if a variable without a default value is declared in the input but is missing from the environment',
      false,
    )
    .action(async (o: Record<string, unknown>) => {
      const input = await readAll(ctx.io.stdin);
      // flux scans stdin line by line (bufio.ScanLines: a trailing \r is dropped) and writes each line as it goes.
      const lines = input.split('\n');
      if (lines.at(-1) === '') lines.pop();
      for (const raw of lines) {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (line.length > MAX_LINE_SIZE) throw new Error('bufio.Scanner: token too long');
        ctx.io.stdout.write(`${envsubst(line, (k) => ctx.io.env[k], { strict: o['strict'] === true })}\n`);
      }
    });
}
