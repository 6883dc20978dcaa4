import { NotifierError } from '../types.ts';
import type { NotifierFactory } from '../types.ts';
import { goFormEncode } from './format.ts';
import { formatMarkdownPost } from './markdown.ts';
import { send } from './post.ts';

/**
 * `zulip`: a stream message through `POST <server>/api/v1/messages` (form-encoded, basic auth with the bot's
 * `username` and API key in `password`); `channel` is `<stream>/<topic>`.
 */
export const zulipNotifier: NotifierFactory = (settings) => {
  let endpoint: URL;
  try {
    endpoint = new URL(settings.address);
  } catch {
    throw new NotifierError('invalid Zulip endpoint URL');
  }
  endpoint.pathname = '/api/v1/messages';
  const sep = settings.channel.indexOf('/');
  const stream = sep < 0 ? '' : settings.channel.slice(0, sep);
  const topic = sep < 0 ? '' : settings.channel.slice(sep + 1);
  if (stream === '' || topic === '')
    throw new NotifierError(`invalid Zulip channel format, expected <channel>/<topic>, got '${settings.channel}'`);
  const url = endpoint.toString();
  return {
    async post(event, signal) {
      const body = goFormEncode({
        type: ['stream'],
        to: [stream],
        topic: [topic],
        content: [formatMarkdownPost(event)],
      });
      const auth: Record<string, string> =
        settings.username || settings.password
          ? { Authorization: `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}` }
          : {};
      await send(settings, {
        url,
        body,
        contentType: 'application/x-www-form-urlencoded',
        headers: auth,
        signal,
      });
    },
  };
};
