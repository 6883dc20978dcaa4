/**
 * The informer cache of a manager (controller-runtime's `cache.Cache`): one informer per kind, created lazily,
 * scoped by the manager's label selector and namespace (per-kind overrides allowed), with field indexes and
 * cached reads. Reads (`get`/`list`) wait for the kind's informer to sync, and `get` throws a NotFound ApiError
 * for a missing object, so the cache can stand in for a client's `get`.
 */
import { ApiError } from '../client/errors.ts';
import type { GroupVersionKind, KubeObject, ObjectKey, RuntimeLogger } from '../client/types.ts';
import { Informer, type InformerOptions, type ListWatchClient } from './informer.ts';
import type { CachedObject } from './store.ts';

/** Options of a {@link Cache}. */
export interface CacheOptions {
  /** Label selector for every informer (`--watch-label-selector`, e.g. `sharding.fluxcd.io/key=shard1`). */
  labelSelector?: string;
  /** Watch only this namespace (`--watch-all-namespaces=false` → the runtime namespace). */
  namespace?: string;
  logger?: RuntimeLogger;
  /** Drop `metadata.managedFields` from cached objects (default true). */
  stripManagedFields?: boolean;
  /** Return frozen cached objects instead of deep copies. */
  unsafeDisableDeepCopy?: boolean;
  /** Informer defaults (page size, backoff…). */
  informer?: Pick<InformerOptions<CachedObject>, 'pageSize' | 'backoff' | 'watchTimeoutSeconds'>;
}

/** Per-kind scope that overrides the cache's (e.g. `--watch-configs-label-selector` for Secrets/ConfigMaps). */
export interface InformerScope {
  /** Label selector for this kind; `''` watches all objects of the kind regardless of the cache's selector. */
  labelSelector?: string;
  namespace?: string;
  fieldSelector?: string;
}

const gvkKey = (gvk: GroupVersionKind): string => `${gvk.apiVersion}/${gvk.kind}`;

/** Informers by kind, started together and read through one interface. */
export class Cache {
  readonly #client: ListWatchClient;
  readonly #opts: CacheOptions;
  readonly #informers = new Map<string, Informer<CachedObject>>();
  #signal: AbortSignal | undefined;

  constructor(client: ListWatchClient, opts: CacheOptions = {}) {
    this.#client = client;
    this.#opts = { ...opts };
  }

  /**
   * The informer of a kind, created on first use (with `scope` overriding the cache's selector/namespace) and
   * started at once when the cache already runs. Later calls return the same informer; their scope is ignored.
   */
  informerFor<T extends CachedObject = KubeObject>(gvk: GroupVersionKind, scope: InformerScope = {}): Informer<T> {
    const key = gvkKey(gvk);
    let inf = this.#informers.get(key);
    if (!inf) {
      const labelSelector = scope.labelSelector ?? this.#opts.labelSelector;
      const namespace = scope.namespace ?? this.#opts.namespace;
      inf = new Informer<CachedObject>(this.#client, gvk, {
        ...this.#opts.informer,
        ...(labelSelector ? { labelSelector } : {}),
        ...(namespace ? { namespace } : {}),
        ...(scope.fieldSelector ? { fieldSelector: scope.fieldSelector } : {}),
        ...(this.#opts.stripManagedFields !== undefined ? { stripManagedFields: this.#opts.stripManagedFields } : {}),
        ...(this.#opts.unsafeDisableDeepCopy ? { unsafeDisableDeepCopy: true } : {}),
        ...(this.#opts.logger ? { logger: this.#opts.logger } : {}),
      });
      this.#informers.set(key, inf);
      if (this.#signal && !this.#signal.aborted) inf.start(this.#signal);
    }
    return inf as Informer<T>;
  }

  /** Starts every informer (and those created later); returns once they are started. They run until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#signal) throw new Error('failed to start cache: already started');
    this.#signal = signal;
    for (const inf of this.#informers.values()) inf.start(signal);
  }

  /** True when the cache runs and every informer has synced. */
  hasSynced(): boolean {
    return this.#signal !== undefined && [...this.#informers.values()].every((i) => i.hasSynced());
  }

  /** Waits until every informer created so far has synced. */
  async waitForCacheSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** Adds a field index on a kind (`IndexField`), e.g. Kustomizations by `spec.sourceRef`. */
  indexField<T extends CachedObject = KubeObject>(gvk: GroupVersionKind, name: string, fn: (obj: T) => string[]): void {
    this.informerFor<T>(gvk).addIndex(name, fn);
  }

  /**
   * Reads an object from the cache (waiting for the kind to sync).
   * @throws ApiError 404 NotFound when it is not cached
   */
  async get<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    opts: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const inf = await this.#synced<T>(gvk, opts.signal);
    const obj = inf.get(key);
    if (!obj) {
      const st = {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `${gvk.kind.toLowerCase()} "${key.name}" not found`,
        details: { name: key.name, kind: gvk.kind },
      };
      throw new ApiError(st.message, { status: 404, reason: 'NotFound', body: st });
    }
    return obj;
  }

  /** Lists cached objects of a kind (waiting for it to sync). */
  async list<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    opts: { namespace?: string; labelSelector?: string; signal?: AbortSignal } = {},
  ): Promise<T[]> {
    const inf = await this.#synced<T>(gvk, opts.signal);
    return inf.list({
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
    });
  }

  /** Lists cached objects by a field index value, optionally in one namespace (waiting for the kind to sync). */
  async listByIndex<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    name: string,
    value: string,
    opts: { namespace?: string; signal?: AbortSignal } = {},
  ): Promise<T[]> {
    const inf = await this.#synced<T>(gvk, opts.signal);
    return inf
      .byIndex(name, value)
      .filter((o) => opts.namespace === undefined || (o.metadata.namespace ?? '') === opts.namespace);
  }

  async #synced<T extends CachedObject>(gvk: GroupVersionKind, signal?: AbortSignal): Promise<Informer<T>> {
    if (!this.#signal) throw new Error(`failed to read ${gvk.kind} from cache: cache not started`);
    const inf = this.informerFor<T>(gvk);
    await inf.waitForSync(signal ? AbortSignal.any([signal, this.#signal]) : this.#signal);
    return inf;
  }
}
