import { NotifierError } from '../types.ts';
import type { NotifierFactory } from '../types.ts';
import { goFormEncode, goParseQuery, objectName, sortedMetadata } from './format.ts';
import { parseAddress, send } from './post.ts';

/**
 * `zoom`: a rich message (`?format=full` unless the address pins a format) to a Zoom Team Chat incoming
 * webhook, with the verification `token` as the raw `Authorization` header.
 */
export const zoomNotifier: NotifierFactory = (settings) => {
  const u = parseAddress(settings.address, 'Zoom incoming webhook');
  if (settings.token === '') throw new NotifierError('empty Zoom verification token');
  const query = goParseQuery(u.search.slice(1));
  if (!query['format']?.[0]) {
    // Go re-encodes the whole query (keys sorted) when it adds the format.
    query['format'] = ['full'];
    u.search = goFormEncode(query);
  }
  const url = u.toString();
  return {
    async post(event, signal) {
      // `text` is omitempty upstream.
      const body: Record<string, unknown>[] = [{ type: 'message', ...(event.message ? { text: event.message } : {}) }];
      const meta = sortedMetadata(event);
      if (meta.length > 0) body.push({ type: 'fields', items: meta.map(([key, value]) => ({ key, value })) });
      const payload = {
        content: { head: { text: objectName(event), sub_head: { text: event.severity } }, body },
      };
      await send(settings, { url, body: payload, headers: { Authorization: settings.token }, signal });
    },
  };
};
