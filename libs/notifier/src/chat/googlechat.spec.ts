import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('googlechat', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts a card: title, reporting controller, message, then metadata widgets', async () => {
    await createNotifier(settingsFor('googlechat', { address: `${sink.url}/v1/spaces/x/messages?key=k` })).post(
      testEvent(),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.url).toBe('/v1/spaces/x/messages?key=k');
    expect(r!.body).toBe(
      '{"cards":[{"header":{"title":"gitrepository/webapp.gitops-system","subtitle":"source-controller",' +
        '"imageUrl":null,"imageStyle":null},"sections":[{"header":"","widgets":[{"textParagraph":{"text":"message"},' +
        '"keyValue":null}]},{"header":"","widgets":[{"textParagraph":null,"keyValue":{"topLabel":"test",' +
        '"content":"metadata","contentMultiline":false,"bottomLabel":null,"icon":null}}]}]}]}',
    );
  });

  it('colours errors red and has no metadata section without metadata', async () => {
    await createNotifier(settingsFor('googlechat', { address: sink.url })).post(
      testEvent({ severity: 'error', metadata: undefined }),
      signal(),
    );
    const card = (sink.requests[0]!.json as { cards: { sections: unknown[] }[] }).cards[0]!;
    expect(card.sections).toEqual([
      { header: '', widgets: [{ textParagraph: { text: '<font color="#ff0000">message</font>' }, keyValue: null }] },
    ]);
  });

  it('keeps the webhook key out of errors', async () => {
    sink.respond(403);
    const err = await rejection(
      createNotifier(settingsFor('googlechat', { address: `${sink.url}/v1/spaces/x/messages?key=s3cr3t` })).post(
        testEvent(),
        signal(),
      ),
    );
    expectNoSecret(err, 's3cr3t');
    expect(() => createNotifier(settingsFor('googlechat', { address: 's3cr3t' }))).toThrow(
      new NotifierError('invalid Google Chat hook URL'),
    );
  });
});
