import type { NotifierFactory } from '../types.ts';
import { isError, objectName, sortedMetadata } from './format.ts';
import { parseAddress, send } from './post.ts';

/**
 * `googlechat`: a card message to a Google Chat webhook: the object as title, the reporting controller as
 * subtitle, the message (red for errors) and the metadata as key-value widgets.
 */
export const googlechatNotifier: NotifierFactory = (settings) => {
  parseAddress(settings.address, 'Google Chat hook');
  return {
    async post(event, signal) {
      const text = isError(event) ? `<font color="#ff0000">${event.message}</font>` : event.message;
      // Upstream's structs marshal their nil pointers as null.
      const sections: Record<string, unknown>[] = [
        { header: '', widgets: [{ textParagraph: { text }, keyValue: null }] },
      ];
      const meta = sortedMetadata(event);
      if (meta.length > 0)
        sections.push({
          header: '',
          widgets: meta.map(([topLabel, content]) => ({
            textParagraph: null,
            keyValue: { topLabel, content, contentMultiline: false, bottomLabel: null, icon: null },
          })),
        });
      const payload = {
        cards: [
          {
            header: { title: objectName(event), subtitle: event.reportingController, imageUrl: null, imageStyle: null },
            sections,
          },
        ],
      };
      await send(settings, { url: settings.address, body: payload, signal });
    },
  };
};
