/**
 * Helpers shared by the incident, observability and cloud provider types (sentry, opsgenie, pagerduty, datadog,
 * grafana, alertmanager, incident.io, googlepubsub, azureeventhub, nats, otel): the pieces of upstream notifier's
 * `util.go` and fluxcd/pkg `apis/event` they use.
 */
import { EventMetadataKeys, ProgressingReason } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { postMessage } from '../http.ts';
import type { HttpResponse, TransportSettings } from '../http.ts';
import { NotifierError } from '../types.ts';
import { goJSON } from './go-json.ts';

/** `commit_status: update` marks the commit-status update events the non-git types skip (`eventv1.MetaCommitStatusUpdateValue`). */
export const CommitStatusUpdateValue = 'update';

/** Upstream `event.HasMetadata(MetaCommitStatusKey, MetaCommitStatusUpdateValue)`. */
export function isCommitStatusUpdate(event: FluxEvent): boolean {
  return event.metadata?.[EventMetadataKeys.CommitStatus] === CommitStatusUpdateValue;
}

/** Upstream `event.HasReason(meta.ProgressingReason)`. */
export function isProgressing(event: FluxEvent): boolean {
  return event.reason === ProgressingReason;
}

/**
 * POSTs `payload` as Go's `json.Marshal` writes it (HTML-safe escapes included, via the shared `goJSON`), with the
 * Provider's transport settings; resolves on 2xx.
 */
export async function postJSON(
  s: TransportSettings,
  req: { url: string; headers?: Record<string, string>; payload: unknown; signal: AbortSignal },
): Promise<HttpResponse> {
  return postMessage(
    {
      url: req.url,
      headers: { 'Content-Type': 'application/json', ...req.headers },
      body: goJSON(req.payload),
      signal: req.signal,
    },
    s,
  );
}

/** Metadata entries sorted by key (Go map iteration is random; flux-ts renders it in a stable order). */
export function sortedMetadata(metadata: Record<string, string> | undefined): [string, string][] {
  return Object.entries(metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The event time in whole seconds since the epoch (Go `Timestamp.Unix()`); 0 when unparsable. */
export function unixSeconds(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** The event time as Go's `time.RFC3339` in UTC (`2020-01-01T00:00:00Z`). */
export function rfc3339(timestamp: string): string {
  const ms = Date.parse(timestamp);
  const d = new Date(Number.isNaN(ms) ? 0 : ms);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Upstream `splitCamelcase`: splits on changes of character class (lower, upper, digit, other), moving the last
 * upper-case letter of a run to a following lower-case run ("PDFLoader" → "PDF", "Loader").
 */
export function splitCamelcase(src: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const r of src) {
    const cls = /\p{Ll}/u.test(r) ? 1 : /\p{Lu}/u.test(r) ? 2 : /\p{Nd}/u.test(r) ? 3 : 4;
    if (cls === last && runs.length > 0) runs[runs.length - 1]!.push(r);
    else runs.push([r]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const cur = runs[i]!;
    const next = runs[i + 1]!;
    if (/\p{Lu}/u.test(cur[0] ?? '') && /\p{Ll}/u.test(next[0] ?? '')) {
      next.unshift(cur.pop()!);
    }
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(''));
}

/** Upstream `formatNameAndDescription`: `kind/name` and the reason split into lower-case words. */
export function formatNameAndDescription(event: FluxEvent): { name: string; desc: string } {
  const name = `${event.involvedObject.kind}/${event.involvedObject.name}`.toLowerCase();
  const desc = splitCamelcase(event.reason).join(' ').toLowerCase();
  return { name, desc };
}

/**
 * Go's `url.ParseRequestURI` as the notifiers use it to validate an address, restricted to what can be sent:
 * an absolute http(s) URL. The error names the provider, never the address (a secret).
 */
export function requireHttpURL(address: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(address);
  } catch (err) {
    throw new NotifierError(`invalid ${what} URL`, { cause: err });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new NotifierError(`invalid ${what} URL`);
  return u;
}

/** The `Authorization` value of HTTP basic auth (upstream `basicAuth`). */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
