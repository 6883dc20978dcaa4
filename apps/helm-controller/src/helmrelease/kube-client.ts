/**
 * The cluster side of libs/helm's release actions over @flux-ts/runtime's `KubeClient` (helm-controller's
 * `action.ConfigFactory` builds Helm's kube client from the controller's REST config): the REST mapping from
 * discovery, object reads and writes, and deletes with a propagation policy. API errors pass through unchanged
 * (`ApiError` carries the Status `reason` libs/helm's `isAlreadyExists` reads).
 *
 * {@link releaseClusterFor} is helm-controller's `buildRESTClientGetter`: the cluster of a release is the
 * controller's own or the one of a `spec.kubeConfig.secretRef` Secret, and every read and write of the release
 * (objects, release storage Secrets, waits, discovery) is made as `system:serviceaccount:<ns>:<sa>` when
 * `spec.serviceAccountName` or `--default-service-account` names one.
 */
import { HelmReleaseReasons } from '@flux-ts/api';
import type { HelmRelease } from '@flux-ts/api';
import {
  ApiError,
  GenericError,
  KubeClient,
  KubeConfigTransport,
  StallingError,
  UnsupportedKubeConfigProviderError,
  errMessage,
  isNotFound,
  kubeConfigFromConfigMap,
  kubeConfigFromSecret,
} from '@flux-ts/runtime';
import type {
  KubeClientOptions,
  KubeConfigConfigMapOptions,
  KubeObject as RuntimeObject,
  SecretLike,
} from '@flux-ts/runtime';
import type { DeletionPropagation, HelmKubeClient, KubeObject, ListOptions, ObjectRef } from '@flux-ts/helm';

/** The field manager of the objects the releases write. */
export const HelmFieldManager = 'helm-controller';

const key = (ref: ObjectRef): { namespace?: string; name: string } =>
  ref.namespace === '' ? { name: ref.name } : { namespace: ref.namespace, name: ref.name };
const gvk = (ref: { apiVersion: string; kind: string }): { apiVersion: string; kind: string } => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
});
const asHelm = (o: RuntimeObject): KubeObject => o as unknown as KubeObject;
const asRuntime = (o: KubeObject): RuntimeObject => o as unknown as RuntimeObject;

/** A {@link HelmKubeClient} over a runtime `KubeClient` (the controller's, or an impersonating one). */
export class RuntimeHelmKubeClient implements HelmKubeClient {
  readonly #client: KubeClient;
  /** helm-controller sets Helm's `kube.ManagedFieldsManager` to its name. */
  readonly fieldManager = HelmFieldManager;

  constructor(client: KubeClient) {
    this.#client = client;
  }

  async isNamespaced(apiVersion: string, kind: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.#client.resourceFor({ apiVersion, kind }, signal ? { signal } : {})).namespaced;
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return asHelm(await this.#client.get(gvk(ref), key(ref), signal ? { signal } : {}));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(obj: KubeObject, signal?: AbortSignal): Promise<KubeObject> {
    return asHelm(
      await this.#client.create(asRuntime(obj), { fieldManager: HelmFieldManager, ...(signal ? { signal } : {}) }),
    );
  }

  async replace(obj: KubeObject, signal?: AbortSignal): Promise<KubeObject> {
    let o = obj;
    if (o.metadata.resourceVersion === undefined) {
      const live = await this.get(
        { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name },
        signal,
      );
      if (live?.metadata.resourceVersion !== undefined)
        o = { ...o, metadata: { ...o.metadata, resourceVersion: live.metadata.resourceVersion } };
    }
    return asHelm(
      await this.#client.update(asRuntime(o), { fieldManager: HelmFieldManager, ...(signal ? { signal } : {}) }),
    );
  }

  async patch(ref: ObjectRef, patch: Record<string, unknown>, signal?: AbortSignal): Promise<KubeObject> {
    return asHelm(
      await this.#client.patch(gvk(ref), key(ref), patch, {
        type: 'merge',
        fieldManager: HelmFieldManager,
        ...(signal ? { signal } : {}),
      }),
    );
  }

  async apply(obj: KubeObject, opts: { force: boolean }, signal?: AbortSignal): Promise<KubeObject> {
    return asHelm(
      await this.#client.apply(asRuntime(obj), {
        fieldManager: HelmFieldManager,
        force: opts.force,
        fieldValidation: 'Strict',
        ...(signal ? { signal } : {}),
      }),
    );
  }

  async delete(ref: ObjectRef, propagation: DeletionPropagation, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#client.delete(gvk(ref), key(ref), { propagationPolicy: propagation, ...(signal ? { signal } : {}) });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, opts: ListOptions, signal?: AbortSignal): Promise<KubeObject[]> {
    const labelSelector = Object.entries(opts.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const page = await this.#client.list(
        { apiVersion, kind },
        {
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          ...(labelSelector ? { labelSelector } : {}),
          ...(cont ? { continue: cont } : {}),
          ...(signal ? { signal } : {}),
        },
      );
      for (const i of page.items) items.push({ ...asHelm(i), apiVersion, kind });
      cont = page.continue || undefined;
    } while (cont !== undefined);
    return items;
  }
}

