import type { FluxEvent } from '@flux-ts/runtime';
import type { NotifierFactory } from '../types.ts';
import { isError, objectName, sortedMetadata } from './format.ts';
import { parseAddress, send } from './post.ts';

/** The Adaptive Card schema version: Microsoft Teams renders up to 1.4. */
export const msAdaptiveCardVersion = '1.4';

/** The legacy Office 365 connector's MessageCard (upstream `MSTeamsPayload`). */
export function msTeamsConnectorPayload(event: FluxEvent): Record<string, unknown> {
  const objName = objectName(event);
  return {
    '@type': 'MessageCard',
    '@context': 'http://schema.org/extensions',
    themeColor: isError(event) ? 'FF0000' : '0076D7',
    summary: objName,
    sections: [
      {
        activityTitle: event.message,
        activitySubtitle: objName,
        facts: sortedMetadata(event).map(([name, value]) => ({ name, value })),
      },
    ],
  };
}

/** The Workflow webhook's Adaptive Card: title, message (red for errors), `summary` fact first, then sorted. */
export function msTeamsAdaptiveCardPayload(event: FluxEvent): Record<string, unknown> {
  const summaryKey = 'summary';
  const meta = sortedMetadata(event);
  const facts = [...meta.filter(([k]) => k === summaryKey), ...meta.filter(([k]) => k !== summaryKey)].map(
    ([title, value]) => ({ title, value }),
  );
  // Go's omitempty drops an empty text and an empty fact set.
  const message: Record<string, unknown> = { type: 'TextBlock' };
  if (event.message) message['text'] = event.message;
  if (isError(event)) message['color'] = 'attention';
  message['wrap'] = true;
  const factSet: Record<string, unknown> = { type: 'FactSet' };
  if (facts.length > 0) factSet['facts'] = facts;
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: msAdaptiveCardVersion,
          body: [
            {
              type: 'Container',
              items: [
                { type: 'TextBlock', text: objectName(event), size: 'large', weight: 'bolder', wrap: true },
                message,
                factSet,
              ],
            },
          ],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/**
 * `msteams`: an Adaptive Card to a Teams Workflow webhook, or a MessageCard to the deprecated Office 365
 * connector when the address host ends with `.webhook.office.com`.
 */
export const msteamsNotifier: NotifierFactory = (settings) => {
  const url = parseAddress(settings.address, 'MS Teams webhook');
  const legacy = url.hostname.endsWith('.webhook.office.com');
  return {
    async post(event, signal) {
      const body = legacy ? msTeamsConnectorPayload(event) : msTeamsAdaptiveCardPayload(event);
      await send(settings, { url: settings.address, body, signal });
    },
  };
};
