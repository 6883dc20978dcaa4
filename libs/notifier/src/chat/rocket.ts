import type { NotifierFactory } from '../types.ts';
import { isError } from './format.ts';
import { parseAddress, send } from './post.ts';
import { slackPayload } from './slack.ts';

/** `rocket`: the Slack-format payload to a Rocket.Chat incoming webhook, blue `#0076D7` or red `#FF0000`. */
export const rocketNotifier: NotifierFactory = (settings) => {
  parseAddress(settings.address, 'Rocket hook');
  return {
    async post(event, signal) {
      const payload = slackPayload(event, {
        channel: settings.channel,
        username: settings.username,
        color: isError(event) ? '#FF0000' : '#0076D7',
      });
      await send(settings, { url: settings.address, body: payload, signal });
    },
  };
};
