/**
 * The remote cluster of a `spec.kubeConfig.configMapRef` (Kustomizations and HelmReleases), as fluxcd/pkg
 * `auth/utils.GetRESTConfig` reads it: the ConfigMap's keys `provider`, `cluster`, `address`, `ca.crt`, `audiences`
 * and `serviceAccountName` select a workload-identity provider that mints the credentials of the remote API server.
 * This build implements the `generic` provider (a Kubernetes ServiceAccount token from a TokenRequest on the
 * controller's cluster, sent as a bearer token to `address`); `aws`, `azure` and `gcp` are refused with
 * {@link UnsupportedKubeConfigProviderError}. Error texts are upstream's.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';
import { KubeConfig, asClientNodeKubeConfig } from '../config/kube-config.ts';
import type { User } from '../config/kube-config.ts';
import { parse } from 'yaml';
import { errMessage } from '../util/err-message.ts';
import type { KubeClient } from './client.ts';
import { isNotFound } from './errors.ts';
import type { KubeObject } from './types.ts';

/** The keys of a kubeConfig ConfigMap (fluxcd/pkg apis/meta `KubeConfigKey*`). */
export const KubeConfigConfigMapKeys = {
  Provider: 'provider',
  Cluster: 'cluster',
  Address: 'address',
  CACert: 'ca.crt',
  Audiences: 'audiences',
  ServiceAccountName: 'serviceAccountName',
} as const;

/** The providers upstream knows; only `generic` is implemented here. */
export const KubeConfigProviders = ['aws', 'azure', 'gcp', 'generic'] as const;

/** The feature gate object-level workload identity (a ServiceAccount named by the object) needs. */
export const ObjectLevelWorkloadIdentityGate = 'ObjectLevelWorkloadIdentity';

/** fluxcd/pkg auth `ErrInconsistentObjectLevelConfiguration`: a default service account flag without the gate. */
export const InconsistentObjectLevelConfigurationMessage = `cannot set default service accounts when the feature gate ${ObjectLevelWorkloadIdentityGate} is not enabled`;

/** A provider upstream implements and this build does not (`aws`, `azure`, `gcp`): a configuration to stall on. */
export class UnsupportedKubeConfigProviderError extends Error {
  readonly provider: string;
  constructor(provider: string) {
    super(
      `provider '${provider}' is not supported by this build of flux-ts: only the 'generic' provider (Kubernetes ServiceAccount tokens) is implemented`,
    );
    this.name = 'UnsupportedKubeConfigProviderError';
    this.provider = provider;
  }
}

/** Options of {@link kubeConfigFromConfigMap}. */
export interface KubeConfigConfigMapOptions {
  /** The `ObjectLevelWorkloadIdentity` feature gate. */
  objectLevelWorkloadIdentity?: boolean | undefined;
  /** `--default-kubeconfig-service-account`: the ServiceAccount when the ConfigMap names none. */
  defaultKubeConfigServiceAccount?: string | undefined;
  /** The controller's own ServiceAccount token file (controller-level identity when no ServiceAccount applies). */
  controllerTokenFile?: string | undefined;
  /** Clock in ms (token refresh); default `Date.now`. */
  now?: () => number;
}

/** A remote cluster reached with workload-identity tokens. */
export interface WorkloadIdentityKubeConfig {
  /** The kubeconfig: `address`, `ca.crt`, and a bearer token minted (and refreshed) per request as needed. */
  kubeConfig: ClientNodeKubeConfig;
  /** The ServiceAccount whose tokens are sent (`<namespace>/<name>`). */
  serviceAccount: string;
  /** The ConfigMap's resourceVersion (a cache key). */
  resourceVersion: string;
}

interface ConfigMapLike extends KubeObject {
  data?: Record<string, string>;
}

interface TokenRequestStatus {
  status?: { token?: string; expirationTimestamp?: string };
}

/** fluxcd/pkg auth `ParseClusterAddress`: `https://<lowercase(host)>:<port>`. */
export function parseClusterAddress(address: string): string {
  if (address === '') throw new Error('empty address');
  const withScheme = address.startsWith('http') ? address : `https://${address}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch (err) {
    throw new Error(`failed to parse Kubernetes API server address '${withScheme}': ${errMessage(err)}`, {
      cause: err,
    });
  }
  if (u.protocol !== 'https:')
    throw new Error(`the Kubernetes API server address '${withScheme}' must use https scheme`);
  // URL drops the default port: put it back, as Go's url.Host keeps what was written
  return `https://${u.hostname.toLowerCase()}:${u.port || '443'}`;
}

