import { createHmac } from 'node:crypto';
import { NotifierError } from '../types.ts';
import type { NotifierFactory, ProviderSettings } from '../types.ts';
import { goEventJSON } from './go-json.ts';
import { parseAddress, send } from './post.ts';

/** The header naming the controller that emitted the event (upstream `NotificationHeader`). */
export const NotificationHeader = 'Gotk-Component';

function forwarder(settings: ProviderSettings, hmacKey: string | undefined): ReturnType<NotifierFactory> {
  parseAddress(settings.address, 'hook');
  return {
    async post(event, signal) {
      const body = goEventJSON(event);
      // Upstream sets Gotk-Component, then the secret headers over it, then the signature over both.
      const headers: Record<string, string> =
        hmacKey === undefined
          ? {}
          : { 'X-Signature': `sha256=${createHmac('sha256', hmacKey).update(body).digest('hex')}` };
      await send(settings, {
        url: settings.address,
        body,
        baseHeaders: { [NotificationHeader]: event.reportingController },
        headers,
        signal,
      });
    },
  };
}

/** `generic`: the event JSON as is, with the `Gotk-Component` header and the secret's headers. */
export const genericNotifier: NotifierFactory = (settings) => forwarder(settings, undefined);

/** `generic-hmac`: as `generic`, plus `X-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed by token>`. */
export const genericHmacNotifier: NotifierFactory = (settings) => {
  if (settings.token === '') throw new NotifierError('HMAC key is empty');
  return forwarder(settings, settings.token);
};
