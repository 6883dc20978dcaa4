import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, run, sshKeyPair, startGitHttpServer, startSshGitServer } from '@flux-ts/testbed';
import type { GitHttpServer, Repo } from '@flux-ts/testbed';
import {
  GitError,
  PushRejectedError,
  authFromSecret,
  cloneWorktree,
  commitAll,
  pushBranch,
  readSigningKey,
} from './index.ts';

const USER = 'flux';
const PASSWORD = 'push-Pa55word';
const auth = authFromSecret({ username: USER, password: PASSWORD });

let root: string;
let server: GitHttpServer;
let repo: Repo;
let url: string;
let n = 0;
const dir = (): string => join(root, `wt-${++n}`);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-git-push-'));
  mkdirSync(join(root, 'srv'));
  repo = await makeRepo({
    root: join(root, 'srv'),
    name: 'fleet',
    defaultBranch: 'main',
    commits: [{ label: 'c1', files: { 'app/deploy.yaml': 'image: a:1\n', 'README.md': 'hi\n' } }],
  });
  server = await startGitHttpServer({ root: join(root, 'srv'), credentials: { username: USER, password: PASSWORD } });
  url = `${server.url}${repo.urlPath}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await repo?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Runs `fn` with push options advertised and a pre-receive hook recording them; returns what the hook saw. */
async function withPushOptionHook(fn: () => Promise<unknown>): Promise<string> {
  const hook = join(repo.path, 'hooks', 'pre-receive');
  const out = join(root, `push-options-${++n}`);
  writeFileSync(
    hook,
    `#!/bin/sh\n{ echo "$GIT_PUSH_OPTION_COUNT"; i=0; while [ "$i" -lt "\${GIT_PUSH_OPTION_COUNT:-0}" ]; do eval "echo \\"\\$GIT_PUSH_OPTION_$i\\""; i=$((i+1)); done; } > '${out}'\n`,
    { mode: 0o755 },
  );
  await run('git', ['--git-dir', repo.path, 'config', 'receive.advertisePushOptions', 'true']);
  try {
    await fn();
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(hook);
    await run('git', ['--git-dir', repo.path, 'config', '--unset', 'receive.advertisePushOptions']);
  }
}

