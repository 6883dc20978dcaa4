import type { FluxEvent } from '@flux-ts/runtime';
import { EventSeverities } from '@flux-ts/api';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import {
  formatNameAndDescription,
  isCommitStatusUpdate,
  isProgressing,
  requireHttpURL,
  rfc3339,
  sortedMetadata,
  postJSON,
} from './incident-shared.ts';

// Hand-written on postMessage: two JSON POSTs; @pagerduty/pdjs is a REST wrapper with its own fetch (no proxy or CA).

/** go-pagerduty `V2Payload`, with Flux's fields. */
export interface PagerDutyV2Payload {
  summary: string;
  source: string;
  severity: string;
  timestamp?: string;
  component?: string;
  group?: string;
  custom_details?: { message: string; metadata: Record<string, string> | null };
}

/** go-pagerduty `V2Event` (Events API v2 `/v2/enqueue`). */
export interface PagerDutyV2Event {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key?: string;
  payload?: PagerDutyV2Payload;
}

/** go-pagerduty `ChangeEvent` (`/v2/change/enqueue`). */
export interface PagerDutyChangeEvent {
  routing_key: string;
  payload: {
    summary: string;
    source: string;
    timestamp: string;
    custom_details: { message: string; metadata: Record<string, string> | null };
  };
}

/** Upstream `toPagerDutySeverity`: `info` and `trace` are `info`, anything else `error`. */
export function toPagerDutySeverity(severity: string): string {
  if (severity === EventSeverities.Info || severity === EventSeverities.Trace) return 'info';
  return 'error';
}

function details(event: FluxEvent): { message: string; metadata: Record<string, string> | null } {
  return {
    message: event.message,
    metadata: event.metadata ? Object.fromEntries(sortedMetadata(event.metadata)) : null,
  };
}

/** Upstream `toPagerDutyV2Event`: `resolve` by the object's UID, or `trigger` with a payload for errors. */
export function toPagerDutyV2Event(event: FluxEvent, routingKey: string): PagerDutyV2Event {
  const e: PagerDutyV2Event = { routing_key: routingKey, event_action: 'resolve' };
  if (event.involvedObject.uid) e.dedup_key = event.involvedObject.uid;
  if (event.severity === EventSeverities.Error) {
    const { name, desc } = formatNameAndDescription(event);
    e.event_action = 'trigger';
    const payload: PagerDutyV2Payload = {
      summary: `${desc}: ${name}`,
      source: `Flux ${event.reportingController}`,
      severity: toPagerDutySeverity(event.severity),
      timestamp: rfc3339(event.timestamp),
    };
    if (event.involvedObject.name) payload.component = event.involvedObject.name;
    if (event.involvedObject.kind) payload.group = event.involvedObject.kind;
    payload.custom_details = details(event);
    e.payload = payload;
  }
  return e;
}

/** Upstream `toPagerDutyChangeEvent`. */
export function toPagerDutyChangeEvent(event: FluxEvent, routingKey: string): PagerDutyChangeEvent {
  const { name, desc } = formatNameAndDescription(event);
  return {
    routing_key: routingKey,
    payload: {
      summary: `${desc}: ${name}`,
      source: `Flux ${event.reportingController}`,
      timestamp: rfc3339(event.timestamp),
      custom_details: details(event),
    },
  };
}

/**
 * `pagerduty`: Events API v2 on the host of `address` (`https://events.pagerduty.com` or the EU one), routing key
 * in `channel`: a trigger for errors, else a resolve, plus a change event for info events.
 */
export const pagerdutyNotifier: NotifierFactory = (s): Notifier => {
  const u = requireHttpURL(s.address, 'PagerDuty endpoint');
  const endpoint = `${u.protocol}//${u.host}`;
  const routingKey = s.channel;
  return {
    async post(event, signal) {
      // Commit status updates and progressing events are skipped: PagerDuty wants a success or a failure.
      if (isCommitStatusUpdate(event) || isProgressing(event)) return;
      try {
        await postJSON(s, { url: `${endpoint}/v2/enqueue`, payload: toPagerDutyV2Event(event, routingKey), signal });
      } catch (err) {
        throw new NotifierError(`failed sending event: ${(err as Error).message}`, { cause: err });
      }
      if (event.severity !== EventSeverities.Info) return;
      try {
        await postJSON(s, {
          url: `${endpoint}/v2/change/enqueue`,
          payload: toPagerDutyChangeEvent(event, routingKey),
          signal,
        });
      } catch (err) {
        throw new NotifierError(`failed sending change event: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
