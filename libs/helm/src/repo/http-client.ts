// The HTTP GET of Helm's getter.HTTPGetter as Go's http.Client runs it: redirects followed (10 at most, the
// Authorization header kept only while the target stays on the same domain or a subdomain), a non-200 status is
// `failed to fetch <url> : <status>`, the body read as a stream and refused past a size cap. node:http/node:https with
// an Agent carrying the TLS material: global fetch cannot take a CA or client certificate without undici internals.
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';

/** TLS material for https (PEM): `ca` is added to the system roots (Flux appends ca.crt to the system pool). */
export interface HttpTls {
  ca?: Uint8Array;
  cert?: Uint8Array;
  key?: Uint8Array;
}

/** An HTTP status other than 200 (`failed to fetch <url> : <code> <text>`). */
export class HttpStatusError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'HttpStatusError';
    this.status = status;
  }
}

/** A body larger than the caller allows. */
export class HttpSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpSizeError';
  }
}

/** Options of one {@link HttpGetter.get}. */
export interface HttpGetOptions {
  signal: AbortSignal;
  maxSize: number;
  /** The message when the body exceeds maxSize. */
  tooLarge: (maxSize: number) => string;
  /** The Authorization header for the first request (kept across same-domain redirects). */
  authorization?: string;
}

/** The URL without userinfo, as messages show it. */
export function displayUrl(u: URL | string): string {
  const c = new URL(u.toString());
  c.username = '';
  c.password = '';
  return c.toString();
}

/** net/http's isDomainOrSubdomain. */
function isDomainOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true;
  if (sub.includes(':') || sub.startsWith('[')) return false; // IPv6
  return sub.endsWith('.' + parent);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/** An HTTP(S) client with its own agents (TLS material, no keep-alive) and a request counter. */
export class HttpGetter {
  /** Requests sent (each redirect hop counts). */
  requests = 0;
  readonly #https: https.Agent;
  readonly #http: http.Agent;
  readonly #timeoutMs: number | undefined;
  readonly #userAgent: string;

  constructor(opts: { tls?: HttpTls; timeoutMs?: number; userAgent: string }) {
    const tls = opts.tls ?? {};
    this.#https = new https.Agent({
      keepAlive: false,
      ...(tls.ca ? { ca: [...rootCertificates, Buffer.from(tls.ca).toString()] } : {}),
      ...(tls.cert ? { cert: Buffer.from(tls.cert) } : {}),
      ...(tls.key ? { key: Buffer.from(tls.key) } : {}),
    });
    this.#http = new http.Agent({ keepAlive: false });
    this.#timeoutMs = opts.timeoutMs;
    this.#userAgent = opts.userAgent;
  }

  /** GET `url` (credential-free) and return its body; throws with the URL (never credentials) in the message. */
  async get(url: string, opts: HttpGetOptions): Promise<Uint8Array> {
    let u = new URL(url);
    let authorization = opts.authorization;
    const signal =
      this.#timeoutMs !== undefined
        ? AbortSignal.any([opts.signal, AbortSignal.timeout(this.#timeoutMs)])
        : opts.signal;
    for (let hop = 0; ; hop++) {
      const res = await this.#request(u, authorization, signal, opts.signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        res.resume();
        if (hop + 1 >= MAX_REDIRECTS)
          throw new Error(`Get "${displayUrl(u)}": stopped after ${MAX_REDIRECTS} redirects`);
        let next: URL;
        try {
          next = new URL(location, u);
        } catch (e) {
          throw new Error(`failed to parse Location header ${JSON.stringify(location)}`, { cause: e });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new Error(`Get "${displayUrl(next)}": unsupported protocol scheme "${next.protocol.slice(0, -1)}"`);
        }
        if (!isDomainOrSubdomain(next.hostname, u.hostname)) authorization = undefined;
        u = next;
        continue;
      }
      if (status !== 200) {
        res.resume();
        throw new HttpStatusError(
          `failed to fetch ${displayUrl(u)} : ${status} ${res.statusMessage ?? ''}`.trimEnd(),
          status,
        );
      }
      return this.#readBody(res, u, opts, signal, opts.signal);
    }
  }

  /** Closes idle sockets of the agents. */
  close(): void {
    this.#https.destroy();
    this.#http.destroy();
  }

  #request(
    u: URL,
    authorization: string | undefined,
    signal: AbortSignal,
    callerSignal: AbortSignal,
  ): Promise<http.IncomingMessage> {
    this.requests++;
    const headers: Record<string, string> = { 'User-Agent': this.#userAgent, 'Accept-Encoding': 'identity' };
    if (authorization !== undefined) headers['Authorization'] = authorization;
    const mod = u.protocol === 'https:' ? https : http;
    const agent = u.protocol === 'https:' ? this.#https : this.#http;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError(u, signal, callerSignal));
        return;
      }
      const req = mod.request(u, { method: 'GET', headers, agent, signal }, resolve);
      req.on('error', (e) => {
        reject(
          signal.aborted
            ? abortError(u, signal, callerSignal)
            : new Error(`Get "${displayUrl(u)}": ${e.message}`, { cause: e }),
        );
      });
      req.end();
    });
  }

  async #readBody(
    res: http.IncomingMessage,
    u: URL,
    opts: HttpGetOptions,
    signal: AbortSignal,
    callerSignal: AbortSignal,
  ): Promise<Uint8Array> {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxSize) {
      res.destroy();
      throw new HttpSizeError(opts.tooLarge(opts.maxSize));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > opts.maxSize) {
          res.destroy();
          throw new HttpSizeError(opts.tooLarge(opts.maxSize));
        }
        chunks.push(c);
      }
    } catch (e) {
      if (e instanceof HttpSizeError) throw e;
      if (signal.aborted) throw abortError(u, signal, callerSignal);
      throw new Error(`reading ${displayUrl(u)}: ${(e as Error).message}`, { cause: e });
    }
    return new Uint8Array(Buffer.concat(chunks, size));
  }
}

function abortError(u: URL, signal: AbortSignal, callerSignal: AbortSignal): Error {
  const why = callerSignal.aborted
    ? 'context canceled'
    : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  return new Error(`Get "${displayUrl(u)}": ${why}`, { cause: signal.reason });
}
