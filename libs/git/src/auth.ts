import { InvalidInputError } from './errors.ts';

/** Credentials for a git remote, read from a Flux `secretRef` Secret. */
export interface GitAuth {
  /** HTTP basic auth user (with `password`). */
  username?: string;
  /** HTTP basic auth password; for SSH the passphrase of `identity`. */
  password?: string;
  /** HTTP `Authorization: Bearer` token. */
  bearerToken?: string;
  /** PEM CA bundle for HTTPS (`ca.crt`, or the deprecated `caFile`). */
  caCert?: string;
  /** PEM client certificate and key for HTTPS mutual TLS (`tls.crt` / `tls.key`). */
  tlsCert?: string;
  tlsKey?: string;
  /** SSH private key (`identity`). */
  identity?: string;
  /** SSH known_hosts content (`known_hosts`). */
  knownHosts?: string;
}

/** Secret data values: already-decoded bytes or strings. */
export type SecretData = Readonly<Record<string, string | Uint8Array>>;

/** Decodes a Kubernetes Secret's base64 `data` map into bytes for {@link authFromSecret}. */
export function decodeSecretData(data: Readonly<Record<string, string>>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(data)) out[k] = Buffer.from(v, 'base64');
  return out;
}

function text(v: string | Uint8Array | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

/**
 * Reads git credentials from a Secret's (decoded) data, with Flux's keys: `username`/`password`, `bearerToken`,
 * `ca.crt` (or `caFile`), `tls.crt`+`tls.key`, SSH `identity`+`known_hosts` (+`password` as passphrase).
 * Throws {@link InvalidInputError} for incomplete pairs; values never appear in messages.
 */
export function authFromSecret(data: SecretData): GitAuth {
  const auth: GitAuth = {};
  const set = <K extends keyof GitAuth>(k: K, v: string | undefined): void => {
    if (v !== undefined && v !== '') auth[k] = v;
  };
  set('username', text(data['username']));
  set('password', text(data['password']));
  set('bearerToken', text(data['bearerToken']));
  set('caCert', text(data['ca.crt']) ?? text(data['caFile']));
  set('tlsCert', text(data['tls.crt']));
  set('tlsKey', text(data['tls.key']));
  set('identity', text(data['identity']));
  set('knownHosts', text(data['known_hosts']));
  if ((auth.tlsCert === undefined) !== (auth.tlsKey === undefined))
    throw new InvalidInputError("invalid secret: 'tls.crt' and 'tls.key' must be set together");
  if (auth.identity !== undefined && auth.knownHosts === undefined)
    throw new InvalidInputError("invalid secret: 'identity' requires 'known_hosts'");
  return auth;
}

/** Every secret value of `auth`, for redaction. */
export function secretValues(auth: GitAuth | undefined): string[] {
  if (!auth) return [];
  return [auth.password, auth.bearerToken, auth.identity, auth.tlsKey].filter((v): v is string => !!v);
}

/** A proxy from a `proxySecretRef` Secret: `address` (http, https or socks5 URL), optional `username`/`password`. */
export interface GitProxy {
  address: string;
  username?: string;
  password?: string;
}

/** Reads a `proxySecretRef` Secret's (decoded) data; throws {@link InvalidInputError} without `address`. */
export function proxyFromSecret(data: SecretData): GitProxy {
  const address = text(data['address']);
  if (!address) throw new InvalidInputError("invalid proxy secret: 'address' is required");
  const username = text(data['username']);
  const password = text(data['password']);
  return { address, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}
