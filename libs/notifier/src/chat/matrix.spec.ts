import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';
import { goEventJSON } from './go-json.ts';

describe('matrix', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('PUTs an m.text message with the SHA-1 of the event JSON as the transaction id', async () => {
    const event = testEvent({ metadata: { test: 'metadata', a: 'b' } });
    await createNotifier(
      settingsFor('matrix', { address: sink.url, channel: '!room:example.org', token: 'syt_s3cr3t' }),
    ).post(event, signal());
    const txn = createHash('sha1').update(goEventJSON(event)).digest('hex');
    const [r] = sink.requests;
    expect(r!.method).toBe('PUT');
    expect(r!.url).toBe(`/_matrix/client/r0/rooms/!room:example.org/send/m.room.message/${txn}`);
    expect(r!.headers['authorization']).toBe('Bearer syt_s3cr3t');
    expect(r!.body).toBe(
      '{"body":"💫 gitrepository/webapp.gitops-system\\nmessage\\n- a: b\\n- test: metadata\\n","msgtype":"m.text"}',
    );
  });

  it('gives the same transaction id to the same event and marks errors', async () => {
    const n = createNotifier(settingsFor('matrix', { address: sink.url, channel: '!r:x', token: 't' }));
    await n.post(testEvent({ severity: 'error' }), signal());
    await n.post(testEvent({ severity: 'error' }), signal());
    expect(sink.requests[0]!.url).toBe(sink.requests[1]!.url);
    expect((sink.requests[0]!.json as { body: string }).body.startsWith('🚨 gitrepository/')).toBe(true);
  });

  it('keeps the access token out of errors', async () => {
    sink.respond(403, '{"errcode":"M_FORBIDDEN"}');
    const err = await rejection(
      createNotifier(settingsFor('matrix', { address: sink.url, channel: '!r:x', token: 'syt_s3cr3t' })).post(
        testEvent(),
        signal(),
      ),
    );
    expect(err.message).toContain('status code 403');
    expectNoSecret(err, 'syt_s3cr3t');
    expect(() => createNotifier(settingsFor('matrix', { address: 'matrix.org' }))).toThrow(
      new NotifierError('invalid Matrix homeserver URL'),
    );
  });
});
