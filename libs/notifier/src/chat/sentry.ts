import type { FluxEvent } from '@flux-ts/runtime';
import { EventSeverities } from '@flux-ts/api';
import type * as SentryCore from '@sentry/core';
import type { DsnComponents, Event as SentryEvent, SpanJSON } from '@sentry/core';
import { postMessage } from '../http.ts';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { sortedMetadata } from './incident-shared.ts';

// @sentry/core builds the event and its envelope; the request goes through postMessage, not the SDK's transport,
// so the Provider's proxy, CA, timeout and headers apply and a failure never prints the DSN.

// The module-level state: @sentry/core's import, started by the first caller, and its result for synchronous code.
let loading: Promise<typeof SentryCore> | undefined;
let loaded: typeof SentryCore | undefined;

/** Imports @sentry/core once per process (`prepareNotifier` does it for a `sentry` Provider). */
export async function loadSentry(): Promise<void> {
  loaded = await (loading ??= import('@sentry/core'));
}

/** @sentry/core, once {@link loadSentry} has resolved. */
function sentrySdk(): typeof SentryCore {
  if (!loaded) throw new NotifierError('the Sentry SDK is not loaded (await prepareNotifier first)');
  return loaded;
}

/** A DSN as @sentry/core parses it (`<scheme>://<key>[:<secret>]@<host>[:<port>]/[<path>/]<project>`). */
const dsnShape = /^\w+:\/\/\w+(?::\w*)?@(?:\[[:.%\w]+\]|[\w.-]+)(?::\d+)?\/.+/;

/** Upstream `eventSummary`: `Kind: namespace/name`. */
export function eventSummary(event: FluxEvent): string {
  const o = event.involvedObject;
  return `${o.kind}: ${o.namespace}/${o.name}`;
}

function seconds(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? 0 : ms / 1000;
}

/** Upstream `toSentryEvent`: an error event with the metadata as `extra` and the controller as server name. */
export function toSentryEvent(event: FluxEvent, environment: string): SentryEvent {
  const { uuid4 } = sentrySdk();
  const e: SentryEvent = {
    event_id: uuid4(),
    timestamp: seconds(event.timestamp),
    level: event.severity === EventSeverities.Error ? 'error' : 'info',
    server_name: event.reportingController,
    transaction: eventSummary(event),
    extra: Object.fromEntries(sortedMetadata(event.metadata)),
    message: event.message,
  };
  if (environment) e.environment = environment;
  return e;
}

/**
 * Upstream `eventToSpan`: a transaction of one span (op `event`), tagged with the object, controller, reason and
 * metadata; it starts and ends at the event time.
 */
export function toSentryTransaction(event: FluxEvent, environment: string): SentryEvent {
  const { generateSpanId, generateTraceId, uuid4 } = sentrySdk();
  const o = event.involvedObject;
  const tags: Record<string, string> = {
    flux_involved_object_kind: o.kind,
    flux_involved_object_namespace: o.namespace,
    flux_involved_object_name: o.name,
    flux_reporting_controller: event.reportingController,
    flux_reporting_instance: event.reportingInstance ?? '',
    flux_reason: event.reason,
  };
  for (const [k, v] of sortedMetadata(event.metadata)) tags[k] = v;
  const at = seconds(event.timestamp);
  const traceId = generateTraceId();
  const spanId = generateSpanId();
  // sentry-go's span as it serializes it: tags, no status (SpanStatusUndefined is left out), no data.
  const span = {
    trace_id: traceId,
    span_id: spanId,
    op: 'event',
    tags: Object.fromEntries(sortedMetadata(tags)),
    start_timestamp: at,
    timestamp: at,
    origin: 'manual',
  } as unknown as SpanJSON;
  const e: SentryEvent = {
    event_id: uuid4(),
    type: 'transaction',
    transaction: eventSummary(event),
    message: event.message,
    contexts: { trace: { trace_id: traceId, span_id: spanId, op: 'event' } },
    tags: Object.fromEntries(sortedMetadata(tags)),
    timestamp: at,
    start_timestamp: at,
    spans: [span],
  };
  if (environment) e.environment = environment;
  return e;
}

/** The envelope endpoint of a DSN and its `X-Sentry-Auth` header. */
export function sentryEndpoint(dsn: DsnComponents): { url: string; auth: string } {
  const { SDK_VERSION } = sentrySdk();
  const port = dsn.port ? `:${dsn.port}` : '';
  const path = dsn.path ? `/${dsn.path}` : '';
  const url = `${dsn.protocol}://${dsn.host}${port}${path}/api/${dsn.projectId}/envelope/`;
  let auth = `Sentry sentry_version=7, sentry_client=flux-ts/${SDK_VERSION}, sentry_key=${dsn.publicKey}`;
  if (dsn.pass) auth += `, sentry_secret=${dsn.pass}`;
  return { url, auth };
}

/**
 * `sentry`: the DSN in `address`, the environment in `channel` (@sentry/core must have been loaded: see
 * {@link loadSentry}). Errors become Sentry events, info events
 * transactions (for Sentry's performance views); trace events are not sent.
 */
export const sentryNotifier: NotifierFactory = (s): Notifier => {
  if (!s.address) throw new NotifierError('DSN cannot be empty');
  const { SDK_VERSION, createEventEnvelope, dsnFromString, serializeEnvelope } = sentrySdk();
  // Checked before dsnFromString, which prints an invalid DSN (a secret) to the console.
  const dsn = dsnShape.test(s.address) ? dsnFromString(s.address) : undefined;
  if (!dsn?.projectId) throw new NotifierError('invalid Sentry DSN');
  const { url, auth } = sentryEndpoint(dsn);
  const environment = s.channel;
  return {
    async post(event, signal) {
      let sev: SentryEvent;
      if (event.severity === EventSeverities.Info) sev = toSentryTransaction(event, environment);
      else if (event.severity === EventSeverities.Error) sev = toSentryEvent(event, environment);
      else return;
      const envelope = createEventEnvelope(sev, dsn, { sdk: { name: 'sentry.javascript.core', version: SDK_VERSION } });
      const body = serializeEnvelope(envelope);
      try {
        await postMessage(
          {
            url,
            headers: { 'Content-Type': 'application/x-sentry-envelope', 'X-Sentry-Auth': auth },
            body: typeof body === 'string' ? body : Buffer.from(body),
            signal,
          },
          s,
        );
      } catch (err) {
        throw new NotifierError(`failed to send the event to Sentry: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
