import { createHash } from 'node:crypto';
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type * as OtelTransformer from '@opentelemetry/otlp-transformer';
import type * as OtelResources from '@opentelemetry/resources';
import type * as OtelSdkTrace from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { FluxEvent } from '@flux-ts/runtime';
import { EventSeverities } from '@flux-ts/api';
import { postMessage } from '../http.ts';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierDeps, NotifierFactory, ProviderSettings } from '../types.ts';
import { basicAuth, isCommitStatusUpdate, requireHttpURL, sortedMetadata } from './incident-shared.ts';

// The OpenTelemetry SDK builds the span and the OTLP transformer encodes it (protobuf, as upstream's otlptracehttp);
// the export goes through postMessage so the Provider's proxy, CA, timeout and headers apply, and a failure is
// returned to the caller instead of an SDK log line.

/** The OpenTelemetry packages the notifier uses, imported together on first use. */
export interface OtelModules {
  api: typeof OtelApi;
  transformer: typeof OtelTransformer;
  resources: typeof OtelResources;
  sdkTrace: typeof OtelSdkTrace;
}

// Lazily-resolved module promise (the one module-level state): the SDK loads on the first span only.
let otel: Promise<OtelModules> | undefined;

/** Imports the OpenTelemetry packages once per process. */
export function loadOtel(): Promise<OtelModules> {
  otel ??= Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/otlp-transformer'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]).then(([api, transformer, resources, sdkTrace]) => ({ api, transformer, resources, sdkTrace }));
  return otel;
}

/** The semantic conventions schema upstream's resource declares (semconv v1.34.0). */
export const OtelSchemaURL = 'https://opentelemetry.io/schemas/1.34.0';

/** The instrumentation scope of the spans. */
export const OtelTracerName = 'flux:notification-controller';

/** The Alert whose events a span belongs to (service of the resource, trace id seed). */
export type OtelAlert = NonNullable<ProviderSettings['alert']>;

/** Upstream `getRevision`: `<app-version>@<oci-digest>` for OCI sources, else the `revision` metadata, else `unknown`. */
export function otelRevision(metadata: Record<string, string> | undefined): string {
  const oci = metadata?.['oci-digest'];
  const app = metadata?.['app-version'];
  if (oci !== undefined && app !== undefined) return `${app}@${oci}`;
  return metadata?.revision ?? 'unknown';
}

/** Upstream `generateID`: the first 16 bytes of sha256(`<alertUID>:<revision>`), hex: one trace per alert and revision. */
export function otelTraceId(alertUID: string, revision: string): string {
  return createHash('sha256').update(`${alertUID}:${revision}`).digest('hex').slice(0, 32);
}

/**
 * Upstream `OTLPTracer.Post`'s span: named `Kind: namespace/name`, the object and the metadata as attributes,
 * started at the event time, status Error (with the message) for errors and Ok otherwise; the resource names the
 * Alert. Every span of an alert and revision shares one trace id, so a source and what it deploys line up.
 */
export async function buildOtelSpan(event: FluxEvent, alert: OtelAlert, endTime: Date): Promise<ReadableSpan> {
  const { api, resources, sdkTrace } = await loadOtel();
  const { SpanKind, SpanStatusCode, ROOT_CONTEXT } = api;
  const { InMemorySpanExporter, RandomIdGenerator, SimpleSpanProcessor, TracerProvider } = sdkTrace;
  const { resourceFromAttributes } = resources;
  const traceId = otelTraceId(alert.uid, otelRevision(event.metadata));
  const random = new RandomIdGenerator();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(
      {
        'service.name': `${alert.namespace}/${alert.name}`,
        'service.namespace': alert.namespace,
        'service.instance.id': alert.uid,
      },
      { schemaUrl: OtelSchemaURL },
    ),
    idGenerator: { generateTraceId: () => traceId, generateSpanId: () => random.generateSpanId() },
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const o = event.involvedObject;
  const attributes: Attributes = {
    'object.uid': o.uid ?? '',
    'object.kind': o.kind,
    'object.name': o.name,
    'object.namespace': o.namespace,
  };
  for (const [k, v] of sortedMetadata(event.metadata)) attributes[k] = v;
  const start = Date.parse(event.timestamp);
  const span = provider
    .getTracer(OtelTracerName)
    .startSpan(
      `${o.kind}: ${o.namespace}/${o.name}`,
      { kind: SpanKind.INTERNAL, attributes, startTime: Number.isNaN(start) ? endTime : new Date(start) },
      ROOT_CONTEXT,
    );
  if (event.severity === EventSeverities.Error) span.setStatus({ code: SpanStatusCode.ERROR, message: event.message });
  else span.setStatus({ code: SpanStatusCode.OK });
  span.end(endTime);
  const [finished] = exporter.getFinishedSpans();
  if (!finished) throw new NotifierError('the span was not recorded');
  return finished;
}

/** The export request's headers: the Secret's, plus upstream's `Authorization` from `username`/`password`. */
export function otelHeaders(s: Pick<ProviderSettings, 'headers' | 'username' | 'password'>): Record<string, string> {
  const headers = { ...s.headers };
  // As upstream: the credentials are only added beside Secret headers, and never over an Authorization header.
  if (Object.keys(headers).length > 0 && !headers.Authorization) {
    if (!s.username) headers.Authorization = `Bearer ${s.password}`;
    else if (s.password) headers.Authorization = basicAuth(s.username, s.password);
  }
  return headers;
}

/** `otel`: one OTLP/HTTP (protobuf) span per event to the traces endpoint in `address` (`.../v1/traces`). */
export const otelNotifier: NotifierFactory = (s: ProviderSettings, deps: NotifierDeps): Notifier => {
  requireHttpURL(s.address, 'OTLP endpoint');
  const headers = otelHeaders(s);
  return {
    async post(event, signal) {
      if (isCommitStatusUpdate(event)) return;
      if (!s.alert) throw new NotifierError('alert metadata not found in context');
      // HelmRepository is not a source of a deployment flow: upstream leaves it out of the traces.
      if (event.involvedObject.kind === 'HelmRepository') return;
      const span = await buildOtelSpan(event, s.alert, deps.now());
      const { ProtobufTraceSerializer } = (await loadOtel()).transformer;
      const body = ProtobufTraceSerializer.serializeRequest([span]);
      if (!body) throw new NotifierError('failed to encode the span');
      try {
        await postMessage(
          {
            url: s.address,
            headers: { ...headers, 'Content-Type': 'application/x-protobuf' },
            body: Buffer.from(body),
            signal,
          },
          s,
        );
      } catch (err) {
        throw new NotifierError(`failed to export the span: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
