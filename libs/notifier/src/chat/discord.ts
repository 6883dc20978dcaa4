import { posix } from 'node:path';
import type { NotifierFactory } from '../types.ts';
import { isError } from './format.ts';
import { parseAddress, send } from './post.ts';
import { slackPayload } from './slack.ts';

/**
 * `discord`: the Slack-format payload to the webhook's Slack-compatible endpoint (`<address>/slack`,
 * https://discord.com/developers/docs/resources/webhook#execute-slackcompatible-webhook); `username` defaults
 * to the reporting controller; Discord ignores `channel`, so upstream never sets it.
 */
export const discordNotifier: NotifierFactory = (settings) => {
  const webhook = parseAddress(settings.address, 'Discord hook');
  let url = settings.address;
  if (!url.endsWith('/slack')) {
    webhook.pathname = posix.join(webhook.pathname, 'slack');
    url = webhook.toString();
  }
  return {
    async post(event, signal) {
      const payload = slackPayload(event, {
        channel: '',
        username: settings.username || event.reportingController,
        color: isError(event) ? 'danger' : 'good',
      });
      await send(settings, { url, body: payload, signal });
    },
  };
};
