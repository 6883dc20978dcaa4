/**
 * Flux's event payload (fluxcd/pkg `apis/event/v1beta1` Event, as notification-controller receives it on
 * `--events-addr`) and its HTTP delivery: `application/json`, 5 s timeout per attempt, no retry on 429 (the
 * receiver's duplicate signal), a few retries with exponential backoff on network errors and 5xx (except 501),
 * like fluxcd/pkg `runtime/events` on go-retryablehttp.
 */

/** Event severities of the Flux event API. */
export const EventSeverity = { Trace: 'trace', Info: 'info', Error: 'error' } as const;
/** One of {@link EventSeverity}. */
export type EventSeverity = (typeof EventSeverity)[keyof typeof EventSeverity];

/** Maximum message length of a Flux event (`+kubebuilder:validation:MaxLength=39000`). */
export const MaxEventMessageLength = 39000;

/** `corev1.ObjectReference` as it appears in a Flux event. */
export interface FluxEventObjectReference {
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  apiVersion: string;
}

/** The Flux event JSON (field order as encoding/json writes it). */
export interface FluxEvent {
  involvedObject: FluxEventObjectReference;
  severity: EventSeverity;
  timestamp: string;
  message: string;
  reason: string;
  metadata?: Record<string, string>;
  reportingController: string;
  reportingInstance?: string;
}

/** Options of {@link postFluxEvent}. */
export interface PostOptions {
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors and 5xx (default 4, go-retryablehttp's RetryMax). */
  retries?: number;
  /** Backoff bounds in ms (defaults 1000 and 30000, go-retryablehttp's). */
  retryWaitMinMs?: number;
  retryWaitMaxMs?: number;
  /** Aborts waits and in-flight requests (shutdown). */
  signal?: AbortSignal;
}

/** Outcome of a delivery. */
export interface PostResult {
  /** Delivered (2xx) or deliberately dropped (429, duplicate). */
  ok: boolean;
  /** Last HTTP status, if a response arrived. */
  status?: number;
  attempts: number;
  /** Why it failed (no URL or secret in it). */
  error?: string;
}

function retryable(status: number): boolean {
  return status >= 500 && status !== 501;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Address without credentials or query, for logs. */
export function redactAddress(address: string): string {
  try {
    const u = new URL(address);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid address>';
  }
}

/** POSTs one event, never throwing: the result says whether it was delivered. */
export async function postFluxEvent(address: string, event: FluxEvent, opts: PostOptions = {}): Promise<PostResult> {
  const doFetch = opts.fetch ?? fetch;
  const retries = opts.retries ?? 4;
  const min = opts.retryWaitMinMs ?? 1000;
  const max = opts.retryWaitMaxMs ?? 30000;
  const body = JSON.stringify(event);
  let last: PostResult = { ok: false, attempts: 0 };
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      await wait(Math.min(max, min * 2 ** (attempt - 1)), opts.signal);
    }
    if (opts.signal?.aborted) return { ...last, error: last.error ?? 'aborted' };
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 5000);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    try {
      const res = await doFetch(address, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal,
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 429) return { ok: true, status: 429, attempts: attempt + 1 }; // duplicate: never retried
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, attempts: attempt + 1 };
      last = { ok: false, status: res.status, attempts: attempt + 1, error: `unexpected status ${res.status}` };
      if (!retryable(res.status)) return last;
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const detail = e.name === 'TimeoutError' ? 'request timed out' : `request failed: ${e.message}`;
      last = { ok: false, attempts: attempt + 1, error: detail };
    }
  }
  return last;
}
