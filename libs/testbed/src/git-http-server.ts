import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options for {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Directory holding the bare repositories (GIT_PROJECT_ROOT). */
  root: string;
  /** Basic-auth credentials the server accepts. */
  credentials?: { username: string; password: string };
  /** Bearer token the server accepts. */
  bearerToken?: string;
  /** Serve HTTPS with this certificate and key; with `clientCa`, require a client certificate signed by it. */
  tls?: { cert: string; key: string; clientCa?: string };
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

/** Requests seen by the server, counted per git service. */
export interface GitHttpRequestCounts {
  /** `GET …/info/refs?service=git-upload-pack` (ref advertisements). */
  infoRefs: number;
  /** `POST …/git-upload-pack` (fetch negotiation and pack transfer: a clone or fetch). */
  uploadPack: number;
  /** `POST …/git-receive-pack` (pushes). */
  receivePack: number;
  /** Requests refused with 401. */
  unauthorized: number;
}

/** A running smart-HTTP git server. */
export interface GitHttpServer extends AsyncDisposable {
  /** Base URL without credentials, e.g. `http://127.0.0.1:41234` (`https://` with `tls`); repos at `<url>/<name>.git`. */
  readonly url: string;
  readonly port: number;
  /** A snapshot of the request counters. */
  counts(): GitHttpRequestCounts;
  /** Sets all counters back to zero. */
  resetCounts(): void;
  close(): Promise<void>;
}

function zeroCounts(): GitHttpRequestCounts {
  return { infoRefs: 0, uploadPack: 0, receivePack: 0, unauthorized: 0 };
}

function authorized(req: IncomingMessage, opts: GitHttpServerOptions): boolean {
  if (!opts.credentials && opts.bearerToken === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (opts.credentials) {
    const expected =
      'Basic ' + Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString('base64');
    if (header === expected) return true;
  }
  if (opts.bearerToken !== undefined && header === `Bearer ${opts.bearerToken}`) return true;
  return false;
}

/**
 * Starts a smart-HTTP git server on 127.0.0.1 (a random port unless `port` is given): a node:http bridge running `git http-backend` as CGI
 * (testbed.md Appendix A), with optional basic and bearer auth and per-service request counters.
 */
export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  let counts = zeroCounts();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorized(req, opts)) {
      counts.unauthorized++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end();
      return;
    }
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && u.pathname.endsWith('/info/refs')) counts.infoRefs++;
    else if (req.method === 'POST' && u.pathname.endsWith('/git-upload-pack')) counts.uploadPack++;
    else if (req.method === 'POST' && u.pathname.endsWith('/git-receive-pack')) counts.receivePack++;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: opts.root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: opts.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(u.pathname),
      QUERY_STRING: u.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: opts.credentials?.username ?? '',
      REMOTE_ADDR: '127.0.0.1',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    };
    if (req.headers['content-length']) env['CONTENT_LENGTH'] = req.headers['content-length'];
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersSent = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sep = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sep = 2;
      }
      if (end < 0) return;
      headersSent = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString().split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i);
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + sep));
    });
    cgi.stdout.on('end', () => {
      if (!headersSent) res.writeHead(500);
      res.end();
    });
    cgi.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server = opts.tls
    ? createHttpsServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          ...(opts.tls.clientCa ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handle,
      )
    : createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = zeroCounts();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
