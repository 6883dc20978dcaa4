import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('slack', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts an attachment to a webhook, username defaulting to the reporting controller', async () => {
    await createNotifier(settingsFor('slack', { address: `${sink.url}/services/T/B/X` })).post(
      testEvent({ metadata: { revision: 'main@sha1:abc', summary: 'prod' } }),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.url).toBe('/services/T/B/X');
    expect(r!.headers['authorization']).toBeUndefined();
    expect(r!.body).toBe(
      '{"channel":"","username":"source-controller","icon_url":"","icon_emoji":"","attachments":[{"color":"good",' +
        '"author_name":"gitrepository/webapp.gitops-system","text":"message","mrkdwn_in":["text"],"fields":[' +
        '{"title":"revision","value":"main@sha1:abc","short":false},{"title":"summary","value":"prod","short":false}]}]}',
    );
  });

  it('uses the token, channel and username with chat.postMessage, red for errors', async () => {
    sink.respond(200, '{"ok":true}');
    await createNotifier(
      settingsFor('slack', {
        address: `${sink.url}/api/chat.postMessage`,
        token: 'xoxb-s3cr3t',
        channel: 'general',
        username: 'flux',
      }),
    ).post(testEvent({ severity: 'error' }), signal());
    const [r] = sink.requests;
    expect(r!.headers['authorization']).toBe('Bearer xoxb-s3cr3t');
    expect(r!.json).toMatchObject({
      channel: 'general',
      username: 'flux',
      attachments: [{ color: 'danger', fields: [{ title: 'test', value: 'metadata', short: false }] }],
    });
  });

  it("reports chat.postMessage's ok: false without the token", async () => {
    sink.respond(200, '{"ok":false,"error":"channel_not_found"}');
    const n = createNotifier(
      settingsFor('slack', { address: `${sink.url}/api/chat.postMessage`, token: 'xoxb-s3cr3t' }),
    );
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toBe('postMessage failed: Slack responded with error: channel_not_found');
    expectNoSecret(err, 'xoxb-s3cr3t');
  });

  it('does not read a webhook answer as JSON', async () => {
    sink.respond(200, 'ok');
    await createNotifier(settingsFor('slack', { address: `${sink.url}/services/T/B/X` })).post(testEvent(), signal());
    expect(sink.requests).toHaveLength(1);
  });

  it('keeps the webhook path out of a failure and refuses a bad address', async () => {
    sink.respond(404, 'no_team');
    const n = createNotifier(settingsFor('slack', { address: `${sink.url}/services/T/B/s3cr3t` }));
    const err = await rejection(n.post(testEvent(), signal()));
    expect(err.message).toContain('status code 404');
    expectNoSecret(err, 's3cr3t');
    expect(() => createNotifier(settingsFor('slack', { address: 'hooks.slack.com/s3cr3t' }))).toThrow(
      new NotifierError('invalid Slack hook URL'),
    );
  });
});
