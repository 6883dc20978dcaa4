import type { FluxEvent } from '@flux-ts/runtime';
import { EventMetadataKeys } from '@flux-ts/api';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { basicAuth, requireHttpURL, rfc3339, sortedMetadata, postJSON } from './incident-shared.ts';

/** Go's zero `time.Time` in RFC 3339: upstream's `endsAt` is a struct, which `omitempty` never leaves out. */
const zeroTime = '0001-01-01T00:00:00Z';

/** One alert of the Alertmanager v2 API (upstream `AlertManagerAlert`). */
export interface AlertManagerAlert {
  status: 'firing';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/** `cases.Title(language.Und)`: each word's first letter upper-cased and the rest lower-cased. */
export function titleCase(s: string): string {
  return s.replace(/[\p{L}\p{N}'_]+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
}

/**
 * Upstream `Alertmanager.Post`'s payload: one `firing` alert; the metadata (less `summary`) plus Flux's labels as
 * labels, the message and summary as annotations, `startsAt` the event time.
 */
export function toAlertManagerAlerts(event: FluxEvent): AlertManagerAlert[] {
  const annotations: Record<string, string> = { message: event.message };
  const metadata = { ...event.metadata };
  const summary = metadata[EventMetadataKeys.Summary];
  if (summary !== undefined) {
    annotations.summary = summary;
    delete metadata[EventMetadataKeys.Summary];
  }
  const o = event.involvedObject;
  const labels: Record<string, string> = {
    ...metadata,
    alertname: `Flux${o.kind}${titleCase(event.reason)}`,
    severity: event.severity,
    reason: event.reason,
    kind: o.kind,
    name: o.name,
    namespace: o.namespace,
    reportingcontroller: event.reportingController,
  };
  return [
    {
      status: 'firing',
      labels: Object.fromEntries(sortedMetadata(labels)),
      annotations: Object.fromEntries(sortedMetadata(annotations)),
      startsAt: rfc3339(event.timestamp),
      endsAt: zeroTime,
    },
  ];
}

/**
 * `alertmanager`: POST the alert to `address` (`.../api/v2/alerts`), with `Bearer <token>` or basic auth from
 * `username`/`password` (basic wins when both are set, as Go's `SetBasicAuth` after `Header.Add` does).
 */
export const alertmanagerNotifier: NotifierFactory = (s): Notifier => {
  requireHttpURL(s.address, 'Alertmanager');
  const headers: Record<string, string> = {};
  if (s.token) headers.Authorization = `Bearer ${s.token}`;
  if (s.username && s.password) headers.Authorization = basicAuth(s.username, s.password);
  return {
    async post(event, signal) {
      try {
        await postJSON(s, { url: s.address, headers, payload: toAlertManagerAlerts(event), signal });
      } catch (err) {
        throw new NotifierError(`postMessage failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
