import type * as PubSubModule from '@google-cloud/pubsub';
import type { ClientConfig } from '@google-cloud/pubsub';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory, ProviderSettings } from '../types.ts';
import { goEventJSON } from './go-json.ts';

// Lazily-resolved module promise (the one module-level state): the SDK costs ~42 MiB of RSS, paid on first publish only.
let pubsub: Promise<typeof PubSubModule> | undefined;

/** Publishes one message; resolves with the server's message id. The Pub/Sub client, injectable for tests. */
export type PubSubPublish = (
  message: { data: Buffer; attributes?: Record<string, string> },
  signal: AbortSignal,
) => Promise<string>;

/** Client options beyond the Provider's: an emulator or loopback endpoint for tests (`apiEndpoint`, `emulatorMode`). */
export type GooglePubSubClientOptions = Pick<ClientConfig, 'apiEndpoint' | 'emulatorMode'>;

/**
 * The service account key JSON of the Secret's `token`, or undefined for Application Default Credentials
 * (workload identity). Its parse error is not kept: Node quotes the input in it.
 */
export function googleCredentials(token: string): Record<string, unknown> | undefined {
  if (!token) return undefined;
  try {
    return JSON.parse(token) as Record<string, unknown>;
  } catch {
    throw new NotifierError('invalid GCP credentials JSON in the Secret token');
  }
}

/**
 * The real {@link PubSubPublish}: a @google-cloud/pubsub client per message (upstream builds one per event and
 * closes it), publishing to topic `channel` of project `address`.
 */
export function googlePubSubPublisher(s: ProviderSettings, opts: GooglePubSubClientOptions = {}): PubSubPublish {
  const credentials = googleCredentials(s.token);
  return async (message, signal) => {
    const { PubSub } = await (pubsub ??= import('@google-cloud/pubsub'));
    const client = new PubSub({ projectId: s.address, ...(credentials ? { credentials } : {}), ...opts });
    let onAbort: (() => void) | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new NotifierError('publish was aborted'));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      return await Promise.race([client.topic(s.channel).publishMessage(message), aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      await client.close();
    }
  };
}

/** Builds the `googlepubsub` notifier on a given {@link PubSubPublish} (tests inject one). */
export function newGooglePubSubNotifier(s: ProviderSettings, publish?: PubSubPublish): Notifier {
  if (!s.address) throw new NotifierError('GCP project ID cannot be empty');
  if (!s.channel) throw new NotifierError('GCP Pub/Sub topic ID cannot be empty');
  const send = publish ?? googlePubSubPublisher(s);
  const topic = `projects/${s.address}/topics/${s.channel}`;
  // The Secret's headers become message attributes (upstream passes nil when there are none).
  const attributes = Object.keys(s.headers).length > 0 ? { ...s.headers } : undefined;
  return {
    async post(event, signal) {
      const data = Buffer.from(goEventJSON(event));
      try {
        await send(attributes ? { data, attributes } : { data }, signal);
      } catch (err) {
        throw new NotifierError(`error publishing to GCP Pub/Sub topic ${topic}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
  };
}

/** `googlepubsub`: the event JSON published to topic `channel` in project `address`; key JSON in `token`. */
export const googlepubsubNotifier: NotifierFactory = (s) => newGooglePubSubNotifier(s);
