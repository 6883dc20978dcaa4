/**
 * The client options of a HelmRepository (source-controller `internal/helm/getter/client_opts.go`): basic auth and
 * TLS from `spec.secretRef` (TLS there is deprecated, and also read from the legacy `certFile`/`keyFile`/`caFile`
 * keys), TLS from `spec.certSecretRef` (which wins), `passCredentials`, `insecure`, `timeout`, and for `type: oci`
 * the registry credentials (`username`/`password` or a `.dockerconfigjson` Secret).
 */
import { HelmRepositoryDefaultTimeout } from '@flux-ts/api';
import type { HelmRepository } from '@flux-ts/api';
import { parseGoDuration } from '@flux-ts/runtime';

/** Secret data, decoded. */
export type SecretData = Record<string, Uint8Array>;

/** Reads a Secret of the object's namespace (throws when it cannot be read). */
export type SecretLoader = (name: string) => Promise<SecretData>;

/** TLS material for a client. */
export interface TlsMaterial {
  ca?: Uint8Array;
  cert?: Uint8Array;
  key?: Uint8Array;
}

/** Registry credentials for `type: oci`. */
export interface OciCredentials {
  username?: string;
  password?: string;
}

/** What a chart repository client needs, as derived from a HelmRepository. */
export interface HelmClientOptions {
  url: string;
  username?: string;
  password?: string;
  passCredentials: boolean;
  tls?: TlsMaterial;
  /** TLS came from `spec.secretRef` (deprecated; logged, as upstream does). */
  deprecatedTls: boolean;
  /** `spec.insecure` (OCI only: plain HTTP registries). */
  insecure: boolean;
  timeoutMs: number;
  /** `.dockerconfigjson` of the auth Secret, when it is one (OCI). */
  dockerConfigJson?: Uint8Array;
  /** Every secret value, to strip from messages. */
  secrets: string[];
}

/** An error in the client configuration (AuthenticationFailed). */
export class ClientOptionsError extends Error {}

const text = (v: Uint8Array | undefined): string | undefined =>
  v === undefined ? undefined : Buffer.from(v).toString('utf8');

/** TLS material of a Secret: `tls.crt`/`tls.key`/`ca.crt`, else the legacy `certFile`/`keyFile`/`caFile`. */
export function tlsFromSecret(data: SecretData, what: string): TlsMaterial | undefined {
  const cert = data['tls.crt'] ?? data['certFile'];
  const key = data['tls.key'] ?? data['keyFile'];
  const ca = data['ca.crt'] ?? data['caFile'];
  if ((cert === undefined) !== (key === undefined)) {
    throw new ClientOptionsError(
      `${what}: found one of ${cert === undefined ? "'tls.key'" : "'tls.crt'"} but missing the other: both are needed for client certificate authentication`,
    );
  }
  if (!cert && !ca) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

/** The timeout of a HelmRepository (`spec.timeout`, default 60s). */
export function repositoryTimeoutMs(repo: Pick<HelmRepository, 'spec'>): number {
  return parseGoDuration(repo.spec.timeout ?? HelmRepositoryDefaultTimeout);
}

/** Builds the client options of a HelmRepository; secret read failures and malformed Secrets throw. */
export async function clientOptionsFor(
  repo: Pick<HelmRepository, 'spec' | 'metadata'>,
  url: string,
  loadSecret: SecretLoader,
): Promise<HelmClientOptions> {
  const ns = repo.metadata.namespace ?? '';
  const opts: HelmClientOptions = {
    url,
    passCredentials: repo.spec.passCredentials ?? false,
    deprecatedTls: false,
    insecure: repo.spec.insecure ?? false,
    timeoutMs: repositoryTimeoutMs(repo),
    secrets: [],
  };
  const remember = (data: SecretData): void => {
    for (const v of Object.values(data)) {
      const s = Buffer.from(v).toString('utf8');
      if (s.length >= 4) opts.secrets.push(s);
    }
  };
  const certRef = repo.spec.certSecretRef?.name;
  if (certRef) {
    let data: SecretData;
    try {
      data = await loadSecret(certRef);
    } catch (err) {
      throw new ClientOptionsError(
        `failed to get TLS authentication secret '${ns}/${certRef}': ${(err as Error).message}`,
        { cause: err },
      );
    }
    remember(data);
    try {
      const tls = tlsFromSecret(data, `secret '${ns}/${certRef}'`);
      if (tls) opts.tls = tls;
    } catch (err) {
      throw new ClientOptionsError(`failed to construct Helm client's TLS config: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const authRef = repo.spec.secretRef?.name;
  if (authRef) {
    let data: SecretData;
    try {
      data = await loadSecret(authRef);
    } catch (err) {
      throw new ClientOptionsError(
        `failed to get authentication secret '${ns}/${authRef}': ${(err as Error).message}`,
        { cause: err },
      );
    }
    remember(data);
    const username = text(data['username']);
    const password = text(data['password']);
    if ((username === undefined) !== (password === undefined) && data['.dockerconfigjson'] === undefined) {
      throw new ClientOptionsError(
        `failed to detect authentication methods: secret '${ns}/${authRef}': malformed basic auth - has '${username === undefined ? 'password' : 'username'}' but missing '${username === undefined ? 'username' : 'password'}'`,
      );
    }
    if (username !== undefined && password !== undefined) {
      opts.username = username;
      opts.password = password;
    }
    const docker = data['.dockerconfigjson'];
    if (docker) opts.dockerConfigJson = docker;
    if (!opts.tls) {
      let tls: TlsMaterial | undefined;
      try {
        tls = tlsFromSecret(data, `secret '${ns}/${authRef}'`);
      } catch (err) {
        throw new ClientOptionsError(`failed to detect authentication methods: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (tls) {
        opts.tls = tls;
        opts.deprecatedTls = true;
      }
    }
  }
  return opts;
}

/** Replaces every secret value in `message` (credentials never reach a condition, event or log). */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
