/**
 * The cluster side of libs/helm's release actions over @flux-ts/runtime's `KubeClient` (helm-controller's
 * `action.ConfigFactory` builds Helm's kube client from the controller's REST config): the REST mapping from
 * discovery, object reads and writes, and deletes with a propagation policy. API errors pass through unchanged
 * (`ApiError` carries the Status `reason` libs/helm's `isAlreadyExists` reads).
 */
import { isNotFound } from '@flux-ts/runtime';
import type { KubeClient, KubeObject as RuntimeObject } from '@flux-ts/runtime';
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
