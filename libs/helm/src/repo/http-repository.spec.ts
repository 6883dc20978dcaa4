// HttpChartRepository against a local server: URL resolution, credentials per host, size caps, digests, errors.
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tlsCertificate } from '@flux-ts/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import { writeArchive } from '../chart/archive.ts';
import { loadArchive } from '../chart/loader.ts';
import {
  DigestMismatchError,
  HttpChartRepository,
  HttpStatusError,
  IndexLoadError,
  resolveReferenceURL,
} from './http-repository.ts';
import { startRepoServer, type RepoServer } from './http-server.spec-helper.ts';
import type { ChartVersion } from './index-file.ts';

const signal = new AbortController().signal;
const servers: RepoServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startRepoServer>): Promise<RepoServer> {
  const s = await startRepoServer(...args);
  servers.push(s);
  return s;
}

function chartTgz(name: string, version: string): Buffer {
  return writeArchive(name, [
    { name: 'Chart.yaml', data: Buffer.from(`apiVersion: v2\nname: ${name}\nversion: ${version}\n`) },
  ]);
}
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('resolveReferenceURL (Helm repo.ResolveReferenceURL cases)', () => {
  it.each([
    ['http://localhost:8123/', '/nginx-0.2.0.tgz', 'http://localhost:8123/nginx-0.2.0.tgz'],
    ['http://localhost:8123/charts/', 'nginx-0.2.0.tgz', 'http://localhost:8123/charts/nginx-0.2.0.tgz'],
    ['http://localhost:8123/charts/', '/nginx-0.2.0.tgz', 'http://localhost:8123/nginx-0.2.0.tgz'],
    [
      'http://localhost:8123/charts-with-no-trailing-slash',
      'nginx-0.2.0.tgz',
      'http://localhost:8123/charts-with-no-trailing-slash/nginx-0.2.0.tgz',
    ],
    [
      'http://localhost:8123',
      'https://charts.helm.sh/stable/nginx-0.2.0.tgz',
      'https://charts.helm.sh/stable/nginx-0.2.0.tgz',
    ],
    [
      'http://localhost:8123/charts%2fwith%2fescaped%2fslash',
      'nginx-0.2.0.tgz',
      'http://localhost:8123/charts%2fwith%2fescaped%2fslash/nginx-0.2.0.tgz',
    ],
    [
      'http://localhost:8123/charts%2fwith%2fescaped%2fslash',
      '/nginx-0.2.0.tgz',
      'http://localhost:8123/nginx-0.2.0.tgz',
    ],
    [
      'http://localhost:8123/charts?with=queryparameter',
      'nginx-0.2.0.tgz',
      'http://localhost:8123/charts/nginx-0.2.0.tgz?with=queryparameter',
    ],
    [
      'http://localhost:8123/charts?with=queryparameter',
      '/nginx-0.2.0.tgz',
      'http://localhost:8123/nginx-0.2.0.tgz?with=queryparameter',
    ],
  ])('%s + %s', (base, ref, want) => {
    expect(resolveReferenceURL(base, ref)).toBe(want);
  });
});

