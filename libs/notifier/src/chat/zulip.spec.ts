import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

const kustomization = (severity: 'info' | 'error') =>
  testEvent({
    severity,
    message: 'Test event message',
    involvedObject: { kind: 'Kustomization', name: 'test-ks', namespace: 'default', apiVersion: '' },
    metadata: { key2: 'value2', key1: 'value1' },
  });

describe('zulip', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  // Upstream zulip_test.go's table.
  it.each([
    [
      'info',
      '## Flux Status\n\nℹ️ Kustomization/default/test-ks\n\nTest event message\n\nMetadata:\n* `key1`: value1\n* `key2`: value2\n',
    ],
    [
      'error',
      '## Flux Status\n\n⚠️ Kustomization/default/test-ks\n\nTest event message\n\nMetadata:\n* `key1`: value1\n* `key2`: value2\n',
    ],
  ] as const)('posts a %s event as a form to /api/v1/messages with basic auth', async (severity, content) => {
    await createNotifier(
      settingsFor('zulip', {
        address: `${sink.url}/some/path`,
        channel: 'general/announcements',
        username: 'user',
        password: 'pass',
      }),
    ).post(kustomization(severity), signal());
    const [r] = sink.requests;
    expect(r!.method).toBe('POST');
    expect(r!.url).toBe('/api/v1/messages');
    expect(r!.headers['authorization']).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
    expect(r!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(r!.body);
    expect([...form.keys()]).toEqual(['content', 'to', 'topic', 'type']);
    expect(form.get('type')).toBe('stream');
    expect(form.get('to')).toBe('general');
    expect(form.get('topic')).toBe('announcements');
    expect(form.get('content')).toBe(content);
  });

  it("encodes the form as Go's url.Values does", async () => {
    await createNotifier(settingsFor('zulip', { address: sink.url, channel: 'a b/t~(x)*' })).post(
      kustomization('info'),
      signal(),
    );
    expect(sink.requests[0]!.body).toMatch(/&to=a\+b&topic=t~%28x%29%2A&type=stream$/);
  });

  it('validates the channel and the endpoint', () => {
    expect(() => createNotifier(settingsFor('zulip', { address: sink.url, channel: 'invalid_format' }))).toThrow(
      new NotifierError("invalid Zulip channel format, expected <channel>/<topic>, got 'invalid_format'"),
    );
    expect(() => createNotifier(settingsFor('zulip', { address: sink.url, channel: 'general/' }))).toThrow(
      NotifierError,
    );
    expect(() => createNotifier(settingsFor('zulip', { address: '\x7f', channel: 'a/b' }))).toThrow(
      new NotifierError('invalid Zulip endpoint URL'),
    );
  });

  it('keeps the API key out of errors', async () => {
    sink.respond(401, '{"result":"error","msg":"Invalid API key"}');
    const err = await rejection(
      createNotifier(
        settingsFor('zulip', { address: sink.url, channel: 'a/b', username: 'bot@x', password: 'k3y-s3cr3t' }),
      ).post(kustomization('info'), signal()),
    );
    expect(err.message).toContain('status code 401');
    expectNoSecret(err, 'k3y-s3cr3t');
  });
});
