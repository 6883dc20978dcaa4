import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../io.ts';
import { main } from '../../main.ts';

const COMMANDS = [
  'install',
  'uninstall',
  'check',
  'bootstrap git',
  'build kustomization',
  'diff kustomization',
  'push artifact',
  'pull artifact',
  'tag artifact',
  'list artifacts',
  'build artifact',
  'diff artifact',
];

describe('ops commands', () => {
  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (command) => {
    let out = '';
    const io: CliIO = {
      env: {},
      cwd: process.cwd(),
      stdin: process.stdin,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      signal: new AbortController().signal,
    };
    expect(await main([...command.split(' '), '--help'], io)).toBe(0);
    expect(out).toContain(`Usage: flux-ts ${command}`);
  });

  it('refuses bootstrap git over plain HTTP without --allow-insecure-http, as flux', async () => {
    let err = '';
    const io: CliIO = {
      env: { KUBECONFIG: '/nonexistent' },
      cwd: process.cwd(),
      stdin: process.stdin,
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
      signal: new AbortController().signal,
    };
    expect(await main(['bootstrap', 'git', '--url=http://git.example.com/fleet.git'], io)).toBe(1);
    expect(err).toBe('✗ scheme http is insecure, pass --allow-insecure-http=true to allow it\n');
  });
});