describe('HttpChartRepository', () => {
  it('downloads the index below the repository path (query kept) and a relative chart, with credentials', async () => {
    const tgz = chartTgz('app', '1.0.0');
    const index = `apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    digest: ${sha(tgz)}\n    urls: [app-1.0.0.tgz]\n`;
    const s = await serve({
      files: new Map<string, string | Uint8Array>([
        ['/charts/index.yaml', index],
        ['/charts/app-1.0.0.tgz', tgz],
      ]),
      basicAuth: { username: 'flux', password: 's3cret' },
    });
    const repo = new HttpChartRepository({ url: `${s.url}/charts/?tok=1`, username: 'flux', password: 's3cret' });
    expect(repo.indexUrl).toBe(`${s.url}/charts/index.yaml?tok=1`);
    const cv = await repo.getChartVersion('app', '1.x', signal);
    expect(cv.version).toBe('1.0.0');
    await repo.getChartVersion('app', '', signal); // the index is loaded once
    const data = await repo.downloadChart(cv, { signal, maxSize: 1 << 20 });
    expect(loadArchive(Buffer.from(data)).metadata.version).toBe('1.0.0');
    expect(s.seen.map((r) => r.path)).toEqual(['/charts/index.yaml', '/charts/app-1.0.0.tgz']);
    expect(repo.requests).toBe(2);
    expect(s.seen.every((r) => r.userAgent === 'Helm/3.18.0')).toBe(true);
  });

  it('sends credentials to a chart on another host only with passCredentials', async () => {
    const tgz = chartTgz('app', '1.0.0');
    const other = await serve({ files: new Map([['/app-1.0.0.tgz', tgz]]) });
    const cv: ChartVersion = { name: 'app', version: '1.0.0', urls: [`${other.url}/app-1.0.0.tgz`] };
    const repoSrv = await serve({ files: new Map() });
    const plain = new HttpChartRepository({ url: repoSrv.url, username: 'flux', password: 's3cret' });
    await plain.downloadChart(cv, { signal, maxSize: 1 << 20 });
    const passing = new HttpChartRepository({
      url: repoSrv.url,
      username: 'flux',
      password: 's3cret',
      passCredentials: true,
    });
    await passing.downloadChart(cv, { signal, maxSize: 1 << 20 });
    expect(other.seen.map((r) => r.authorization)).toEqual([
      undefined,
      'Basic ' + Buffer.from('flux:s3cret').toString('base64'),
    ]);
  });

  it('drops credentials on a redirect to another domain, keeps them on the same host', async () => {
    const tgz = chartTgz('app', '1.0.0');
    const other = await serve({ files: new Map([['/moved.tgz', tgz]]) });
    const s = await serve({
      files: new Map([['/app.tgz', tgz]]),
      redirects: new Map([
        ['/same.tgz', '/app.tgz'],
        ['/away.tgz', `${other.url.replace('127.0.0.1', 'localhost')}/moved.tgz`],
      ]),
    });
    const repo = new HttpChartRepository({ url: s.url, username: 'flux', password: 's3cret' });
    await repo.downloadChart({ name: 'app', version: '1.0.0', urls: ['same.tgz'] }, { signal, maxSize: 1 << 20 });
    await repo.downloadChart({ name: 'app', version: '1.0.0', urls: ['away.tgz'] }, { signal, maxSize: 1 << 20 });
    expect(s.seen.map((r) => [r.path, r.authorization !== undefined])).toEqual([
      ['/same.tgz', true],
      ['/app.tgz', true],
      ['/away.tgz', true],
    ]);
    expect(other.seen.map((r) => [r.path, r.authorization])).toEqual([['/moved.tgz', undefined]]);
    expect(repo.requests).toBe(4);
  });

  it.each([false, true])('refuses an index past maxSize while streaming (chunked: %s)', async (chunked) => {
    const big = `apiVersion: v1\nentries: {}\n# ${'x'.repeat(64 * 1024)}\n`;
    const s = await serve({ files: new Map([['/index.yaml', big]]), chunked });
    const repo = new HttpChartRepository({ url: s.url });
    await expect(repo.downloadIndex({ signal, maxSize: 4096 })).rejects.toThrow(
      'index exceeds the maximum index file size of 4096 bytes',
    );
    expect((await repo.downloadIndex({ signal, maxSize: big.length })).length).toBe(big.length);
  });

  it('refuses a chart past maxSize and one whose digest differs from the index', async () => {
    const tgz = chartTgz('app', '1.0.0');
    const s = await serve({ files: new Map([['/app-1.0.0.tgz', tgz]]), chunked: true });
    const repo = new HttpChartRepository({ url: s.url });
    const cv: ChartVersion = { name: 'app', version: '1.0.0', urls: ['app-1.0.0.tgz'], digest: 'ab'.repeat(32) };
    await expect(repo.downloadChart(cv, { signal, maxSize: 100 })).rejects.toThrow(
      'chart exceeds the maximum chart size of 100 bytes',
    );
    const err = await repo.downloadChart(cv, { signal, maxSize: 1 << 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toBe(
      `chart app-1.0.0 downloaded from ${s.url}/app-1.0.0.tgz has digest sha256:${sha(tgz)}, the index gives sha256:${'ab'.repeat(32)}`,
    );
    await expect(repo.downloadChart({ ...cv, urls: [] }, { signal, maxSize: 1 << 20 })).rejects.toThrow(
      "chart 'app' has no downloadable URLs",
    );
  });

  it('reports HTTP errors with the status as the helm getter does, never the credentials', async () => {
    const s = await serve({ files: new Map(), basicAuth: { username: 'flux', password: 'right' } });
    const repo = new HttpChartRepository({ url: `${s.url}/sub`, username: 'flux', password: 'wrong-pass' });
    const err = (await repo.downloadIndex({ signal, maxSize: 1024 }).catch((e: unknown) => e)) as HttpStatusError;
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.message).toBe(`failed to fetch ${s.url}/sub/index.yaml : 401 Unauthorized`);
    const viaUrl = new HttpChartRepository({ url: s.url.replace('://', '://flux:url-pass@') });
    expect(viaUrl.url).toBe(s.url);
    const e2 = (await viaUrl.getChartVersion('app', '', signal).catch((e: unknown) => e)) as Error;
    expect(e2).toBeInstanceOf(IndexLoadError);
    expect(e2.message).toBe(
      `failed to cache index: failed to cache index to temporary file: failed to fetch ${s.url}/index.yaml : 401 Unauthorized`,
    );
    expect(s.seen[1]?.authorization).toBe('Basic ' + Buffer.from('flux:url-pass').toString('base64'));
    for (const m of [err.message, e2.message]) expect(m).not.toMatch(/wrong-pass|url-pass/);
    const none = new HttpChartRepository({ url: 'http://127.0.0.1:1/' });
    await expect(none.downloadIndex({ signal, maxSize: 1024 })).rejects.toThrow(
      'Get "http://127.0.0.1:1/index.yaml": connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(() => new HttpChartRepository({ url: 'ftp://example.com' })).toThrow('scheme "ftp" not supported');
  });

  it('stops on an aborted signal', async () => {
    const s = await serve({ files: new Map([['/index.yaml', 'apiVersion: v1\n']]) });
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(
      new HttpChartRepository({ url: s.url }).downloadIndex({ signal: ac.signal, maxSize: 1024 }),
    ).rejects.toThrow(`Get "${s.url}/index.yaml": context canceled`);
  });

  it('gives up after 10 redirects and on a server that does not answer within timeoutMs', async () => {
    const s = await serve({ files: new Map(), redirects: new Map([['/loop.tgz', '/loop.tgz']]) });
    const repo = new HttpChartRepository({ url: s.url });
    await expect(
      repo.downloadChart({ name: 'app', version: '1.0.0', urls: ['loop.tgz'] }, { signal, maxSize: 1024 }),
    ).rejects.toThrow(`Get "${s.url}/loop.tgz": stopped after 10 redirects`);
    expect(repo.requests).toBe(10);
    const sockets: net.Socket[] = [];
    const silent = net.createServer((sock) => sockets.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      await expect(
        new HttpChartRepository({ url, timeoutMs: 50 }).downloadIndex({ signal, maxSize: 1024 }),
      ).rejects.toThrow(
        `Get "${url}/index.yaml": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      );
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('trusts a CA and presents a client certificate over https', async () => {
    const server = await tlsCertificate();
    const client = await tlsCertificate('flux-client');
    const s = await serve({
      files: new Map([['/index.yaml', 'apiVersion: v1\nentries: {}\n']]),
      tls: { cert: server.cert, key: server.key, ca: client.ca, requestCert: true },
    });
    const enc = (t: string): Uint8Array => new TextEncoder().encode(t);
    const ok = new HttpChartRepository({
      url: s.url,
      tls: { ca: enc(server.ca), cert: enc(client.cert), key: enc(client.key) },
    });
    expect(new TextDecoder().decode(await ok.downloadIndex({ signal, maxSize: 1024 }))).toBe(
      'apiVersion: v1\nentries: {}\n',
    );
    const noCa = new HttpChartRepository({ url: s.url, tls: { cert: enc(client.cert), key: enc(client.key) } });
    await expect(noCa.downloadIndex({ signal, maxSize: 1024 })).rejects.toThrow(
      /^Get "https:\/\/127\.0\.0\.1:\d+\/index\.yaml": /,
    );
    ok.close();
    noCa.close();
  });
});
