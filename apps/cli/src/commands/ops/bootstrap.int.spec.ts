import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startSshGitServer, type SshGitServer } from '@flux-ts/testbed';
import { startTestEnv, type TestEnv } from '@flux-ts/testing';
import { isNotFound } from '@flux-ts/runtime';
import { main } from '../../main.ts';
import type { CliIO } from '../../io.ts';

const NS = 'cli-bootstrap';

let env: TestEnv;
let sshd: SshGitServer;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-cli-bootstrap-'));
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', join(root, 'fleet.git')]);
  [env, sshd] = await Promise.all([
    startTestEnv({ namespaces: [NS], dirPrefix: 'flux-ts-cli-bootstrap-' }),
    startSshGitServer({ root }),
  ]);
}, 60_000);

afterAll(async () => {
  await sshd?.close();
  await env?.close();
  rmSync(root, { recursive: true, force: true });
});

function bufferIO(stdin: string, vars: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env: { KUBECONFIG: env.kubeconfigPath, ...vars },
    cwd: process.cwd(),
    stdin: Readable.from([stdin]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

const secretExists = () =>
  env.client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace: NS, name: 'flux-system' }).then(
    () => true,
    (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    },
  );

describe('flux-ts bootstrap git over SSH without --private-key-file', { timeout: 30_000 }, () => {
  it('generates an ECDSA P-384 deploy key, prints it and aborts when access is not confirmed', async () => {
    const io = bufferIO('n\n');
    const code = await main(['bootstrap', 'git', `--url=${sshd.url('fleet')}`, '-n', NS, '--timeout=20s'], io);
    expect(io.err()).toMatch(/^► generating source secret\n✔ public key: ecdsa-sha2-nistp384 \S+\n✗ aborting\n$/);
    expect(io.out()).toBe('? Please give the key access to your repository? [y/N] \n');
    expect(code).toBe(1);
    expect(await secretExists()).toBe(false);
  });

  it('honours --ssh-key-algorithm and --silent, then clones with the generated key', async () => {
    const io = bufferIO('');
    const code = await main(
      [
        'bootstrap',
        'git',
        `--url=${sshd.url('fleet')}`,
        '-n',
        NS,
        '--ssh-key-algorithm=ed25519',
        '-s',
        '--timeout=20s',
      ],
      io,
    );
    expect(io.out()).toBe('');
    const lines = io.err().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '► generating source secret',
      expect.stringMatching(/^✔ public key: ssh-ed25519 \S+$/),
      `► cloning branch "main" from Git repository "${sshd.url('fleet')}"`,
    ]);
    // The key was never given access: the server refuses it, as it refuses flux's.
    expect(lines[3]).toMatch(/^✗ failed to clone repository: /);
    expect(code).toBe(1);
  });

  it('rejects an RSA size flux rejects', async () => {
    const io = bufferIO('');
    const code = await main(
      ['bootstrap', 'git', `--url=${sshd.url('fleet')}`, '-n', NS, '--ssh-key-algorithm=rsa', '--ssh-rsa-bits=1000'],
      io,
    );
    expect(io.err()).toBe('✗ RSA key bit size must be a multiple of 8 and at least 1024\n');
    expect(code).toBe(1);
  });
});

describe('flux-ts bootstrap git --token-auth', { timeout: 30_000 }, () => {
  it('reads the password from stdin and refuses an unreadable --ca-file', async () => {
    const io = bufferIO('s3cret\n');
    const code = await main(
      [
        'bootstrap',
        'git',
        '--url=https://127.0.0.1:1/fleet.git',
        '-n',
        NS,
        '--token-auth',
        `--ca-file=${join(root, 'missing.pem')}`,
      ],
      io,
    );
    expect(io.out()).toBe('Please enter your Git repository password: \n');
    expect(io.err()).toMatch(/^✗ unable to read TLS CA file: ENOENT/);
    expect(io.err()).not.toContain('s3cret');
    expect(code).toBe(1);
  });

  it('fails as flux when stdin ends before the password', async () => {
    const io = bufferIO('');
    const code = await main(['bootstrap', 'git', '--url=https://127.0.0.1:1/fleet.git', '-n', NS, '--token-auth'], io);
    expect(io.out()).toBe('Please enter your Git repository password: ');
    expect(io.err()).toBe('✗ could not read token: could not read from stdin: EOF\n');
    expect(code).toBe(1);
  });

  it('takes the password from GIT_PASSWORD without a prompt', async () => {
    const io = bufferIO('', { GIT_PASSWORD: 's3cret' });
    const code = await main(
      ['bootstrap', 'git', '--url=https://127.0.0.1:1/fleet.git', '-n', NS, '--token-auth', '--timeout=5s'],
      io,
    );
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(
      /^► cloning branch "main" from Git repository "https:\/\/127\.0\.0\.1:1\/fleet\.git"\n✗ failed to clone repository: /,
    );
    expect(io.err()).not.toContain('s3cret');
    expect(code).toBe(1);
  });
});
