import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { pagerdutyNotifier, toPagerDutyChangeEvent, toPagerDutySeverity, toPagerDutyV2Event } from './pagerduty.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

const routingKey = 'notARealRoutingKey';
const base = testEvent({
  involvedObject: {
    kind: 'GitRepository',
    namespace: 'flux-system',
    name: 'test-app',
    uid: '1234',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
  },
  metadata: { key2: 'val2', key1: 'val1' },
});

describe('pagerduty payloads (upstream TestToPagerDutyV2Event, TestToPagerDutyChangeEvent)', () => {
  it('resolves by UID for a non-error event', () => {
    expect(toPagerDutyV2Event({ ...base, reason: 'Succeeded' }, routingKey)).toEqual({
      routing_key: routingKey,
      event_action: 'resolve',
      dedup_key: '1234',
    });
  });

  it('triggers with a payload for an error', () => {
    const got = toPagerDutyV2Event({ ...base, severity: 'error', reason: 'Failed' }, routingKey);
    expect(JSON.stringify(got)).toBe(
      JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: '1234',
        payload: {
          summary: 'failed: gitrepository/test-app',
          source: 'Flux source-controller',
          severity: 'error',
          timestamp: '2020-01-01T00:00:00Z',
          component: 'test-app',
          group: 'GitRepository',
          custom_details: { message: 'message', metadata: { key1: 'val1', key2: 'val2' } },
        },
      }),
    );
  });

  it('builds the change event', () => {
    expect(toPagerDutyChangeEvent({ ...base, reason: 'Succeeded' }, routingKey)).toEqual({
      routing_key: routingKey,
      payload: {
        summary: 'succeeded: gitrepository/test-app',
        source: 'Flux source-controller',
        timestamp: '2020-01-01T00:00:00Z',
        custom_details: { message: 'message', metadata: { key1: 'val1', key2: 'val2' } },
      },
    });
  });

  it('splits camel-case reasons like upstream', () => {
    const e = toPagerDutyChangeEvent({ ...base, reason: 'ReconciliationSucceeded' }, routingKey);
    expect(e.payload.summary).toBe('reconciliation succeeded: gitrepository/test-app');
  });

  it('maps severities (upstream TestToPagerDutySeverity)', () => {
    expect(toPagerDutySeverity('info')).toBe('info');
    expect(toPagerDutySeverity('error')).toBe('error');
    expect(toPagerDutySeverity('trace')).toBe('info');
    expect(toPagerDutySeverity('invalid')).toBe('error');
  });
});

describe('pagerduty', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('sends an event and a change event for info, to the host of the address (upstream TestPagerDutyPost)', async () => {
    sink = await startSink();
    const n = pagerdutyNotifier(settings('pagerduty', { address: `${sink.url}/v2/enqueue`, channel: 'token' }), deps);
    await n.post(base, signal());
    expect(sink.requests.map((r) => r.url)).toEqual(['/v2/enqueue', '/v2/change/enqueue']);
    expect(sink.requests[0]!.json).toEqual({ routing_key: 'token', event_action: 'resolve', dedup_key: '1234' });
    expect((sink.requests[1]!.json as { routing_key: string }).routing_key).toBe('token');
  });

  it('sends only the trigger for an error, and nothing for progressing or commit status updates', async () => {
    sink = await startSink();
    const n = pagerdutyNotifier(settings('pagerduty', { address: sink.url, channel: 'k' }), deps);
    await n.post({ ...base, severity: 'error' }, signal());
    await n.post({ ...base, reason: 'Progressing' }, signal());
    await n.post({ ...base, metadata: { commit_status: 'update' } }, signal());
    expect(sink.requests).toHaveLength(1);
    expect((sink.requests[0]!.json as { event_action: string }).event_action).toBe('trigger');
  });

  it('rejects an invalid URL at creation without echoing it', () => {
    const err = thrown(() => pagerdutyNotifier(settings('pagerduty', { address: 'not a url' }), deps));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toBe('invalid PagerDuty endpoint URL');
  });

  it('names the failed call without the routing key', async () => {
    sink = await startSink();
    sink.handle((r) => (r.url === '/v2/change/enqueue' ? { status: 400, body: 'nope' } : { status: 202 }));
    const n = pagerdutyNotifier(settings('pagerduty', { address: sink.url, channel: 'r0uting-k3y' }), deps);
    const err = await rejection(n.post(base, signal()));
    expect(err.message).toMatch(/^failed sending change event: .*status code 400/);
    expect(err.message).not.toContain('r0uting-k3y');
  });
});
