/** Informer cache: list+watch with resume, 410 relist, backoff, selectors, field indexes, sync tracking. */
export { Cache } from './cache.ts';
export type { CacheOptions, InformerScope } from './cache.ts';
export { Informer } from './informer.ts';
export type { InformerOptions, ListWatchClient } from './informer.ts';
// The controller package exports the same shape as `InformerEvent`; this alias avoids the duplicate export.
export type { InformerEvent as CacheEvent } from './informer.ts';
export { Store, diffStore, storeKey } from './store.ts';
export type { StoreEvent, IndexFunc, CachedObject } from './store.ts';
export { Backoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
