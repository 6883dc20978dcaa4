import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';

describe('lark', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts an interactive card, turquoise for info', async () => {
    await createNotifier(settingsFor('lark', { address: `${sink.url}/open-apis/bot/v2/hook/x` })).post(
      testEvent(),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.url).toBe('/open-apis/bot/v2/hook/x');
    expect(r!.body).toBe(
      '{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},"header":{"title":{"tag":"plain_text",' +
        '"content":"💫 gitrepository/webapp.gitops-system"},"template":"turquoise"},"elements":[{"tag":"div",' +
        '"text":{"tag":"lark_md","content":"**message**\\n\\ntest: metadata\\n"}}]}}',
    );
  });

  it('is red for errors', async () => {
    await createNotifier(settingsFor('lark', { address: sink.url })).post(testEvent({ severity: 'error' }), signal());
    expect(sink.requests[0]!.json).toMatchObject({
      card: { header: { title: { content: '🚨 gitrepository/webapp.gitops-system' }, template: 'red' } },
    });
  });

  it('keeps the hook out of errors', async () => {
    sink.respond(500);
    const err = await rejection(
      createNotifier(settingsFor('lark', { address: `${sink.url}/open-apis/bot/v2/hook/s3cr3t` })).post(
        testEvent(),
        signal(),
      ),
    );
    expectNoSecret(err, 's3cr3t');
    expect(() => createNotifier(settingsFor('lark', { address: 's3cr3t' }))).toThrow(
      new NotifierError('invalid Lark hook URL'),
    );
  });
});
