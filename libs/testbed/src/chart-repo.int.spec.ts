import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmEnv, installHelm, makeChartRepo, run, startChartRepoServer, tlsCertificate } from './index.ts';

let root: string;
let helm: string;
let repoDir: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-chart-repo-spec-'));
  helm = await installHelm();
  repoDir = join(root, 'repo');
}, 180_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh helm home per test, so `helm repo add` names do not clash. */
function env(name: string): NodeJS.ProcessEnv {
  const home = join(root, 'home-' + name);
  mkdirSync(home, { recursive: true });
  return helmEnv(home);
}

describe('makeChartRepo and startChartRepoServer', { timeout: 60_000 }, () => {
  it('builds a repository that helm repo add and helm pull --version read over HTTP', async () => {
    const srv = await startChartRepoServer({ dir: repoDir });
    try {
      const e = env('plain');
      await makeChartRepo({
        dir: repoDir,
        url: srv.url,
        helm,
        env: e,
        charts: [
          { name: 'base', versions: ['0.1.0'], files: { 'values.yaml': 'greeting: hello\n' } },
          {
            name: 'app',
            versions: ['1.0.0', '1.1.0', '2.0.0-rc.1'],
            files: { 'templates/cm.yaml': 'kind: ConfigMap\ndata: {x: {{ .Values.base.greeting | quote }}}\n' },
            dependencies: [{ name: 'base', version: '0.1.0', repository: 'file://../base' }],
          },
        ],
      });
      expect(readdirSync(repoDir).sort()).toEqual([
        'app-1.0.0.tgz',
        'app-1.1.0.tgz',
        'app-2.0.0-rc.1.tgz',
        'base-0.1.0.tgz',
        'index.yaml',
      ]);
      const index = readFileSync(join(repoDir, 'index.yaml'), 'utf8');
      expect(index).toContain(`- ${srv.url}/app-1.1.0.tgz`);

      await run(helm, ['repo', 'add', 'demo', srv.url], { env: e });
      expect(srv.counts.get('/index.yaml')).toBe(1);
      const out = join(root, 'pulled');
      mkdirSync(out);
      await run(helm, ['pull', 'demo/app', '--version', '1.0.0', '-d', out], { env: e });
      expect(readdirSync(out)).toEqual(['app-1.0.0.tgz']);
      expect(readFileSync(join(out, 'app-1.0.0.tgz'))).toEqual(readFileSync(join(repoDir, 'app-1.0.0.tgz')));
      expect(srv.counts.get('/app-1.0.0.tgz')).toBe(1);
      // The dependency came along (helm package --dependency-update; Save writes it as a directory).
      const listing = await run('tar', ['tzf', join(out, 'app-1.0.0.tgz')]);
      expect(listing).toContain('app/charts/base/Chart.yaml');
      expect(srv.requests()).toBe([...srv.counts.values()].reduce((a, b) => a + b, 0));

      const missing = await fetch(`${srv.url}/nope-1.0.0.tgz`);
      expect(missing.status).toBe(404);
      const traversal = await fetch(`${srv.url}/..%2f..%2fetc%2fpasswd`);
      expect(traversal.status).toBe(404);
      const head = await fetch(`${srv.url}/index.yaml`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(index));
    } finally {
      await srv.close();
    }
  });

  it('requires basic auth when configured: 401 with WWW-Authenticate, helm with credentials passes', async () => {
    const dir = join(root, 'auth-repo');
    const srv = await startChartRepoServer({ dir, auth: { username: 'flux', password: 's3cret' } });
    try {
      const e = env('auth');
      await makeChartRepo({ dir, url: srv.url, helm, env: e, charts: [{ name: 'base', versions: ['0.1.0'] }] });
      const anon = await fetch(`${srv.url}/index.yaml`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      const wrong = await fetch(`${srv.url}/index.yaml`, {
        headers: { Authorization: 'Basic ' + Buffer.from('flux:nope').toString('base64') },
      });
      expect(wrong.status).toBe(401);
      await expect(
        run(helm, ['repo', 'add', 'bad', srv.url, '--username', 'flux', '--password', 'x'], { env: e }),
      ).rejects.toThrow(/401/);
      await run(helm, ['repo', 'add', 'good', srv.url, '--username', 'flux', '--password', 's3cret'], { env: e });
      const out = join(root, 'pulled-auth');
      mkdirSync(out);
      await run(helm, ['pull', 'good/base', '--version', '0.1.0', '-d', out], { env: e });
      expect(existsSync(join(out, 'base-0.1.0.tgz'))).toBe(true);
      expect(srv.counts.get('/index.yaml')).toBe(4);
    } finally {
      await srv.close();
    }
  });

  it('serves HTTPS with a certificate from tlsCertificate', async () => {
    const tls = await tlsCertificate();
    const dir = join(root, 'tls-repo');
    const srv = await startChartRepoServer({ dir, tls });
    try {
      expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const e = env('tls');
      await makeChartRepo({ dir, url: srv.url, helm, env: e, charts: [{ name: 'secure', versions: ['3.2.1'] }] });
      const ca = join(root, 'ca.crt');
      writeFileSync(ca, tls.ca);
      await expect(run(helm, ['repo', 'add', 'untrusted', srv.url], { env: e })).rejects.toThrow(/certificate/);
      await run(helm, ['repo', 'add', 'secure', srv.url, '--ca-file', ca], { env: e });
      const out = join(root, 'pulled-tls');
      mkdirSync(out);
      await run(helm, ['pull', 'secure/secure', '--version', '3.2.1', '-d', out], { env: e });
      expect(readdirSync(out)).toEqual(['secure-3.2.1.tgz']);
      const status = await new Promise<number>((ok, fail) => {
        httpsRequest(`${srv.url}/missing.tgz`, { ca: tls.ca }, (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        })
          .on('error', fail)
          .end();
      });
      expect(status).toBe(404);
    } finally {
      await srv.close();
    }
  });
});
