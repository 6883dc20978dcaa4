import type { FluxEvent } from '@flux-ts/runtime';

/** `<kind>/<name>.<namespace>` with the kind lower-cased: the title most chat types give an event. */
export function objectName(event: FluxEvent): string {
  const o = event.involvedObject;
  return `${o.kind.toLowerCase()}/${o.name}.${o.namespace}`;
}

/** The event's metadata as `[key, value]` pairs sorted by key (upstream ranges over a Go map; sorting pins it). */
export function sortedMetadata(event: FluxEvent): [string, string][] {
  const m = event.metadata ?? {};
  return Object.keys(m)
    .sort()
    .map((k) => [k, m[k]!]);
}

/** Whether the event is an error (Flux's only non-info severity a provider renders differently). */
export function isError(event: FluxEvent): boolean {
  return event.severity === 'error';
}

/**
 * Go's `url.QueryEscape`: `encodeURIComponent` plus the characters Go escapes and JS does not (`!'()*`),
 * with spaces as `+`.
 */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's `url.Values.Encode`: keys sorted, each value query-escaped. */
export function goFormEncode(values: Record<string, string[]>): string {
  return Object.keys(values)
    .sort()
    .flatMap((k) => values[k]!.map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`))
    .join('&');
}

/** Go's `url.ParseQuery` (lenient: a pair that does not decode is kept raw). */
export function goParseQuery(query: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of query.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    const [k, v] = i < 0 ? [part, ''] : [part.slice(0, i), part.slice(i + 1)];
    const key = unescapeQuery(k);
    (out[key] ??= []).push(unescapeQuery(v));
  }
  return out;
}

function unescapeQuery(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
