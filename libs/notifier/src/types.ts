import type { ProviderType } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';

/** TLS material of a Provider's `certSecretRef` (`ca.crt`, `tls.crt`, `tls.key`), PEM. */
export interface ProviderTLS {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * Everything a notifier needs, resolved by notification-controller from a Provider, its Secrets and the Alert:
 * the secret's `address` already overrides `spec.address`, and so on, as upstream `createNotifier` does.
 */
export interface ProviderSettings {
  type: ProviderType;
  /** Webhook URL, API base, project, server: the meaning depends on the type. A secret: never log it. */
  address: string;
  channel: string;
  username: string;
  /** Secret `token` (bot token, API key, PAT, routing key, ...). */
  token: string;
  /** Secret `password` (basic auth with `username`). */
  password: string;
  /** Secret `headers` (a YAML map), added to each request where the type sends HTTP. */
  headers: Record<string, string>;
  /** The Secret's other keys, for types that read more (nats: `creds`, `nkey`). Secrets: never log them. */
  secretData?: Readonly<Record<string, string>>;
  /** Proxy URL (`proxySecretRef` or the deprecated `proxy`). */
  proxy?: string;
  tls?: ProviderTLS;
  /** Send timeout in ms (`spec.timeout`, default 15 s). */
  timeoutMs: number;
  /** `spec.commitStatusExpr` (CEL; commit-status types only). */
  commitStatusExpr?: string;
  /** The Provider; `object` (the whole Provider as read) is `commitStatusExpr`'s `provider` when set. */
  provider: { name: string; namespace: string; uid: string; object?: Record<string, unknown> };
  /** The Alert that matched (for `commitStatusExpr`'s `alert` and otel's trace id); `object` as for `provider`. */
  alert?: { name: string; namespace: string; uid: string; object?: Record<string, unknown> };
  /** API base URL of a type whose API host is fixed (bitbucket: `https://api.bitbucket.org/2.0`); tests only. */
  apiBaseURL?: string;
}

/** One provider type's sender. `post` throws a {@link NotifierError} (no secret in its message) on failure. */
export interface Notifier {
  post(event: FluxEvent, signal: AbortSignal): Promise<void>;
}

/** Builds a {@link Notifier}; throws a {@link NotifierError} for a configuration the type cannot use. */
export type NotifierFactory = (settings: ProviderSettings, deps: NotifierDeps) => Notifier;

/** Injected I/O of the notifiers (tests pass loopback sinks through the same HTTP path). */
export interface NotifierDeps {
  /** The clock for payload timestamps. */
  now: () => Date;
}

/** A notifier failure; its message never carries the address, token or password. */
export class NotifierError extends Error {
  override name = 'NotifierError';
}
