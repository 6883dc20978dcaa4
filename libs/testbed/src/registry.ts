import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { run } from './exec.ts';
import { freePort } from './port.ts';
import { tlsCertificate } from './tls.ts';
import type { TlsMaterial } from './tls.ts';

/** Options for {@link startRegistry}. */
export interface RegistryOptions {
  /** Working directory: storage, config, htpasswd and the registry's log go here. */
  dir: string;
  /** Require these credentials: htpasswd (bcrypt) basic auth, or the token server's basic auth with `token`. */
  auth?: { username: string; password: string };
  /** Serve HTTPS with this certificate (clients need its `ca`). */
  tls?: Pick<TlsMaterial, 'cert' | 'key'>;
  /**
   * Token auth (`auth: token`): a small Node token server signs ES256 JWTs the registry checks against its CA.
   * With `auth`, only those credentials get tokens (anonymous callers get pull-only tokens); without, anyone gets all.
   */
  token?: boolean;
  /** With `token`: also accept this OAuth2 refresh token (`POST` `grant_type=refresh_token`, answered with `access_token` only). */
  identityToken?: string;
  /** Page `tags/list` with `Link: <…>; rel="next"` headers, this many tags a page (registry 2.8 does not page). */
  tagsPageSize?: number;
}

/** Requests seen, by `"<METHOD> <kind>"` (kinds: base, tags, manifest, blob, upload, catalog, other) plus `token` and `unauthorized`. */
export type RegistryCounts = Record<string, number>;

/** A running docker-registry (distribution 2.8) behind a counting front on 127.0.0.1. */
export interface Registry extends AsyncDisposable {
  /** `127.0.0.1:<port>`: the registry host as references name it. */
  readonly host: string;
  /** `http(s)://127.0.0.1:<port>`. */
  readonly url: string;
  /** The token realm, with `token`. */
  readonly tokenUrl?: string;
  counts(): RegistryCounts;
  resetCounts(): void;
  close(): Promise<void>;
}

const SERVICE = 'flux-ts-registry';
const ISSUER = 'flux-ts-testbed';

