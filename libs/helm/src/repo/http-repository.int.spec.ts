// Differential against the real helm: a repository made with `helm package` + `helm repo index`, served by a local
// server (basic auth; TLS with a client certificate); for each constraint IndexFile.get picks the version
// `helm pull --repo --version` pulls, and downloadChart returns the same bytes.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmEnv, installHelm, run, tlsCertificate, type TlsMaterial } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpChartRepository } from './http-repository.ts';
import { startRepoServer, type RepoServer } from './http-server.spec-helper.ts';
import { IndexError, loadIndex, type IndexFile } from './index-file.ts';

const VERSIONS = ['0.9.0', '1.0.0', '1.2.0', '1.2.5', '1.3.0-beta.1', '1.10.0', '2.0.0-rc.1', '2.0.0', '3.0.0-alpha.2'];
const CONSTRAINTS = [
  '',
  '*',
  '~1.2',
  '>=1.0.0-0',
  '1.x',
  '1.2.0',
  '^1.0.0',
  '<1.0.0',
  '>=2.0.0-0',
  '2.0.0-rc.1',
  '~2.0.0-0',
  '>1.0.0 <1.3.0',
  '1.2 || 2.0',
  '^1.3.0-0',
  '!=2.0.0',
  '9.x',
  '>=3.0.0-alpha.10',
];
const signal = new AbortController().signal;

let helm: string;
let work: string;
let repoDir: string;
let tls: TlsMaterial;
let client: TlsMaterial;

