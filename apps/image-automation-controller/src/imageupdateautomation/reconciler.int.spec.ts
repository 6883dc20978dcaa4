// ImageUpdateAutomation against the API server (libs/apiserver) and the testbed's git HTTP server: ImagePolicies are
// created here with their status set by hand (the reflector is not needed), the automation clones, runs the setters,
// commits and pushes, and its status, conditions and events are checked; the pushed commits are read with git.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache, Manager, newLogger } from '@flux-ts/runtime';
import type { EventObject, KubeObject, RecordEvent } from '@flux-ts/runtime';
import { makeRepo, run, sshKeyPair, startGitHttpServer, startSshGitServer } from '@flux-ts/testbed';
import type { GitHttpServer, Repo } from '@flux-ts/testbed';
import { kstatusViolations, startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { imageUpdateAutomationReadyCondition } from './conditions.ts';
import { imagePolicyGVK, imageUpdateAutomationGVK } from './reconciler.ts';
import { setupImageUpdateAutomationController } from './setup.ts';

type Condition = { type: string; status: string; reason: string; message: string; observedGeneration?: number };
type Automation = KubeObject & {
  status?: {
    conditions?: Condition[];
    lastPushCommit?: string;
    lastPushTime?: string;
    lastAutomationRunTime?: string;
    observedPolicies?: Record<string, { name: string; tag: string }>;
    observedSourceRevision?: string;
    observedGeneration?: number;
  };
};

const USER = 'fluxbot';
const PASSWORD = 'iua-Pa55word';
const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: apps # keep this comment
spec:
  template:
    spec:
      containers:
      - name: podinfo
        image: "ghcr.io/stefanprodan/podinfo:6.0.0" # {"$imagepolicy": "NS:podinfo"}
        ports: [{containerPort: 9898}]
`;
const UNTOUCHED = "key:   'odd   quoting'   # comment\nlist: [a,   b]\n";
const TEMPLATE = `Automated image update

Automation name: {{ .AutomationObject }}

{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind }} {{ $resource.Name }}:
{{- range $_, $change := $changes }}
  {{ $change.OldValue }} -> {{ $change.NewValue }}
{{- end }}
{{ end -}}`;

let env: TestEnv;
let root: string;
let server: GitHttpServer;
const repos: Repo[] = [];
const events: { obj: string; ev: RecordEvent }[] = [];
const stop = new AbortController();
let running: Promise<void>;

async function fleet(name: string, ns: string): Promise<Repo> {
  const repo = await makeRepo({
    root: join(root, 'srv'),
    name,
    defaultBranch: 'main',
    commits: [
      {
        label: 'c1',
        files: { 'apps/podinfo.yaml': DEPLOY.replace('NS', ns), 'apps/untouched.yaml': UNTOUCHED, 'README.md': 'x\n' },
      },
    ],
  });
  repos.push(repo);
  return repo;
}

async function setup(
  ns: string,
  repo: Repo,
  automation: Record<string, unknown>,
  url?: string,
  secret: Record<string, string> = { username: USER, password: PASSWORD },
): Promise<void> {
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'git-auth', namespace: ns },
    stringData: secret,
  } as KubeObject);
  await env.client.create({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'fleet', namespace: ns },
    spec: {
      url: url ?? `${server.url}${repo.urlPath}`,
      interval: '1h',
      timeout: '30s',
      ref: { branch: 'main' },
      secretRef: { name: 'git-auth' },
    },
  } as KubeObject);
  const policy = await env.client.create({
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImagePolicy',
    metadata: { name: 'podinfo', namespace: ns },
    spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { alphabetical: { order: 'asc' } } },
  } as KubeObject);
  await env.client.updateStatus({
    ...policy,
    status: { latestRef: { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.1.0' } },
  } as KubeObject);
  await env.client.create({
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImageUpdateAutomation',
    metadata: { name: 'auto', namespace: ns },
    spec: {
      interval: '1h',
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      git: {
        checkout: { ref: { branch: 'main' } },
        commit: { author: { name: 'fluxbot', email: 'fluxbot@users.noreply.github.com' }, messageTemplate: TEMPLATE },
        push: { branch: 'eks' },
      },
      update: { path: './apps', strategy: 'Setters' },
      ...automation,
    },
  } as KubeObject);
}

async function readyCondition(ns: string, want: (c: Condition) => boolean): Promise<Automation> {
  return until(`${ns}/auto Ready`, async () => {
    const o = await env.client.get<Automation>(imageUpdateAutomationGVK, { namespace: ns, name: 'auto' });
    const c = o.status?.conditions?.find((x) => x.type === 'Ready');
    return c && want(c) ? o : undefined;
  });
}

/** Ready=True after a push: the first run may come before the cache has the ImagePolicy's status (no change yet). */
function pushed(ns: string): Promise<Automation> {
  return until(`${ns}/auto pushed`, async () => {
    const o = await env.client.get<Automation>(imageUpdateAutomationGVK, { namespace: ns, name: 'auto' });
    const c = o.status?.conditions?.find((x) => x.type === 'Ready');
    return c?.status === 'True' && o.status?.lastPushCommit ? o : undefined;
  });
}

function cond(o: Automation, type: string): Condition | undefined {
  return o.status?.conditions?.find((c) => c.type === type);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-iua-int-'));
  mkdirSync(join(root, 'srv'));
  env = await startTestEnv({
    namespaces: [
      'iua-http',
      'iua-sign',
      'iua-tmpl',
      'iua-reject',
      'iua-nopolicy',
      'iua-moved',
      'iua-ssh',
      'iua-ssh-ok',
      'iua-sshsign',
    ],
  });
  server = await startGitHttpServer({ root: join(root, 'srv'), credentials: { username: USER, password: PASSWORD } });
  const logger = newLogger({ level: 'silent' });
  const cache = new Cache(env.client, { logger });
  const manager = new Manager({ client: env.client, cache, logger });
  setupImageUpdateAutomationController({
    manager,
    cache,
    secretReader: env.client,
    patchClient: env.client,
    fieldManager: 'image-automation-controller',
    tmpDir: root,
    recorder: {
      event: async (obj: EventObject, ev: RecordEvent) => {
        events.push({ obj: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`, ev });
      },
    },
    options: { concurrent: 4, minRetryDelay: 200, maxRetryDelay: 1000 },
  });
  running = manager.start(stop.signal);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running?.catch(() => undefined);
  await server?.close();
  for (const r of repos) await r.close();
  await env?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('ImageUpdateAutomation over HTTP', () => {
  it(
    'commits the new tag on branch eks with the template message and the fluxbot author',
    { timeout: 90_000 },
    async () => {
      const ns = 'iua-http';
      const repo = await fleet('http', ns);
      await setup(ns, repo, {});
      const obj = await pushed(ns);
      const sha = await repo.revParse('eks');
      expect(obj.status?.lastPushCommit).toBe(sha);
      expect(obj.status?.lastPushTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(obj.status?.lastAutomationRunTime).toBeDefined();
      expect(obj.status?.observedPolicies).toEqual({ podinfo: { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.1.0' } });
      expect(obj.status?.observedSourceRevision).toBe(`main@sha1:${repo.commits['c1']}`);
      expect(cond(obj, 'Ready')).toMatchObject({ reason: 'Succeeded', message: 'repository up-to-date' });
      expect(
        kstatusViolations(obj, { negativePolarity: imageUpdateAutomationReadyCondition.negativePolarity }),
      ).toEqual([]);

      const message = `Automated image update

Automation name: ${ns}/auto

- Deployment podinfo:
  ghcr.io/stefanprodan/podinfo:6.0.0 -> ghcr.io/stefanprodan/podinfo:6.1.0
`;
      const log = await run('git', ['--git-dir', repo.path, 'log', '-1', '--format=%an <%ae>%n%P%n%B', 'eks']);
      expect(log).toBe(`fluxbot <fluxbot@users.noreply.github.com>\n${repo.commits['c1']}\n${message}\n`);
      const file = await run('git', ['--git-dir', repo.path, 'show', 'eks:apps/podinfo.yaml']);
      expect(file).toBe(DEPLOY.replace('NS', ns).replace('podinfo:6.0.0"', 'podinfo:6.1.0"'));
      const changed = await run('git', ['--git-dir', repo.path, 'diff', '--name-only', 'main', 'eks']);
      expect(changed).toBe('apps/podinfo.yaml\n');
      expect(await repo.revParse('main')).toBe(repo.commits['c1']);

      const pushEvent = events.find((e) => e.obj === `${ns}/auto` && e.ev.message.startsWith('pushed commit'));
      expect(pushEvent?.ev).toMatchObject({
        type: 'Normal',
        reason: 'Succeeded',
        message: `pushed commit '${sha}' to 'refs/heads/eks'\n${message}`,
      });
    },
  );

  it(
    'signs the commit with the key of signingKey so that git verify-commit accepts it',
    { timeout: 90_000 },
    async () => {
      const ns = 'iua-sign';
      const repo = await fleet('sign', ns);
      const { privateKey, publicKey } = await openpgp.generateKey({
        userIDs: [{ name: 'fluxbot', email: 'fluxbot@users.noreply.github.com' }],
        type: 'ecc',
        curve: 'ed25519Legacy',
        passphrase: 'sign-Pa55',
        format: 'armored',
      });
      await env.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'signing', namespace: ns },
        stringData: { 'git.asc': privateKey, passphrase: 'sign-Pa55' },
      } as KubeObject);
      // spec.git.push.options reach the server's hooks (git push -o)
      await run('git', ['--git-dir', repo.path, 'config', 'receive.advertisePushOptions', 'true']);
      const seen = join(root, 'sign-push-options');
      writeFileSync(
        join(repo.path, 'hooks', 'pre-receive'),
        `#!/bin/sh\necho "$GIT_PUSH_OPTION_COUNT $GIT_PUSH_OPTION_0 $GIT_PUSH_OPTION_1" > '${seen}'\n`,
        { mode: 0o755 },
      );
      await setup(ns, repo, {
        git: {
          commit: {
            author: { name: 'fluxbot', email: 'fluxbot@users.noreply.github.com' },
            signingKey: { secretRef: { name: 'signing' } },
          },
          push: { branch: 'eks', options: { 'merge_request.create': '', 'ci.skip': '' } },
        },
      });
      const obj = await pushed(ns);
      const sha = await repo.revParse('eks');
      expect(obj.status?.lastPushCommit).toBe(sha);
      expect(readFileSync(seen, 'utf8')).toBe('2 ci.skip= merge_request.create=\n');
      // isomorphic-git ends every commit message with exactly one newline (go-git stores it verbatim)
      expect(await run('git', ['--git-dir', repo.path, 'log', '-1', '--format=%B', 'eks'])).toBe(
        'Update from image update automation\n\n',
      );
      const gnupg = join(root, 'gnupg');
      mkdirSync(gnupg, { mode: 0o700 });
      writeFileSync(join(root, 'signing.asc'), publicKey);
      const gpgEnv = { ...process.env, GNUPGHOME: gnupg };
      await run('gpg', ['--batch', '--import', join(root, 'signing.asc')], { env: gpgEnv });
      // verify-commit exits non-zero (run rejects) unless the signature is good and made by the imported key
      await expect(run('git', ['--git-dir', repo.path, 'verify-commit', sha], { env: gpgEnv })).resolves.toBeTypeOf(
        'string',
      );
      await run('gpgconf', ['--homedir', gnupg, '--kill', 'all'], { env: gpgEnv }).catch(() => undefined);
    },
  );

  it('stalls on the removed .Updated template field and pushes nothing', { timeout: 90_000 }, async () => {
    const ns = 'iua-tmpl';
    const repo = await fleet('tmpl', ns);
    await setup(ns, repo, {
      git: {
        commit: {
          author: { email: 'fluxbot@users.noreply.github.com' },
          messageTemplate: '{{ range .Updated.Images }}{{ . }}{{ end }}',
        },
        push: { branch: 'eks' },
      },
    });
    const msg =
      "template uses removed '.Updated' field. Please use '.Changed' instead. See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template";
    const obj = await readyCondition(ns, (c) => c.status === 'False');
    expect(cond(obj, 'Ready')).toMatchObject({ reason: 'RemovedTemplateField', message: msg });
    expect(cond(obj, 'Stalled')).toMatchObject({ status: 'True', reason: 'RemovedTemplateField', message: msg });
    expect(cond(obj, 'Reconciling')).toBeUndefined();
    await expect(repo.revParse('eks')).rejects.toThrow();
    expect(obj.status?.lastPushCommit).toBeUndefined();
  });

  it('reports a push the server rejects as GitOperationFailed, with nothing pushed', { timeout: 90_000 }, async () => {
    const ns = 'iua-reject';
    const repo = await fleet('reject', ns);
    writeFileSync(join(repo.path, 'hooks', 'pre-receive'), '#!/bin/sh\necho "branch is protected" >&2\nexit 1\n', {
      mode: 0o755,
    });
    await setup(ns, repo, {
      git: { commit: { author: { email: 'fluxbot@users.noreply.github.com' } }, push: { branch: 'eks' } },
    });
    const obj = await readyCondition(ns, (c) => c.status === 'False');
    expect(cond(obj, 'Ready')).toMatchObject({
      reason: 'GitOperationFailed',
      message:
        'failed to update source: failed to push to remote: remote rejected the push (refs/heads/eks: pre-receive hook declined)',
    });
    expect(cond(obj, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
    expect(JSON.stringify(obj.status)).not.toContain(PASSWORD);
    await expect(repo.revParse('eks')).rejects.toThrow();
    const warning = events.find((e) => e.obj === `${ns}/auto` && e.ev.type === 'Warning');
    expect(warning?.ev.reason).toBe('GitOperationFailed');
  });

  it('changes nothing for a marker naming a policy that does not exist', { timeout: 90_000 }, async () => {
    const ns = 'iua-nopolicy';
    const repo = await fleet('nopolicy', ns);
    await setup(ns, repo, { policySelector: { matchLabels: { app: 'none' } } });
    const obj = await readyCondition(ns, (c) => c.status === 'True');
    expect(obj.status?.observedPolicies).toEqual({});
    expect(obj.status?.lastPushCommit).toBeUndefined();
    expect(obj.status?.observedSourceRevision).toBe(`main@sha1:${repo.commits['c1']}`);
    await expect(repo.revParse('eks')).rejects.toThrow();
    const policies = await env.client.list(imagePolicyGVK, { namespace: ns });
    expect(policies.items).toHaveLength(1);
  });

  it(
    'redoes the update on top of a remote that moved during the run and pushes again',
    { timeout: 90_000 },
    async () => {
      const ns = 'iua-moved';
      const repo = await fleet('moved', ns);
      // A front for the git server that lands a commit on main just before the automation's first push is negotiated.
      let moved: Promise<string> | undefined;
      const front = createServer((req, res) => {
        const forward = (): void => {
          const up = request(
            { host: '127.0.0.1', port: server.port, path: req.url, method: req.method, headers: req.headers },
            (r) => {
              res.writeHead(r.statusCode ?? 502, r.headers);
              r.pipe(res);
            },
          );
          req.pipe(up);
        };
        if (!moved && req.url?.includes('service=git-receive-pack')) {
          moved = repo.commit({ label: 'moved', branch: 'main', files: { 'other.txt': 'moved\n' } });
          moved.then(forward, () => res.destroy());
        } else forward();
      });
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}${repo.urlPath}`;
        await setup(ns, repo, { git: { commit: { author: { email: 'fluxbot@users.noreply.github.com' } } } }, url);
        const obj = await pushed(ns);
        const head = await repo.revParse('main');
        expect(obj.status?.lastPushCommit).toBe(head);
        expect(obj.status?.observedSourceRevision).toBe(`main@sha1:${head}`);
        const parent = await run('git', ['--git-dir', repo.path, 'log', '-1', '--format=%P', 'main']);
        expect(parent.trim()).toBe(await moved);
        expect(await run('git', ['--git-dir', repo.path, 'show', 'main:other.txt'])).toBe('moved\n');
        expect(await run('git', ['--git-dir', repo.path, 'show', 'main:apps/podinfo.yaml'])).toContain(
          'podinfo:6.1.0"',
        );
      } finally {
        await new Promise<void>((resolve) => front.close(() => resolve()));
      }
    },
  );

  it(
    'pushes over SSH, and reports a wrong SSH key as GitOperationFailed with no key in any message',
    { timeout: 180_000 },
    async () => {
      const sshd = await startSshGitServer({ root: join(root, 'srv') });
      try {
        const okRepo = await fleet('ssh-ok', 'iua-ssh-ok');
        await setup('iua-ssh-ok', okRepo, {}, sshd.url('ssh-ok'), {
          identity: sshd.identity,
          known_hosts: sshd.knownHosts,
        });
        const ok = await pushed('iua-ssh-ok');
        expect(ok.status?.lastPushCommit).toBe(await okRepo.revParse('eks'));
        expect(await run('git', ['--git-dir', okRepo.path, 'show', 'eks:apps/podinfo.yaml'])).toContain(
          'podinfo:6.1.0"',
        );

        const ns = 'iua-ssh';
        const repo = await fleet('ssh', ns);
        const other = await sshKeyPair(mkdtempSync(join(root, 'keys-')), 'other-client');
        await setup(ns, repo, {}, sshd.url('ssh'), { identity: other.privateKey, known_hosts: sshd.knownHosts });
        const obj = await readyCondition(ns, (c) => c.status === 'False');
        const ready = cond(obj, 'Ready');
        expect(ready?.reason).toBe('GitOperationFailed');
        expect(ready?.message).toBe(
          `failed to checkout source: ssh: unable to authenticate as '${sshd.user}': all key methods failed`,
        );
        expect(cond(obj, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
        expect(JSON.stringify(obj)).not.toContain(other.privateKey.split('\n')[1]);
        await expect(repo.revParse('eks')).rejects.toThrow();
      } finally {
        await sshd.close();
      }
    },
  );

  it('signs with an SSH signing key (type ssh) that git verify-commit accepts', { timeout: 90_000 }, async () => {
    const ns = 'iua-sshsign';
    const repo = await fleet('sshsign', ns);
    const keys = await sshKeyPair(mkdtempSync(join(root, 'sshsign-')), 'signing');
    await env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'signing', namespace: ns },
      stringData: { identity: keys.privateKey },
    } as KubeObject);
    const author = { name: 'fluxbot', email: 'fluxbot@users.noreply.github.com' };
    await setup(ns, repo, {
      git: { commit: { author, signingKey: { type: 'ssh', secretRef: { name: 'signing' } } }, push: { branch: 'eks' } },
    });
    const obj = await pushed(ns);
    const allowed = join(root, 'allowed_signers');
    writeFileSync(allowed, `${author.email} ${keys.publicKey}\n`);
    const gitArgs = ['--git-dir', repo.path, '-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${allowed}`];
    // verify-commit exits non-zero (run rejects) unless the signature is good and from an allowed signer
    await expect(run('git', [...gitArgs, 'verify-commit', obj.status!.lastPushCommit!])).resolves.toBeTypeOf('string');
  });
});
