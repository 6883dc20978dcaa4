/**
 * The flux-ts CLI's operations end to end (issue 24): `flux-ts bootstrap git` into an empty repository on the embedded
 * stack's git server, after which the cluster syncs itself from that repository (Kustomization flux-system Ready at
 * the pushed commit); `check`; `build kustomization` and `diff kustomization` against the live Kustomization (exit 0
 * in sync, 1 with a drift); `push artifact` to the docker-registry peer in Flux's artifact format, `list`, `tag`,
 * `pull` and `diff artifact`, and an OCIRepository pulling the pushed artifact. The CLI runs as a user runs it: its
 * bin, in its own process, with KUBECONFIG.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '@flux-ts/embedded';
import type { KubeObject } from '@flux-ts/runtime';
import { run, startRegistry, startSshGitServer } from '@flux-ts/testbed';
import type { Registry, SshGitServer } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import { GIT_ENV, GVK as gvk, WORKSPACE, startE2eStack } from './stack.ts';

const BIN = join(WORKSPACE, 'apps', 'cli', 'bin', 'flux-ts.js');
const fluxSystem = { namespace: 'flux-system', name: 'flux-system' };

type Flux = KubeObject & {
  status?: {
    conditions?: { type: string; status: string; message: string }[];
    lastAppliedRevision?: string;
    lastHandledReconcileAt?: string;
    artifact?: { revision: string; digest: string };
  };
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const appConfigMap = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: default
data:
  greeting: ${value}
`;

describe('e2e: flux-ts bootstrap, build, diff and OCI artifacts', () => {
  let e: Embedded;
  let registry: Registry;
  let sshd: SshGitServer | undefined;
  let tmp: string;
  let work: string;
  let repoUrl: string;

  /** Runs the CLI's bin with the stack's kubeconfig; resolves with its exit code and output. */
  const flux = (...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          cwd: tmp,
          env: { PATH: process.env['PATH'], HOME: tmp, KUBECONFIG: e.layout.kubeconfig },
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8',
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const git = (...args: string[]): Promise<string> => run('git', ['-C', work, ...args], { env: GIT_ENV });
  const ready = (o: Flux) => o.status?.conditions?.find((c) => c.type === 'Ready');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flux-ts-e2e-cli-'));
    [registry, e] = await Promise.all([
      startRegistry({ dir: join(tmp, 'registry') }),
      startE2eStack(tmp, { controllers: ['source-controller', 'kustomize-controller'] }),
    ]);
    // An empty repository, as a user creates one before `flux bootstrap git`.
    const bare = join(e.layout.git, 'fleet.git');
    await run('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: GIT_ENV });
    await run('git', ['-C', bare, 'config', 'http.receivepack', 'true'], { env: GIT_ENV });
    repoUrl = `${e.git.url}/fleet.git`;
    work = join(tmp, 'fleet');
  }, 60_000);

  afterAll(async () => {
    await sshd?.close();
    await e?.stop();
    await registry?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  let head = '';

  it('bootstraps an empty repository, and the cluster syncs itself from it', { timeout: 90_000 }, async () => {
    const res = await flux(
      'bootstrap',
      'git',
      `--url=${repoUrl}`,
      '--allow-insecure-http',
      '--path=clusters/dev',
      '--components=source-controller,kustomize-controller',
      '--timeout=60s',
    );
    expect(res.stderr).toContain(`► cloning branch "main" from Git repository "${repoUrl}"`);
    expect(res.stderr).toContain('✔ GitRepository reconciled successfully');
    expect(res.stderr).toContain('✔ Kustomization reconciled successfully');
    expect(res.stderr).toContain('✔ source-controller: deployment ready');
    expect(res.stderr).toContain('✔ all components are healthy');
    expect(res.code).toBe(0);

    // Bootstrapping again changes nothing and succeeds (flux's upgrade path).
    const again = await flux(
      'bootstrap',
      'git',
      `--url=${repoUrl}`,
      '--allow-insecure-http',
      '--path=clusters/dev',
      '--components=source-controller,kustomize-controller',
      '--timeout=60s',
    );
    expect(again.stderr).toContain('✔ component manifests are up to date');
    expect(again.stderr).toContain('✔ source secret up to date');
    expect(again.stderr).toContain('✔ sync manifests are up to date');
    expect(again.code).toBe(0);
    // `install` refuses a bootstrapped cluster, as flux.
    const install = await flux('install');
    expect(install.stderr).toContain(
      "✗ this cluster has already been bootstrapped with Flux v0.1.0! Please use 'flux bootstrap' to upgrade",
    );
    expect(install.code).toBe(1);

    // The repository holds flux's three files, in flux's words.
    await run('git', ['clone', '-q', repoUrl, work], { env: GIT_ENV });
    head = (await git('rev-parse', 'HEAD')).trim();
    expect((await git('log', '--format=%s', '-n2')).trim().split('\n')).toEqual([
      'Add Flux sync manifests',
      'Add Flux v0.1.0 component manifests',
    ]);
    const dir = join(work, 'clusters', 'dev', 'flux-system');
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n',
    );
    expect(readFileSync(join(dir, 'gotk-sync.yaml'), 'utf8')).toContain(
      `  secretRef:\n    name: flux-system\n  url: ${repoUrl}\n---\n`,
    );
    expect(readFileSync(join(dir, 'gotk-components.yaml'), 'utf8')).toMatch(
      /^---\n# This manifest was generated by flux\. DO NOT EDIT\.\n# Flux Version: v0\.1\.0\n# Components: source-controller,kustomize-controller\n/,
    );
    const ks = await e.client.get<Flux>(gvk.ks, fluxSystem);
    expect(ks.status?.lastAppliedRevision).toBe(`main@sha1:${head}`);
    expect(ready(ks)?.status).toBe('True');
    // The Kustomization applied the components it was committed with (the owner labels prove it).
    const dep = await e.client.get(gvk.deployment, { namespace: 'flux-system', name: 'kustomize-controller' });
    expect(dep.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('flux-system');

    const check = await flux('check');
    expect(check.stderr).toContain('► Checking flux controllers');
    expect(check.stderr).toContain('✔ ghcr.io/flux-ts/source-controller:v0.1.0');
    expect(check.stderr).toContain('✔ gitrepositories.source.toolkit.fluxcd.io/v1');
    expect(check.stderr).toContain('✔ bootstrapped: true');
    expect(check.stderr).toContain('► All checks passed');
    expect(check.code).toBe(0);
  });

  it('builds and diffs the Kustomization against the cluster', { timeout: 90_000 }, async () => {
    // An application next to flux-system, committed and synced.
    writeFileSync(join(work, 'clusters', 'dev', 'app.yaml'), appConfigMap('hello'));
    await git('add', '-A');
    await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@flux-ts.local', 'commit', '-qm', 'app');
    await git('push', '-q', 'origin', 'main');
    const commit = (await git('rev-parse', 'HEAD')).trim();
    const at = new Date().toISOString();
    for (const k of [gvk.git, gvk.ks])
      await e.client.patch(
        k,
        fluxSystem,
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } },
        { type: 'merge' },
      );
    await until('the app commit applied', async () => {
      const ks = await e.client.get<Flux>(gvk.ks, fluxSystem);
      return ks.status?.lastAppliedRevision === `main@sha1:${commit}` && ready(ks)?.status === 'True';
    });
    expect(
      (await e.client.get<KubeObject & { data: Record<string, string> }>(gvk.cm, { namespace: 'default', name: 'app' }))
        .data,
    ).toEqual({ greeting: 'hello' });

    const path = join(work, 'clusters', 'dev');
    const built = await flux('build', 'kustomization', 'flux-system', '--path', path);
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(
      'apiVersion: v1\ndata:\n  greeting: hello\nkind: ConfigMap\nmetadata:\n  labels:\n    kustomize.toolkit.fluxcd.io/name: flux-system\n    kustomize.toolkit.fluxcd.io/namespace: flux-system\n  name: app\n  namespace: default\n',
    );
    expect(built.stdout).toContain('kind: GitRepository');

    const same = await flux('diff', 'kustomization', 'flux-system', '--path', path);
    expect(same.stderr).toBe('');
    expect(same.stdout).toBe('');
    expect(same.code).toBe(0);

    writeFileSync(join(path, 'app.yaml'), appConfigMap('bonjour'));
    writeFileSync(join(path, 'extra.yaml'), appConfigMap('x').replace('name: app', 'name: extra'));
    const drift = await flux('diff', 'kustomization', 'flux-system', '--path', path);
    expect(drift.stdout).toContain('► ConfigMap/default/extra created\n');
    expect(drift.stdout).toContain(
      '► ConfigMap/default/app drifted\n\ndata.greeting\n± value change\n- hello\n+ bonjour\n\n',
    );
    expect(drift.stderr).toBe('⚠️ identified at least one change, exiting with non-zero exit code\n');
    expect(drift.code).toBe(1);
    // The diff is a dry run: nothing changed in the cluster.
    expect(
      (await e.client.get<KubeObject & { data: Record<string, string> }>(gvk.cm, { namespace: 'default', name: 'app' }))
        .data,
    ).toEqual({ greeting: 'hello' });
  });

  it('pushes an artifact in Flux format that an OCIRepository pulls', { timeout: 90_000 }, async () => {
    const dir = join(tmp, 'artifact');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'app.yaml'), appConfigMap('from-oci'));
    const url = `oci://${registry.host}/apps/demo`;
    const revision = `main@sha1:${head}`;
    const pushed = await flux(
      'push',
      'artifact',
      `${url}:v1`,
      `--path=${dir}`,
      `--source=${repoUrl}`,
      `--revision=${revision}`,
    );
    expect(pushed.code).toBe(0);
    const digest = /artifact successfully pushed to .*@(sha256:[a-f0-9]{64})/.exec(pushed.stderr)?.[1];
    expect(digest).toBeDefined();

    const tagged = await flux('tag', 'artifact', `${url}:v1`, '--tag', 'latest');
    expect(tagged.stderr).toContain(`✔ artifact tagged as ${registry.host}/apps/demo:latest`);
    const listed = await flux('list', 'artifacts', url);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`${registry.host}/apps/demo:latest\\s+${digest}\\s+${repoUrl}\\s+${revision}`),
    );
    const out = join(tmp, 'pulled');
    const pulled = await flux('pull', 'artifact', `${url}:latest`, `--output=${out}`);
    expect(pulled.stderr).toContain(`✔ revision ${revision}`);
    expect(readFileSync(join(out, 'app.yaml'), 'utf8')).toBe(appConfigMap('from-oci'));
    expect((await flux('diff', 'artifact', `${url}:v1`, `--path=${dir}`)).stderr).toContain('✔ no changes detected');
    writeFileSync(join(dir, 'app.yaml'), appConfigMap('changed'));
    const changed = await flux('diff', 'artifact', `${url}:v1`, `--path=${dir}`);
    expect(changed.stderr).toContain('✗ the remote artifact contents differs from the local one');
    expect(changed.code).toBe(1);

    await e.client.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'demo', namespace: 'default' },
      spec: { interval: '10m', url, ref: { tag: 'v1' }, insecure: true },
    } as KubeObject);
    const repo = await until('the OCIRepository Ready', async () => {
      const o = await e.client.get<Flux>(
        { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' },
        { namespace: 'default', name: 'demo' },
      );
      return ready(o)?.status === 'True' ? o : undefined;
    });
    expect(repo.status?.artifact?.revision).toBe(`v1@${digest}`);
  });

  it('moves the cluster to SSH: bootstrap with --private-key-file', { timeout: 90_000 }, async () => {
    sshd = await startSshGitServer({ root: e.layout.git });
    const key = join(tmp, 'identity');
    writeFileSync(key, sshd.identity, { mode: 0o600 });
    const url = sshd.url('fleet');
    const res = await flux(
      'bootstrap',
      'git',
      `--url=${url}`,
      `--private-key-file=${key}`,
      '--silent',
      '--path=clusters/dev',
      '--components=source-controller,kustomize-controller',
      '--timeout=60s',
    );
    expect(res.stderr).toContain('✔ component manifests are up to date');
    expect(res.stderr).toContain(`✔ committed sync manifests to "main"`);
    expect(res.stderr).toContain('✔ GitRepository reconciled successfully');
    expect(res.code).toBe(0);
    // flux's sourcesecret for SSH: the key, its public key and the server's scanned host key.
    const secret = await e.client.get<KubeObject & { data: Record<string, string> }>(gvk.secret, fluxSystem);
    expect(Object.keys(secret.data).sort()).toEqual(['identity', 'identity.pub', 'known_hosts']);
    expect(Buffer.from(secret.data['known_hosts'] ?? '', 'base64').toString()).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} `),
    );
    const repo = await e.client.get<Flux & { spec: { url: string } }>(gvk.git, fluxSystem);
    expect(repo.spec.url).toBe(url);

    // Without --private-key-file flux generates a deploy key, unless the Secret exists: then its key is kept.
    const again = await flux(
      'bootstrap',
      'git',
      `--url=${url}`,
      '--path=clusters/dev',
      '--components=source-controller,kustomize-controller',
      '--timeout=60s',
    );
    expect(again.stderr).not.toContain('public key:');
    expect(again.stderr).toContain('✔ source secret up to date');
    expect(again.stderr).toContain('✔ sync manifests are up to date');
    expect(again.code).toBe(0);
  });
});