describe('cloneWorktree, commitAll, pushBranch', () => {
  it('commits only the changed file and pushes it to a new branch', { timeout: 60_000 }, async () => {
    const d = dir();
    const co = await cloneWorktree({ url, auth, ref: { branch: 'main' }, dir: d, shallow: true, branch: 'eks' });
    expect(co.commit).toBe(repo.commits['c1']);
    expect(co.revision).toBe(`main@sha1:${repo.commits['c1']}`);
    expect(co.branchExisted).toBe(false);
    expect(await commitAll({ dir: d, author: { name: 'fluxbot', email: 'fluxbot@example.com' }, message: 'x' })).toBe(
      undefined,
    );
    writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:2\n');
    const sha = await commitAll({ dir: d, author: { name: 'fluxbot', email: 'fluxbot@example.com' }, message: 'bump' });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    await pushBranch({ url, auth, dir: d, ref: 'eks', force: true });
    expect(await repo.revParse('eks')).toBe(sha);
    const shown = await run('git', ['--git-dir', repo.path, 'show', '--stat', '--format=%an <%ae>%n%s', 'eks']);
    expect(shown).toContain('fluxbot <fluxbot@example.com>\nbump');
    expect(shown).toContain('app/deploy.yaml | 2 +-');
    expect(shown).not.toContain('README.md');
  });

  it('signs the commit so that git verify-commit accepts it', { timeout: 60_000 }, async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      userIDs: [{ name: 'fluxbot', email: 'fluxbot@example.com' }],
      type: 'ecc',
      curve: 'ed25519Legacy',
      passphrase: 'sign-pass',
      format: 'armored',
    });
    const signingKey = await readSigningKey({ armoredKey: privateKey, passphrase: 'sign-pass' });
    await expect(readSigningKey({ armoredKey: privateKey, passphrase: 'wrong' })).rejects.toThrow(
      'unable to decrypt signing key: wrong or missing passphrase',
    );
    const d = dir();
    await cloneWorktree({ url, auth, ref: { branch: 'main' }, dir: d, branch: 'signed' });
    writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:3\n');
    const sha = await commitAll({
      dir: d,
      author: { name: 'fluxbot', email: 'fluxbot@example.com' },
      message: 's',
      signingKey,
    });
    await pushBranch({ url, auth, dir: d, ref: 'signed', force: true });
    const gnupg = join(root, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    writeFileSync(join(root, 'pub.asc'), publicKey);
    const env = { ...process.env, GNUPGHOME: gnupg };
    await run('gpg', ['--batch', '--import', join(root, 'pub.asc')], { env });
    expect(await run('git', ['--git-dir', repo.path, 'cat-file', 'commit', sha!])).toContain(
      'gpgsig -----BEGIN PGP SIGNATURE-----',
    );
    // verify-commit exits non-zero (run rejects) unless the signature is good and made by the imported key
    await expect(run('git', ['--git-dir', repo.path, 'verify-commit', sha!], { env })).resolves.toBeTypeOf('string');
    await run('gpgconf', ['--homedir', gnupg, '--kill', 'all'], { env }).catch(() => undefined);
  });

  it(
    'reports a non-fast-forward as PushRejectedError and a hook refusal with its reason',
    { timeout: 60_000 },
    async () => {
      const d = dir();
      await cloneWorktree({ url, auth, ref: { branch: 'main' }, dir: d });
      await repo.commit({ label: 'c2', files: { 'other.txt': 'moved\n' } });
      writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:4\n');
      await commitAll({ dir: d, author: { name: 'fluxbot', email: 'fluxbot@example.com' }, message: 'late' });
      await expect(pushBranch({ url, auth, dir: d, ref: 'main' })).rejects.toBeInstanceOf(PushRejectedError);

      const hook = join(repo.path, 'hooks', 'pre-receive');
      writeFileSync(hook, '#!/bin/sh\necho "protected branch" >&2\nexit 1\n', { mode: 0o755 });
      try {
        const d2 = dir();
        await cloneWorktree({ url, auth, ref: { branch: 'main' }, dir: d2 });
        writeFileSync(join(d2, 'app/deploy.yaml'), 'image: a:5\n');
        await commitAll({ dir: d2, author: { name: 'fluxbot', email: 'fluxbot@example.com' }, message: 'refused' });
        const err = await pushBranch({ url, auth, dir: d2, ref: 'main' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GitError);
        expect((err as Error).message).toMatch(
          /^failed to push to remote: remote rejected the push \(refs\/heads\/main: /,
        );
        expect((err as Error).message).not.toContain(PASSWORD);
        expect(await repo.revParse('main')).toBe(repo.commits['c2']);
      } finally {
        rmSync(hook);
      }
      expect(readFileSync(join(d, 'app/deploy.yaml'), 'utf8')).toBe('image: a:4\n');
    },
  );

  it(
    'sends push options to a server that advertises push-options, and the push alone to one that does not',
    { timeout: 60_000 },
    async () => {
      const d = dir();
      await cloneWorktree({ url, auth, ref: { branch: 'main' }, dir: d, branch: 'opts' });
      writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:opts\n');
      const first = await commitAll({
        dir: d,
        author: { name: 'fluxbot', email: 'fluxbot@example.com' },
        message: 'opts',
      });
      const options = { 'merge_request.create': '', 'ci.variable': 'A=1', 'ci.skip': '' };
      // go-git (Flux) sends the push without the options when the server does not take them
      let unsupported = 0;
      await pushBranch({ url, auth, dir: d, ref: 'opts', options, onPushOptionsUnsupported: () => unsupported++ });
      expect(unsupported).toBe(1);
      expect(await repo.revParse('opts')).toBe(first);
      writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:opts2\n');
      const second = await commitAll({
        dir: d,
        author: { name: 'fluxbot', email: 'fluxbot@example.com' },
        message: 'opts2',
      });
      const recorded = await withPushOptionHook(() =>
        pushBranch({ url, auth, dir: d, ref: 'opts', options, onPushOptionsUnsupported: () => unsupported++ }),
      );
      expect(recorded).toBe('3\nci.skip=\nci.variable=A=1\nmerge_request.create=\n');
      expect(unsupported).toBe(1);
      expect(await repo.revParse('opts')).toBe(second);
    },
  );

  it('clones and pushes over SSH (receive-pack on the SSH transport)', { timeout: 60_000 }, async () => {
    const sshd = await startSshGitServer({ root: join(root, 'srv') });
    try {
      const sshAuth = authFromSecret({ identity: sshd.identity, known_hosts: sshd.knownHosts });
      const url = sshd.url('fleet');
      const d = dir();
      const co = await cloneWorktree({
        url,
        auth: sshAuth,
        ref: { branch: 'main' },
        dir: d,
        shallow: true,
        branch: 'ssh',
      });
      expect(co.commit).toBe(await repo.revParse('main'));
      writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:ssh\n');
      const sha = await commitAll({
        dir: d,
        author: { name: 'fluxbot', email: 'fluxbot@example.com' },
        message: 'ssh',
      });
      const recorded = await withPushOptionHook(() =>
        pushBranch({ url, auth: sshAuth, dir: d, ref: 'ssh', force: true, options: { 'ci.skip': '' } }),
      );
      expect(recorded).toBe('1\nci.skip=\n');
      expect(await repo.revParse('ssh')).toBe(sha);
      expect(await run('git', ['--git-dir', repo.path, 'show', 'ssh:app/deploy.yaml'])).toBe('image: a:ssh\n');
    } finally {
      await sshd.close();
    }
  });

  it('signs with an SSH key (gpg.format=ssh) that git verify-commit accepts', { timeout: 60_000 }, async () => {
    const keys = await sshKeyPair(mkdtempSync(join(root, 'sshsign-')), 'signing');
    const d = dir();
    await cloneWorktree({ url, auth, ref: { branch: 'main' }, dir: d, branch: 'ssh-signed' });
    writeFileSync(join(d, 'app/deploy.yaml'), 'image: a:sshsig\n');
    const sha = await commitAll({
      dir: d,
      author: { name: 'fluxbot', email: 'fluxbot@example.com' },
      message: 'ssh signed',
      signingKey: { identity: keys.privateKey },
    });
    await pushBranch({ url, auth, dir: d, ref: 'ssh-signed', force: true });
    const raw = await run('git', ['--git-dir', repo.path, 'cat-file', 'commit', sha!]);
    expect(raw).toContain('gpgsig -----BEGIN SSH SIGNATURE-----');
    const allowed = join(root, 'allowed_signers');
    writeFileSync(allowed, `fluxbot@example.com ${keys.publicKey}\n`);
    // verify-commit exits non-zero (run rejects) unless the signature is good and from an allowed signer
    await expect(
      run('git', [
        '--git-dir',
        repo.path,
        '-c',
        'gpg.format=ssh',
        '-c',
        `gpg.ssh.allowedSignersFile=${allowed}`,
        'verify-commit',
        sha!,
      ]),
    ).resolves.toBeTypeOf('string');
  });
});
