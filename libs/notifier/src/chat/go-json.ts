import type { FluxEvent } from '@flux-ts/runtime';

/**
 * `encoding/json.Marshal` of a value already laid out in Go's field order: JSON.stringify plus Go's HTML-safe
 * escapes (`<`, `>`, `&`, U+2028, U+2029), so a body is byte-identical to upstream's (HMAC, Matrix txn ids).
 */
export function goJSON(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A string map with its keys sorted, as `encoding/json` writes Go maps. */
export function sortedMap(m: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m ?? {}).sort()) out[k] = m![k]!;
  return out;
}

/** `metav1.Time` as it marshals: RFC 3339 in UTC, whole seconds. Unparsable input is kept as is. */
function goTime(raw: string): string {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) return raw;
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The event laid out as fluxcd/pkg's `eventv1.Event` marshals (field order, omitempty, sorted metadata). */
export function goEvent(event: FluxEvent): Record<string, unknown> {
  const o = event.involvedObject;
  const ref: Record<string, string> = {};
  // corev1.ObjectReference field order, every field omitempty.
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const) {
    const v = (o as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string' && v !== '') ref[k] = v;
  }
  const out: Record<string, unknown> = {
    involvedObject: ref,
    severity: event.severity,
    timestamp: goTime(event.timestamp),
    message: event.message,
    reason: event.reason,
  };
  if (event.metadata && Object.keys(event.metadata).length > 0) out['metadata'] = sortedMap(event.metadata);
  out['reportingController'] = event.reportingController;
  if (event.reportingInstance) out['reportingInstance'] = event.reportingInstance;
  return out;
}

/** `json.Marshal(event)`: the exact body of the generic types and the input of Matrix's transaction id. */
export function goEventJSON(event: FluxEvent): string {
  return goJSON(goEvent(event));
}
