import { postMessage } from '../http.ts';
import type { HttpResponse } from '../http.ts';
import { NotifierError } from '../types.ts';
import type { ProviderSettings } from '../types.ts';
import { goJSON } from './go-json.ts';

/** One request of a chat notifier. */
export interface ChatRequest {
  url: string;
  method?: string;
  /** Sent as is when a string; otherwise marshalled with {@link goJSON} as `application/json`. */
  body: unknown;
  contentType?: string;
  /** Headers the secret `headers` may override (with `Content-Type`), case-insensitively. */
  baseHeaders?: Record<string, string>;
  /** Type-specific headers set last: they win over the secret `headers`. */
  headers?: Record<string, string>;
  /** Checks a 2xx answer further (Slack's `chat.postMessage` answers 200 with `ok: false`). */
  validate?: (res: HttpResponse) => void;
  signal: AbortSignal;
}

/** Merges header maps case-insensitively, later maps winning (Go's `Header.Set`). */
export function mergeHeaders(...layers: (Record<string, string> | undefined)[]): Record<string, string> {
  const byLower = new Map<string, [string, string]>();
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) byLower.set(k.toLowerCase(), [k, v]);
  return Object.fromEntries(byLower.values());
}

/**
 * Posts through the Provider's transport (proxy, TLS, timeout) and requires a 2xx answer; failures are
 * NotifierErrors "postMessage failed: …" naming only the host, as upstream wraps them.
 */
export async function send(settings: ProviderSettings, req: ChatRequest): Promise<HttpResponse> {
  const body = typeof req.body === 'string' ? req.body : goJSON(req.body);
  const headers = mergeHeaders(
    { 'Content-Type': req.contentType ?? 'application/json' },
    req.baseHeaders,
    settings.headers,
    req.headers,
  );
  try {
    const res = await postMessage(
      { url: req.url, method: req.method ?? 'POST', headers, body, signal: req.signal },
      { proxy: settings.proxy, tls: settings.tls, timeoutMs: settings.timeoutMs, headers: {} },
    );
    req.validate?.(res);
    return res;
  } catch (err) {
    throw new NotifierError(`postMessage failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The address as a URL (upstream's `url.ParseRequestURI` check at creation). The error names the type only:
 * a webhook URL is a secret.
 */
export function parseAddress(address: string, what: string): URL {
  try {
    return new URL(address);
  } catch {
    // No cause: Node's URL error carries the input, and the address is a secret.
    throw new NotifierError(`invalid ${what} URL`);
  }
}
