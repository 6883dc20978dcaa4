// Remote resources against a real git server (`git http-backend` from @flux-ts/testbed) and a plain HTTP file
// server; the oracle is `kubectl kustomize`, which clones the same URLs with the git CLI.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { makeRepo, startGitHttpServer, type GitHttpServer, type Repo } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from './build.ts';
import { parseGitUrl } from './remote.ts';
import { toYaml } from './to-yaml.ts';

const exec = promisify(execFile);
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

const CM = (name: string, v: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: ${v}\n`;

describe('remote resources (git over HTTP, https files)', () => {
  let root: string;
  let http: GitHttpServer;
  let repo: Repo;
  let files: Server;
  let filesUrl: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'kustomize-remote-spec-'));
    mkdirSync(path.join(root, 'git'));
    repo = await makeRepo({
      root: path.join(root, 'git'),
      name: 'app',
      commits: [
        {
          label: 'one',
          files: {
            'base/kustomization.yaml': 'resources: [cm.yaml]\nnamePrefix: remote-\n',
            'base/cm.yaml': CM('settings', 'one'),
            'deploy/kustomization.yaml': 'resources: [../base]\ncommonLabels:\n  from: git\n',
          },
        },
        { label: 'two', files: { 'base/cm.yaml': CM('settings', 'two') } },
      ],
      tags: [{ name: 'v1', target: 'one' }],
      branches: { stable: 'one' },
    });
    http = await startGitHttpServer({ root: path.join(root, 'git') });
    files = createServer((req, res) => {
      if (req.url === '/manifests/cm.yaml') res.end(CM('downloaded', 'file'));
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const addr = files.address();
    filesUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });

  afterAll(async () => {
    await http?.close();
    await new Promise((r) => files?.close(r));
    await repo?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const overlay = (resources: string[], extra = ''): string => {
    const dir = mkdtempSync(path.join(root, 'overlay-'));
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      `resources:\n${resources.map((r) => `- ${r}\n`).join('')}${extra}`,
    );
    return dir;
  };

  // async: the git server runs in this process, so the oracle must not block the event loop
  const oracle = async (dir: string): Promise<string> => {
    const home = mkdtempSync(path.join(root, 'home-'));
    const r = await exec(KUBECTL, ['kustomize', dir], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, GIT_TERMINAL_PROMPT: '0' },
      timeout: 60_000,
    });
    return r.stdout;
  };

  const cases: [string, () => string[]][] = [
    ['//subdir with a tag ref', () => [`${http.url}/app.git//base?ref=v1`]],
    ['repo without .git and //subdir', () => [`${http.url}/app//base?ref=v1`]],
    ['.git/subdir without //', () => [`${http.url}/app.git/base?ref=v1`]],
    ['a branch ref with ?version=', () => [`${http.url}/app.git//base?version=stable`]],
    ['no ref: the default branch', () => [`${http.url}/app.git//base`]],
    ['a commit ref', () => [`${http.url}/app.git//base?ref=${repo.commits['two']}`]],
    ['a remote overlay reaching ../base inside the clone', () => [`${http.url}/app.git//deploy?ref=v1`]],
    ['git:: prefix', () => [`git::${http.url}/app.git//base?ref=main`]],
    ['an http file URL next to a local file', () => [`${filesUrl}/manifests/cm.yaml`, 'local.yaml']],
  ];
  for (const [name, urls] of cases) {
    it(`builds ${name} like kubectl kustomize`, async () => {
      const dir = overlay(urls(), 'namespace: remote\n');
      writeFileSync(path.join(dir, 'local.yaml'), CM('local', 'here'));
      const want = await oracle(dir);
      const got = toYaml(await build(dir));
      expect(got).toBe(want);
      expect(got).toContain('kind: ConfigMap');
    }, 90_000);
  }

  it('refuses remotes with remote: false, naming the URL', async () => {
    const url = `${http.url}/app.git//base?ref=v1`;
    const dir = overlay([url]);
    await expect(build(dir, { remote: false })).rejects.toThrow(`remote resources are disabled: ${url}`);
  });

  it('uses an injected fetcher and reports clone failures with the URL', async () => {
    const seen: string[] = [];
    const dir = overlay([`${http.url}/app.git//base?ref=v1`]);
    const local = mkdtempSync(path.join(root, 'vendored-'));
    writeFileSync(path.join(local, 'kustomization.yaml'), 'resources: [cm.yaml]\n');
    writeFileSync(path.join(local, 'cm.yaml'), CM('vendored', 'x'));
    const out = await build(dir, { remote: async (u) => (seen.push(u), local) });
    expect(seen).toEqual([`${http.url}/app.git//base?ref=v1`]);
    expect(out.map((o) => (o['metadata'] as { name: string }).name)).toEqual(['vendored']);
    const missing = `${http.url}/app.git//base?ref=no-such-ref`;
    await expect(build(overlay([missing]))).rejects.toThrow(missing);
  });

  it('reports an HTTP error for a missing file URL', async () => {
    await expect(build(overlay([`${filesUrl}/nope.yaml`]))).rejects.toThrow('HTTP Error: status code 404');
  });
});

describe('parseGitUrl', () => {
  it.each([
    ['https://github.com/org/repo//deploy/prod?ref=v1.2.0', 'https://github.com/org/repo', 'v1.2.0', 'deploy/prod'],
    ['https://github.com/org/repo/deploy?ref=main', 'https://github.com/org/repo', 'main', 'deploy'],
    ['github.com/org/repo/deploy', 'https://github.com/org/repo', '', 'deploy'],
    ['git@github.com:org/repo.git/deploy?ref=v1', 'git@github.com:org/repo.git', 'v1', 'deploy'],
    ['ssh://git@host:2222/org/repo.git//x?version=dev', 'ssh://git@host:2222/org/repo.git', 'dev', 'x'],
    ['git::https://host/org/repo.git?ref=v2', 'https://host/org/repo.git', 'v2', ''],
  ])('%s', (url, cloneUrl, ref, sub) => {
    expect(parseGitUrl(url)).toMatchObject({ cloneUrl, ref, path: sub });
  });
  it('is undefined for a plain file URL', () => {
    expect(parseGitUrl('https://example.com/manifests/app.yaml')).toBeUndefined();
  });
});
