import type { FluxEvent } from '@flux-ts/runtime';
import type { NotifierFactory } from '../types.ts';
import { isError, objectName, sortedMetadata } from './format.ts';
import { parseAddress, send } from './post.ts';

/** Webex's markdown of an event (upstream `CreateMarkdown`). */
export function webexMarkdown(event: FluxEvent): string {
  let b = `${isError(event) ? '💣' : '✅'} **${objectName(event)}**\n${event.message}\n`;
  for (const [k, v] of sortedMetadata(event)) b += `>**${k}**: ${v}\n`;
  return b;
}

/**
 * `webex`: a markdown message to the room `channel` through the Messages API at `address`
 * (`https://webexapis.com/v1/messages`), with the bot `token` as a Bearer token.
 */
export const webexNotifier: NotifierFactory = (settings) => {
  parseAddress(settings.address, 'Webex hook');
  return {
    async post(event, signal) {
      const payload: Record<string, string> = {};
      // Both fields are omitempty upstream.
      if (settings.channel) payload['roomId'] = settings.channel;
      payload['markdown'] = webexMarkdown(event);
      await send(settings, {
        url: settings.address,
        body: payload,
        headers: { Authorization: `Bearer ${settings.token}` },
        signal,
      });
    },
  };
};
