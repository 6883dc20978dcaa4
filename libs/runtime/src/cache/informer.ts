/**
 * An informer: list (paginated) + watch of one kind into a {@link Store}, modelled on client-go's reflector.
 * - watches with bookmarks and resumes from the last seen resourceVersion when a watch ends or drops;
 * - on 410 Gone/Expired relists and diffs the list against the store, so no change is lost or duplicated;
 * - reconnects after errors with exponential backoff and jitter;
 * - scoped by namespace, label and field selector, so memory follows the watched objects only;
 * - cached copies drop `metadata.managedFields` (option) and are frozen; readers get deep copies by default.
 */
// The subpath keeps the CEL engine of @flux-ts/schema's main entry out of every controller's start (issue 22).
import { matchesLabelRequirements, parseLabelSelector } from '@flux-ts/schema/label-selector';
import { ApiError, isGone } from '../client/errors.ts';
import { sleep } from '../util/sleep.ts';
import type {
  GroupVersionKind,
  KubeObject,
  ListResult,
  ObjectKey,
  RuntimeLogger,
  WatchEvent,
  WatchOptions,
} from '../client/types.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { Store, storeKey, type CachedObject, type IndexFunc, type StoreEvent } from './store.ts';

/** What an informer needs from a client (`KubeClient` satisfies it). */
export interface ListWatchClient {
  list(
    gvk: GroupVersionKind,
    opts: {
      namespace?: string;
      labelSelector?: string;
      fieldSelector?: string;
      limit?: number;
      continue?: string;
      signal?: AbortSignal;
    },
  ): Promise<ListResult<KubeObject>>;
  watch(gvk: GroupVersionKind, opts: WatchOptions): AsyncIterable<WatchEvent<KubeObject>>;
}

/** An informer event; `old` is the previous cached state of a MODIFIED object. */
export interface InformerEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  old?: T;
}

/** Scope and behaviour of an informer. */
export interface InformerOptions<T extends CachedObject> {
  /** Watch one namespace only (all namespaces when absent). */
  namespace?: string;
  /** Watch only objects matching this label selector (`--watch-label-selector`, sharding). */
  labelSelector?: string;
  fieldSelector?: string;
  /** Drop `metadata.managedFields` from cached objects (default true), like controller-runtime's TransformStripManagedFields. */
  stripManagedFields?: boolean;
  /** Further transform of objects before they are cached (runs after stripping). */
  transform?: (obj: T) => T;
  /** Return cached objects themselves (frozen) from get/list/byIndex instead of deep copies. */
  unsafeDisableDeepCopy?: boolean;
  /** List page size (default 500). */
  pageSize?: number;
  /** Reconnect backoff (default 800 ms → 30 s, jitter 1). */
  backoff?: BackoffOptions;
  /** Server-side timeout of one watch in seconds (default random 300–600, like client-go). */
  watchTimeoutSeconds?: () => number;
  logger?: RuntimeLogger;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function isExpiredStatus(obj: unknown): boolean {
  const st = obj as { code?: number; reason?: string } | undefined;
  return st?.code === 410 || st?.reason === 'Expired' || st?.reason === 'Gone';
}

/** Caches one kind, keeps it current, and notifies handlers of changes. */
export class Informer<T extends CachedObject = KubeObject> {
  readonly gvk: GroupVersionKind;
  readonly options: Readonly<InformerOptions<T>>;
  readonly #client: ListWatchClient;
  readonly #store = new Store<T>();
  readonly #handlers = new Set<(e: InformerEvent<T>) => void>();
  readonly #syncWaiters = new Set<() => void>();
  readonly #backoff: Backoff;
  #synced = false;
  #running = false;
  #lastRv = '';
  #lists = 0;

  constructor(client: ListWatchClient, gvk: GroupVersionKind, opts: InformerOptions<T> = {}) {
    this.#client = client;
    this.gvk = { apiVersion: gvk.apiVersion, kind: gvk.kind };
    this.options = { ...opts };
    this.#backoff = new Backoff(opts.backoff);
    if (opts.labelSelector) parseLabelSelector(opts.labelSelector); // fail fast on a malformed selector
  }

  /** True once the first list has been stored and its ADDED events delivered. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once synced; rejects when `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.#syncWaiters.delete(done);
        reject(signal?.reason);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#syncWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resourceVersion the next watch resumes from. */
  lastSyncResourceVersion(): string {
    return this.#lastRv;
  }

  /** How many lists (the first one plus relists) this informer made. */
  listCount(): number {
    return this.#lists;
  }

  /** Number of cached objects. */
  get size(): number {
    return this.#store.size;
  }

  /** The cached object with this key. */
  get(key: ObjectKey): T | undefined {
    const obj = this.#store.get(key.namespace ? `${key.namespace}/${key.name}` : key.name);
    return obj && this.#out(obj);
  }

  /** Cached objects, optionally in one namespace and matching a label selector. */
  list(opts: { namespace?: string; labelSelector?: string } = {}): T[] {
    const requirements = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    return this.#store
      .list()
      .filter(
        (o) =>
          (opts.namespace === undefined || (o.metadata.namespace ?? '') === opts.namespace) &&
          (!requirements || matchesLabelRequirements(requirements, o.metadata.labels)),
      )
      .map((o) => this.#out(o));
  }

  /** Adds a field index (may be called before or after start). */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.#store.addIndex(name, fn as IndexFunc<T>);
  }

