import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** Options for {@link startHttpProxy}. */
export interface HttpProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these credentials (407 otherwise). */
  credentials?: { username: string; password: string };
}

/** What the proxy saw. */
export interface HttpProxyCounts {
  /** Absolute-URI requests forwarded (plain http targets). */
  forwarded: number;
  /** CONNECT tunnels opened (https targets). */
  tunnels: number;
  /** Requests refused with 407. */
  unauthorized: number;
}

/** A running forward proxy. */
export interface HttpProxy extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (no credentials). */
  readonly url: string;
  counts(): HttpProxyCounts;
  close(): Promise<void>;
}

/**
 * Starts a minimal HTTP forward proxy on 127.0.0.1 (random port): absolute-URI requests for http targets and CONNECT
 * tunnels for https targets, with optional basic proxy auth. Hand-written (about 60 lines) to count what passes.
 */
export async function startHttpProxy(opts: HttpProxyOptions = {}): Promise<HttpProxy> {
  const counts: HttpProxyCounts = { forwarded: 0, tunnels: 0, unauthorized: 0 };
  const expected = opts.credentials
    ? 'Basic ' + Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString('base64')
    : undefined;
  const allowed = (req: IncomingMessage): boolean => !expected || req.headers['proxy-authorization'] === expected;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (!allowed(req)) {
      counts.unauthorized++;
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="proxy"' });
      res.end();
      return;
    }
    counts.forwarded++;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest(req.url ?? '', { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (!allowed(req)) {
      counts.unauthorized++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n');
      return;
    }
    counts.tunnels++;
    const [host, port] = (req.url ?? '').split(':');
    const target = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    sockets.add(target);
    target.once('close', () => sockets.delete(target));
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${port}`, counts: () => ({ ...counts }), close, [Symbol.asyncDispose]: close };
}
