import type { FluxEvent } from '@flux-ts/runtime';
import { EventSeverities } from '@flux-ts/api';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { isProgressing, requireHttpURL, sortedMetadata, postJSON } from './incident-shared.ts';

/** An alert event of an incident.io HTTP alert source (upstream `IncidentioPayload`). */
export interface IncidentioPayload {
  title: string;
  status: 'firing' | 'resolved';
  deduplication_key: string;
  description?: string;
  metadata?: Record<string, string>;
}

/**
 * Upstream `Incidentio.Post`'s payload: errors fire, anything else resolves; the object's UID is the
 * deduplication key, so a recovery resolves the alert its failure fired (and no two clusters share a key).
 */
export function toIncidentioPayload(event: FluxEvent): IncidentioPayload {
  const o = event.involvedObject;
  const metadata: Record<string, string> = { ...event.metadata, severity: event.severity, reason: event.reason };
  if (event.reportingController) metadata.reportingController = event.reportingController;
  const p: IncidentioPayload = {
    title: `${o.kind.toLowerCase()}/${o.name}.${o.namespace}: ${event.reason}`,
    status: event.severity === EventSeverities.Error ? 'firing' : 'resolved',
    deduplication_key: o.uid ?? '',
  };
  if (event.message) p.description = event.message;
  p.metadata = Object.fromEntries(sortedMetadata(metadata));
  return p;
}

/** `incident.io`: POST to the alert source endpoint in `address` (`.../v2/alert_events/http/<id>`) with `Bearer <token>`. */
export const incidentioNotifier: NotifierFactory = (s): Notifier => {
  requireHttpURL(s.address, 'incident.io alert source');
  if (!s.token) throw new NotifierError('empty incident.io API token');
  return {
    async post(event, signal) {
      // Progressing events are skipped: an alert wants a terminal failure or a recovery.
      if (isProgressing(event)) return;
      try {
        await postJSON(s, {
          url: s.address,
          headers: { Authorization: `Bearer ${s.token}` },
          payload: toIncidentioPayload(event),
          signal,
        });
      } catch (err) {
        throw new NotifierError(`postMessage failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