/** A kubeconfig as @kubernetes/client-node loads it (the type `KubeConfigTransport` takes). */
export type LoadedKubeConfig = ConstructorParameters<typeof KubeConfigTransport>[0];

/** A GET of a non-resource path (`/version`, discovery) with an `Accept` header; resolves to the parsed JSON. */
export type RawGet = (path: string, accept: string, signal?: AbortSignal) => Promise<unknown>;

/** The cluster a release is made in, as the identity it is made with. */
export interface ReleaseCluster {
  /** The client of every read and write of the release (remote and/or impersonating). */
  client: KubeClient;
  /** The cluster and identity (`local` or the kubeconfig Secret, plus the impersonated user): a cache key. */
  key: string;
  /** `system:serviceaccount:<ns>:<sa>` when impersonating. */
  impersonate?: string;
  /** Discovery GETs with the same identity; undefined when the controller has no kubeconfig to send them with. */
  getRaw?: RawGet;
}

/** What {@link releaseClusterFor} needs from the controller. */
export interface ReleaseClusterOptions {
  /** The controller's client (reads the kubeconfig Secret; the local cluster's client). */
  client: KubeClient;
  /** The controller's kubeconfig, for discovery GETs on the local cluster. */
  kubeConfig?: LoadedKubeConfig | undefined;
  /** `--default-service-account`. */
  defaultServiceAccount?: string | undefined;
  /** `--insecure-kubeconfig-exec`. */
  insecureKubeconfigExec?: boolean | undefined;
  /** `--insecure-kubeconfig-tls`. */
  insecureKubeconfigTls?: boolean | undefined;
  /** `kubeConfig.configMapRef` workload identity (the gate, `--default-kubeconfig-service-account`, token file). */
  workloadIdentity?: KubeConfigConfigMapOptions | undefined;
  /** Options of the clients of remote clusters (QPS, burst, user agent). */
  remoteClientOptions?: KubeClientOptions | undefined;
  /** Clients of remote clusters by kubeconfig Secret version, reused across reconciles. */
  remoteClients?: RemoteClientCache | undefined;
}

/**
 * The clients of the remote clusters of `kubeConfig.secretRef` Secrets, by a key ending in
 * `<namespace>/<name>@<resourceVersion>`: a reconcile of an unchanged Secret reuses the parsed kubeconfig and its
 * client's connection rather than opening a new TLS connection; a Secret's older version is dropped when a newer one
 * is used, the oldest entry past `max` (default 256).
 */
export class RemoteClientCache {
  readonly #entries = new Map<string, { kc: LoadedKubeConfig; client: KubeClient }>();
  readonly #max: number;

  constructor(max = 256) {
    this.#max = max;
  }

  /** The client of a Secret version, or undefined. */
  get(key: string): { kc: LoadedKubeConfig; client: KubeClient } | undefined {
    return this.#entries.get(key);
  }

