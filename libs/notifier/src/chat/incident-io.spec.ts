import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { incidentioNotifier, toIncidentioPayload } from './incident-io.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

const uid = '2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a';
const event = testEvent({
  involvedObject: { ...testEvent().involvedObject, uid },
});

describe('incident.io', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('resolves for an info event, keyed by the object UID (upstream TestIncidentio_Post)', async () => {
    sink = await startSink();
    sink.respond(202, '{"status":"success"}');
    const address = `${sink.url}/v2/alert_events/http/some-id`;
    await incidentioNotifier(settings('incident.io', { address, token: 'token' }), deps).post(event, signal());
    const r = sink.requests[0]!;
    expect(r.url).toBe('/v2/alert_events/http/some-id');
    expect(r.headers.authorization).toBe('Bearer token');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe(
      `{"title":"gitrepository/webapp.gitops-system: reason","status":"resolved","deduplication_key":"${uid}",` +
        '"description":"message","metadata":{"reason":"reason","reportingController":"source-controller",' +
        '"severity":"info","test":"metadata"}}',
    );
  });

  it('fires for an error (upstream TestIncidentio_PostErrorSeverity)', () => {
    const p = toIncidentioPayload({ ...event, severity: 'error' });
    expect(p.status).toBe('firing');
    expect(p.metadata).toMatchObject({ severity: 'error' });
  });

  it('skips progressing events (upstream TestIncidentio_PostSkipsProgressing)', async () => {
    sink = await startSink();
    const n = incidentioNotifier(settings('incident.io', { address: sink.url, token: 'token' }), deps);
    await n.post({ ...event, reason: 'Progressing' }, signal());
    expect(sink.requests).toHaveLength(0);
  });

  it('validates the URL and token at creation (upstream TestNewIncidentio)', () => {
    const bad = thrown(() => incidentioNotifier(settings('incident.io', { address: 'invalid-url', token: 't' }), deps));
    expect(bad).toBeInstanceOf(NotifierError);
    expect(bad.message).toContain('invalid incident.io alert source URL');
    expect(bad.message).not.toContain('invalid-url');
    const address = 'https://api.incident.io/v2/alert_events/http/some-id';
    expect(thrown(() => incidentioNotifier(settings('incident.io', { address }), deps)).message).toContain(
      'empty incident.io API token',
    );
  });

  it('keeps the endpoint and token out of a failure', async () => {
    sink = await startSink();
    sink.respond(401, '{"type":"authentication_error"}');
    const address = `${sink.url}/v2/alert_events/http/s3cr3t-id`;
    const err = await rejection(
      incidentioNotifier(settings('incident.io', { address, token: 't0k3n' }), deps).post(event, signal()),
    );
    expect(err.message).toMatch(/status code 401/);
    expect(err.message).not.toMatch(/s3cr3t|t0k3n/);
  });
});
