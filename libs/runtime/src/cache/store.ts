/**
 * The informer's store: objects by `namespace/name`, field indexes, and the diff of a relist against the
 * store (so a 410 relist emits exactly the changes: ADDED, MODIFIED when the resourceVersion moved, DELETED).
 * Pure: no I/O.
 */
import type { KubeObject } from '../client/types.ts';
/** What the store needs of an object: the metadata of a {@link KubeObject}. */
export type CachedObject = Pick<KubeObject, 'metadata'>;

/** A change the store applied. */
export interface StoreEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  old?: T;
}

/** Index function: the index values of an object (e.g. `ns/name` of its sourceRef). */
export type IndexFunc<T> = (obj: T) => string[];

/** `namespace/name` (or `name`) of an object. */
export function storeKey(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

/** Objects by key, with indexes. */
export class Store<T extends CachedObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`failed to add index ${JSON.stringify(name)}: it already exists`);
    this.#indexers.set(name, fn);
    this.#indices.set(name, new Map());
    for (const [key, obj] of this.#items) this.#indexOne(name, fn, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.#indexers.has(name);
  }

  /** Objects whose index `name` holds `value`. */
  byIndex(name: string, value: string): T[] {
    const idx = this.#indices.get(name);
    if (!idx) throw new Error(`failed to list by index ${JSON.stringify(name)}: no such index`);
    return [...(idx.get(value) ?? [])].map((k) => this.#items.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Inserts or replaces an object; returns the previous one. */
  upsert(obj: T): T | undefined {
    const key = storeKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) this.#indexOne(name, fn, key, obj);
    return old;
  }

  /** Removes an object; returns it. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  /**
   * Replaces the content with a fresh list and returns the difference: ADDED for new keys, MODIFIED when the
   * resourceVersion changed, DELETED for keys gone; unchanged objects keep their stored copy and emit nothing.
   */
  replace(items: T[]): StoreEvent<T>[] {
    const events = diffStore(this.#items, items);
    for (const e of events) {
      if (e.type === 'DELETED') this.remove(storeKey(e.object));
      else this.upsert(e.object);
    }
    return events;
  }

  #indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.#indices.get(name)!;
    for (const v of new Set(fn(obj))) {
      let keys = idx.get(v);
      if (!keys) idx.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const idx = this.#indices.get(name)!;
      for (const v of new Set(fn(obj))) {
        const keys = idx.get(v);
        keys?.delete(key);
        if (keys?.size === 0) idx.delete(v);
      }
    }
  }
}

/** The events that turn `current` into `items` (pure; order: list order, then deletions). */
export function diffStore<T extends CachedObject>(
  current: ReadonlyMap<string, T>,
  items: readonly T[],
): StoreEvent<T>[] {
  const events: StoreEvent<T>[] = [];
  const seen = new Set<string>();
  for (const obj of items) {
    const key = storeKey(obj);
    seen.add(key);
    const old = current.get(key);
    if (!old) events.push({ type: 'ADDED', object: obj });
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion || old.metadata.uid !== obj.metadata.uid) {
      events.push({ type: 'MODIFIED', object: obj, old });
    }
  }
  for (const [key, old] of current) if (!seen.has(key)) events.push({ type: 'DELETED', object: old });
  return events;
}
