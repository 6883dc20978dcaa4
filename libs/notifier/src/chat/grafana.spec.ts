import { afterEach, describe, expect, it } from 'vitest';
import { NotifierError } from '../types.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { grafanaNotifier, toGraphitePayload } from './grafana.ts';
import { deps, rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

describe('grafana', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('posts the annotation (upstream TestGrafana_Post)', async () => {
    sink = await startSink();
    const n = grafanaNotifier(settings('grafana', { address: `${sink.url}/api/annotations/graphite` }), deps);
    await n.post(testEvent(), signal());
    const r = sink.requests[0]!;
    expect(r.url).toBe('/api/annotations/graphite');
    expect(r.headers.authorization).toBeUndefined();
    expect(r.body).toBe(
      '{"when":1577836800,"text":"gitrepository/webapp.gitops-system","tags":["flux","source-controller",' +
        '"test: metadata","name: webapp","namespace: gitops-system"]}',
    );
  });

  it('replaces colons in metadata tags and sorts the metadata', () => {
    const p = toGraphitePayload(testEvent({ metadata: { 'b:x': 'main@sha1:abc', a: '1' } }));
    expect(p.tags.slice(2, 4)).toEqual(['a: 1', 'b|x: main@sha1|abc']);
  });

  it('authenticates with the token, else with basic auth', async () => {
    sink = await startSink();
    const address = `${sink.url}/api/annotations/graphite`;
    await grafanaNotifier(settings('grafana', { address, token: 'tok', username: 'u', password: 'p' }), deps).post(
      testEvent(),
      signal(),
    );
    await grafanaNotifier(settings('grafana', { address, username: 'u', password: 'p' }), deps).post(
      testEvent(),
      signal(),
    );
    expect(sink.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok', 'Basic dTpw']);
  });

  it('skips commit status updates', async () => {
    sink = await startSink();
    const n = grafanaNotifier(settings('grafana', { address: sink.url }), deps);
    await n.post(testEvent({ metadata: { commit_status: 'update' } }), signal());
    expect(sink.requests).toHaveLength(0);
  });

  it('validates the URL at creation and keeps secrets out of errors', async () => {
    expect(thrown(() => grafanaNotifier(settings('grafana', { address: 's3cr3t' }), deps)).message).toBe(
      'invalid Grafana URL',
    );
    sink = await startSink();
    sink.respond(401, 'unauthorized');
    const n = grafanaNotifier(settings('grafana', { address: `${sink.url}/s3cr3t`, token: 't0k3n' }), deps);
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toMatch(/^postMessage failed: .*status code 401/);
    expect(err.message).not.toMatch(/s3cr3t|t0k3n/);
  });
});
