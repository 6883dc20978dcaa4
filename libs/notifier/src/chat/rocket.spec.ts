import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('rocket', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts the Slack-format payload with the channel and username as given', async () => {
    await createNotifier(settingsFor('rocket', { address: `${sink.url}/hooks/x`, channel: 'ops' })).post(
      testEvent(),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.body).toBe(
      '{"channel":"ops","username":"","icon_url":"","icon_emoji":"","attachments":[{"color":"#0076D7",' +
        '"author_name":"gitrepository/webapp.gitops-system","text":"message","mrkdwn_in":["text"],' +
        '"fields":[{"title":"test","value":"metadata","short":false}]}]}',
    );
  });

  it('is red for errors', async () => {
    await createNotifier(settingsFor('rocket', { address: sink.url, username: 'flux' })).post(
      testEvent({ severity: 'error', metadata: {} }),
      signal(),
    );
    expect(sink.requests[0]!.json).toMatchObject({
      username: 'flux',
      attachments: [{ color: '#FF0000', fields: [] }],
    });
  });

  it('keeps the hook path out of errors', async () => {
    sink.respond(500);
    const err = await rejection(
      createNotifier(settingsFor('rocket', { address: `${sink.url}/hooks/s3cr3t` })).post(testEvent(), signal()),
    );
    expectNoSecret(err, 's3cr3t');
    expect(() => createNotifier(settingsFor('rocket', { address: 'not a url' }))).toThrow(
      new NotifierError('invalid Rocket hook URL'),
    );
  });
});
