import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import { NotifierError } from '../types.ts';
import { expectNoSecret, rejection, settingsFor, signal, startTunnel, testEvent } from './fixtures.spec-helper.ts';
import { msTeamsConnectorPayload } from './msteams.ts';

describe('msteams', () => {
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
  });
  afterEach(() => sink.close());

  it('posts an Adaptive Card to a Workflow webhook, summary first, then sorted facts', async () => {
    await createNotifier(settingsFor('msteams', { address: `${sink.url}/workflows/zzz/triggers/manual` })).post(
      testEvent({ severity: 'error', metadata: { test: 'metadata', summary: 'prod', env: 'eu' } }),
      signal(),
    );
    const [r] = sink.requests;
    expect(r!.url).toBe('/workflows/zzz/triggers/manual');
    expect(r!.body).toBe(
      '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{' +
        '"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",' +
        '"body":[{"type":"Container","items":[' +
        '{"type":"TextBlock","text":"gitrepository/webapp.gitops-system","size":"large","weight":"bolder","wrap":true},' +
        '{"type":"TextBlock","text":"message","color":"attention","wrap":true},' +
        '{"type":"FactSet","facts":[{"title":"summary","value":"prod"},{"title":"env","value":"eu"},' +
        '{"title":"test","value":"metadata"}]}]}],"msteams":{"width":"Full"}}}]}',
    );
  });

  it('leaves info messages uncoloured and an empty fact set out', async () => {
    await createNotifier(settingsFor('msteams', { address: sink.url })).post(testEvent({ metadata: {} }), signal());
    const items = (sink.requests[0]!.json as { attachments: { content: { body: { items: unknown[] }[] } }[] })
      .attachments[0]!.content.body[0]!.items;
    expect(items[1]).toEqual({ type: 'TextBlock', text: 'message', wrap: true });
    expect(items[2]).toEqual({ type: 'FactSet' });
  });

  it('builds the legacy MessageCard for the Office 365 connector', () => {
    expect(msTeamsConnectorPayload(testEvent())).toEqual({
      '@type': 'MessageCard',
      '@context': 'http://schema.org/extensions',
      themeColor: '0076D7',
      summary: 'gitrepository/webapp.gitops-system',
      sections: [
        {
          activityTitle: 'message',
          activitySubtitle: 'gitrepository/webapp.gitops-system',
          facts: [{ name: 'test', value: 'metadata' }],
        },
      ],
    });
    expect(msTeamsConnectorPayload(testEvent({ severity: 'error' }))['themeColor']).toBe('FF0000');
  });

  it('sends the MessageCard when the host ends with .webhook.office.com (through a proxy)', async () => {
    const tunnel = await startTunnel(Number(new URL(sink.url).port));
    try {
      await createNotifier(
        settingsFor('msteams', { address: 'http://example.webhook.office.com:8080/webhookb2/x', proxy: tunnel.url }),
      ).post(testEvent(), signal());
    } finally {
      await tunnel.close();
    }
    expect(tunnel.targets).toEqual(['example.webhook.office.com:8080']);
    const [r] = sink.requests;
    expect(r!.url).toBe('/webhookb2/x');
    expect(r!.json).toMatchObject({ '@type': 'MessageCard', summary: 'gitrepository/webapp.gitops-system' });
  });

  it('keeps the webhook out of errors', async () => {
    sink.respond(400, 'Bad payload');
    const err = await rejection(
      createNotifier(settingsFor('msteams', { address: `${sink.url}/workflows/s3cr3t` })).post(testEvent(), signal()),
    );
    expect(err.message).toContain('status code 400');
    expectNoSecret(err, 's3cr3t');
    expect(() => createNotifier(settingsFor('msteams', { address: 'nope' }))).toThrow(
      new NotifierError('invalid MS Teams webhook URL'),
    );
  });
});
