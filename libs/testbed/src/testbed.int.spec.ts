import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpgKey, makeRepo, run, startGitHttpServer, startSshGitServer } from './index.ts';
import type { GpgKey, Repo } from './index.ts';

let root: string;
let key: GpgKey;
let repo: Repo;
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'],
  HOME: root,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
});

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-testbed-'));
  key = await gpgKey({ dir: root });
  repo = await makeRepo({
    root: join(root, 'repos'),
    name: 'app',
    signWith: key,
    commits: [
      { label: 'one', files: { 'a.txt': 'a\n' } },
      { label: 'two', files: { 'a.txt': 'b\n' }, sign: true },
    ],
    branches: { dev: 'one' },
    tags: [
      { name: 'light', target: 'one' },
      { name: 'annotated', target: 'two', annotated: true },
      { name: 'signed', target: 'two', sign: true },
    ],
    pullRefs: { 12: 'one' },
  });
}, 60_000);

afterAll(async () => {
  await key?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('makeRepo and gpgKey', { timeout: 30_000 }, () => {
  it('creates branches, tag kinds and pull refs in a bare repository', async () => {
    const refs = await run('git', ['ls-remote', repo.path], { env: env() });
    expect(refs).toContain(`${repo.commits['two']}\trefs/heads/main`);
    expect(refs).toContain(`${repo.commits['one']}\trefs/heads/dev`);
    expect(refs).toContain(`${repo.commits['one']}\trefs/tags/light`);
    expect(refs).toContain(`${repo.commits['two']}\trefs/tags/annotated^{}`);
    expect(refs).toContain(`${repo.commits['one']}\trefs/pull/12/head`);
    expect(await repo.revParse('refs/tags/annotated')).not.toBe(repo.commits['two']);
  });

  it('signs commits and tags with the generated key', async () => {
    const genv = { ...env(), GNUPGHOME: key.home };
    // git verify-commit exits 0 only for a good signature.
    await expect(
      run('git', ['verify-commit', repo.commits['two']!], { cwd: repo.path, env: genv }),
    ).resolves.toBeDefined();
    await expect(run('git', ['verify-commit', repo.commits['one']!], { cwd: repo.path, env: genv })).rejects.toThrow();
    await expect(run('git', ['verify-tag', 'signed'], { cwd: repo.path, env: genv })).resolves.toBeDefined();
    expect(key.armoredPublicKey).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
  });

  it('adds and pushes new commits', async () => {
    const sha = await repo.commit({ branch: 'dev', files: { 'b.txt': 'b\n' }, message: 'more' });
    expect(await repo.revParse('refs/heads/dev')).toBe(sha);
  });
});

describe('startGitHttpServer', { timeout: 30_000 }, () => {
  it('serves git http-backend with basic auth and counts requests per service', async () => {
    const srv = await startGitHttpServer({
      root: join(root, 'repos'),
      credentials: { username: 'u', password: 'p4ss' },
    });
    try {
      await expect(
        run('git', ['ls-remote', `${srv.url}/app.git`], { env: { ...env(), GIT_TERMINAL_PROMPT: '0' } }),
      ).rejects.toThrow();
      expect(srv.counts().unauthorized).toBeGreaterThan(0);
      srv.resetCounts();
      const url = `http://u:p4ss@127.0.0.1:${srv.port}/app.git`;
      const refs = await run('git', ['-c', 'protocol.version=0', 'ls-remote', url], { env: env() });
      expect(refs).toContain(`${repo.commits['two']}\trefs/heads/main`);
      // git first asks without credentials (one 401), then with the URL's.
      expect(srv.counts()).toMatchObject({ infoRefs: 1, uploadPack: 0, receivePack: 0 });
      await run('git', ['clone', '-q', '--depth', '1', url, join(root, 'http-clone')], { env: env() });
      expect(srv.counts().uploadPack).toBeGreaterThan(0);
      expect(readFileSync(join(root, 'http-clone', 'a.txt'), 'utf8')).toBe('b\n');
    } finally {
      await srv.close();
    }
  });

  it('accepts a bearer token', async () => {
    const srv = await startGitHttpServer({ root: join(root, 'repos'), bearerToken: 'tok123' });
    try {
      const refs = await run(
        'git',
        ['-c', 'http.extraHeader=Authorization: Bearer tok123', 'ls-remote', `${srv.url}/app.git`],
        {
          env: env(),
        },
      );
      expect(refs).toContain('refs/heads/main');
      expect(srv.counts().unauthorized).toBe(0);
    } finally {
      await srv.close();
    }
  });
});

describe('startSshGitServer', { timeout: 30_000 }, () => {
  it('serves git over OpenSSH with a generated host key and client identity', { timeout: 20_000 }, async () => {
    const ssh = await startSshGitServer({ root: join(root, 'repos') });
    try {
      const keyFile = join(root, 'id');
      const khFile = join(root, 'known_hosts');
      writeFileSync(keyFile, ssh.identity, { mode: 0o600 });
      writeFileSync(khFile, ssh.knownHosts);
      const sshCmd = `ssh -i ${keyFile} -o IdentitiesOnly=yes -o UserKnownHostsFile=${khFile} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
      const refs = await run('git', ['ls-remote', ssh.url('app')], { env: { ...env(), GIT_SSH_COMMAND: sshCmd } });
      expect(refs).toContain(`${repo.commits['two']}\trefs/heads/main`);
      expect(ssh.url('app')).toBe(`ssh://${ssh.user}@127.0.0.1:${ssh.port}${join(root, 'repos', 'app.git')}`);
    } finally {
      await ssh.close();
    }
  });
});
