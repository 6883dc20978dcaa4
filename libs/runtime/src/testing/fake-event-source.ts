import type { EventSource, InformerEvent } from '../controller/types.ts';
import type { KubeObject } from '../client/types.ts';

/**
 * An in-memory {@link EventSource} for unit tests of controllers: `set`/`remove` update the store and emit
 * ADDED/MODIFIED/DELETED events like an informer; `markSynced` completes `waitForSync`.
 */
export class FakeEventSource<T extends KubeObject> implements EventSource<T> {
  readonly #objects = new Map<string, T>();
  readonly #handlers = new Set<(e: InformerEvent<T>) => void>();
  #synced = false;
  readonly #syncWaiters: Array<() => void> = [];

  constructor(opts: { synced?: boolean } = {}) {
    this.#synced = opts.synced ?? true;
  }

  onEvent(handler: (event: InformerEvent<T>) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Like the cache's informer: resolves once synced, rejects when `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      this.#syncWaiters.push(resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  markSynced(): void {
    this.#synced = true;
    this.#syncWaiters.splice(0).forEach((r) => r());
  }

  get(namespace: string, name: string): T | undefined {
    return this.#objects.get(`${namespace}/${name}`);
  }

  set(obj: T): void {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const old = this.#objects.get(key);
    this.#objects.set(key, obj);
    this.#emit(old ? { type: 'MODIFIED', object: obj, old } : { type: 'ADDED', object: obj });
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.#objects.get(key);
    if (!old) return;
    this.#objects.delete(key);
    this.#emit({ type: 'DELETED', object: old });
  }

  #emit(e: InformerEvent<T>): void {
    for (const h of this.#handlers) h(e);
  }
}
