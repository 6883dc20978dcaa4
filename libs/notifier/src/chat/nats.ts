import type * as NatsModule from '@nats-io/transport-node';
import type { Authenticator } from '@nats-io/transport-node';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory, ProviderSettings } from '../types.ts';
import { goEventJSON } from './go-json.ts';

// Lazily-resolved module promise (the one module-level state): the NATS client loads on the first publish only.
let nats: Promise<typeof NatsModule> | undefined;
const loadNats = (): Promise<typeof NatsModule> => (nats ??= import('@nats-io/transport-node'));

/** Publishes one payload to a subject: the NATS connection, injectable for tests. */
export type NatsPublish = (subject: string, payload: Uint8Array, signal: AbortSignal) => Promise<void>;

/** Connection settings of {@link natsPublisher}. */
export interface NatsConnectSettings {
  /** `nats://host:port` (a list separated by commas is accepted, as nats.go does). */
  server: string;
  /** The Secret's credentials, turned into an authenticator by {@link natsAuthenticator} on the first publish. */
  auth: Pick<ProviderSettings, 'username' | 'password' | 'secretData'>;
  timeoutMs: number;
}

/**
 * The Secret's authentication, by upstream's priority: a `creds` file (JWT + NKey), an `nkey` seed, user/password
 * (the NATS client is imported on first use; the authenticators parse their input when the connection asks).
 */
export async function natsAuthenticator(
  s: Pick<ProviderSettings, 'username' | 'password' | 'secretData'>,
): Promise<Authenticator | undefined> {
  const { credsAuthenticator, nkeyAuthenticator, usernamePasswordAuthenticator } = await loadNats();
  const creds = s.secretData?.creds;
  const nkey = s.secretData?.nkey;
  if (creds) return credsAuthenticator(new TextEncoder().encode(creds));
  if (nkey) return nkeyAuthenticator(new TextEncoder().encode(nkey.trim()));
  if (s.username && s.password) return usernamePasswordAuthenticator(s.username, s.password);
  return undefined;
}

/** A message of a failure, with the server address and secrets taken out. */
function scrub(err: unknown, secrets: string[]): string {
  let msg = err instanceof Error ? err.message : String(err);
  for (const s of secrets) if (s) msg = msg.replaceAll(s, '***');
  return msg;
}

/** The real {@link NatsPublish}: connect, publish, flush, close (one connection per event, as upstream). */
export function natsPublisher(c: NatsConnectSettings): NatsPublish {
  return async (subject, payload, signal) => {
    const secrets = [c.server];
    for (const server of c.server.split(',')) {
      try {
        const u = new URL(server.trim());
        secrets.push(decodeURIComponent(u.password));
      } catch {
        // not a URL (a bare host:port): nothing more to hide
      }
    }
    const { connect } = await loadNats();
    const authenticator = await natsAuthenticator(c.auth);
    let nc;
    try {
      nc = await connect({
        servers: c.server.split(',').map((s) => s.trim()),
        name: 'NATS Provider Publisher',
        authenticator,
        timeout: c.timeoutMs,
        reconnect: false,
      });
    } catch (err) {
      throw new NotifierError(`error connecting to server: ${scrub(err, secrets)}`, { cause: err });
    }
    const onAbort = () => void nc.close(); // closing rejects the pending flush, which reports the abort
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      nc.publish(subject, payload);
      await nc.flush();
    } catch (err) {
      throw new NotifierError(`error publishing message to server: ${scrub(err, secrets)}`, { cause: err });
    } finally {
      signal.removeEventListener('abort', onAbort);
      await nc.close();
    }
  };
}

/** Builds the `nats` notifier on a given {@link NatsPublish} (tests inject one). */
export function newNatsNotifier(s: ProviderSettings, publish?: NatsPublish): Notifier {
  if (!s.address) throw new NotifierError('NATS server (address) cannot be empty');
  if (!s.channel) throw new NotifierError('NATS subject (channel) cannot be empty');
  const subject = s.channel;
  const send = publish ?? natsPublisher({ server: s.address, auth: s, timeoutMs: s.timeoutMs || 15_000 });
  return {
    async post(event, signal) {
      const payload = new TextEncoder().encode(goEventJSON(event));
      try {
        await send(subject, payload, signal);
      } catch (err) {
        throw new NotifierError(`error publishing event to subject ${subject}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
  };
}

/** `nats`: the event JSON published to subject `channel` on server `address`. */
export const natsNotifier: NotifierFactory = (s) => newNatsNotifier(s);
