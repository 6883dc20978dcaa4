import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { opsgenieNotifier, toOpsgenieAlert } from './opsgenie.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

describe('opsgenie', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('posts the alert with the GenieKey header (upstream TestOpsgenie_Post)', async () => {
    sink = await startSink();
    const n = opsgenieNotifier(settings('opsgenie', { address: `${sink.url}/v2/alerts`, token: 'token' }), deps);
    await n.post(testEvent(), signal());
    expect(sink.requests).toHaveLength(1);
    const r = sink.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/v2/alerts');
    expect(r.headers.authorization).toBe('GenieKey token');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe(
      '{"message":"GitRepository/webapp","description":"message","details":{"severity":"info","test":"metadata"}}',
    );
  });

  it('maps an event without metadata to details with only the severity', () => {
    expect(toOpsgenieAlert(testEvent({ metadata: undefined, severity: 'error' })).details).toEqual({
      severity: 'error',
    });
  });

  it('validates the address and token at creation, without echoing them', () => {
    const bad = thrown(() => opsgenieNotifier(settings('opsgenie', { address: 'not a url s3cr3t', token: 't' }), deps));
    expect(bad).toBeInstanceOf(NotifierError);
    expect(bad.message).toBe('invalid Opsgenie hook URL');
    const noToken = thrown(() => opsgenieNotifier(settings('opsgenie', { address: 'https://api.opsgenie.com' }), deps));
    expect(noToken.message).toBe('empty Opsgenie apikey/token');
  });

  it('fails on a non-2xx answer without the address or key in the error', async () => {
    sink = await startSink();
    sink.respond(422, '{"message":"bad"}');
    const address = `${sink.url}/v2/alerts/s3cr3t-path`;
    const n = opsgenieNotifier(settings('opsgenie', { address, token: 'k3y' }), deps);
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toContain('failed with status code 422');
    expect(err.message).not.toContain('s3cr3t');
    expect(err.message).not.toContain('k3y');
  });
});
