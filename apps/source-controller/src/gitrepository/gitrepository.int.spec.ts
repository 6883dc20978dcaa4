import { kstatusViolations } from '@flux-ts/testing';
import { gitRepositoryReadyCondition } from './conditions.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchArtifact } from '@flux-ts/artifact';
import type { KubeObject } from '@flux-ts/runtime';
import {
  gpgKey,
  makeRepo,
  startGitHttpServer,
  startHttpProxy,
  startSshGitServer,
  tlsCertificate,
} from '@flux-ts/testbed';
import type { GitHttpServer, GpgKey, Repo, SshGitServer } from '@flux-ts/testbed';
import {
  annotate,
  condition,
  createGitRepository,
  createSecret,
  deleteGitRepository,
  getGitRepository,
  isGone,
  isReady,
  patchSpec,
  startHarness,
  until,
  waitFor,
} from './harness.spec-helper.ts';
import type { GitRepo, Harness } from './harness.spec-helper.ts';

const PASSWORD = 's3cret-Pa55word';
const TOKEN = 'bearer-T0ken-value';

function rawGet(url: string, path: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function noSecrets(obj: GitRepo): void {
  const text = JSON.stringify(obj.status);
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(Buffer.from(`flux:${PASSWORD}`).toString('base64'));
}

describe('GitRepository reconciler against the API server and real git servers', () => {
  let h: Harness;
  let root: string;
  let http: GitHttpServer;
  let ssh: SshGitServer;
  let key: GpgKey;
  let otherKey: GpgKey;
  let app: Repo;
  let signed: Repo;
  let lib: Repo;
  let hang: Server;
  /** Requests the controller made (its user agent), path without query. */
  const controllerRequests: string[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'flux-ts-source-git-'));
    [key, otherKey] = await Promise.all([gpgKey(), gpgKey()]);
    app = await makeRepo({
      root,
      name: 'app',
      commits: [
        { label: 'a', files: { 'README.md': 'a\n', 'deploy/app.yaml': 'kind: A\n' } },
        {
          label: 'b',
          files: {
            'README.md': 'b\n',
            'deploy/app.yaml': 'kind: B\n',
            '.sourceignore': 'secret.txt\n',
            'secret.txt': 'hidden\n',
            'other/notes.txt': 'notes\n',
          },
          message: 'second commit: with a .sourceignore',
        },
      ],
      branches: { dev: 'a' },
      tags: [
        { name: 'v1.0.0', target: 'a' },
        { name: 'v1.1.0', target: 'b', annotated: true },
      ],
    });
    signed = await makeRepo({
      root,
      name: 'signed',
      signWith: key,
      commits: [
        { label: 'signed', files: { 'x.txt': 'x\n' }, sign: true },
        { label: 'unsigned', branch: 'unsigned', files: { 'y.txt': 'y\n' } },
      ],
      tags: [
        { name: 'v1.0.0', target: 'signed', sign: true },
        { name: 'v0.9.0', target: 'signed', annotated: true },
      ],
    });
    lib = await makeRepo({ root, name: 'lib', commits: [{ label: 'l1', files: { 'lib/one.txt': 'one\n' } }] });
    http = await startGitHttpServer({
      root,
      credentials: { username: 'flux', password: PASSWORD },
      bearerToken: TOKEN,
    });
    ssh = await startSshGitServer({ root });
    // A TCP server that accepts and never answers: spec.timeout must cut the operation.
    hang = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    h = await startHarness(['--artifact-retention-records=1'], {
      onRequest: (e) => {
        if (e.userAgent.startsWith('source-controller')) controllerRequests.push(`${e.method} ${e.url.split('?')[0]}`);
      },
    });
    await createSecret(h.client, 'basic', { username: 'flux', password: PASSWORD });
    await createSecret(h.client, 'bearer', { bearerToken: TOKEN });
    await createSecret(h.client, 'wrong', { username: 'flux', password: 'not-the-password' });
    await createSecret(h.client, 'password-only', { password: PASSWORD });
    await createSecret(h.client, 'ssh', { identity: ssh.identity, known_hosts: ssh.knownHosts });
    const foreignHost = ssh.knownHosts.replace(
      /ssh-ed25519 \S+/,
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
    );
    await createSecret(h.client, 'ssh-foreign-host', { identity: ssh.identity, known_hosts: foreignHost });
    await createSecret(h.client, 'pgp', { 'author.asc': key.armoredPublicKey });
    await createSecret(h.client, 'pgp-other', { 'other.asc': otherKey.armoredPublicKey });
  }, 180_000);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    hang?.close();
    await h?.close();
    await http?.close();
    await ssh?.close();
    await Promise.all([app?.close(), signed?.close(), lib?.close(), key?.close(), otherKey?.close()]);
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  const refCases = (): [string, Record<string, string>, () => string][] => [
    ['branch', { branch: 'main' }, () => `main@sha1:${app.commits['b']}`],
    ['tag', { tag: 'v1.0.0' }, () => `v1.0.0@sha1:${app.commits['a']}`],
    ['semver', { semver: '>=1.0.0 <2.0.0' }, () => `v1.1.0@sha1:${app.commits['b']}`],
    ['name', { name: 'refs/heads/dev' }, () => `refs/heads/dev@sha1:${app.commits['a']}`],
    ['commit', { commit: '' }, () => `sha1:${app.commits['a']}`],
  ];

  for (const transport of ['basic', 'bearer', 'ssh'] as const) {
    it(
      `resolves every ref kind over ${transport === 'ssh' ? 'SSH with known_hosts' : `HTTP with ${transport} auth`}`,
      { timeout: 240_000 },
      async () => {
        const url = transport === 'ssh' ? ssh.url('app') : `${http.url}/app.git`;
        const cases = refCases();
        for (const [kind, ref] of cases) {
          const r = kind === 'commit' ? { commit: app.commits['a']! } : ref;
          await createGitRepository(h.client, `${transport}-${kind}`, { url, ref: r, secretRef: { name: transport } });
        }
        for (const [kind, , revision] of cases) {
          const name = `${transport}-${kind}`;
          const obj = await waitFor(h.client, name, isReady, 'Ready=True');
          const artifact = obj.status!.artifact!;
          expect(artifact.revision).toBe(revision());
          const hex = revision().split('sha1:')[1];
          expect(artifact.path).toBe(`gitrepository/default/${name}/${hex}.tar.gz`);
          expect(artifact.url).toBe(`${h.storageURL}gitrepository/default/${name}/${hex}.tar.gz`);
          expect(artifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(artifact.size).toBeGreaterThan(0);
          expect(artifact.lastUpdateTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
          expect(obj.metadata.finalizers).toContain('finalizers.fluxcd.io');
          expect(condition(obj, 'ArtifactInStorage')).toMatchObject({
            status: 'True',
            reason: 'Succeeded',
            message: `stored artifact for revision '${revision()}'`,
          });
          expect(condition(obj, 'Ready')).toMatchObject({ reason: 'Succeeded' });
          expect(condition(obj, 'Reconciling')).toBeUndefined();
          expect(obj.status!.observedRecurseSubmodules).toBe(false);
          expect(kstatusViolations(obj, { negativePolarity: gitRepositoryReadyCondition.negativePolarity })).toEqual(
            [],
          );
          noSecrets(obj);
        }
      },
    );
  }

  it(
    'serves the artifact over HTTP with the recorded digest, honours .sourceignore and spec.ignore, and 404s traversal',
    { timeout: 120_000 },
    async () => {
      await createGitRepository(h.client, 'ignore', {
        url: `${http.url}/app.git`,
        ref: { branch: 'main' },
        secretRef: { name: 'basic' },
        ignore: 'other/\n',
      });
      const obj = await waitFor(h.client, 'ignore', isReady, 'Ready=True');
      expect(obj.status!.observedIgnore).toBe('other/\n');
      const out = mkdtempSync(join(h.dir, 'fetch-'));
      const res = await fetchArtifact({
        url: obj.status!.artifact!.url,
        digest: obj.status!.artifact!.digest!,
        dir: join(out, 'x'),
        retries: 0,
      });
      expect(res.digest).toBe(obj.status!.artifact!.digest);
      expect(readFileSync(join(out, 'x', 'deploy', 'app.yaml'), 'utf8')).toBe('kind: B\n');
      expect(existsSync(join(out, 'x', 'secret.txt'))).toBe(false); // .sourceignore
      expect(existsSync(join(out, 'x', 'other'))).toBe(false); // spec.ignore
      expect(existsSync(join(out, 'x', '.git'))).toBe(false);
      expect(await rawGet(h.storageURL, '/gitrepository/default/ignore/../../../../../etc/passwd')).toBe(404);
      expect(await rawGet(h.storageURL, '/%2e%2e/%2e%2e/etc/passwd')).toBe(404);
      expect(await rawGet(h.storageURL, '/')).toBe(200);
    },
  );

  it(
    're-checks an unchanged repository on its interval without reading or writing the object',
    { timeout: 60_000 },
    async () => {
      await createGitRepository(h.client, 'steady', {
        url: `${http.url}/app.git`,
        ref: { branch: 'main' },
        secretRef: { name: 'basic' },
        interval: '1s',
      });
      const ready = await waitFor(h.client, 'steady', isReady, 'Ready=True');
      // Let the first reconcile's trailing requests (its event) pass, then watch a few interval re-checks.
      await new Promise((r) => setTimeout(r, 500));
      controllerRequests.length = 0;
      http.resetCounts();
      await until('three re-checks', async () => http.counts().infoRefs >= 3, 30_000);
      // The object is read from the cache; its conditions and status are as they were, so nothing is written.
      expect(controllerRequests.filter((r) => r.includes('/gitrepositories/steady'))).toEqual([]);
      expect(http.counts().uploadPack).toBe(0);
      expect((await getGitRepository(h.client, 'steady')).status).toEqual(ready.status);
    },
  );

  it(
    'fails with GitOperationFailed on a wrong password, without credentials in the status, and keeps serving others',
    { timeout: 120_000 },
    async () => {
      await createGitRepository(h.client, 'wrong-password', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'wrong' },
        ref: { branch: 'main' },
      });
      const obj = await waitFor(
        h.client,
        'wrong-password',
        (o) => condition(o, 'FetchFailed')?.status === 'True' && condition(o, 'Ready')?.status === 'False',
        'FetchFailed',
      );
      expect(condition(obj, 'FetchFailed')).toMatchObject({ reason: 'GitOperationFailed' });
      expect(condition(obj, 'FetchFailed')!.message).toMatch(/^failed to checkout and determine revision: /);
      expect(condition(obj, 'Ready')).toMatchObject({ status: 'False', reason: 'GitOperationFailed' });
      expect(JSON.stringify(obj.status)).not.toContain('not-the-password');
      // Another object still reconciles.
      await createGitRepository(h.client, 'after-failure', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'basic' },
        ref: { tag: 'v1.0.0' },
      });
      await waitFor(h.client, 'after-failure', isReady, 'Ready=True');
    },
  );

  it(
    'reports a missing Secret, a Secret missing a key, an unreachable host and a timeout precisely',
    { timeout: 180_000 },
    async () => {
      await createGitRepository(h.client, 'missing-secret', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'nope' },
      });
      await createGitRepository(h.client, 'missing-key', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'password-only' },
      });
      await createGitRepository(h.client, 'unreachable', { url: 'http://127.0.0.1:1/app.git' });
      const hangPort = (hang.address() as AddressInfo).port;
      await createGitRepository(h.client, 'timeout', { url: `http://127.0.0.1:${hangPort}/app.git`, timeout: '2s' });

      const failed = (o: GitRepo): boolean =>
        condition(o, 'FetchFailed')?.status === 'True' && condition(o, 'Ready')?.status === 'False';
      const missing = await waitFor(h.client, 'missing-secret', failed, 'FetchFailed');
      expect(condition(missing, 'FetchFailed')).toMatchObject({ reason: 'AuthenticationFailed' });
      expect(condition(missing, 'FetchFailed')!.message).toMatch(/^failed to get secret 'default\/nope': .*not found/);
      expect(condition(missing, 'Ready')).toMatchObject({ status: 'False', reason: 'AuthenticationFailed' });

      const key = await waitFor(h.client, 'missing-key', failed, 'FetchFailed');
      expect(condition(key, 'FetchFailed')).toMatchObject({
        reason: 'AuthenticationFailed',
        message:
          "failed to configure authentication options: invalid 'http' auth option: 'password' requires 'username' to be set",
      });
      noSecrets(key);

      const unreachable = await waitFor(h.client, 'unreachable', failed, 'FetchFailed');
      expect(condition(unreachable, 'FetchFailed')).toMatchObject({ reason: 'GitOperationFailed' });
      expect(condition(unreachable, 'FetchFailed')!.message).toMatch(/^failed to checkout and determine revision: /);

      const timeout = await waitFor(h.client, 'timeout', failed, 'FetchFailed');
      expect(condition(timeout, 'FetchFailed')).toMatchObject({ reason: 'GitOperationFailed' });
      expect(condition(timeout, 'FetchFailed')!.message).toMatch(/tim(e|ed) ?out/i);

      // A GitOperationFailed event was recorded.
      await until('GitOperationFailed event', async () => {
        const events = await h.client.list<KubeObject & { reason?: string; involvedObject?: { name?: string } }>(
          { apiVersion: 'v1', kind: 'Event' },
          { namespace: 'default' },
        );
        return events.items.some((e) => e.reason === 'GitOperationFailed' && e.involvedObject?.name === 'unreachable');
      });
    },
  );

  it('rejects an invalid URL scheme at the API (CRD pattern)', async () => {
    await expect(createGitRepository(h.client, 'bad-scheme', { url: 'git://127.0.0.1/app.git' })).rejects.toThrow(
      /url|Invalid/i,
    );
  });

  it('rejects an unknown SSH host key with GitOperationFailed', { timeout: 120_000 }, async () => {
    await createGitRepository(h.client, 'ssh-unknown-host', {
      url: ssh.url('app'),
      secretRef: { name: 'ssh-foreign-host' },
    });
    const obj = await waitFor(
      h.client,
      'ssh-unknown-host',
      (o) => condition(o, 'FetchFailed')?.status === 'True' && condition(o, 'Ready')?.status === 'False',
      'FetchFailed',
    );
    expect(condition(obj, 'FetchFailed')).toMatchObject({ reason: 'GitOperationFailed' });
    expect(condition(obj, 'FetchFailed')!.message).toMatch(/host key/i);
    expect(JSON.stringify(obj.status)).not.toContain('PRIVATE KEY');
  });

  it(
    'does not clone when nothing changed, and stores a new artifact for a new commit on requestedAt',
    { timeout: 180_000 },
    async () => {
      const repo = await makeRepo({ root, name: 'moving', commits: [{ label: 'm1', files: { 'f.txt': '1\n' } }] });
      await createGitRepository(h.client, 'moving', {
        url: `${http.url}/moving.git`,
        ref: { branch: 'main' },
        secretRef: { name: 'basic' },
      });
      const first = await waitFor(h.client, 'moving', isReady, 'Ready=True');
      expect(first.status!.artifact!.revision).toBe(`main@sha1:${repo.commits['m1']}`);

      // No new commit: a requested reconcile lists refs only.
      http.resetCounts();
      await annotate(h.client, 'moving', { 'reconcile.fluxcd.io/requestedAt': 'noop-1' });
      const noop = await waitFor(
        h.client,
        'moving',
        (o) => o.status?.lastHandledReconcileAt === 'noop-1' && isReady(o),
        'noop-1 handled',
      );
      expect(http.counts().uploadPack).toBe(0);
      expect(http.counts().infoRefs).toBeGreaterThanOrEqual(1);
      expect(noop.status!.artifact).toEqual(first.status!.artifact);

      // A new commit: a new artifact and a NewArtifact event.
      const m2 = await repo.commit({ files: { 'f.txt': '2\n' }, message: 'bump f to 2' });
      await annotate(h.client, 'moving', { 'reconcile.fluxcd.io/requestedAt': 'new-commit' });
      const second = await waitFor(
        h.client,
        'moving',
        (o) => o.status?.artifact?.revision === `main@sha1:${m2}` && isReady(o),
        'new revision',
      );
      expect(second.status!.lastHandledReconcileAt).toBe('new-commit');
      expect(second.status!.artifact!.digest).not.toBe(first.status!.artifact!.digest);
      await until('NewArtifact event', async () => {
        const events = await h.client.list<
          KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }
        >({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
        return events.items.some(
          (e) =>
            e.involvedObject?.name === 'moving' &&
            e.reason === 'NewArtifact' &&
            e.message === "stored artifact for commit 'bump f to 2'",
        );
      });

      // Retention (--artifact-retention-records=1 in this suite): the next reconcile collects the old artifact.
      const oldFile = join(h.storagePath, first.status!.artifact!.path);
      expect(existsSync(join(h.storagePath, second.status!.artifact!.path))).toBe(true);
      await annotate(h.client, 'moving', { 'reconcile.fluxcd.io/requestedAt': 'gc' });
      await until('old artifact garbage collected', () => !existsSync(oldFile));
      expect(existsSync(join(h.storagePath, second.status!.artifact!.path))).toBe(true);
      await repo.close();
    },
  );

  it('verifies a signed commit and rejects an unsigned or foreign-key one', { timeout: 180_000 }, async () => {
    const url = `${http.url}/signed.git`;
    await createGitRepository(h.client, 'verified', {
      url,
      secretRef: { name: 'basic' },
      ref: { branch: 'main' },
      verify: { mode: 'HEAD', secretRef: { name: 'pgp' } },
    });
    await createGitRepository(h.client, 'unsigned', {
      url,
      secretRef: { name: 'basic' },
      ref: { branch: 'unsigned' },
      verify: { mode: 'HEAD', secretRef: { name: 'pgp' } },
    });
    await createGitRepository(h.client, 'foreign-key', {
      url,
      secretRef: { name: 'basic' },
      ref: { branch: 'main' },
      verify: { mode: 'HEAD', secretRef: { name: 'pgp-other' } },
    });

    const ok = await waitFor(h.client, 'verified', isReady, 'Ready=True');
    expect(condition(ok, 'SourceVerified')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(condition(ok, 'SourceVerified')!.message).toContain(`commit '${signed.commits['signed']}'`);
    expect(ok.status!.sourceVerificationMode).toBe('HEAD');

    for (const name of ['unsigned', 'foreign-key']) {
      const bad = await waitFor(
        h.client,
        name,
        (o) => condition(o, 'SourceVerified')?.status === 'False' && condition(o, 'Ready')?.status === 'False',
        'SourceVerified=False',
      );
      expect(condition(bad, 'SourceVerified')).toMatchObject({ reason: 'InvalidCommitSignature' });
      expect(condition(bad, 'Ready')).toMatchObject({ status: 'False' });
      expect(bad.status?.artifact).toBeUndefined();
    }
  });

  it('verifies signed tags (Tag, TagAndHEAD) and stalls Tag mode on a branch ref', { timeout: 180_000 }, async () => {
    const url = `${http.url}/signed.git`;
    const secretRef = { name: 'basic' };
    const verify = (mode: string) => ({ mode, secretRef: { name: 'pgp' } });
    await createGitRepository(h.client, 'tag-and-head', {
      url,
      secretRef,
      ref: { tag: 'v1.0.0' },
      verify: verify('TagAndHEAD'),
    });
    await createGitRepository(h.client, 'tag-unsigned', {
      url,
      secretRef,
      ref: { tag: 'v0.9.0' },
      verify: verify('Tag'),
    });
    await createGitRepository(h.client, 'tag-on-branch', {
      url,
      secretRef,
      ref: { branch: 'main' },
      verify: verify('Tag'),
    });

    const ok = await waitFor(h.client, 'tag-and-head', isReady, 'Ready=True');
    expect(condition(ok, 'SourceVerified')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(condition(ok, 'SourceVerified')!.message).toMatch(
      /^verified signature of\n\t- tag 'v1\.0\.0@[0-9a-f]{40}' with key '[0-9a-fA-F]+'\n\t- commit '/,
    );
    expect(ok.status!.sourceVerificationMode).toBe('TagAndHEAD');

    const unsigned = await waitFor(
      h.client,
      'tag-unsigned',
      (o) => condition(o, 'SourceVerified')?.status === 'False' && condition(o, 'Ready')?.status === 'False',
      'SourceVerified=False',
    );
    expect(condition(unsigned, 'SourceVerified')).toMatchObject({
      reason: 'InvalidGitObject',
      message: "cannot verify signature of tag 'v0.9.0' since it is not signed",
    });

    const stalled = await waitFor(
      h.client,
      'tag-on-branch',
      (o) =>
        condition(o, 'Stalled')?.status === 'True' &&
        condition(o, 'Ready')?.status === 'False' &&
        o.status?.observedGeneration === o.metadata.generation,
      'Stalled',
    );
    expect(condition(stalled, 'Stalled')).toMatchObject({ reason: 'InvalidVerificationMode' });
    expect(condition(stalled, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidVerificationMode' });
    expect(stalled.status!.observedGeneration).toBe(stalled.metadata.generation);
  });

  it('archives only the sparse checkout directories and fails for a missing one', { timeout: 120_000 }, async () => {
    const url = `${http.url}/app.git`;
    await createGitRepository(h.client, 'sparse', {
      url,
      secretRef: { name: 'basic' },
      ref: { branch: 'main' },
      sparseCheckout: ['deploy'],
    });
    await createGitRepository(h.client, 'sparse-missing', {
      url,
      secretRef: { name: 'basic' },
      ref: { branch: 'main' },
      sparseCheckout: ['nope'],
    });
    const obj = await waitFor(h.client, 'sparse', isReady, 'Ready=True');
    expect(obj.status!.observedSparseCheckout).toEqual(['deploy']);
    const out = mkdtempSync(join(h.dir, 'sparse-'));
    await fetchArtifact({
      url: obj.status!.artifact!.url,
      digest: obj.status!.artifact!.digest!,
      dir: join(out, 's'),
      retries: 0,
    });
    expect(readFileSync(join(out, 's', 'deploy', 'app.yaml'), 'utf8')).toBe('kind: B\n');
    expect(existsSync(join(out, 's', 'README.md'))).toBe(false);
    const missing = await waitFor(
      h.client,
      'sparse-missing',
      (o) => condition(o, 'FetchFailed')?.status === 'True' && condition(o, 'Ready')?.status === 'False',
      'FetchFailed',
    );
    expect(condition(missing, 'FetchFailed')).toMatchObject({
      reason: 'GitOperationFailed',
      message: "failed to sparse checkout directories : sparse checkout dir 'nope' does not exist in repository",
    });
  });

  it('includes the artifact of another GitRepository and rebuilds when it changes', { timeout: 180_000 }, async () => {
    const libUrl = `${http.url}/lib.git`;
    await createGitRepository(h.client, 'includer', {
      url: `${http.url}/app.git`,
      secretRef: { name: 'basic' },
      ref: { tag: 'v1.0.0' },
      include: [{ repository: { name: 'lib' }, fromPath: 'lib', toPath: 'vendor/lib' }],
    });
    // Waiting for the included repository, which does not exist yet.
    await waitFor(
      h.client,
      'includer',
      (o) => condition(o, 'IncludeUnavailable')?.status === 'True' && condition(o, 'Ready')?.status === 'False',
      'IncludeUnavailable',
    );
    await createGitRepository(h.client, 'lib', { url: libUrl, secretRef: { name: 'basic' }, ref: { branch: 'main' } });
    const inc = await waitFor(
      h.client,
      'includer',
      (o) => isReady(o) && (o.status?.includedArtifacts?.length ?? 0) === 1,
      'Ready with include',
    );
    expect(inc.status!.observedInclude).toEqual([
      { repository: { name: 'lib' }, fromPath: 'lib', toPath: 'vendor/lib' },
    ]);
    expect(inc.status!.includedArtifacts![0]!.revision).toBe(`main@sha1:${lib.commits['l1']}`);
    const out = mkdtempSync(join(h.dir, 'inc-'));
    await fetchArtifact({
      url: inc.status!.artifact!.url,
      digest: inc.status!.artifact!.digest!,
      dir: join(out, 'a'),
      retries: 0,
    });
    expect(readFileSync(join(out, 'a', 'vendor', 'lib', 'one.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(out, 'a', 'deploy', 'app.yaml'), 'utf8')).toBe('kind: A\n');

    // A new commit in the included repository: only the included one is asked to reconcile; the watch does the rest.
    const l2 = await lib.commit({ files: { 'lib/two.txt': 'two\n' } });
    await annotate(h.client, 'lib', { 'reconcile.fluxcd.io/requestedAt': 'lib-2' });
    const rebuilt = await waitFor(
      h.client,
      'includer',
      (o) => o.status?.includedArtifacts?.[0]?.revision === `main@sha1:${l2}` && isReady(o),
      'includer rebuilt',
    );
    expect(rebuilt.status!.artifact!.digest).not.toBe(inc.status!.artifact!.digest);
    await fetchArtifact({
      url: rebuilt.status!.artifact!.url,
      digest: rebuilt.status!.artifact!.digest!,
      dir: join(out, 'b'),
      retries: 0,
    });
    expect(readFileSync(join(out, 'b', 'vendor', 'lib', 'two.txt'), 'utf8')).toBe('two\n');
  });

  it(
    'clones over HTTPS with ca.crt and a client certificate, and through a proxy from proxySecretRef',
    { timeout: 120_000 },
    async () => {
      const tls = await tlsCertificate();
      const https = await startGitHttpServer({ root, tls: { cert: tls.cert, key: tls.key, clientCa: tls.ca } });
      const proxy = await startHttpProxy({ credentials: { username: 'p', password: 'proxy-Pa55' } });
      try {
        await createSecret(h.client, 'tls', { 'ca.crt': tls.ca, 'tls.crt': tls.cert, 'tls.key': tls.key });
        await createSecret(h.client, 'proxy', { address: proxy.url, username: 'p', password: 'proxy-Pa55' });
        await createGitRepository(h.client, 'https-mtls', {
          url: `${https.url}/app.git`,
          secretRef: { name: 'tls' },
          ref: { tag: 'v1.0.0' },
        });
        await createGitRepository(h.client, 'https-no-ca', { url: `${https.url}/app.git`, ref: { tag: 'v1.0.0' } });
        await createGitRepository(h.client, 'proxied', {
          url: `${http.url}/app.git`,
          secretRef: { name: 'basic' },
          proxySecretRef: { name: 'proxy' },
          ref: { branch: 'dev' },
        });
        const ok = await waitFor(h.client, 'https-mtls', isReady, 'Ready=True');
        expect(ok.status!.artifact!.revision).toBe(`v1.0.0@sha1:${app.commits['a']}`);
        const noCa = await waitFor(
          h.client,
          'https-no-ca',
          (o) => condition(o, 'FetchFailed')?.status === 'True' && condition(o, 'Ready')?.status === 'False',
          'FetchFailed',
        );
        expect(condition(noCa, 'FetchFailed')).toMatchObject({ reason: 'GitOperationFailed' });
        const proxied = await waitFor(h.client, 'proxied', isReady, 'Ready=True');
        expect(proxied.status!.artifact!.revision).toBe(`dev@sha1:${app.commits['a']}`);
        expect(proxy.counts().forwarded).toBeGreaterThan(0);
        expect(JSON.stringify(proxied.status)).not.toContain('proxy-Pa55');
      } finally {
        await https.close();
        await proxy.close();
      }
    },
  );

  it('never writes a credential to logs or events', { timeout: 60_000 }, async () => {
    const events = await h.client.list<KubeObject & { message?: string }>(
      { apiVersion: 'v1', kind: 'Event' },
      { namespace: 'default' },
    );
    const text = h.logs() + JSON.stringify(events.items.map((e) => e.message));
    expect(h.logs()).toContain('"reconcileID"');
    expect(h.logs()).toMatch(/"revision":"main@sha1:[0-9a-f]{40}"/);
    for (const secret of [
      PASSWORD,
      TOKEN,
      'not-the-password',
      'proxy-Pa55',
      Buffer.from(`flux:${PASSWORD}`).toString('base64'),
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('PRIVATE KEY');
  });

  // Drifts from upstream the reconcile skeleton fixed; each of these failed before it.
  it(
    'finalizes a suspended GitRepository that is deleted (deletion comes before suspend)',
    { timeout: 120_000 },
    async () => {
      await createGitRepository(h.client, 'suspended-doomed', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'basic' },
        ref: { branch: 'main' },
      });
      const obj = await waitFor(h.client, 'suspended-doomed', isReady, 'Ready=True');
      await patchSpec(h.client, 'suspended-doomed', { suspend: true });
      await deleteGitRepository(h.client, 'suspended-doomed');
      await until('suspended-doomed deleted', () => isGone(h.client, 'suspended-doomed'));
      expect(existsSync(join(h.storagePath, obj.status!.artifact!.path))).toBe(false);
    },
  );

  it(
    'emits Succeeded when it recovers from FetchFailed while the remote is unchanged',
    { timeout: 120_000 },
    async () => {
      await createSecret(h.client, 'recovering-auth', { username: 'flux', password: PASSWORD });
      await createGitRepository(h.client, 'recovering', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'recovering-auth' },
        ref: { branch: 'main' },
      });
      const ready = await waitFor(h.client, 'recovering', isReady, 'Ready=True');
      const secretGVK = { apiVersion: 'v1', kind: 'Secret' };
      const setPassword = (p: string) =>
        h.client.patch(
          secretGVK,
          { namespace: 'default', name: 'recovering-auth' },
          { data: { password: Buffer.from(p).toString('base64') } },
          { type: 'merge' },
        );
      await setPassword('not-the-password');
      await annotate(h.client, 'recovering', { 'reconcile.fluxcd.io/requestedAt': 'break' });
      await waitFor(h.client, 'recovering', (o) => condition(o, 'FetchFailed')?.status === 'True', 'FetchFailed');
      await setPassword(PASSWORD);
      await annotate(h.client, 'recovering', { 'reconcile.fluxcd.io/requestedAt': 'mend' });
      const mended = await waitFor(
        h.client,
        'recovering',
        (o) => isReady(o) && o.status?.lastHandledReconcileAt === 'mend',
        'Ready again',
      );
      expect(mended.status!.artifact!.digest).toBe(ready.status!.artifact!.digest);
      const succeeded = await until('a Succeeded event', async () => {
        const events = await h.client.list<
          KubeObject & { reason?: string; type?: string; message?: string; involvedObject?: { name?: string } }
        >({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
        return events.items.find((e) => e.reason === 'Succeeded' && e.involvedObject?.name === 'recovering');
      });
      expect(succeeded.type).toBe('Normal');
      expect(succeeded.message).toBe(`stored artifact for commit '${ready.status!.artifact!.revision}'`);
    },
  );

  it(
    'drops ArtifactOutdated after an include change, as upstream, when the checkout then fails',
    { timeout: 180_000 },
    async () => {
      await createSecret(h.client, 'outdated-auth', { username: 'flux', password: PASSWORD });
      await createGitRepository(h.client, 'outdated-lib', {
        url: `${http.url}/lib.git`,
        secretRef: { name: 'basic' },
        ref: { branch: 'main' },
      });
      await createGitRepository(h.client, 'outdated', {
        url: `${http.url}/app.git`,
        secretRef: { name: 'outdated-auth' },
        ref: { branch: 'main' },
        include: [{ repository: { name: 'outdated-lib' }, toPath: 'vendor' }],
      });
      await waitFor(
        h.client,
        'outdated',
        (o) => isReady(o) && (o.status?.includedArtifacts?.length ?? 0) === 1,
        'Ready',
      );
      // The includer can no longer fetch, and then its include changes.
      await h.client.patch(
        { apiVersion: 'v1', kind: 'Secret' },
        { namespace: 'default', name: 'outdated-auth' },
        { data: { password: Buffer.from('not-the-password').toString('base64') } },
        { type: 'merge' },
      );
      await lib.commit({ files: { 'lib/outdated.txt': 'x\n' } });
      await annotate(h.client, 'outdated-lib', { 'reconcile.fluxcd.io/requestedAt': 'outdated-lib-2' });
      const failed = await waitFor(
        h.client,
        'outdated',
        (o) => condition(o, 'FetchFailed')?.status === 'True',
        'FetchFailed after the include change',
      );
      expect(condition(failed, 'ArtifactOutdated')).toBeUndefined();
    },
  );

  it('honours suspend and removes the storage directory on delete', { timeout: 120_000 }, async () => {
    await createGitRepository(h.client, 'doomed', {
      url: `${http.url}/app.git`,
      secretRef: { name: 'basic' },
      ref: { branch: 'main' },
    });
    const obj = await waitFor(h.client, 'doomed', isReady, 'Ready=True');
    const dir = join(h.storagePath, 'gitrepository', 'default', 'doomed');
    expect(existsSync(join(h.storagePath, obj.status!.artifact!.path))).toBe(true);

    await patchSpec(h.client, 'doomed', { suspend: true });
    await annotate(h.client, 'doomed', { 'reconcile.fluxcd.io/requestedAt': 'while-suspended' });
    // Suspended objects are left alone: the request is not recorded (checked after a later, unsuspended run).
    await patchSpec(h.client, 'doomed', { suspend: false });
    await waitFor(h.client, 'doomed', isReady, 'Ready again after resume');

    await deleteGitRepository(h.client, 'doomed');
    await until('doomed deleted', () => isGone(h.client, 'doomed'));
    expect(existsSync(dir)).toBe(false);
    await expect(getGitRepository(h.client, 'doomed')).rejects.toThrow();
  });
});
