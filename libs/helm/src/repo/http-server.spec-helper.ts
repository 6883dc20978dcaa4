// A small chart repository server for tests: files from a map or a directory, optional basic auth and TLS, a log of
// the requests (path and whether credentials came), redirects and chunked (length-less) bodies on demand.
import { readFileSync, statSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/** One request the server saw. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  userAgent: string | undefined;
}

/** Options of {@link startRepoServer}. */
export interface RepoServerOptions {
  /** Files by URL path (`/index.yaml`), or a directory served below `/`. */
  files?: Map<string, Uint8Array | string>;
  dir?: string;
  basicAuth?: { username: string; password: string };
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /** URL path → Location (302). */
  redirects?: Map<string, string>;
  /** Send bodies without Content-Length (chunked). */
  chunked?: boolean;
}

/** A running test server. */
export interface RepoServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startRepoServer(opts: RepoServerOptions): Promise<RepoServer> {
  const seen: SeenRequest[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    seen.push({ path, authorization: req.headers.authorization, userAgent: req.headers['user-agent'] });
    if (opts.basicAuth) {
      const want = 'Basic ' + Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64');
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="charts"' }).end('unauthorized');
        return;
      }
    }
    const location = opts.redirects?.get(path);
    if (location !== undefined) {
      res.writeHead(302, { Location: location }).end();
      return;
    }
    let body: Uint8Array | string | undefined = opts.files?.get(path);
    if (body === undefined && opts.dir !== undefined) {
      const file = join(opts.dir, normalize(path));
      try {
        if (statSync(file).isFile()) body = readFileSync(file);
      } catch {
        body = undefined;
      }
    }
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    if (opts.chunked) {
      res.writeHead(200);
      for (let i = 0; i < data.length; i += 1024) res.write(data.subarray(i, i + 1024));
      res.end();
    } else res.writeHead(200, { 'Content-Length': String(data.length) }).end(data);
  };
  const server = opts.tls
    ? https.createServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          ...(opts.tls.ca ? { ca: opts.tls.ca } : {}),
          ...(opts.tls.requestCert ? { requestCert: true, rejectUnauthorized: true } : {}),
        },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
