/**
 * The wire: raw HTTP(S) requests to the API server with the kubeconfig doing auth and TLS.
 * Choice: `KubeConfig.applyToHTTPSOptions` + node:https, because it gives full control of query parameters,
 * subresources and AbortSignal, and reuses the kubeconfig's cached per-cluster/user https.Agent (client-node's
 * fetch path, `applySecurityAuthentication`, builds a new undici Agent, i.e. a new TLS connection pool, per request).
 */
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { KubeConfigLike } from '../config/kube-config.ts';

/** One HTTP request to the API server. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path without the server's base path (`/api/v1/namespaces/default/configmaps`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string | string[]>;
  body?: string;
  signal?: AbortSignal;
}

/** A buffered response. */
export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A streamed response (watch): the body as lines. */
export interface StreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The raw body, for error responses. */
  readBody(): Promise<string>;
  /** The body split into lines (ends when the server closes the stream). */
  lines(): AsyncIterable<string>;
  /** Ends the stream. */
  close(): void;
}

/** Sends requests to one cluster. */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  stream(req: TransportRequest): Promise<StreamResponse>;
}

/** Builds `path?query` (skipping undefined values). */
export function buildPath(path: string, query: TransportRequest['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** A transport over the current context of a KubeConfig. */
export class KubeConfigTransport implements Transport {
  readonly #kc: KubeConfigLike;

  constructor(kc: KubeConfigLike) {
    this.#kc = kc;
  }

  /** The server URL of the current context. */
  get server(): string {
    const cluster = this.#kc.getCurrentCluster();
    if (!cluster) throw new Error('failed to build kubernetes client: kubeconfig has no current cluster');
    return cluster.server;
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.#send(req);
    const body = await readAll(res);
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }

  async stream(req: TransportRequest): Promise<StreamResponse> {
    const res = await this.#send(req);
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      readBody: () => readAll(res),
      lines: () => createInterface({ input: res, crlfDelay: Infinity }),
      close: () => res.destroy(),
    };
  }

  async #send(req: TransportRequest): Promise<http.IncomingMessage> {
    const what = `${req.method} ${req.path}`;
    req.signal?.throwIfAborted();
    const base = new URL(this.server);
    const opts: https.RequestOptions = {};
    try {
      await this.#kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new Error(`failed to ${what}: failed to apply kubeconfig credentials: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // client-node's cached agent has no keep-alive: each request would open a TLS connection (a new SecureContext
    // and handshake on both sides), as client-go never does. Free sockets are unref'd, so none holds a process open.
    if (opts.agent instanceof http.Agent) (opts.agent as http.Agent & { keepAlive: boolean }).keepAlive = true;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
    Object.assign(headers, req.headers);
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const prefix = base.pathname.replace(/\/+$/, '');
    const mod = base.protocol === 'http:' ? http : https;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const r = mod.request(
        {
          ...opts,
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          method: req.method,
          path: prefix + buildPath(req.path, req.query),
          headers,
          ...(req.signal ? { signal: req.signal } : {}),
        },
        resolve,
      );
      r.on('error', (err) => {
        // node's messages hold host/port and syscall, never headers
        reject(
          req.signal?.aborted ? req.signal.reason : new Error(`failed to ${what}: ${err.message}`, { cause: err }),
        );
      });
      r.end(req.body);
    });
  }
}

async function readAll(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