  /** Keeps the client of a Secret version (`…<namespace>/<name>@<resourceVersion>`), dropping its older versions. */
  set(key: string, entry: { kc: LoadedKubeConfig; client: KubeClient }): void {
    const secret = key.slice(0, key.lastIndexOf('@') + 1);
    for (const k of this.#entries.keys()) if (k.startsWith(secret)) this.#entries.delete(k);
    this.#entries.set(key, entry);
    for (const k of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(k);
    }
  }

  /** How many clients are kept. */
  get size(): number {
    return this.#entries.size;
  }
}

/** The impersonated user of a release: `spec.serviceAccountName`, else `--default-service-account`, else none. */
export function impersonatedUser(hr: HelmRelease, defaultServiceAccount?: string): string | undefined {
  const sa = hr.spec.serviceAccountName || defaultServiceAccount;
  return sa ? `system:serviceaccount:${hr.metadata.namespace ?? ''}:${sa}` : undefined;
}

/** A {@link RawGet} over a kubeconfig (client-node does auth and TLS), sending `headers` (impersonation). */
export function rawGetter(kc: LoadedKubeConfig, headers: Record<string, string> = {}): RawGet {
  const transport = new KubeConfigTransport(kc);
  return async (path, accept, signal) => {
    const res = await transport.request({
      method: 'GET',
      path,
      headers: { ...headers, Accept: accept },
      ...(signal ? { signal } : {}),
    });
    if (res.status < 200 || res.status >= 300)
      throw ApiError.fromResponse(res.status, res.body, `failed to GET ${path}`);
    try {
      return JSON.parse(res.body) as unknown;
    } catch (err) {
      throw new Error(`failed to GET ${path}: response is not JSON`, { cause: err });
    }
  };
}

/**
 * The cluster of a release (helm-controller `buildRESTClientGetter`): a `spec.kubeConfig.secretRef` Secret of the
 * HelmRelease's namespace (key `value`, then `value.yaml`, unless `key` names one) or a `configMapRef` workload
 * identity ConfigMap (@flux-ts/runtime `kubeConfigFromConfigMap`: a fresh client per reconcile, its tokens refreshed
 * as they age) selects a remote cluster; the service account, when there is one, is impersonated on whichever
 * cluster. A missing or invalid Secret or ConfigMap is a RESTClientError retried with backoff, as upstream returns
 * it; a cloud provider this build does not implement stalls.
 */
export async function releaseClusterFor(
  hr: HelmRelease,
  opts: ReleaseClusterOptions,
  signal: AbortSignal,
): Promise<ReleaseCluster> {
  const ns = hr.metadata.namespace ?? '';
  let client = opts.client;
  let kc = opts.kubeConfig;
  let key = 'local';
  const ref = hr.spec.kubeConfig?.secretRef;
  const cmRef = hr.spec.kubeConfig?.configMapRef;
  if (!ref && cmRef) {
    let remote: Awaited<ReturnType<typeof kubeConfigFromConfigMap>>;
    try {
      remote = await kubeConfigFromConfigMap(opts.client, ns, cmRef.name, opts.workloadIdentity ?? {}, signal);
    } catch (err) {
      if (err instanceof UnsupportedKubeConfigProviderError)
        throw new StallingError(errMessage(err), HelmReleaseReasons.RESTClientError, { cause: err });
      // the API error at the root (a ConfigMap or ServiceAccount not found lets a deletion skip the uninstall)
      let root: unknown = err;
      while (root instanceof Error && root.cause !== undefined) root = root.cause;
      throw new GenericError(errMessage(err), HelmReleaseReasons.RESTClientError, { cause: root });
    }
    kc = remote.kubeConfig;
    client = KubeClient.fromKubeConfig(kc, opts.remoteClientOptions ?? {});
    key = `configmap:${ns}/${cmRef.name}@${remote.resourceVersion}|${remote.serviceAccount}`;
  }
  if (ref) {
    let secret: RuntimeObject & SecretLike;
    try {
      secret = await opts.client.get<RuntimeObject & SecretLike>(
        { apiVersion: 'v1', kind: 'Secret' },
        { namespace: ns, name: ref.name },
        { signal },
      );
    } catch (err) {
      throw new GenericError(
        `could not get KubeConfig secret '${ns}/${ref.name}': ${errMessage(err)}`,
        HelmReleaseReasons.RESTClientError,
        { cause: err },
      );
    }
    key = `secret:${ns}/${ref.name}@${secret.metadata.resourceVersion ?? ''}`;
    const cacheKey = `${ref.key ?? ''}|${key}`;
    const cached = secret.metadata.resourceVersion ? opts.remoteClients?.get(cacheKey) : undefined;
    if (cached !== undefined) {
      ({ kc, client } = cached);
    } else {
      try {
        kc = kubeConfigFromSecret(secret, {
          ...(ref.key ? { key: ref.key } : {}),
          allowExec: opts.insecureKubeconfigExec ?? false,
          allowInsecureTLS: opts.insecureKubeconfigTls ?? false,
        });
      } catch (err) {
        throw new GenericError(errMessage(err), HelmReleaseReasons.RESTClientError, { cause: err });
      }
      client = KubeClient.fromKubeConfig(kc, opts.remoteClientOptions ?? {});
      if (secret.metadata.resourceVersion) opts.remoteClients?.set(cacheKey, { kc, client });
    }
  }
  const user = impersonatedUser(hr, opts.defaultServiceAccount);
  if (user !== undefined) client = client.impersonate(user);
  return {
    client,
    key: user === undefined ? key : `${key}|${user}`,
    ...(user !== undefined ? { impersonate: user } : {}),
    ...(kc !== undefined ? { getRaw: rawGetter(kc, user !== undefined ? { 'Impersonate-User': user } : {}) } : {}),
  };
}
