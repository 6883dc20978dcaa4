/**
 * From a Provider and its Secrets to the {@link ProviderSettings} of @flux-ts/notifier, as upstream
 * `createNotifier` (internal/server/event_handlers.go) builds its notifier options: `spec.address`, then the
 * `secretRef` Secret's `address` (at most 2048 bytes, trimmed), `proxy` (deprecated), `headers` (a YAML map), `token`
 * and `username` + `password` (basic auth, both or neither); `proxySecretRef` (`address`, optional `username` and
 * `password` in the URL); TLS from `certSecretRef` (or, for the commit-status types, from the `secretRef` Secret when
 * it has `ca.crt`). No message here carries a secret value.
 */
import { CommitStatusProviderTypes, DefaultProviderTimeout } from '@flux-ts/api';
import type { Provider, ProviderType } from '@flux-ts/api';
import type { ProviderSettings, ProviderTLS } from '@flux-ts/notifier';
import { parseGoDuration } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { parse as parseYaml } from 'yaml';

/** A Secret as the API returns it. */
export type SecretObject = KubeObject & { type?: string; data?: Record<string, string> };

/** Reads a Secret (the API client: Secrets are not cached unless `CacheSecretsAndConfigMaps`). */
export type SecretReader = (namespace: string, name: string, signal?: AbortSignal) => Promise<SecretObject>;

/** Longest address a Provider Secret may hold (the CRD's `spec.address` maxLength). */
const MaxAddressLength = 2048;

/** The Provider fields this module reads, as stored (the deprecated `spec.proxy` included). */
export type ProviderObject = Provider & { metadata: { uid?: string } };

/** Whether a provider type sets Git commit statuses (upstream `isCommitStatusProvider`). */
export function isCommitStatusProvider(type: string): boolean {
  return (CommitStatusProviderTypes as readonly string[]).includes(type);
}

function decode(secret: SecretObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  return out;
}

async function getSecret(read: SecretReader, namespace: string, name: string, signal?: AbortSignal) {
  try {
    return await read(namespace, name, signal);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`failed to get secret '${namespace}/${name}': ${reason}`, { cause: err });
  }
}

