import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { NotifierFactory } from '../types.ts';
import { isError, sortedMetadata } from './format.ts';
import { send } from './post.ts';

/** The Bot API host (https://core.telegram.org/bots/api). */
export const telegramAPIBaseURL = 'https://api.telegram.org';

/** Escapes the characters MarkdownV2 reserves (https://core.telegram.org/bots/api#markdownv2-style). */
export function escapeMarkdownV2(s: string): string {
  return s.replace(/[\\.\-_[\]()~>`#+=|{}!*]/g, (c) => `\\${c}`);
}

/** The MarkdownV2 text of an event: bold `<emoji> <kind>/<name>/<namespace>`, the message, `- *key*: value` lines. */
export function telegramText(event: FluxEvent): string {
  const o = event.involvedObject;
  const heading = `${isError(event) ? '🚨' : '💫'} ${o.kind.toLowerCase()}/${o.name}/${o.namespace}`;
  let metadata = '';
  for (const [k, v] of sortedMetadata(event)) metadata += `\\- *${escapeMarkdownV2(k)}*: ${escapeMarkdownV2(v)}\n`;
  return `*${escapeMarkdownV2(heading)}*\n${escapeMarkdownV2(event.message)}\n${metadata}`;
}

/**
 * `telegram`: `sendMessage` of the Bot API with the bot `token`; `channel` is a chat id, `@channelusername`,
 * or `<chat id>:<topic id>` for a forum topic (`message_thread_id`). The address is not used (the API host is
 * fixed); `apiBaseURL` replaces the host in tests.
 */
export const telegramNotifier: NotifierFactory = (settings) => {
  if (settings.channel === '') throw new NotifierError('empty Telegram channel');
  if (settings.token === '') throw new NotifierError('empty Telegram token');
  const base = (settings.apiBaseURL ?? telegramAPIBaseURL).replace(/\/+$/, '');
  const url = `${base}/bot${settings.token}/sendMessage`;
  const sep = settings.channel.indexOf(':');
  const chatId = sep < 0 ? settings.channel : settings.channel.slice(0, sep);
  const thread = sep < 0 ? undefined : settings.channel.slice(sep + 1);
  return {
    async post(event, signal) {
      const payload: Record<string, string> = { chat_id: chatId };
      if (thread) payload['message_thread_id'] = thread;
      payload['text'] = telegramText(event);
      payload['parse_mode'] = 'MarkdownV2';
      await send(settings, { url, body: payload, signal });
    },
  };
};
