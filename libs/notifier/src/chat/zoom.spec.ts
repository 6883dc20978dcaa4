import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('zoom', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts the full format with the raw verification token', async () => {
    await createNotifier(
      settingsFor('zoom', { address: `${sink.url}/v2/im/chat/webhooks/abc`, token: 'v3rify-s3cr3t' }),
    ).post(testEvent({ metadata: { test: 'metadata', a: 'b' } }), signal());
    const [r] = sink.requests;
    expect(r!.url).toBe('/v2/im/chat/webhooks/abc?format=full');
    expect(r!.headers['authorization']).toBe('v3rify-s3cr3t');
    expect(r!.body).toBe(
      '{"content":{"head":{"text":"gitrepository/webapp.gitops-system","sub_head":{"text":"info"}},"body":[' +
        '{"type":"message","text":"message"},{"type":"fields","items":[{"key":"a","value":"b"},' +
        '{"key":"test","value":"metadata"}]}]}}',
    );
  });

  it('keeps a pinned format, re-encodes the query when adding one, and drops empty fields', async () => {
    await createNotifier(settingsFor('zoom', { address: `${sink.url}/h?format=message`, token: 't' })).post(
      testEvent({ metadata: {}, severity: 'error' }),
      signal(),
    );
    await createNotifier(settingsFor('zoom', { address: `${sink.url}/h?z=1&a=x%20y`, token: 't' })).post(
      testEvent(),
      signal(),
    );
    expect(sink.requests.map((r) => r.url)).toEqual(['/h?format=message', '/h?a=x+y&format=full&z=1']);
    expect(sink.requests[0]!.json).toEqual({
      content: {
        head: { text: 'gitrepository/webapp.gitops-system', sub_head: { text: 'error' } },
        body: [{ type: 'message', text: 'message' }],
      },
    });
  });

  it('requires the verification token and a URL', () => {
    expect(() => createNotifier(settingsFor('zoom', { address: sink.url }))).toThrow(
      new NotifierError('empty Zoom verification token'),
    );
    expect(() => createNotifier(settingsFor('zoom', { address: 'x', token: 't' }))).toThrow(
      new NotifierError('invalid Zoom incoming webhook URL'),
    );
  });

  it('keeps the token out of errors', async () => {
    sink.respond(401);
    const err = await rejection(
      createNotifier(settingsFor('zoom', { address: sink.url, token: 'v3rify-s3cr3t' })).post(testEvent(), signal()),
    );
    expectNoSecret(err, 'v3rify-s3cr3t');
  });
});