function kindOf(path: string): string {
  if (path === '/v2/' || path === '/v2') return 'base';
  if (path === '/v2/_catalog') return 'catalog';
  if (path.endsWith('/tags/list')) return 'tags';
  if (path.includes('/blobs/uploads')) return 'upload';
  if (path.includes('/manifests/')) return 'manifest';
  if (path.includes('/blobs/')) return 'blob';
  return 'other';
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

function basicMatches(req: IncomingMessage, auth: { username: string; password: string }): boolean {
  return req.headers.authorization === 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/**
 * Starts Debian's docker-registry (`docker-registry serve`, distribution 2.8) on a free loopback port with its own
 * config (the environment cleared of `REGISTRY_*`), fronted by a small counting proxy on another free loopback port
 * that terminates TLS when `tls` is given (the registry's `X-Forwarded-Proto` handling keeps its URLs right) and can
 * page tag lists. Resolves once `/v2/` answers. tools/testbed/install.sh installs docker-registry and htpasswd.
 */
export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  mkdirSync(opts.dir, { recursive: true });
  const backendPort = await freePort();
  const port = await freePort();
  const scheme = opts.tls ? 'https' : 'http';
  let counts: RegistryCounts = {};
  const count = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  const sockets = new Set<Socket>();
  const track = (server: Server): void => {
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
  };

  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(opts.dir, 'data') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${backendPort}`, secret: randomBytes(16).toString('hex') },
  };

  let tokenServer: Server | undefined;
  let tokenUrl: string | undefined;
  if (opts.token) {
    const signer = await tlsCertificate('flux-ts token signer');
    writeFileSync(join(opts.dir, 'token-ca.crt'), signer.ca);
    const der = new X509Certificate(signer.cert).raw;
    const tokenPort = await freePort();
    tokenUrl = `http://127.0.0.1:${tokenPort}/token`;
    config['auth'] = {
      token: { realm: tokenUrl, service: SERVICE, issuer: ISSUER, rootcertbundle: join(opts.dir, 'token-ca.crt') },
    };
    const issue = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams | undefined): void => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const refresh = form?.get('grant_type') === 'refresh_token';
      if (form && (!refresh || !opts.identityToken || form.get('refresh_token') !== opts.identityToken)) {
        count('unauthorized');
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      const params = form ?? u.searchParams;
      const anonymous = !form && !req.headers.authorization;
      if (!form && opts.auth && !anonymous && !basicMatches(req, opts.auth)) {
        count('unauthorized');
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] }));
        return;
      }
      const scopes = form ? (form.get('scope') ?? '').split(' ') : params.getAll('scope');
      const access = scopes.flatMap((s) => {
        const m = /^repository:([^:]+):(.+)$/.exec(s);
        if (!m?.[1] || !m[2]) return [];
        const wanted = m[2].split(',');
        const actions = opts.auth && anonymous ? wanted.filter((a) => a === 'pull') : wanted;
        return [{ type: 'repository', name: m[1], actions }];
      });
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] };
      const claims = {
        iss: ISSUER,
        sub: anonymous ? '' : form ? 'identity-token' : (opts.auth?.username ?? ''),
        aud: params.get('service') ?? SERVICE,
        exp: now + 600,
        nbf: now - 30,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const sig = createSign('SHA256').update(input).sign({ key: signer.key, dsaEncoding: 'ieee-p1363' });
      const token = `${input}.${b64url(sig)}`;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const body = form
        ? { access_token: token, expires_in: 600 }
        : { token, access_token: token, expires_in: 600, issued_at: new Date().toISOString() };
      res.end(JSON.stringify(body));
    };
    tokenServer = createServer((req, res) => {
      count('token');
      if (req.method !== 'POST') {
        issue(req, res, undefined);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => issue(req, res, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    });
    track(tokenServer);
    await listen(tokenServer, tokenPort);
  } else if (opts.auth) {
    const line = await run('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password]);
    writeFileSync(join(opts.dir, 'htpasswd'), line.trim() + '\n');
    config['auth'] = { htpasswd: { realm: 'flux-ts', path: join(opts.dir, 'htpasswd') } };
  }
  const configPath = join(opts.dir, 'config.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2)); // JSON is YAML

  // The registry reads every REGISTRY_* variable as configuration: start it with PATH only.
  const child: ChildProcess = spawn('docker-registry', ['serve', configPath], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8192);
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      exited = `exited with ${code ?? sig}`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `failed to start: ${err.message}`;
      resolve();
    });
  });

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    count(`${req.method} ${kindOf(u.pathname)}`);
    const paged = opts.tagsPageSize && req.method === 'GET' && u.pathname.endsWith('/tags/list');
    const headers = { ...req.headers, 'x-forwarded-proto': scheme };
    const up = httpRequest(
      { host: '127.0.0.1', port: backendPort, method: req.method, path: paged ? u.pathname : req.url, headers },
      (ur) => {
        if (ur.statusCode === 401) count('unauthorized');
        if (!paged || ur.statusCode !== 200) {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => chunks.push(c));
        ur.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; tags: string[] | null };
          const all = [...(body.tags ?? [])].sort();
          const n = Number(u.searchParams.get('n') ?? opts.tagsPageSize);
          const last = u.searchParams.get('last');
          const from = last ? all.findIndex((t) => t > last) : 0;
          const page = from < 0 ? [] : all.slice(from, from + n);
          const out: Record<string, string> = { 'Content-Type': 'application/json' };
          const lastTag = page[page.length - 1];
          if (from >= 0 && from + n < all.length && lastTag !== undefined)
            out['Link'] = `<${u.pathname}?n=${n}&last=${encodeURIComponent(lastTag)}>; rel="next"`;
          res.writeHead(200, out);
          res.end(JSON.stringify({ name: body.name, tags: page }));
        });
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  };
  const front = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, forward)
    : createServer(forward);
  track(front);

  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(
      [front, tokenServer]
        .filter((s): s is Server => !!s?.listening)
        .map((s) => new Promise<void>((r) => s.close(() => r()))),
    );
    if (!exited) {
      child.kill('SIGTERM');
      await exit;
    }
  };

  try {
    await listen(front, port);
    for (let i = 0; ; i++) {
      if (exited) throw new Error(`docker-registry ${exited}: ${stderr.trim()}`);
      const ok = await new Promise<boolean>((resolve) => {
        const r = httpRequest({ host: '127.0.0.1', port: backendPort, path: '/v2/', timeout: 1000 }, (res) => {
          res.resume();
          resolve(true);
        });
        r.on('error', () => resolve(false));
        r.on('timeout', () => r.destroy());
        r.end();
      });
      if (ok) break;
      if (i >= 200) throw new Error(`docker-registry did not answer on 127.0.0.1:${backendPort}: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `${scheme}://${host}`,
    ...(tokenUrl ? { tokenUrl } : {}),
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
