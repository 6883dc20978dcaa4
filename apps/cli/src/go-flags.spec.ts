import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { createCommandContext, type CommandContext } from './context.ts';
import { normalizeBoolFlags, parseGoBool } from './go-flags.ts';
import type { CliIO } from './io.ts';
import { main } from './main.ts';
import { buildProgram } from './program.ts';

function bufferIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env: {},
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

/** A context that records the options a command reached the cluster with, then stops there. */
function recordingContext(io: CliIO): CommandContext & { seen: () => Record<string, unknown> | undefined } {
  const base = createCommandContext(io);
  let seen: Record<string, unknown> | undefined;
  return {
    ...base,
    connect: (cmd: Command) => {
      seen = cmd.optsWithGlobals();
      throw new Error('offline');
    },
    seen: () => seen,
  };
}

describe('parseGoBool', () => {
  it('takes strconv.ParseBool’s spellings and refuses others with pflag’s message', () => {
    expect(['1', 't', 'T', 'TRUE', 'true', 'True'].map((v) => parseGoBool(v, '--x'))).toEqual(Array(6).fill(true));
    expect(['0', 'f', 'F', 'FALSE', 'false', 'False'].map((v) => parseGoBool(v, '--x'))).toEqual(Array(6).fill(false));
    expect(() => parseGoBool('yes', '--export')).toThrow(
      'invalid argument "yes" for "--export" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    );
  });
});

describe('normalizeBoolFlags', () => {
  const program = buildProgram(createCommandContext(bufferIO()));

  it('rewrites the bool flags of the named command and its parents, and nothing else', () => {
    expect(
      normalizeBoolFlags(program, [
        'create',
        'kustomization',
        'app',
        '--prune=false',
        '--export=true',
        '--path=./deploy',
        '-n',
        'resume',
        '--verbose=F',
        '--',
        '--prune=false',
      ]),
    ).toEqual([
      'create',
      'kustomization',
      'app',
      '--no-prune',
      '--export',
      '--path=./deploy',
      '-n',
      'resume',
      '--no-verbose',
      '--',
      '--prune=false',
    ]);
  });

  it('reads the shorthand form and names both spellings in its error', () => {
    expect(normalizeBoolFlags(program, ['delete', 'ks', 'app', '-s=true'])).toEqual([
      'delete',
      'ks',
      'app',
      '--silent',
    ]);
    expect(() => normalizeBoolFlags(program, ['delete', 'ks', 'app', '-s=maybe'])).toThrow(
      'invalid argument "maybe" for "-s, --silent" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
  });
});

describe('Go-style bool flags through main', () => {
  it('exports a Kustomization with --prune=false and --prune=true as flux does', async () => {
    const args = ['create', 'kustomization', 'app', '--source=GitRepository/app', '--path=./deploy'];
    const off = bufferIO();
    expect(await main([...args, '--prune=false', '--export=true'], off)).toBe(0);
    expect(off.out()).toContain('  prune: false\n');
    const on = bufferIO();
    expect(await main([...args, '--prune=true', '--export'], on)).toBe(0);
    expect(on.out()).toContain('  prune: true\n');
  });

  it('parses `resume ks NAME --wait`, `--wait=false` and no --wait as flux', async () => {
    const cases: [string[], unknown][] = [
      [['resume', 'ks', 'app', '--wait'], true],
      [['resume', 'ks', '--wait', 'app', 'other'], true],
      [['resume', 'ks', 'app', '--wait=false'], false],
      [['resume', 'ks', 'app'], undefined],
    ];
    for (const [argv, wait] of cases) {
      const io = bufferIO();
      const ctx = recordingContext(io);
      expect(await main(argv, io, ctx)).toBe(1);
      expect(io.err()).toBe('✗ offline\n');
      expect(ctx.seen()?.['wait']).toBe(wait);
    }
  });

  it('fails on a value that is no Go bool, as flux', async () => {
    const io = bufferIO();
    expect(await main(['install', '--export=maybe'], io)).toBe(1);
    expect(io.err()).toBe(
      '✗ invalid argument "maybe" for "--export" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n',
    );
  });
});