/** The `audiences` key: a YAML list of strings (upstream unmarshals it into `[]string`). */
function parseAudiences(text: string): string[] {
  let v: unknown;
  try {
    v = parse(text);
  } catch (err) {
    throw new Error(`failed to unmarshal audiences '${text}': ${errMessage(err)}`, { cause: err });
  }
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || v.some((a) => typeof a !== 'string')) {
    const got = Array.isArray(v) ? 'array' : typeof v;
    throw new Error(
      `failed to unmarshal audiences '${text}': error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${got} into Go value of type []string`,
    );
  }
  return v as string[];
}

/** Mints ServiceAccount tokens with TokenRequest and keeps one until 80% of its lifetime has passed. */
class ServiceAccountTokenSource {
  readonly #client: KubeClient;
  readonly #namespace: string;
  readonly #name: string;
  readonly #audiences: string[];
  readonly #now: () => number;
  readonly #what: string;
  #token: { value: string; refreshAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(
    client: KubeClient,
    namespace: string,
    name: string,
    audiences: string[],
    now: () => number,
    what: string,
  ) {
    this.#client = client;
    this.#namespace = namespace;
    this.#name = name;
    this.#audiences = audiences;
    this.#now = now;
    this.#what = what;
  }

  /** A valid token: the kept one, or a new one. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.#token !== undefined && this.#now() < this.#token.refreshAt) return this.#token.value;
    this.#pending ??= this.#mint(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #mint(signal?: AbortSignal): Promise<string> {
    const issuedAt = this.#now();
    let res: TokenRequestStatus;
    try {
      res = await this.#client.createSubresource<TokenRequestStatus>(
        { apiVersion: 'v1', kind: 'ServiceAccount' },
        { namespace: this.#namespace, name: this.#name },
        'token',
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: this.#audiences },
        },
        { signal: signal ?? AbortSignal.timeout(30_000) },
      );
    } catch (err) {
      throw new Error(
        `failed to create kubernetes token for ${this.#what} '${this.#namespace}/${this.#name}': ${errMessage(err)}`,
        { cause: err },
      );
    }
    const value = res.status?.token;
    if (!value)
      throw new Error(
        `failed to create kubernetes token for ${this.#what} '${this.#namespace}/${this.#name}': empty token`,
      );
    const exp = Date.parse(res.status?.expirationTimestamp ?? '');
    const lifetime = Number.isNaN(exp) ? 0 : exp - issuedAt;
    this.#token = { value, refreshAt: issuedAt + Math.max(0, lifetime * 0.8) };
    return value;
  }
}

/** The ServiceAccount (`namespace`, `name`) in the `sub` of a ServiceAccount JWT. */
function serviceAccountOfToken(token: string): { namespace: string; name: string } {
  const payload = token.split('.')[1] ?? '';
  let sub: unknown;
  try {
    sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
  } catch (err) {
    throw new Error(`failed to parse service account token: ${errMessage(err)}`, { cause: err });
  }
  const parts = typeof sub === 'string' ? sub.split(':') : [];
  if (parts.length !== 4) throw new Error(`invalid subject format in service account token: ${String(sub)}`);
  return { namespace: parts[2] ?? '', name: parts[3] ?? '' };
}

/**
 * Reads the kubeConfig ConfigMap `namespace/name` with the controller's `client` and returns the remote cluster's
 * kubeconfig. For the `generic` provider, the token is a TokenRequest for the ConfigMap's `serviceAccountName` (else
 * `--default-kubeconfig-service-account`, both requiring the `ObjectLevelWorkloadIdentity` gate; else the controller's
 * own ServiceAccount) with the ConfigMap's `audiences` (default: `address` as written), minted now so that errors
 * surface in the reconcile, and refreshed by the kubeconfig's authenticator before it expires.
 * @throws UnsupportedKubeConfigProviderError for `aws`, `azure` and `gcp`; Error with upstream's text otherwise
 */
