import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, testEvent } from './fixtures.spec-helper.ts';
import { escapeMarkdownV2 } from './telegram.ts';

const token = '123456:s3cr3t';

describe('telegram', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  const settings = (channel: string) =>
    settingsFor('telegram', { address: 'https://api.telegram.org', apiBaseURL: sink.url, channel, token });

  it("sends MarkdownV2 to sendMessage, as upstream's test expects", async () => {
    await createNotifier(settings('channel')).post(
      testEvent({ metadata: { test: 'metadata', 'kubernetes.io/somekey': 'some.value' } }),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.method).toBe('POST');
    expect(r!.url).toBe(`/bot${token}/sendMessage`);
    expect(r!.headers['content-type']).toBe('application/json');
    const p = r!.json as Record<string, string>;
    expect(Object.keys(p)).toEqual(['chat_id', 'text', 'parse_mode']);
    expect(p['chat_id']).toBe('channel');
    expect(p['parse_mode']).toBe('MarkdownV2');
    expect(p['text']!.split('\n')).toEqual([
      '*💫 gitrepository/webapp/gitops\\-system*',
      'message',
      '\\- *kubernetes\\.io/somekey*: some\\.value',
      '\\- *test*: metadata',
      '',
    ]);
  });

  it('sends to a forum topic (`<chat id>:<topic>`) and to @channel names', async () => {
    await createNotifier(settings('-100123:42')).post(testEvent({ severity: 'error' }), signal());
    await createNotifier(settings('@fluxcd')).post(testEvent(), signal());
    const [topic, user] = sink.requests.map((r) => r.json as Record<string, string>);
    expect(topic).toMatchObject({ chat_id: '-100123', message_thread_id: '42' });
    expect(topic!['text']!.startsWith('*🚨 gitrepository/webapp/gitops\\-system*\n')).toBe(true);
    expect(user!['chat_id']).toBe('@fluxcd');
    expect(user!['message_thread_id']).toBeUndefined();
  });

  it('escapes every MarkdownV2 reserved character', () => {
    expect(escapeMarkdownV2('a\\b.c-d_e[f]g(h)i~j>k`l#m+n=o|p{q}r!s*t')).toBe(
      'a\\\\b\\.c\\-d\\_e\\[f\\]g\\(h\\)i\\~j\\>k\\`l\\#m\\+n\\=o\\|p\\{q\\}r\\!s\\*t',
    );
  });

  it('requires a channel and a token', () => {
    expect(() => createNotifier(settingsFor('telegram', { token }))).toThrow(
      new NotifierError('empty Telegram channel'),
    );
    expect(() => createNotifier(settingsFor('telegram', { channel: 'c' }))).toThrow(
      new NotifierError('empty Telegram token'),
    );
  });

  it('keeps the bot token (in the URL path) out of errors', async () => {
    sink.respond(400, '{"ok":false,"description":"Bad Request: chat not found"}');
    const err = await rejection(createNotifier(settings('nope')).post(testEvent(), signal()));
    expect(err.message).toContain('status code 400');
    expectNoSecret(err, 's3cr3t');
  });
});
