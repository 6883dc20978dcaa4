import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gpgKey,
  makeRepo,
  sshKeyPair,
  sshSigningKey,
  startGitHttpServer,
  startHttpProxy,
  startSshGitServer,
  tlsCertificate,
} from '@flux-ts/testbed';
import type { GitHttpServer, GpgKey, Repo, SshGitServer } from '@flux-ts/testbed';
import {
  AuthenticationError,
  GitError,
  InvalidInputError,
  NotFoundError,
  TimeoutError,
  UnknownHostKeyError,
  VerificationError,
  authFromSecret,
  checkout,
  listRefs,
  proxyFromSecret,
  verifyCheckout,
  verifyCommit,
} from './index.ts';
import type { CheckoutOptions, CheckoutResult } from './index.ts';

const USER = 'flux';
const PASSWORD = 's3cret-Pa55word';
const TOKEN = 'tok-0123456789abcdef';

let root: string;
let work: string;
let key: GpgKey;
let repo: Repo;
let basic: GitHttpServer;
let bearer: GitHttpServer;
let n = 0;

const dir = (): string => join(work, `co-${++n}`);
const basicAuth = authFromSecret({ username: USER, password: PASSWORD });

async function done(
  opts: Omit<CheckoutOptions, 'dir'>,
): Promise<Extract<CheckoutResult, { skipped: false }> & { dir: string }> {
  const d = dir();
  const res = await checkout({ ...opts, dir: d });
  if (res.skipped) throw new Error('unexpected no-op');
  return { ...res, dir: d };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-git-int-'));
  work = join(root, 'work');
  key = await gpgKey({ dir: root });
  repo = await makeRepo({
    root: join(root, 'repos'),
    name: 'app',
    signWith: key,
    commits: [
      { label: 'first', files: { 'README.md': 'first\n', 'deploy/app.yaml': 'kind: A\n' } },
      { label: 'second', files: { 'README.md': 'second\n', 'other/x.txt': 'x\n' } },
      { label: 'signed', files: { 'README.md': 'signed\n' }, sign: true },
      { label: 'feature', branch: 'feature', files: { 'feature.txt': 'feature\n' } },
    ],
    branches: { master: 'first' },
    tags: [
      { name: 'v1.0.0', target: 'first' },
      { name: 'v1.1.0', target: 'second', annotated: true },
      { name: 'v2.0.0-rc.1', target: 'signed', sign: true },
      { name: 'v1.2', target: 'signed', sign: true },
      { name: 'not-a-version', target: 'feature' },
    ],
    pullRefs: { 7: 'feature' },
  });
  basic = await startGitHttpServer({ root: join(root, 'repos'), credentials: { username: USER, password: PASSWORD } });
  bearer = await startGitHttpServer({ root: join(root, 'repos'), bearerToken: TOKEN });
}, 60_000);

