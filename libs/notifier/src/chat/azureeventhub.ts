import type * as EventHubs from '@azure/event-hubs';
import type { EventHubClientOptions, EventHubProducerClient, TokenCredential } from '@azure/event-hubs';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory, ProviderSettings } from '../types.ts';
import { goEventJSON } from './go-json.ts';
import { isCommitStatusUpdate } from './incident-shared.ts';

// Lazily-resolved module promise (the one module-level state): the SDK costs ~22 MiB of RSS, paid on first send only.
let eventHubs: Promise<typeof EventHubs> | undefined;

/** Sends one event body to the hub: the Event Hubs producer, injectable for tests. */
export type EventHubSend = (body: Buffer, signal: AbortSignal) => Promise<void>;

/** How the Provider reaches its hub: a SAS connection string, or a hub name, a namespace and a JWT. */
export type EventHubTarget =
  | { kind: 'sas'; connectionString: string }
  | { kind: 'jwt'; eventHubName: string; fullyQualifiedNamespace: string; token: string };

/** Upstream `isSASAuth`: a connection string carries `SharedAccessKey`. */
export function isSASAuth(address: string): boolean {
  return address.includes('SharedAccessKey');
}

/** Upstream `ensureFullyQualifiedNamespace`: `<namespace>.servicebus.windows.net` unless already qualified. */
export function ensureFullyQualifiedNamespace(namespace: string): string {
  return namespace.includes('.servicebus.') ? namespace : `${namespace}.servicebus.windows.net`;
}

/**
 * Upstream `validateAuthOptions` and the choice between SAS and JWT. The address is a SAS connection string
 * (with `EntityPath`), or the hub name with the namespace in `channel` and a JWT in `token`. Workload identity
 * (`serviceAccountName`) is not available in flux-ts: a hub without SAS needs the token.
 */
export function eventHubTarget(s: Pick<ProviderSettings, 'address' | 'token' | 'channel'>): EventHubTarget {
  if (!s.address) throw new NotifierError('invalid authentication options: endpoint URL cannot be empty');
  if (isSASAuth(s.address)) {
    if (s.token)
      throw new NotifierError(
        'invalid authentication options: jwt token and SAS authentication cannot be set at the same time',
      );
    return { kind: 'sas', connectionString: s.address };
  }
  if (!s.token)
    throw new NotifierError(
      'failed to create a eventhub using managed identity: workload identity is not supported, set a SAS connection string or a token',
    );
  return {
    kind: 'jwt',
    eventHubName: s.address,
    fullyQualifiedNamespace: ensureFullyQualifiedNamespace(s.channel),
    token: s.token,
  };
}

/** Upstream `PureJWT`: the static token as an Azure credential (the Provider renews it, not the notifier). */
export function staticTokenCredential(jwt: string): TokenCredential {
  return { getToken: () => Promise.resolve({ token: jwt, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/**
 * The real {@link EventHubSend}: a producer per event (upstream closes it after each send), one batch of one event.
 * Construction errors are re-raised without their text: the SDK quotes the connection string in them.
 */
export function eventHubSender(target: EventHubTarget, options: EventHubClientOptions = {}): EventHubSend {
  return async (body, signal) => {
    const { EventHubProducerClient } = await (eventHubs ??= import('@azure/event-hubs'));
    let client: EventHubProducerClient;
    try {
      client =
        target.kind === 'sas'
          ? new EventHubProducerClient(target.connectionString, options)
          : new EventHubProducerClient(
              target.fullyQualifiedNamespace,
              target.eventHubName,
              staticTokenCredential(target.token),
              options,
            );
    } catch {
      throw new NotifierError(
        `failed to create a eventhub using ${target.kind === 'sas' ? 'SAS' : 'authentication token'}`,
      );
    }
    try {
      let batch;
      try {
        batch = await client.createBatch({ abortSignal: signal });
      } catch (err) {
        throw new NotifierError(`failed to create event data batch: ${(err as Error).message}`, { cause: err });
      }
      if (!batch.tryAdd({ body })) throw new NotifierError('failed to add event data to batch: event too large');
      try {
        await client.sendBatch(batch, { abortSignal: signal });
      } catch (err) {
        throw new NotifierError(`failed to send msg: ${(err as Error).message}`, { cause: err });
      }
    } finally {
      await client.close().catch(() => undefined); // a failed close must not hide the send's outcome
    }
  };
}

/** Builds the `azureeventhub` notifier on a given {@link EventHubSend} (tests inject one). */
export function newAzureEventHubNotifier(s: ProviderSettings, send?: EventHubSend): Notifier {
  const target = eventHubTarget(s);
  const sender = send ?? eventHubSender(target);
  return {
    async post(event, signal) {
      if (isCommitStatusUpdate(event)) return;
      await sender(Buffer.from(goEventJSON(event)), signal);
    },
  };
}

/** `azureeventhub`: the event JSON sent to an Azure Event Hub (SAS connection string, or hub + namespace + JWT). */
export const azureeventhubNotifier: NotifierFactory = (s) => newAzureEventHubNotifier(s);