function parseHeaders(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new Error(`failed to read headers from secret: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('failed to read headers from secret: error unmarshaling JSON: not a map of strings');
  }
  const headers: [string, string][] = [];
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== 'string') {
      throw new Error(
        `failed to read headers from secret: error unmarshaling JSON: the value of header '${k}' is not a string`,
      );
    }
    headers.push([k, v]);
  }
  return Object.fromEntries(headers);
}

function proxyFromSecret(secret: SecretObject): string {
  const data = decode(secret);
  const ref = `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`;
  const address = data.get('address')?.trim();
  if (!address) throw new Error(`secret '${ref}': key 'address' not found`);
  let url: URL;
  try {
    url = new URL(address);
  } catch (err) {
    throw new Error(`secret '${ref}': invalid proxy URL in key 'address'`, { cause: err });
  }
  const username = data.get('username');
  const password = data.get('password');
  if (username !== undefined) {
    url.username = username;
    if (password !== undefined) url.password = password;
  }
  return url.toString();
}

function tlsFromSecret(secret: SecretObject): ProviderTLS {
  const data = decode(secret);
  const ref = `${secret.metadata.namespace ?? ''}/${secret.metadata.name}`;
  const ca = data.get('ca.crt') ?? data.get('caFile');
  const cert = data.get('tls.crt') ?? data.get('certFile');
  const key = data.get('tls.key') ?? data.get('keyFile');
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(`secret '${ref}' must contain both 'tls.crt' and 'tls.key'`);
  }
  if (ca === undefined && cert === undefined) {
    throw new Error(`secret '${ref}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'`);
  }
  return { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert, key } : {}) };
}

/** Inputs of {@link resolveProviderSettings}. */
export interface ResolveProviderOptions {
  provider: ProviderObject;
  alert?: { name: string; namespace: string; uid: string };
  readSecret: SecretReader;
  /** The `ObjectLevelWorkloadIdentity` feature gate (`spec.serviceAccountName` needs it). */
  objectLevelWorkloadIdentity?: boolean;
  signal?: AbortSignal;
}

/** What {@link resolveProviderSettings} returns: the settings and the secret values to mask in error messages. */
export interface ResolvedProvider {
  settings: ProviderSettings;
  /** Values that must never appear in a log or event (token, password, address, proxy, header values). */
  secrets: string[];
}

/** Resolves a Provider and its Secrets to notifier settings; see the module comment. */
export async function resolveProviderSettings(opts: ResolveProviderOptions): Promise<ResolvedProvider> {
  const { provider, readSecret, signal } = opts;
  const spec = provider.spec;
  const namespace = provider.metadata.namespace ?? '';
  if (spec.serviceAccountName && !opts.objectLevelWorkloadIdentity) {
    throw new Error(
      'to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller',
    );
  }
  let address = spec.address ?? '';
  let token = '';
  let password = '';
  let username = spec.username ?? '';
  let headers: Record<string, string> = {};
  let proxy = spec.proxy ?? '';
  let tls: ProviderTLS | undefined;
  let providerSecret: SecretObject | undefined;

  if (spec.secretRef) {
    providerSecret = await getSecret(readSecret, namespace, spec.secretRef.name, signal);
    const data = decode(providerSecret);
    const secretAddress = data.get('address');
    if (secretAddress !== undefined && Buffer.byteLength(secretAddress) > MaxAddressLength) {
      throw new Error(
        `invalid address in secret: address exceeds maximum length of ${MaxAddressLength.toString()} bytes`,
      );
    }
    const deprecatedProxy = data.get('proxy');
    if (deprecatedProxy !== undefined) {
      try {
        new URL(deprecatedProxy.trim());
      } catch (err) {
        throw new Error(`invalid 'proxy' in secret '${namespace}/${spec.secretRef.name}'`, { cause: err });
      }
      proxy = deprecatedProxy.trim();
    }
    const headerText = data.get('headers');
    if (headerText !== undefined) headers = parseHeaders(headerText);
    const secretToken = data.get('token');
    if (secretToken !== undefined) token = secretToken.trim();
    const secretUser = data.get('username');
    const secretPassword = data.get('password');
    // fluxcd/pkg AuthMethodsFromSecret: basic auth needs both keys
    if (secretUser !== undefined && secretPassword !== undefined) {
      username = secretUser;
      password = secretPassword;
    }
    if (secretAddress !== undefined) address = secretAddress.trim();
  }

  if (spec.proxySecretRef) {
    const proxySecret = await getSecret(readSecret, namespace, spec.proxySecretRef.name, signal);
    try {
      proxy = proxyFromSecret(proxySecret);
    } catch (err) {
      throw new Error(`failed to get proxy URL: ${(err as Error).message}`, { cause: err });
    }
  }

  if (spec.certSecretRef) {
    const certSecret = await getSecret(readSecret, namespace, spec.certSecretRef.name, signal);
    try {
      tls = tlsFromSecret(certSecret);
    } catch (err) {
      throw new Error(`failed to get TLS config: ${(err as Error).message}`, { cause: err });
    }
  } else if (providerSecret && isCommitStatusProvider(spec.type) && decode(providerSecret).has('ca.crt')) {
    tls = tlsFromSecret(providerSecret);
  }

  let timeoutMs: number;
  try {
    timeoutMs = parseGoDuration(spec.timeout ?? DefaultProviderTimeout);
  } catch {
    timeoutMs = parseGoDuration(DefaultProviderTimeout);
  }

  const settings: ProviderSettings = {
    type: spec.type as ProviderType,
    address,
    channel: spec.channel ?? '',
    username,
    token,
    password,
    headers,
    ...(proxy !== '' ? { proxy } : {}),
    ...(tls ? { tls } : {}),
    timeoutMs,
    ...(spec.commitStatusExpr ? { commitStatusExpr: spec.commitStatusExpr } : {}),
    provider: { name: provider.metadata.name, namespace, uid: provider.metadata.uid ?? '' },
    ...(opts.alert ? { alert: opts.alert } : {}),
  };
  const secrets = [token, password, address, proxy, ...Object.values(headers)].filter((s) => s.length >= 4);
  return { settings, secrets };
}

/** Replaces every secret value in a message with `*****` (upstream masktoken), longest first. */
export function maskSecrets(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s !== '') out = out.split(s).join('*****');
  }
  return out;
}
