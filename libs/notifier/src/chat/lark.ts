import type { NotifierFactory } from '../types.ts';
import { isError, objectName, sortedMetadata } from './format.ts';
import { parseAddress, send } from './post.ts';

/** `lark`: an interactive card to a Lark (Feishu) bot webhook, turquoise or red by severity. */
export const larkNotifier: NotifierFactory = (settings) => {
  // Upstream says "Slack" here (a copy-paste it kept); the type name is the useful part.
  parseAddress(settings.address, 'Lark hook');
  return {
    async post(event, signal) {
      const error = isError(event);
      let message = `**${event.message}**\n\n`;
      for (const [k, v] of sortedMetadata(event)) message += `${k}: ${v}\n`;
      const payload = {
        msg_type: 'interactive',
        card: {
          config: { wide_screen_mode: true },
          header: {
            title: { tag: 'plain_text', content: `${error ? '🚨' : '💫'} ${objectName(event)}` },
            template: error ? 'red' : 'turquoise',
          },
          elements: [{ tag: 'div', text: { tag: 'lark_md', content: message } }],
        },
      };
      await send(settings, { url: settings.address, body: payload, signal });
    },
  };
};