  /** True when the index exists. */
  hasIndex(name: string): boolean {
    return this.#store.hasIndex(name);
  }

  /** Cached objects whose index `name` holds `value`. */
  byIndex(name: string, value: string): T[] {
    return this.#store.byIndex(name, value).map((o) => this.#out(o));
  }

  /**
   * Registers a handler for changes; returns a function removing it. Handlers run synchronously in order and
   * receive the frozen cached objects. A handler added after sync does not get past objects replayed (use
   * `list()`); relists deliver only real changes (ADDED, MODIFIED when changed, DELETED when gone).
   */
  onEvent(handler: (e: InformerEvent<T>) => void): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  /** Starts the list+watch loop in the background (no-op when running); it stops when `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.#running) return;
    this.#running = true;
    // runs in the background until `signal` aborts; run() catches its own errors (it retries with backoff)
    void this.run(signal).finally(() => {
      this.#running = false;
    });
  }

  /** Runs the list+watch loop until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let consecutiveGone = 0;
    const log = this.options.logger;
    const what = { kind: this.gvk.kind, apiVersion: this.gvk.apiVersion };
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#relist(signal);
          needList = false;
        }
        const startedAt = performance.now();
        let received = 0;
        const events = this.#client.watch(this.gvk, {
          resourceVersion: this.#lastRv,
          allowWatchBookmarks: true,
          timeoutSeconds: this.options.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300),
          signal,
          ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
          ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
          ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
        });
        for await (const ev of events) {
          received++;
          if (ev.type === 'ERROR') {
            if (isExpiredStatus(ev.object)) {
              needList = true;
              break;
            }
            const st = ev.object as { code?: number; reason?: string; message?: string };
            throw new ApiError(st.message ?? 'watch error', {
              status: st.code ?? 500,
              reason: st.reason ?? '',
              body: st,
            });
          }
          consecutiveGone = 0;
          if (ev.type === 'BOOKMARK') {
            const rv = ev.object.metadata?.resourceVersion;
            if (rv) this.#lastRv = rv;
            continue;
          }
          this.#applyWatchEvent(ev.type, ev.object as unknown as T);
        }
        if (signal.aborted) break;
        if (needList) {
          log?.info({ ...what, resourceVersion: this.#lastRv }, 'watch history expired, relisting');
          if (++consecutiveGone > 1) await sleep(this.#backoff.next(), signal);
          continue;
        }
        consecutiveGone = 0;
        // a watch that ended at once without events counts as a failure, so a server closing streams
        // immediately cannot make us spin; otherwise resume from the last resourceVersion right away
        if (received === 0 && performance.now() - startedAt < 1000) await sleep(this.#backoff.next(), signal);
        else this.#backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          needList = true;
          log?.info({ ...what, resourceVersion: this.#lastRv }, 'watch history expired, relisting');
          if (++consecutiveGone > 1) await sleep(this.#backoff.next(), signal).catch(() => undefined);
          continue;
        }
        const delay = this.#backoff.next();
        log?.warn(
          { ...what, err: (err as Error).message, retryInMs: Math.round(delay) },
          needList ? 'failed to list' : 'watch failed, reconnecting',
        );
        await sleep(delay, signal).catch(() => undefined);
      }
    }
  }

  async #relist(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = (await this.#client.list(this.gvk, {
        limit: this.options.pageSize ?? 500,
        signal,
        ...(cont ? { continue: cont } : {}),
        ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
        ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
        ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
      })) as unknown as ListResult<T>;
      if (rv === '') rv = page.resourceVersion;
      for (const o of page.items) items.push(this.#transform(o));
      cont = page.continue;
    } while (cont);
    signal.throwIfAborted();
    this.#lists++;
    const events = this.#store.replace(items);
    this.#lastRv = rv;
    for (const e of events) this.#emit(e);
    if (!this.#synced) {
      this.#synced = true;
      for (const w of [...this.#syncWaiters]) w();
      this.#syncWaiters.clear();
    }
  }

  #applyWatchEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', raw: T): void {
    const obj = this.#transform(raw);
    const rv = obj.metadata.resourceVersion;
    const key = storeKey(obj);
    const old = this.#store.get(key);
    if (type === 'DELETED') {
      if (rv) this.#lastRv = rv;
      if (!old) return;
      this.#store.remove(key);
      this.#emit({ type: 'DELETED', object: obj });
      return;
    }
    if (rv) this.#lastRv = rv;
    // a replayed event for the state we already hold is a duplicate
    if (old && old.metadata.resourceVersion === rv && old.metadata.uid === obj.metadata.uid) return;
    this.#store.upsert(obj);
    this.#emit(old ? { type: 'MODIFIED', object: obj, old } : { type: 'ADDED', object: obj });
  }

  #transform(raw: T): T {
    let obj = raw;
    if (this.options.stripManagedFields !== false && obj.metadata?.managedFields !== undefined) {
      const { managedFields: _drop, ...metadata } = obj.metadata;
      obj = { ...obj, metadata };
    }
    if (this.options.transform) obj = this.options.transform(obj);
    return deepFreeze(obj);
  }

  #out(obj: T): T {
    return this.options.unsafeDisableDeepCopy ? obj : structuredClone(obj);
  }

  #emit(e: StoreEvent<T>): void {
    for (const h of this.#handlers) {
      try {
        h(e);
      } catch (err) {
        this.options.logger?.error(
          { kind: this.gvk.kind, err: (err as Error).message },
          'informer event handler failed',
        );
      }
    }
  }
}