export async function kubeConfigFromConfigMap(
  client: KubeClient,
  namespace: string,
  name: string,
  opts: KubeConfigConfigMapOptions,
  signal: AbortSignal,
): Promise<WorkloadIdentityKubeConfig> {
  let cm: ConfigMapLike;
  try {
    cm = await client.get<ConfigMapLike>({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace, name }, { signal });
  } catch (err) {
    throw new Error(`failed to get configmap ${namespace}/${name}: ${errMessage(err)}`, { cause: err });
  }
  const data = cm.data ?? {};
  const provider = data[KubeConfigConfigMapKeys.Provider] ?? '';
  if (!(KubeConfigProviders as readonly string[]).includes(provider))
    throw new Error(`provider '${provider}' not implemented`);
  if (provider !== 'generic') throw new UnsupportedKubeConfigProviderError(provider);

  const address = data[KubeConfigConfigMapKeys.Address] ?? '';
  const audiencesText = data[KubeConfigConfigMapKeys.Audiences];
  let audiences = audiencesText === undefined ? [] : parseAudiences(audiencesText);
  // generic GetAccessTokenOptionsForCluster: the cluster address is the default audience
  if (audiences.length === 0) audiences = [address];
  if (address === '') throw new Error('cluster address is required to create a REST config');
  let host: string;
  try {
    host = parseClusterAddress(address);
  } catch (err) {
    throw new Error(`failed to parse cluster address ${address}: ${errMessage(err)}`, { cause: err });
  }

  const now = opts.now ?? Date.now;
  const tokenFail = (err: unknown): Error =>
    new Error(`failed to get access token for cluster: ${errMessage(err)}`, { cause: err });
  let source: ServiceAccountTokenSource;
  let saName = data[KubeConfigConfigMapKeys.ServiceAccountName] ?? '';
  const defaulted = saName === '' && !!opts.defaultKubeConfigServiceAccount;
  if (defaulted) saName = opts.defaultKubeConfigServiceAccount ?? '';
  if (saName !== '') {
    try {
      await client.get({ apiVersion: 'v1', kind: 'ServiceAccount' }, { namespace, name: saName }, { signal });
    } catch (err) {
      const why = defaulted && isNotFound(err) ? 'default service account not found' : errMessage(err);
      throw tokenFail(new Error(`failed to get service account '${namespace}/${saName}': ${why}`, { cause: err }));
    }
    if (!opts.objectLevelWorkloadIdentity)
      throw tokenFail(new Error(`${ObjectLevelWorkloadIdentityGate} feature gate is not enabled`));
    source = new ServiceAccountTokenSource(client, namespace, saName, audiences, now, 'service account');
  } else {
    const file = opts.controllerTokenFile ?? '/var/run/secrets/kubernetes.io/serviceaccount/token';
    let controllerSa: { namespace: string; name: string };
    try {
      let text: string;
      try {
        text = (await readFile(file, { encoding: 'utf8', signal })).trim();
      } catch (err) {
        throw new Error(`failed to read service account token file ${file}: ${errMessage(err)}`, { cause: err });
      }
      controllerSa = serviceAccountOfToken(text);
    } catch (err) {
      throw tokenFail(
        new Error(`failed to create provider access token for the controller: ${errMessage(err)}`, { cause: err }),
      );
    }
    source = new ServiceAccountTokenSource(
      client,
      controllerSa.namespace,
      controllerSa.name,
      audiences,
      now,
      'controller service account',
    );
    saName = `${controllerSa.namespace}/${controllerSa.name}`;
  }
  try {
    await source.token(signal);
  } catch (err) {
    throw tokenFail(err);
  }

  const user = `workload-identity-${randomUUID()}`;
  const kc = new KubeConfig();
  const ca = data[KubeConfigConfigMapKeys.CACert];
  kc.loadFromOptions({
    clusters: [
      {
        name: 'remote',
        server: host,
        skipTLSVerify: false,
        ...(ca ? { caData: Buffer.from(ca, 'utf8').toString('base64') } : {}),
      },
    ],
    users: [{ name: user }],
    contexts: [{ name: 'remote', cluster: 'remote', user }],
    currentContext: 'remote',
  });
  kc.addAuthenticator({
    isAuthProvider: (u: User) => u.name === user,
    applyAuthentication: async (_u, reqOpts) => {
      const token = await source.token();
      reqOpts.headers = { ...reqOpts.headers, Authorization: `Bearer ${token}` };
    },
  });
  return {
    kubeConfig: asClientNodeKubeConfig(kc),
    serviceAccount: saName.includes('/') ? saName : `${namespace}/${saName}`,
    resourceVersion: cm.metadata.resourceVersion ?? '',
  };
}
