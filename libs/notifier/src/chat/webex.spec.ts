import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('webex', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts markdown to the room with the bot token (`>` escaped as encoding/json does)', async () => {
    await createNotifier(
      settingsFor('webex', { address: `${sink.url}/v1/messages`, channel: 'room-id', token: 'bot-s3cr3t' }),
    ).post(testEvent({ metadata: { test: 'metadata', a: 'b' } }), signal());
    const [r] = sink.requests;
    expect(r!.url).toBe('/v1/messages');
    expect(r!.headers['authorization']).toBe('Bearer bot-s3cr3t');
    expect(r!.body).toBe(
      '{"roomId":"room-id","markdown":"✅ **gitrepository/webapp.gitops-system**\\nmessage\\n\\u003e**a**: b\\n\\u003e**test**: metadata\\n"}',
    );
  });

  it('marks errors and omits an empty room', async () => {
    await createNotifier(settingsFor('webex', { address: sink.url, token: 't' })).post(
      testEvent({ severity: 'error', metadata: {} }),
      signal(),
    );
    expect(sink.requests[0]!.json).toEqual({ markdown: '💣 **gitrepository/webapp.gitops-system**\nmessage\n' });
  });

  it('keeps the token out of errors', async () => {
    sink.respond(401, '{"message":"The request requires a valid access token set in the Authorization header."}');
    const err = await rejection(
      createNotifier(settingsFor('webex', { address: sink.url, channel: 'r', token: 'bot-s3cr3t' })).post(
        testEvent(),
        signal(),
      ),
    );
    expect(err.message).toContain('status code 401');
    expectNoSecret(err, 'bot-s3cr3t');
    expect(() => createNotifier(settingsFor('webex', { address: 'x' }))).toThrow(
      new NotifierError('invalid Webex hook URL'),
    );
  });
});
