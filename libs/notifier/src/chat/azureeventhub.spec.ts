import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rhea from 'rhea';
import type { EventContext, Sender } from 'rhea';
import { NotifierError } from '../types.ts';
import {
  ensureFullyQualifiedNamespace,
  eventHubSender,
  eventHubTarget,
  newAzureEventHubNotifier,
  staticTokenCredential,
} from './azureeventhub.ts';
import type { EventHubSend } from './azureeventhub.ts';
import { rejection, settings, signal, testEvent, thrown } from './incident-shared.spec-helper.ts';

const eventJSON =
  '{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp",' +
  '"apiVersion":"source.toolkit.fluxcd.io/v1"},"severity":"info","timestamp":"2020-01-01T00:00:00Z",' +
  '"message":"message","reason":"reason","metadata":{"test":"metadata"},"reportingController":"source-controller",' +
  '"reportingInstance":"source-controller-xyz"}';

describe('azureeventhub options (upstream validateAuthOptions)', () => {
  it('needs an address', () => {
    expect(thrown(() => eventHubTarget({ address: '', token: '', channel: '' })).message).toBe(
      'invalid authentication options: endpoint URL cannot be empty',
    );
  });

  it('takes a SAS connection string, and refuses a token beside it', () => {
    const cs = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=hub';
    expect(eventHubTarget({ address: cs, token: '', channel: '' })).toEqual({ kind: 'sas', connectionString: cs });
    const err = thrown(() => eventHubTarget({ address: cs, token: 'jwt', channel: '' }));
    expect(err.message).toBe(
      'invalid authentication options: jwt token and SAS authentication cannot be set at the same time',
    );
    expect(err.message).not.toContain('SharedAccessKey=v');
  });

  it('takes a hub name, a namespace and a JWT', () => {
    expect(eventHubTarget({ address: 'hub', token: 'jwt', channel: 'my-ns' })).toEqual({
      kind: 'jwt',
      eventHubName: 'hub',
      fullyQualifiedNamespace: 'my-ns.servicebus.windows.net',
      token: 'jwt',
    });
    expect(ensureFullyQualifiedNamespace('ns.servicebus.chinacloudapi.cn')).toBe('ns.servicebus.chinacloudapi.cn');
    expect(thrown(() => eventHubTarget({ address: 'hub', token: '', channel: 'ns' }))).toBeInstanceOf(NotifierError);
  });

  it('hands the static JWT to the SDK as a credential', async () => {
    await expect(staticTokenCredential('jwt').getToken('https://eventhubs.azure.net/.default')).resolves.toMatchObject({
      token: 'jwt',
    });
  });
});

describe('azureeventhub (injected producer)', () => {
  it('sends the event JSON and skips commit status updates', async () => {
    const bodies: string[] = [];
    const send: EventHubSend = (body) => {
      bodies.push(body.toString());
      return Promise.resolve();
    };
    const n = newAzureEventHubNotifier(
      settings('azureeventhub', { address: 'hub', channel: 'ns', token: 'jwt' }),
      send,
    );
    await n.post(testEvent(), signal());
    await n.post(testEvent({ metadata: { commit_status: 'update' } }), signal());
    expect(bodies).toEqual([eventJSON]);
  });
});

// No Event Hubs emulator installs here: a loopback AMQP 1.0 peer on rhea (the library under @azure/event-hubs)
// answers the CBS put-token and takes the batch, so the official client's connection and message are checked.
describe('azureeventhub with @azure/event-hubs against a loopback AMQP peer', { timeout: 30_000 }, () => {
  const tokens: { name: string; type: string }[] = [];
  const received: { address: string; body: string }[] = [];
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    const c = rhea.create_container({ id: 'loopback-eventhubs' });
    c.sasl_server_mechanisms.enable_anonymous();
    const replies = new Map<string, Sender>();
    c.on('sender_open', (ctx: EventContext) => {
      const source = ctx.sender?.source as { address?: string } | undefined;
      if (source?.address) replies.set(source.address, ctx.sender!);
    });
    c.on('message', (ctx: EventContext) => {
      const address = (ctx.receiver?.target as { address?: string } | undefined)?.address ?? '';
      const msg = ctx.message!;
      if (address === '$cbs') {
        const props = msg.application_properties as { name: string; type: string };
        tokens.push({ name: props.name, type: props.type });
        const denied = props.name.endsWith('/denied');
        replies.get('$cbs')!.send({
          to: msg.reply_to,
          correlation_id: msg.message_id,
          body: null,
          application_properties: denied
            ? { 'status-code': 401, 'status-description': 'InvalidSignature: the token has an invalid signature.' }
            : { 'status-code': 200, 'status-description': 'OK' },
        });
        return;
      }
      // A batch (message format 0x80013700) arrives as raw bytes: data sections, each an encoded message.
      const outer = rhea.message.decode(msg as unknown as Buffer);
      const inner = rhea.message.decode((outer.body as { content: Buffer }).content);
      received.push({ address, body: Buffer.from((inner.body as { content: Buffer }).content).toString() });
    });
    server = c.listen({ port: 0, host: '127.0.0.1' }) as unknown as Server;
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the event to the hub of a SAS connection string', async () => {
    const cs =
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;` +
      'SharedAccessKey=SAS_KEY_VALUE;EntityPath=flux-events;UseDevelopmentEmulator=true';
    await newAzureEventHubNotifier(settings('azureeventhub', { address: cs })).post(testEvent(), signal());
    expect(received).toEqual([{ address: 'flux-events', body: eventJSON }]);
    expect(tokens.at(-1)).toEqual({
      name: `sb://127.0.0.1:${port}/flux-events`,
      type: 'servicebus.windows.net:sastoken',
    });
  });

  it('fails on a refused token without the connection string in the error', async () => {
    const cs =
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=s3cr3t-key;EntityPath=denied;` +
      'UseDevelopmentEmulator=true';
    const s = settings('azureeventhub', { address: cs });
    // No retries: the SDK retries a refused token until the signal ends.
    const send = eventHubSender(eventHubTarget(s), { retryOptions: { maxRetries: 0 } });
    const err = await rejection(newAzureEventHubNotifier(s, send).post(testEvent(), signal()));
    expect(err).toBeInstanceOf(NotifierError);
    expect(err.message).toMatch(/^failed to create event data batch: /);
    expect(err.message).not.toContain('s3cr3t-key');
  });
});
