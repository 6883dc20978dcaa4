// Hand-written on node:http(s): global fetch takes no CA, client certificate or proxy agent without undici internals.
import * as http from 'node:http';
import * as https from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { NotifierError } from './types.ts';
import type { ProviderSettings } from './types.ts';

/** Largest response body read back from a provider (error texts and JSON answers). */
export const MAX_RESPONSE_BYTES = 1 << 20;

/** One HTTP request of a notifier. */
export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON (`Content-Type: application/json`). */
  body?: unknown;
  signal: AbortSignal;
}

/** A provider's answer. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The transport settings of {@link sendRequest}: `proxy`, `tls`, `timeoutMs` and `headers` of a Provider. */
export type TransportSettings = Pick<ProviderSettings, 'proxy' | 'tls' | 'timeoutMs' | 'headers'>;

/** `scheme://host/path` without credentials, query or fragment: what an error may say of a URL. */
export function redactURL(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '<invalid URL>';
  }
}

/**
 * Sends one request with the Provider's proxy, TLS material, timeout and secret headers (request headers win).
 * Resolves with any HTTP answer; rejects with a {@link NotifierError} naming only the host on transport failure.
 */
export function sendRequest(req: HttpRequest, t: TransportSettings): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch (err) {
    return Promise.reject(new NotifierError('invalid address URL', { cause: err }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new NotifierError(`unsupported address scheme '${url.protocol}'`));
  let payload: Buffer | undefined;
  const headers: Record<string, string> = { ...t.headers, ...req.headers };
  if (req.body !== undefined) {
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) payload = Buffer.from(req.body);
    else {
      payload = Buffer.from(JSON.stringify(req.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/json';
    }
  }
  const secure = url.protocol === 'https:';
  const tlsOpts = secure && t.tls ? { ca: t.tls.ca, cert: t.tls.cert, key: t.tls.key } : {};
  const agent = t.proxy ? new HttpsProxyAgent(t.proxy, tlsOpts) : undefined;
  const where = redactURL(req.url);
  return new Promise((resolve, reject) => {
    const timeout = AbortSignal.timeout(t.timeoutMs > 0 ? t.timeoutMs : 15_000);
    const signal = AbortSignal.any([req.signal, timeout]);
    const mod = secure ? https : http;
    const r = mod.request(
      url,
      {
        method: req.method ?? 'POST',
        headers: payload ? { ...headers, 'Content-Length': String(payload.length) } : headers,
        agent,
        signal,
        ...(agent ? {} : tlsOpts),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => reject(new NotifierError(`reading the response of ${where} failed`, { cause: err })));
      },
    );
    r.on('error', (err) => {
      const why = timeout.aborted ? 'timed out' : req.signal.aborted ? 'was aborted' : 'failed';
      reject(new NotifierError(`request to ${where} ${why}: ${safeCode(err)}`, { cause: err }));
    });
    r.end(payload);
  });
}

function safeCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'connection error';
}

/**
 * Sends a request and requires a 2xx answer (upstream notifier `postMessage`); a non-2xx answer rejects with
 * "request failed with status code N" and the start of the answer's body, which providers use for error texts.
 */
export async function postMessage(req: HttpRequest, t: TransportSettings): Promise<HttpResponse> {
  const res = await sendRequest(req, t);
  if (res.status < 200 || res.status >= 300) {
    const snippet = res.body.slice(0, 256).replace(/\s+/g, ' ').trim();
    throw new NotifierError(
      `request to ${redactURL(req.url)} failed with status code ${res.status}${snippet ? `: ${snippet}` : ''}`,
    );
  }
  return res;
}
