import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { RecordedRequest, Sink } from '@flux-ts/testbed';
import { loadSentry, sentryNotifier, toSentryEvent, toSentryTransaction } from './sentry.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

const event = testEvent({
  involvedObject: { kind: 'GitRepository', namespace: 'flux-system', name: 'test-app', apiVersion: 'v1' },
  metadata: { key1: 'val1', key2: 'val2' },
  reportingInstance: undefined,
});

beforeAll(loadSentry);

function envelope(r: RecordedRequest): unknown[] {
  return r.body
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}

describe('sentry payloads', () => {
  it('maps an error to an event (upstream TestToSentryEvent)', () => {
    const s = toSentryEvent({ ...event, severity: 'error' }, 'foo');
    expect(s).toMatchObject({
      timestamp: 1577836800,
      level: 'error',
      server_name: 'source-controller',
      transaction: 'GitRepository: flux-system/test-app',
      extra: { key1: 'val1', key2: 'val2' },
      message: 'message',
      environment: 'foo',
    });
    expect(s.event_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('maps an info event to a transaction (upstream TestToSentrySpan)', () => {
    const s = toSentryTransaction(event, '');
    expect(s.type).toBe('transaction');
    expect(s.timestamp).toBe(1577836800);
    expect(s.start_timestamp).toBe(1577836800);
    expect(s.message).toBe('message');
    expect(s.environment).toBeUndefined();
    expect(s.tags).toEqual({
      flux_involved_object_kind: 'GitRepository',
      flux_involved_object_name: 'test-app',
      flux_involved_object_namespace: 'flux-system',
      flux_reason: 'reason',
      flux_reporting_controller: 'source-controller',
      flux_reporting_instance: '',
      key1: 'val1',
      key2: 'val2',
    });
    const trace = s.contexts!.trace!;
    expect(trace.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(s.spans).toHaveLength(1);
    expect(s.spans![0]).toMatchObject({ trace_id: trace.trace_id, span_id: trace.span_id, op: 'event' });
  });
});

describe('sentry', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('sends an error as an event envelope to the DSN project', async () => {
    sink = await startSink();
    const address = sink.url.replace('http://', 'http://pubkey@') + '/42';
    await sentryNotifier(settings('sentry', { address, channel: 'prod' }), deps).post(
      { ...event, severity: 'error' },
      signal(),
    );
    const r = sink.requests[0]!;
    expect(r.url).toBe('/api/42/envelope/');
    expect(r.headers['content-type']).toBe('application/x-sentry-envelope');
    expect(r.headers['x-sentry-auth']).toMatch(
      /^Sentry sentry_version=7, sentry_client=flux-ts\/\S+, sentry_key=pubkey$/,
    );
    const [header, itemHeader, item] = envelope(r) as [
      Record<string, unknown>,
      { type: string },
      Record<string, unknown>,
    ];
    expect(header.event_id).toBe(item.event_id);
    expect(header).not.toHaveProperty('dsn');
    expect(itemHeader.type).toBe('event');
    expect(item).toMatchObject({
      level: 'error',
      environment: 'prod',
      message: 'message',
      transaction: 'GitRepository: flux-system/test-app',
    });
  });

  it('sends an info event as a transaction and skips trace events', async () => {
    sink = await startSink();
    const address = sink.url.replace('http://', 'http://pubkey:sec@') + '/sub/7';
    const n = sentryNotifier(settings('sentry', { address }), deps);
    await n.post(event, signal());
    await n.post({ ...event, severity: 'trace' }, signal());
    expect(sink.requests).toHaveLength(1);
    const r = sink.requests[0]!;
    expect(r.url).toBe('/sub/api/7/envelope/');
    expect(r.headers['x-sentry-auth']).toContain('sentry_secret=sec');
    const [, itemHeader, item] = envelope(r) as [unknown, { type: string }, Record<string, unknown>];
    expect(itemHeader.type).toBe('transaction');
    expect(item.type).toBe('transaction');
  });

  it('validates the DSN at creation without printing it (upstream TestNewSentry)', () => {
    expect(thrown(() => sentryNotifier(settings('sentry'), deps)).message).toBe('DSN cannot be empty');
    const bad = thrown(() => sentryNotifier(settings('sentry', { address: 'https://no-key.example/1' }), deps));
    expect(bad).toBeInstanceOf(NotifierError);
    expect(bad.message).toBe('invalid Sentry DSN');
    expect(() =>
      sentryNotifier(settings('sentry', { address: 'https://test@localhost/1', channel: 'foo' }), deps),
    ).not.toThrow();
  });

  it('keeps the DSN out of a failure', async () => {
    sink = await startSink();
    sink.respond(403, '{"detail":"bad key"}');
    const address = sink.url.replace('http://', 'http://s3cr3tkey@') + '/42';
    const err = await rejection(sentryNotifier(settings('sentry', { address }), deps).post(event, signal()));
    expect(err.message).toMatch(/status code 403/);
    expect(err.message).not.toContain('s3cr3tkey');
  });
});