afterAll(async () => {
  await basic?.close();
  await bearer?.close();
  await key?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('checkout over HTTP with basic auth', { timeout: 30_000 }, () => {
  const url = (): string => `${basic.url}/app.git`;

  it('checks out a branch at depth 1 with the branch revision', async () => {
    const res = await done({ url: url(), ref: { branch: 'main' }, auth: basicAuth });
    expect(res.revision).toBe(`main@sha1:${repo.commits['signed']}`);
    expect(readFileSync(join(res.dir, 'README.md'), 'utf8')).toBe('signed\n');
    expect(existsSync(join(res.dir, 'feature.txt'))).toBe(false);
    expect(existsSync(join(res.dir, '.git', 'shallow'))).toBe(true);
  });

  it('defaults to the master branch', async () => {
    const res = await done({ url: url(), auth: basicAuth });
    expect(res.revision).toBe(`master@sha1:${repo.commits['first']}`);
  });

  it('checks out lightweight and annotated tags (peeled)', async () => {
    const light = await done({ url: url(), ref: { tag: 'v1.0.0' }, auth: basicAuth });
    expect(light.revision).toBe(`v1.0.0@sha1:${repo.commits['first']}`);
    expect(light.tag).toBeUndefined();
    const annotated = await done({ url: url(), ref: { tag: 'v1.1.0' }, auth: basicAuth });
    expect(annotated.revision).toBe(`v1.1.0@sha1:${repo.commits['second']}`);
    expect(annotated.tag?.name).toBe('v1.1.0');
    expect(annotated.tag?.hash).toBe(await repo.revParse('refs/tags/v1.1.0'));
    expect(readFileSync(join(annotated.dir, 'README.md'), 'utf8')).toBe('second\n');
  });

  it('picks the highest tag matching a semver range, keeping the tag name', async () => {
    const res = await done({ url: url(), ref: { semver: '>=1.0.0 <2.0.0' }, auth: basicAuth });
    // v1.2 is read leniently as 1.2.0, as Masterminds does.
    expect(res.revision).toBe(`v1.2@sha1:${repo.commits['signed']}`);
    const pre = await done({ url: url(), ref: { semver: '>=2.0.0-0' }, auth: basicAuth });
    expect(pre.revision).toBe(`v2.0.0-rc.1@sha1:${repo.commits['signed']}`);
  });

  it('prefers semver over tag and tag over branch', async () => {
    const res = await done({ url: url(), ref: { branch: 'main', tag: 'v1.0.0', semver: '~1.1' }, auth: basicAuth });
    expect(res.revision).toBe(`v1.1.0@sha1:${repo.commits['second']}`);
  });

  it('checks out full ref names including pull refs', async () => {
    const heads = await done({ url: url(), ref: { name: 'refs/heads/main', branch: 'feature' }, auth: basicAuth });
    expect(heads.revision).toBe(`refs/heads/main@sha1:${repo.commits['signed']}`);
    const tags = await done({ url: url(), ref: { name: 'refs/tags/v1.1.0' }, auth: basicAuth });
    expect(tags.revision).toBe(`refs/tags/v1.1.0@sha1:${repo.commits['second']}`);
    const pull = await done({ url: url(), ref: { name: 'refs/pull/7/head' }, auth: basicAuth });
    expect(pull.revision).toBe(`refs/pull/7/head@sha1:${repo.commits['feature']}`);
    expect(readFileSync(join(pull.dir, 'feature.txt'), 'utf8')).toBe('feature\n');
  });

  it('checks out a commit, bare or on a branch', async () => {
    const bare = await done({ url: url(), ref: { commit: repo.commits['first']! }, auth: basicAuth });
    expect(bare.revision).toBe(`sha1:${repo.commits['first']}`);
    expect(readFileSync(join(bare.dir, 'README.md'), 'utf8')).toBe('first\n');
    const onBranch = await done({
      url: url(),
      ref: { branch: 'main', commit: repo.commits['second']! },
      auth: basicAuth,
    });
    expect(onBranch.revision).toBe(`main@sha1:${repo.commits['second']}`);
    expect(readFileSync(join(onBranch.dir, 'README.md'), 'utf8')).toBe('second\n');
    await expect(
      checkout({ url: url(), dir: dir(), ref: { branch: 'feature', commit: 'f'.repeat(40) }, auth: basicAuth }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('writes only the sparse checkout directories', async () => {
    const res = await done({ url: url(), ref: { branch: 'main' }, auth: basicAuth, sparseCheckout: ['deploy/'] });
    expect(readFileSync(join(res.dir, 'deploy', 'app.yaml'), 'utf8')).toBe('kind: A\n');
    expect(existsSync(join(res.dir, 'other'))).toBe(false);
    expect(existsSync(join(res.dir, 'README.md'))).toBe(false);
  });

  it('reports missing refs and repositories as NotFoundError', async () => {
    await expect(checkout({ url: url(), dir: dir(), ref: { branch: 'nope' }, auth: basicAuth })).rejects.toThrow(
      /couldn't find remote ref 'refs\/heads\/nope'/,
    );
    await expect(checkout({ url: url(), dir: dir(), ref: { semver: '>=9' }, auth: basicAuth })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(listRefs({ url: `${basic.url}/missing.git`, auth: basicAuth })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('fails a wrong password with AuthenticationError and no credentials in the message', async () => {
    const wrong = 'Wr0ng-Pa55word';
    const err = await checkout({
      url: url(),
      dir: dir(),
      ref: { branch: 'main' },
      auth: authFromSecret({ username: USER, password: wrong }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^unable to clone: authentication/);
    expect(msg).not.toContain(wrong);
    expect(msg).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
  });

  it('strips userinfo from URLs in messages', async () => {
    const err = await listRefs({ url: `http://${USER}:leaked-pass@127.0.0.1:${basic.port}/missing.git` }).catch(
      (e: unknown) => e,
    );
    // The credentials in the URL are wrong for this server: a 401, reported without them.
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(String((err as Error).message)).not.toContain('leaked-pass');
    expect(String((err as Error).stack)).not.toContain('leaked-pass');
  });

  it('rejects unsupported URL schemes and maps a timed-out signal to TimeoutError', async () => {
    await expect(listRefs({ url: 'git://127.0.0.1/app.git' })).rejects.toBeInstanceOf(InvalidInputError);
    const signal = AbortSignal.abort(new DOMException('timed out', 'TimeoutError'));
    await expect(listRefs({ url: url(), auth: basicAuth, signal })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('takes the no-op path: one ref listing, no upload-pack POST, when the remote ref is unchanged', async () => {
    const first = await done({ url: url(), ref: { branch: 'main' }, auth: basicAuth });
    basic.resetCounts();
    const again = await checkout({
      url: url(),
      dir: dir(),
      ref: { branch: 'main' },
      auth: basicAuth,
      lastRevision: first.revision,
    });
    expect(again.skipped).toBe(true);
    expect(again.revision).toBe(first.revision);
    expect(basic.counts()).toEqual({ infoRefs: 1, uploadPack: 0, receivePack: 0, unauthorized: 0 });
    // A changed ref costs one advertisement and one upload-pack POST (the listing is reused by the fetch).
    basic.resetCounts();
    await checkout({
      url: url(),
      dir: dir(),
      ref: { branch: 'main' },
      auth: basicAuth,
      lastRevision: 'main@sha1:' + '0'.repeat(40),
    });
    expect(basic.counts()).toEqual({ infoRefs: 1, uploadPack: 1, receivePack: 0, unauthorized: 0 });

    const tagged = await done({ url: url(), ref: { tag: 'v1.1.0' }, auth: basicAuth });
    basic.resetCounts();
    const tagAgain = await checkout({
      url: url(),
      dir: dir(),
      ref: { tag: 'v1.1.0' },
      auth: basicAuth,
      lastRevision: tagged.revision,
    });
    expect(tagAgain.skipped).toBe(true);
    expect(basic.counts().uploadPack).toBe(0);

    // A commit ref cannot move: nothing is requested at all; a legacy `main/<sha>` revision is understood.
    basic.resetCounts();
    const commitRev = `sha1:${repo.commits['first']}`;
    const commitAgain = await checkout({
      url: url(),
      dir: dir(),
      ref: { commit: repo.commits['first']! },
      auth: basicAuth,
      lastRevision: commitRev,
    });
    expect(commitAgain.skipped).toBe(true);
    expect(basic.counts()).toEqual({ infoRefs: 0, uploadPack: 0, receivePack: 0, unauthorized: 0 });
    const legacy = await checkout({
      url: url(),
      dir: dir(),
      ref: { branch: 'main' },
      auth: basicAuth,
      lastRevision: first.revision.replace('@sha1:', '/'),
    });
    expect(legacy.skipped).toBe(true);
  });
});

describe('checkout over HTTP with a bearer token', { timeout: 30_000 }, () => {
  it('checks out with the token and refuses a wrong one', async () => {
    const url = `${bearer.url}/app.git`;
    const res = await done({ url, ref: { tag: 'v1.0.0' }, auth: authFromSecret({ bearerToken: TOKEN }) });
    expect(res.revision).toBe(`v1.0.0@sha1:${repo.commits['first']}`);
    const err = await listRefs({ url, auth: authFromSecret({ bearerToken: 'not-the-token' }) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).not.toContain('not-the-token');
  });
});

describe('checkout over HTTPS', { timeout: 30_000 }, () => {
  it('trusts a custom CA from ca.crt and presents a client certificate from tls.crt/tls.key', async () => {
    const server = await tlsCertificate();
    const client = await tlsCertificate('flux-client');
    const srv = await startGitHttpServer({
      root: join(root, 'repos'),
      credentials: { username: USER, password: PASSWORD },
      tls: { cert: server.cert, key: server.key, clientCa: client.ca },
    });
    try {
      const url = `${srv.url}/app.git`;
      const auth = authFromSecret({
        username: USER,
        password: PASSWORD,
        'ca.crt': server.ca,
        'tls.crt': client.cert,
        'tls.key': client.key,
      });
      const res = await done({ url, ref: { branch: 'main' }, auth });
      expect(res.revision).toBe(`main@sha1:${repo.commits['signed']}`);
      const untrusted = await listRefs({ url, auth: authFromSecret({ username: USER, password: PASSWORD }) }).catch(
        (e: unknown) => e,
      );
      expect(untrusted).toBeInstanceOf(GitError);
      expect((untrusted as Error).message).not.toContain(PASSWORD);
      const noClientCert = listRefs({
        url,
        auth: authFromSecret({ username: USER, password: PASSWORD, 'ca.crt': server.ca }),
      });
      await expect(noClientCert).rejects.toBeInstanceOf(GitError);
    } finally {
      await srv.close();
    }
  });
});

describe('proxies (proxySecretRef)', { timeout: 30_000 }, () => {
  it('goes through an authenticating HTTP proxy for http and https remotes', async () => {
    const proxy = await startHttpProxy({ credentials: { username: 'p', password: 'proxy-Pa55' } });
    const server = await tlsCertificate();
    const tlsSrv = await startGitHttpServer({
      root: join(root, 'repos'),
      credentials: { username: USER, password: PASSWORD },
      tls: { cert: server.cert, key: server.key },
    });
    try {
      const viaProxy = proxyFromSecret({ address: proxy.url, username: 'p', password: 'proxy-Pa55' });
      const res = await done({
        url: `${basic.url}/app.git`,
        ref: { branch: 'main' },
        auth: basicAuth,
        proxy: viaProxy,
      });
      expect(res.revision).toBe(`main@sha1:${repo.commits['signed']}`);
      expect(proxy.counts().forwarded).toBe(2);
      const auth = authFromSecret({ username: USER, password: PASSWORD, 'ca.crt': server.ca });
      const tls = await done({ url: `${tlsSrv.url}/app.git`, ref: { tag: 'v1.0.0' }, auth, proxy: viaProxy });
      expect(tls.revision).toBe(`v1.0.0@sha1:${repo.commits['first']}`);
      expect(proxy.counts().tunnels).toBeGreaterThan(0);
      const wrong = proxyFromSecret({ address: proxy.url, username: 'p', password: 'bad-proxy-pass' });
      const err = await listRefs({ url: `${basic.url}/app.git`, auth: basicAuth, proxy: wrong }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitError);
      expect((err as Error).message).not.toContain('bad-proxy-pass');
      expect(proxy.counts().unauthorized).toBe(1);
      expect(() => proxyFromSecret({ username: 'p' })).toThrow(InvalidInputError);
    } finally {
      await tlsSrv.close();
      await proxy.close();
    }
  });
});

describe('new commits', { timeout: 30_000 }, () => {
  it('a new commit on the branch gives a new revision and a real fetch', async () => {
    const url = `${basic.url}/app.git`;
    const before = await done({ url, ref: { branch: 'feature' }, auth: basicAuth });
    const sha = await repo.commit({ branch: 'feature', files: { 'feature.txt': 'feature 2\n' } });
    basic.resetCounts();
    const after = await checkout({
      url,
      dir: dir(),
      ref: { branch: 'feature' },
      auth: basicAuth,
      lastRevision: before.revision,
    });
    expect(after.skipped).toBe(false);
    expect(after.revision).toBe(`feature@sha1:${sha}`);
    expect(basic.counts().uploadPack).toBe(1);
  });
});

describe('signature verification (OpenPGP)', { timeout: 30_000 }, () => {
  const url = (): string => `${basic.url}/app.git`;

  it('verifies a signed commit and rejects tampered, unsigned and foreign-key ones', async () => {
    const signed = await done({ url: url(), ref: { commit: repo.commits['signed']! }, auth: basicAuth });
    const ok = await verifyCommit(signed.commit, [key.armoredPublicKey]);
    expect(ok.fingerprint).toBe(key.fingerprint);
    expect((await verifyCheckout(signed, 'HEAD', [key.armoredPublicKey])).commit?.fingerprint).toBe(key.fingerprint);

    const tampered = { ...signed.commit, payload: signed.commit.payload.replace('commit signed', 'commit forged') };
    expect(tampered.payload).not.toBe(signed.commit.payload);
    await expect(verifyCommit(tampered, [key.armoredPublicKey])).rejects.toBeInstanceOf(VerificationError);

    const unsigned = await done({ url: url(), ref: { tag: 'v1.0.0' }, auth: basicAuth });
    await expect(verifyCommit(unsigned.commit, [key.armoredPublicKey])).rejects.toThrow(/no signature found/);

    const other = await gpgKey({ dir: root, uid: 'Other <other@test.invalid>' });
    try {
      await expect(verifyCommit(signed.commit, [other.armoredPublicKey])).rejects.toBeInstanceOf(VerificationError);
    } finally {
      await other.close();
    }
  });

  it('verifies a signed tag in Tag and TagAndHEAD modes and requires a tag for them', async () => {
    const res = await done({ url: url(), ref: { tag: 'v2.0.0-rc.1' }, auth: basicAuth });
    const both = await verifyCheckout(res, 'TagAndHEAD', [key.armoredPublicKey]);
    expect(both.tag?.fingerprint).toBe(key.fingerprint);
    expect(both.commit?.fingerprint).toBe(key.fingerprint);
    const unsignedTag = await done({ url: url(), ref: { tag: 'v1.1.0' }, auth: basicAuth });
    await expect(verifyCheckout(unsignedTag, 'Tag', [key.armoredPublicKey])).rejects.toThrow(/no signature found/);
    const branch = await done({ url: url(), ref: { branch: 'main' }, auth: basicAuth });
    await expect(verifyCheckout(branch, 'Tag', [key.armoredPublicKey])).rejects.toBeInstanceOf(VerificationError);
  });
});

describe('signature verification (SSH signatures)', { timeout: 30_000 }, () => {
  it('verifies ssh-signed commits and tags against *.sshpub keys and rejects the rest', async () => {
    const signer = await sshSigningKey();
    const stranger = await sshSigningKey();
    const sshRepo = await makeRepo({
      root: join(root, 'repos'),
      name: 'ssh-signed',
      signWith: signer,
      commits: [{ label: 'signed', files: { 'a.txt': 'a\n' }, sign: true }],
      tags: [{ name: 'v1.0.0', sign: true }],
    });
    try {
      const url = `${basic.url}/ssh-signed.git`;
      const res = await done({ url, ref: { tag: 'v1.0.0' }, auth: basicAuth });
      const keys = [`${signer.publicKey}\n`, key.armoredPublicKey];
      const ok = await verifyCheckout(res, 'TagAndHEAD', keys);
      expect(ok.commit?.format).toBe('ssh');
      expect(ok.commit?.fingerprint).toMatch(/^SHA256:/);
      expect(ok.tag?.fingerprint).toBe(ok.commit?.fingerprint);
      await expect(verifyCommit(res.commit, [stranger.publicKey])).rejects.toThrow(/not among the trusted ssh keys/);
      const tampered = { ...res.commit, payload: res.commit.payload.replace('commit signed', 'commit forged') };
      expect(tampered.payload).not.toBe(res.commit.payload);
      await expect(verifyCommit(tampered, keys)).rejects.toThrow(/does not verify/);
    } finally {
      await sshRepo.close();
      await signer.close();
      await stranger.close();
    }
  });
});

describe('checkout over SSH (openssh-server)', { timeout: 30_000 }, () => {
  let ssh: SshGitServer;
  beforeAll(async () => {
    ssh = await startSshGitServer({ root: join(root, 'repos') });
  });
  afterAll(async () => {
    await ssh?.close();
  });
  const auth = () => authFromSecret({ identity: ssh.identity, known_hosts: ssh.knownHosts });

  it('lists refs and checks out branch, tag and commit with known_hosts', async () => {
    const refs = await listRefs({ url: ssh.url('app'), auth: auth() });
    expect(refs.find((r) => r.ref === 'refs/tags/v1.1.0')?.peeled).toBe(repo.commits['second']);
    const branch = await done({ url: ssh.url('app'), ref: { branch: 'main' }, auth: auth() });
    expect(branch.revision).toBe(`main@sha1:${repo.commits['signed']}`);
    expect(readFileSync(join(branch.dir, 'README.md'), 'utf8')).toBe('signed\n');
    const tag = await done({ url: ssh.url('app'), ref: { semver: '1.1.x' }, auth: auth() });
    expect(tag.revision).toBe(`v1.1.0@sha1:${repo.commits['second']}`);
    const commit = await done({ url: ssh.url('app'), ref: { commit: repo.commits['first']! }, auth: auth() });
    expect(commit.revision).toBe(`sha1:${repo.commits['first']}`);
    const noop = await checkout({
      url: ssh.url('app'),
      dir: dir(),
      ref: { branch: 'main' },
      auth: auth(),
      lastRevision: branch.revision,
    });
    expect(noop.skipped).toBe(true);
  });

  it('rejects an unknown host key', async () => {
    const other = await sshKeyPair(mkdtempSync(join(root, 'keys-')), 'other-host');
    const knownHosts = `[127.0.0.1]:${ssh.port} ${other.publicKey.split(' ').slice(0, 2).join(' ')}\n`;
    const err = await listRefs({
      url: ssh.url('app'),
      auth: authFromSecret({ identity: ssh.identity, known_hosts: knownHosts }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownHostKeyError);
    expect((err as Error).message).toMatch(/host key verification failed/);
  });

  it('rejects an identity the server does not know, and a missing repository', async () => {
    const other = await sshKeyPair(mkdtempSync(join(root, 'keys-')), 'other-client');
    const err = await listRefs({
      url: ssh.url('app'),
      auth: authFromSecret({ identity: other.privateKey, known_hosts: ssh.knownHosts }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).not.toBeInstanceOf(UnknownHostKeyError);
    await expect(listRefs({ url: ssh.url('missing'), auth: auth() })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('uses a passphrase-protected identity and never echoes a wrong passphrase', async () => {
    const locked = await startSshGitServer({ root: join(root, 'repos'), identityPassphrase: 'open-sesame' });
    try {
      const ok = await listRefs({
        url: locked.url('app'),
        auth: authFromSecret({ identity: locked.identity, known_hosts: locked.knownHosts, password: 'open-sesame' }),
      });
      expect(ok.some((r) => r.ref === 'refs/heads/main')).toBe(true);
      const err = await listRefs({
        url: locked.url('app'),
        auth: authFromSecret({ identity: locked.identity, known_hosts: locked.knownHosts, password: 'not-sesame' }),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as Error).message).not.toContain('not-sesame');
    } finally {
      await locked.close();
    }
  });
});
