import type { FluxEvent } from '@flux-ts/runtime';
import type { HttpResponse } from '../http.ts';
import { NotifierError } from '../types.ts';
import type { NotifierFactory } from '../types.ts';
import { isError, objectName, sortedMetadata } from './format.ts';
import { parseAddress, send } from './post.ts';

/** Upstream `SlackPayload` (field order as it marshals), also sent by `discord` and `rocket`. */
export interface SlackPayload {
  channel: string;
  username: string;
  icon_url: string;
  icon_emoji: string;
  attachments: SlackAttachment[];
}

/** Upstream `SlackAttachment`. */
export interface SlackAttachment {
  color: string;
  author_name: string;
  text: string;
  mrkdwn_in: string[];
  fields: { title: string; value: string; short: boolean }[];
}

/** The Slack-format message of an event: one attachment, the object as author, metadata as fields. */
export function slackPayload(
  event: FluxEvent,
  opts: { channel: string; username: string; color: string },
): SlackPayload {
  return {
    channel: opts.channel,
    username: opts.username,
    icon_url: '',
    icon_emoji: '',
    attachments: [
      {
        color: opts.color,
        author_name: objectName(event),
        text: event.message,
        mrkdwn_in: ['text'],
        fields: sortedMetadata(event).map(([title, value]) => ({ title, value, short: false })),
      },
    ],
  };
}

/**
 * chat.postMessage answers 200 with `{"ok": false, "error": …}` (upstream `validateSlackResponse`); incoming
 * webhooks answer with HTTP status codes instead.
 */
function validateSlackResponse(res: HttpResponse): void {
  let parsed: { ok?: unknown; error?: unknown };
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch (err) {
    throw new NotifierError('unable to unmarshal response body', { cause: err });
  }
  if (parsed?.ok === true) return;
  throw new NotifierError(`Slack responded with error: ${String(parsed?.error ?? '')}`);
}

/**
 * `slack`: an incoming webhook, or `chat.postMessage` with the bot `token` as a Bearer token; `channel` and
 * `username` (default: the reporting controller) go in the payload; green `good` or red `danger`.
 */
export const slackNotifier: NotifierFactory = (settings) => {
  const url = parseAddress(settings.address, 'Slack hook');
  // Upstream validates the answer for the exact URL https://slack.com/api/chat.postMessage; the path alone
  // decides here, so the API can be pointed at a test sink (a webhook URL never has this path).
  const isAPI = url.pathname === '/api/chat.postMessage';
  return {
    async post(event, signal) {
      const payload = slackPayload(event, {
        channel: settings.channel,
        username: settings.username || event.reportingController,
        color: isError(event) ? 'danger' : 'good',
      });
      await send(settings, {
        url: settings.address,
        body: payload,
        headers: settings.token ? { Authorization: `Bearer ${settings.token}` } : {},
        ...(isAPI ? { validate: validateSlackResponse } : {}),
        signal,
      });
    },
  };
};
