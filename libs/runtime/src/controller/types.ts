import type { GroupVersionKind, KubeObject } from '../client/types.ts';
import type { Logger } from '../observability/logger.ts';

/** A reconcile request: the key of one object (`namespace` is '' for cluster-scoped objects). */
export interface Request {
  namespace: string;
  name: string;
}

/** What a reconcile asks for next; `requeueAfter` is in milliseconds. */
export interface ReconcileResult {
  /** Reconcile again after this many ms (the backoff of the key is reset). */
  requeueAfter?: number;
  /** Reconcile again after the key's rate-limited backoff (deprecated in controller-runtime; prefer requeueAfter). */
  requeue?: boolean;
}

/** Per-run context: aborted on hard shutdown, a logger carrying the object and reconcile ID. */
export interface ReconcileContext {
  signal: AbortSignal;
  log: Logger;
  /** A fresh UUID per run, also on every log line of the run. */
  reconcileID: string;
}

/**
 * Level-based reconcile function. Return a result (or nothing); a thrown Error is retried with per-key
 * exponential backoff, a thrown {@link TerminalError} is logged and not retried.
 */
export type Reconciler = (req: Request, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

/** An informer event, as the cache's `Informer.onEvent` delivers it. */
export interface InformerEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  old?: T;
}

/** What the controller needs from an informer (the cache's `Informer` satisfies it). */
export interface EventSource<T> {
  onEvent(handler: (event: InformerEvent<T>) => void): () => void;
  list(): T[];
  waitForSync(signal: AbortSignal): Promise<void>;
  hasSynced(): boolean;
}

/** Per-watch informer scope (e.g. `--watch-configs-label-selector` for ConfigMaps and Secrets). */
export interface InformerScopeLike {
  labelSelector?: string;
  namespace?: string;
  fieldSelector?: string;
}

/** What the controller builder needs from a cache (the cache's `Cache` satisfies it). */
export interface InformerProvider {
  informerFor<T extends KubeObject>(gvk: GroupVersionKind, scope?: InformerScopeLike): EventSource<T>;
}

/** The queue key of a request: `namespace/name`, or `name` for cluster-scoped objects. */
export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

/** Parses a {@link requestKey} back into a request. */
export function parseRequestKey(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The request of an object. */
export function requestFor(obj: KubeObject): Request {
  return { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name };
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
