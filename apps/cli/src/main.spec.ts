import { describe, expect, it } from 'vitest';
import { main, normalizeShortFlags } from './main.ts';
import type { CliIO } from './io.ts';

function bufferIO(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

describe('flux-ts main', () => {
  it('prints the root help with the persistent flags and exits 0', async () => {
    const io = bufferIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: flux-ts');
    expect(io.out()).toContain('--namespace <namespace>');
    expect(io.out()).toContain('"flux-system")');
  });

  it('takes the default namespace from FLUX_SYSTEM_NAMESPACE', async () => {
    const io = bufferIO({ FLUX_SYSTEM_NAMESPACE: 'gitops' });
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('"gitops")');
  });

  it('answers an unknown command with a usage error and a non-zero code', async () => {
    const io = bufferIO();
    expect(await main(['frobnicate'], io)).not.toBe(0);
    expect(io.err()).toMatch(/^error: /);
  });
});

describe('normalizeShortFlags', () => {
  it('splits -n=ns as pflag reads it, and leaves long flags and args after -- alone', () => {
    expect(normalizeShortFlags(['get', 'ks', '-n=apps', '--interval=1m', '--', '-x=1'])).toEqual([
      'get',
      'ks',
      '-n',
      'apps',
      '--interval=1m',
      '--',
      '-x=1',
    ]);
  });
});
