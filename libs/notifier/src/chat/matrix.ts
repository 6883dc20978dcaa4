import { createHash } from 'node:crypto';
import type { FluxEvent } from '@flux-ts/runtime';
import type { NotifierFactory } from '../types.ts';
import { isError, objectName, sortedMetadata } from './format.ts';
import { goEventJSON } from './go-json.ts';
import { parseAddress, send } from './post.ts';

/** The transaction id of an event: hex SHA-1 of its JSON, so a retried send is deduplicated by the homeserver. */
export function matrixTxnId(event: FluxEvent): string {
  return createHash('sha1').update(goEventJSON(event)).digest('hex');
}

/** The plain-text body of an event: `<emoji> <kind>/<name>.<namespace>`, the message, `- key: value` lines. */
export function matrixBody(event: FluxEvent): string {
  let metadata = '';
  for (const [k, v] of sortedMetadata(event)) metadata += `- ${k}: ${v}\n`;
  return `${isError(event) ? '🚨' : '💫'} ${objectName(event)}\n${event.message}\n${metadata}`;
}

/**
 * `matrix`: `PUT <homeserver>/_matrix/client/r0/rooms/<channel>/send/m.room.message/<txn id>` with an `m.text`
 * body and the access `token` as a Bearer token.
 */
export const matrixNotifier: NotifierFactory = (settings) => {
  parseAddress(settings.address, 'Matrix homeserver');
  return {
    async post(event, signal) {
      const url = `${settings.address}/_matrix/client/r0/rooms/${settings.channel}/send/m.room.message/${matrixTxnId(event)}`;
      await send(settings, {
        url,
        method: 'PUT',
        body: { body: matrixBody(event), msgtype: 'm.text' },
        headers: { Authorization: `Bearer ${settings.token}` },
        signal,
      });
    },
  };
};
