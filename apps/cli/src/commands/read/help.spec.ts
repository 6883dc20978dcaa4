import { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createCommandContext } from '../../context.ts';
import { addGlobalFlags } from '../../globals.ts';
import type { CliIO } from '../../io.ts';
import { registerReadCommands } from './register.ts';

function bufferIO(): CliIO & { out: () => string } {
  let out = '';
  return {
    env: {},
    cwd: process.cwd(),
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    signal: new AbortController().signal,
    out: () => out,
  };
}

/** The root command with only this part's commands, as program.ts builds it. */
function readProgram(io: CliIO): Command {
  const program = new Command('flux-ts')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  addGlobalFlags(program, io.env);
  registerReadCommands(program, createCommandContext(io));
  return program;
}

async function exitCode(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}

/** Every command path under the read commands (`get sources git`, `reconcile hr`…). */
function paths(): string[][] {
  const program = readProgram(bufferIO());
  const out: string[][] = [];
  const walk = (cmd: Command, prefix: string[]): void => {
    for (const sub of cmd.commands) {
      if (sub.name() === 'help') continue;
      const path = [...prefix, sub.name()];
      out.push(path);
      walk(sub, path);
    }
  };
  for (const c of program.commands) {
    out.push([c.name()]);
    walk(c, [c.name()]);
  }
  return out;
}

describe('read commands --help', () => {
  const all = paths();

  it('covers the whole tree', () => {
    expect(all.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        'get sources git',
        'get images policy',
        'reconcile helmrelease',
        'resume image update',
        'tree kustomization',
      ]),
    );
  });

  it.each(all.map((p) => [p.join(' '), p] as const))('%s --help prints usage and exits 0', async (_name, path) => {
    const io = bufferIO();
    expect(await exitCode(readProgram(io), [...path, '--help'])).toBe(0);
    expect(io.out()).toContain(`Usage: flux-ts ${path.join(' ')}`);
  });
});
