/**
 * The in-memory cache of parsed Helm repository indexes (source-controller `internal/cache`, flags
 * `--helm-cache-max-size`, `--helm-cache-ttl`, `--helm-cache-purge-interval`), keyed by the HelmRepository artifact
 * path, so HelmCharts of one repository do not re-parse its index. lru-cache bounds it by count and TTL; a purge
 * timer drops expired entries as upstream's janitor does. Hits and misses are counted in
 * `gotk_cache_events_total{event_type,name,namespace}`.
 */
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { IndexFile } from '@flux-ts/helm';

/** Settings of {@link IndexCache}. */
export interface IndexCacheOptions {
  /** `--helm-cache-max-size`: the maximum number of indexes (0 disables the cache). */
  maxSize: number;
  /** `--helm-cache-ttl` in ms. */
  ttlMs: number;
  /** `--helm-cache-purge-interval` in ms. */
  purgeIntervalMs: number;
  /** Registry of `gotk_cache_events_total` (the manager's). */
  registry?: Registry | undefined;
}

/** Bounded, expiring map from artifact path to parsed index. */
export class IndexCache {
  readonly #lru: LRUCache<string, IndexFile>;
  readonly #ttlMs: number;
  readonly #events: Counter<'event_type' | 'name' | 'namespace'> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: IndexCacheOptions) {
    this.#ttlMs = opts.ttlMs;
    this.#lru = new LRUCache<string, IndexFile>({ max: Math.max(1, opts.maxSize), ttl: opts.ttlMs });
    if (opts.registry) {
      const existing = opts.registry.getSingleMetric('gotk_cache_events_total');
      this.#events =
        (existing as Counter<'event_type' | 'name' | 'namespace'> | undefined) ??
        new Counter({
          name: 'gotk_cache_events_total',
          help: 'Total number of cache retrieval events for a Gitops Toolkit resource reconciliation.',
          labelNames: ['event_type', 'name', 'namespace'],
          registers: [opts.registry],
        });
    }
    if (opts.purgeIntervalMs > 0) {
      this.#timer = setInterval(() => this.#lru.purgeStale(), opts.purgeIntervalMs);
      this.#timer.unref();
    }
  }

  /** The index stored under `key`, its TTL renewed; counts a hit or a miss for the object. */
  get(key: string, obj: { name: string; namespace: string }): IndexFile | undefined {
    const hit = this.#lru.get(key);
    this.#events?.inc({ event_type: hit ? 'cache_hit' : 'cache_miss', name: obj.name, namespace: obj.namespace });
    if (hit) this.#lru.set(key, hit, { ttl: this.#ttlMs });
    return hit;
  }

  /** Stores an index. */
  set(key: string, index: IndexFile): void {
    this.#lru.set(key, index, { ttl: this.#ttlMs });
  }

  /** Renews the TTL of an entry (upstream `SetExpiration`). */
  touch(key: string): void {
    const v = this.#lru.peek(key);
    if (v) this.#lru.set(key, v, { ttl: this.#ttlMs });
  }

  /** Drops an entry. */
  delete(key: string): void {
    this.#lru.delete(key);
  }

  /** Number of cached indexes. */
  get size(): number {
    return this.#lru.size;
  }

  /** Stops the purge timer. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
