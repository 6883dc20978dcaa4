import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('discord', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts the Slack-format payload to <address>/slack, without a channel', async () => {
    await createNotifier(
      settingsFor('discord', { address: `${sink.url}/api/webhooks/1/tok`, channel: 'ignored' }),
    ).post(testEvent({ severity: 'error' }), signal());
    const [r] = sink.requests;
    expect(r!.url).toBe('/api/webhooks/1/tok/slack');
    expect(r!.json).toEqual({
      channel: '',
      username: 'source-controller',
      icon_url: '',
      icon_emoji: '',
      attachments: [
        {
          color: 'danger',
          author_name: 'gitrepository/webapp.gitops-system',
          text: 'message',
          mrkdwn_in: ['text'],
          fields: [{ title: 'test', value: 'metadata', short: false }],
        },
      ],
    });
  });

  it('keeps an address already ending in /slack, and the username', async () => {
    await createNotifier(
      settingsFor('discord', { address: `${sink.url}/api/webhooks/1/tok/slack`, username: 'flux' }),
    ).post(testEvent(), signal());
    const [r] = sink.requests;
    expect(r!.url).toBe('/api/webhooks/1/tok/slack');
    expect((r!.json as { username: string }).username).toBe('flux');
  });

  it('keeps the webhook token out of errors', async () => {
    sink.respond(401, 'unauthorized');
    const err = await rejection(
      createNotifier(settingsFor('discord', { address: `${sink.url}/api/webhooks/1/s3cr3t` })).post(
        testEvent(),
        signal(),
      ),
    );
    expect(err.message).toContain('status code 401');
    expectNoSecret(err, 's3cr3t');
    expect(() => createNotifier(settingsFor('discord', { address: 's3cr3t' }))).toThrow(
      new NotifierError('invalid Discord hook URL'),
    );
  });
});