beforeAll(async () => {
  helm = await installHelm();
  work = mkdtempSync(join(tmpdir(), 'helm-repo-int-'));
  repoDir = join(work, 'repo');
  mkdirSync(repoDir);
  for (const v of VERSIONS) {
    const src = join(work, 'src', v, 'app');
    mkdirSync(join(src, 'templates'), { recursive: true });
    writeFileSync(join(src, 'Chart.yaml'), `apiVersion: v2\nname: app\nversion: ${v}\nappVersion: "${v}"\n`);
    writeFileSync(join(src, 'templates/cm.yaml'), 'kind: ConfigMap\n');
    await helmRun(['package', src, '-d', repoDir]);
  }
  await helmRun(['repo', 'index', repoDir]);
  tls = await tlsCertificate();
  client = await tlsCertificate('flux-client');
  for (const [n, t] of [
    ['ca.pem', tls.ca],
    ['client.pem', client.cert],
    ['client.key', client.key],
  ] as const)
    writeFileSync(join(work, n), t);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function helmRun(args: string[]): Promise<string> {
  return run(helm, args, { env: helmEnv(work) });
}

/** The version `helm pull` downloads for a constraint, or the error line helm prints. */
async function helmPull(url: string, constraint: string, extra: string[]): Promise<string> {
  const out = join(work, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  try {
    await helmRun([
      'pull',
      'app',
      '--repo',
      url,
      '-d',
      out,
      ...(constraint ? ['--version', constraint] : []),
      ...extra,
    ]);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  const files = readdirSync(out);
  expect(files).toHaveLength(1);
  return (files[0] ?? '').replace(/^app-|\.tgz$/g, '');
}

function ours(index: IndexFile, c: string): string {
  try {
    return index.get('app', c).version;
  } catch (e) {
    expect(e).toBeInstanceOf(IndexError);
    return 'error';
  }
}

async function compare(server: RepoServer, repo: HttpChartRepository, extra: string[]): Promise<void> {
  const index = loadIndex(await repo.downloadIndex({ signal, maxSize: 1 << 20 }), repo.url);
  for (const c of CONSTRAINTS) {
    const theirs = await helmPull(server.url, c, extra);
    const mine = ours(index, c);
    expect({ constraint: c, version: theirs.startsWith('error: ') ? 'error' : theirs }).toEqual({
      constraint: c,
      version: mine,
    });
    if (theirs.startsWith('error: ')) {
      expect(theirs).toContain(`chart "app" version "${c}" not found in ${server.url} repository`);
      continue;
    }
    const data = await repo.downloadChart(index.get('app', c), { signal, maxSize: 1 << 20 });
    expect(Buffer.from(data).equals(readFileSync(join(repoDir, `app-${mine}.tgz`)))).toBe(true);
  }
}

describe('IndexFile.get and HttpChartRepository against helm pull', () => {
  it('basic auth: same version for every constraint, same archive bytes', async () => {
    const server = await startRepoServer({ dir: repoDir, basicAuth: { username: 'flux', password: 's3cret' } });
    try {
      const repo = new HttpChartRepository({ url: server.url, username: 'flux', password: 's3cret' });
      await compare(server, repo, ['--username', 'flux', '--password', 's3cret']);
      const wrong = new HttpChartRepository({ url: server.url, username: 'flux', password: 'nope' });
      await expect(wrong.downloadIndex({ signal, maxSize: 1 << 20 })).rejects.toThrow(
        `failed to fetch ${server.url}/index.yaml : 401 Unauthorized`,
      );
      expect(await helmPull(server.url, '', ['--username', 'flux', '--password', 'nope'])).toContain(
        `failed to fetch ${server.url}/index.yaml : 401 Unauthorized`,
      );
    } finally {
      await server.close();
    }
  }, 300_000);

  it('TLS with a client certificate: same versions', async () => {
    const server = await startRepoServer({
      dir: repoDir,
      tls: { cert: tls.cert, key: tls.key, ca: client.ca, requestCert: true },
    });
    try {
      const enc = (t: string): Uint8Array => new TextEncoder().encode(t);
      const repo = new HttpChartRepository({
        url: server.url,
        tls: { ca: enc(tls.ca), cert: enc(client.cert), key: enc(client.key) },
      });
      await compare(server, repo, [
        '--ca-file',
        join(work, 'ca.pem'),
        '--cert-file',
        join(work, 'client.pem'),
        '--key-file',
        join(work, 'client.key'),
      ]);
    } finally {
      await server.close();
    }
  }, 300_000);

  it('fails or drops entries on broken indexes as helm does, with the same messages', async () => {
    const good = readFileSync(join(repoDir, 'index.yaml'), 'utf8');
    const variants: Record<string, string> = {
      unknownField: good.replace('    name: app\n', '    name: app\n    foo: bar\n'),
      unknownTop: good.replace('apiVersion: v1\n', 'apiVersion: v1\nfoo: 1\n'),
      noApiVersion: good.replace('apiVersion: v1\n', ''),
      duplicateKey: good.replace('    name: app\n', '    name: app\n    name: b\n'),
      badCreated: good.replace(/created: "[^"]+"/, 'created: "2026-12-07"'),
      numberDescription: good.replace('    name: app\n', '    name: app\n    description: 12\n'),
      boolDeprecated: good.replace('    name: app\n', '    name: app\n    deprecated: yes\n'),
      invalidVersion: good.replace('version: 2.0.0\n', 'version: 2.0.x\n'),
      empty: '',
      json: JSON.stringify(loadIndex(good)).replace('"apiVersion":"v2"', '"apiVersion":"v2","foo":1'),
    };
    const server = await startRepoServer({
      files: new Map<string, string | Uint8Array>([
        ...Object.entries(variants).map(([k, v]) => [`/${k}/index.yaml`, v] as [string, string]),
        ...VERSIONS.flatMap((v) =>
          Object.keys(variants).map(
            (k) => [`/${k}/app-${v}.tgz`, readFileSync(join(repoDir, `app-${v}.tgz`))] as [string, Uint8Array],
          ),
        ),
      ]),
    });
    try {
      for (const [name, text] of Object.entries(variants)) {
        const url = `${server.url}/${name}`;
        const theirs = await helmPull(url, '', []);
        let mine: string;
        try {
          mine = loadIndex(text, url).get('app', '').version;
        } catch (e) {
          mine = `error: ${(e as Error).message}`;
        }
        const prefix = `error: failed to run ${helm} pull: Error: looks like "${url}" is not a valid chart repository or cannot be reached: `;
        expect({ name, result: theirs.startsWith(prefix) ? 'error: ' + theirs.slice(prefix.length) : theirs }).toEqual({
          name,
          result: mine,
        });
      }
    } finally {
      await server.close();
    }
  }, 300_000);

  it('loads the index helm wrote: every packaged version, digests matching the archives', () => {
    const index = loadIndex(readFileSync(join(repoDir, 'index.yaml')));
    expect(new Set(index.entries['app']?.map((cv) => cv.version))).toEqual(new Set(VERSIONS));
    for (const cv of index.entries['app'] ?? []) {
      expect(cv.urls).toEqual([`app-${cv.version}.tgz`]);
      expect(cv.digest).toBe(
        createHash('sha256')
          .update(readFileSync(join(repoDir, cv.urls[0] ?? '')))
          .digest('hex'),
      );
    }
  });
});
