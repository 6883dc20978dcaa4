import { mkdtemp, readFile, rm, stat, writeFile, mkdir, appendFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { run } from './exec.ts';
import type { TlsMaterial } from './tls.ts';

/** Options for {@link startChartRepoServer}. */
export interface ChartRepoServerOptions {
  /** The directory served (index.yaml and the chart archives). */
  dir: string;
  /** Require HTTP basic auth with these credentials (401 with `WWW-Authenticate: Basic` otherwise). */
  auth?: { username: string; password: string };
  /** Serve HTTPS with this certificate (from {@link tlsCertificate}). */
  tls?: TlsMaterial;
}

/** A running static chart repository. */
export interface ChartRepoServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`), without a trailing slash or credentials. */
  readonly url: string;
  /** Requests per URL path (e.g. `/index.yaml`), refused ones included. */
  readonly counts: Map<string, number>;
  /** All requests so far. */
  requests(): number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.json': 'application/json',
  '.tgz': 'application/x-tar',
  '.prov': 'application/pgp-signature',
};

/**
 * Serves a directory over HTTP(S) on 127.0.0.1 (a free port) as a Helm chart repository: GET and HEAD of its files,
 * 404 for a missing path, optional basic auth and TLS. Counts requests per path. Hand-written (node:http, about 50
 * lines) to count what helm and the controllers fetch.
 */
export async function startChartRepoServer(opts: ChartRepoServerOptions): Promise<ChartRepoServer> {
  const root = resolve(opts.dir);
  const counts = new Map<string, number>();
  let total = 0;
  const expected = opts.auth
    ? 'Basic ' + Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')
    : undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    total++;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (expected !== undefined && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="chart-repo"', 'Content-Type': 'text/plain' });
      res.end('unauthorized\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    let file: string;
    try {
      file = resolve(root, '.' + decodeURIComponent(path));
    } catch {
      file = '';
    }
    const inside = file.startsWith(root + sep);
    const data = inside && (await stat(file).catch(() => undefined))?.isFile() ? await readFile(file) : undefined;
    if (data === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': data.length,
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, listener)
    : createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    });
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    counts,
    requests: () => total,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A dependency written into a chart's Chart.yaml by {@link makeChartRepo}. */
export interface ChartRepoDependency {
  name: string;
  version: string;
  /** e.g. `file://../other` or a repository URL helm can reach with the given env. */
  repository: string;
  alias?: string;
  condition?: string;
}

/** One chart of {@link makeChartRepo}: `helm create NAME`, then `files` written over it, packaged once per version. */
export interface ChartRepoChart {
  name: string;
  versions: string[];
  /** Files relative to the chart directory, written after `helm create` (e.g. `values.yaml`, `templates/x.yaml`). */
  files?: Record<string, string>;
  /** Appended to Chart.yaml as `dependencies`; packaging then runs with `--dependency-update`. */
  dependencies?: ChartRepoDependency[];
}

/** Options for {@link makeChartRepo}. */
export interface MakeChartRepoOptions {
  /** The repository directory (created if missing): the .tgz files and index.yaml go here. */
  dir: string;
  /** The `--url` of `helm repo index` (the URL the directory will be served at). */
  url: string;
  charts: ChartRepoChart[];
  /** Path of the helm binary ({@link installHelm}). */
  helm: string;
  /** Environment for helm ({@link helmEnv}). */
  env: NodeJS.ProcessEnv;
}

/**
 * Builds a chart repository directory with the real helm binary: for each chart `helm create`, its files written,
 * `helm package --version V` for each version (with `--dependency-update` when it has dependencies), then
 * `helm repo index DIR --url URL`.
 */
export async function makeChartRepo(opts: MakeChartRepoOptions): Promise<void> {
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'flux-ts-chart-repo-'));
  try {
    for (const c of opts.charts) {
      await run(opts.helm, ['create', c.name], { cwd: work, env: opts.env });
      const chartDir = join(work, c.name);
      for (const [name, content] of Object.entries(c.files ?? {})) {
        const p = resolve(chartDir, name);
        if (!p.startsWith(chartDir + sep)) throw new Error(`chart file ${name} is outside the chart directory`);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, content);
      }
      const deps = c.dependencies ?? [];
      if (deps.length > 0) {
        const lines = ['dependencies:'];
        for (const d of deps) {
          lines.push(`- name: ${JSON.stringify(d.name)}`);
          lines.push(`  version: ${JSON.stringify(d.version)}`);
          lines.push(`  repository: ${JSON.stringify(d.repository)}`);
          if (d.alias !== undefined) lines.push(`  alias: ${JSON.stringify(d.alias)}`);
          if (d.condition !== undefined) lines.push(`  condition: ${JSON.stringify(d.condition)}`);
        }
        await appendFile(join(chartDir, 'Chart.yaml'), '\n' + lines.join('\n') + '\n');
      }
      for (const v of c.versions) {
        const args = ['package', chartDir, '--version', v, '--destination', dir];
        if (deps.length > 0) args.push('--dependency-update');
        await run(opts.helm, args, { cwd: work, env: opts.env });
      }
    }
    await run(opts.helm, ['repo', 'index', dir, '--url', opts.url], { cwd: work, env: opts.env });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
