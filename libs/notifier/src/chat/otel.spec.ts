import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { buildOtelSpan, otelHeaders, otelNotifier, otelRevision, otelTraceId, OtelSchemaURL } from './otel.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

const alert = { name: 'test-alert', namespace: 'test-namespace', uid: 'test-alert-uid' };
// Upstream TestOTEL_Post's event: the Alert's eventMetadata merged in.
const event = testEvent({
  metadata: { test: 'metadata', cluster: 'my-cluster', region: 'us-east-2', env: 'prod', revision: 'main@sha1:abc' },
  involvedObject: { ...testEvent().involvedObject, uid: 'obj-uid' },
});

describe('otel span', () => {
  it('derives the trace id from the alert UID and the revision', () => {
    const want = createHash('sha256').update('test-alert-uid:main@sha1:abc').digest('hex').slice(0, 32);
    expect(otelTraceId('test-alert-uid', 'main@sha1:abc')).toBe(want);
    expect(otelRevision({ revision: 'r1' })).toBe('r1');
    expect(otelRevision({ 'app-version': '1.0.0', 'oci-digest': 'sha256:d', revision: 'r1' })).toBe('1.0.0@sha256:d');
    expect(otelRevision(undefined)).toBe('unknown');
  });

  it('builds the span of an event', async () => {
    const span = await buildOtelSpan(event, alert, new Date('2020-01-01T00:00:05Z'));
    expect(span.name).toBe('GitRepository: gitops-system/webapp');
    expect(span.spanContext().traceId).toBe(otelTraceId('test-alert-uid', 'main@sha1:abc'));
    expect(span.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.instrumentationScope.name).toBe('flux:notification-controller');
    expect(span.attributes).toEqual({
      'object.uid': 'obj-uid',
      'object.kind': 'GitRepository',
      'object.name': 'webapp',
      'object.namespace': 'gitops-system',
      cluster: 'my-cluster',
      env: 'prod',
      region: 'us-east-2',
      revision: 'main@sha1:abc',
      test: 'metadata',
    });
    expect(span.status).toEqual({ code: SpanStatusCode.OK });
    expect(span.startTime).toEqual([1577836800, 0]);
    expect(span.endTime).toEqual([1577836805, 0]);
    expect(span.resource.attributes).toEqual({
      'service.name': 'test-namespace/test-alert',
      'service.namespace': 'test-namespace',
      'service.instance.id': 'test-alert-uid',
    });
    expect(span.resource.schemaUrl).toBe(OtelSchemaURL);
  });

  it('marks an error with the message', async () => {
    const span = await buildOtelSpan({ ...event, severity: 'error', message: 'apply failed' }, alert, deps.now());
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'apply failed' });
  });

  it('encodes to OTLP with the hex trace id and the attributes', async () => {
    const span = await buildOtelSpan(event, alert, deps.now());
    const otlp = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest([span]))) as {
      resourceSpans: {
        schemaUrl: string;
        scopeSpans: { scope: { name: string }; spans: { traceId: string; name: string; kind: number }[] }[];
      }[];
    };
    const rs = otlp.resourceSpans[0]!;
    expect(rs.schemaUrl).toBe(OtelSchemaURL);
    expect(rs.scopeSpans[0]!.scope.name).toBe('flux:notification-controller');
    expect(rs.scopeSpans[0]!.spans[0]).toMatchObject({
      traceId: otelTraceId('test-alert-uid', 'main@sha1:abc'),
      name: 'GitRepository: gitops-system/webapp',
      kind: 1,
    });
  });
});

describe('otel', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('exports one protobuf span to the endpoint (upstream TestOTEL_Post)', async () => {
    sink = await startSink();
    const n = otelNotifier(settings('otel', { address: `${sink.url}/v1/traces`, alert }), deps);
    await n.post(event, signal());
    expect(sink.requests).toHaveLength(1);
    const r = sink.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/v1/traces');
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    for (const s of ['webapp', 'GitRepository', 'gitops-system', 'my-cluster', 'us-east-2', 'prod', 'test-alert-uid'])
      expect(r.body).toContain(s);
    // The same span encoded here has the same size (only its random span id differs).
    const local = ProtobufTraceSerializer.serializeRequest([await buildOtelSpan(event, alert, deps.now())])!;
    expect(Number(r.headers['content-length'])).toBe(local.length);
  });

  it('skips HelmRepository events and commit status updates, and needs the alert', async () => {
    sink = await startSink();
    const n = otelNotifier(settings('otel', { address: sink.url, alert }), deps);
    await n.post(testEvent({ involvedObject: { ...event.involvedObject, kind: 'HelmRepository' } }), signal());
    await n.post(testEvent({ metadata: { commit_status: 'update' } }), signal());
    expect(sink.requests).toHaveLength(0);
    const noAlert = otelNotifier(settings('otel', { address: sink.url }), deps);
    expect((await rejection(noAlert.post(event, signal()))).message).toBe('alert metadata not found in context');
  });

  it('adds upstream authorization beside Secret headers only', () => {
    expect(otelHeaders({ headers: {}, username: 'u', password: 'p' })).toEqual({});
    expect(otelHeaders({ headers: { 'X-Org': '1' }, username: '', password: 'tok' })).toEqual({
      'X-Org': '1',
      Authorization: 'Bearer tok',
    });
    expect(otelHeaders({ headers: { 'X-Org': '1' }, username: 'u', password: 'p' }).Authorization).toBe('Basic dTpw');
    expect(otelHeaders({ headers: { Authorization: 'Api-Key k' }, username: 'u', password: 'p' })).toEqual({
      Authorization: 'Api-Key k',
    });
  });

  it('validates the endpoint and keeps secrets out of a failed export', async () => {
    expect(thrown(() => otelNotifier(settings('otel', { address: 'collector:4318' }), deps))).toBeInstanceOf(
      NotifierError,
    );
    sink = await startSink();
    sink.respond(401, 'unauthorized');
    const n = otelNotifier(
      settings('otel', {
        address: `${sink.url}/s3cr3t/v1/traces`,
        alert,
        headers: { 'X-Key': 'h' },
        password: 'pw0rd',
      }),
      deps,
    );
    const err = await rejection(n.post(event, signal()));
    expect(err.message).toMatch(/^failed to export the span: .*status code 401/);
    expect(err.message).not.toMatch(/s3cr3t|pw0rd/);
    expect(sink.requests[0]!.headers.authorization).toBe('Bearer pw0rd');
  });
});
