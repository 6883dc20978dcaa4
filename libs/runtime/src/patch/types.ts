/**
 * The subset of the runtime `KubeClient` (src/client) the patcher, finalizer helpers, dependsOn checker and event
 * recorder use. Declared structurally so tests can pass a fake and any `KubeClient` satisfies it.
 */
import type { GroupVersionKind, KubeObject, ObjectKey } from '../client/types.ts';

export type { GroupVersionKind, KubeObject, ObjectKey, StatusObject } from '../client/types.ts';

/** Options of a patch call (a subset of `KubeClient.patch` options). */
export interface ClientPatchOptions {
  type: 'merge' | 'json' | 'strategic' | 'apply';
  fieldManager?: string;
  subresource?: string;
  signal?: AbortSignal;
}

/** Reads and patches objects (satisfied by `KubeClient`). */
export interface PatchClient {
  get(gvk: GroupVersionKind, key: ObjectKey, opts?: { signal?: AbortSignal }): Promise<KubeObject>;
  patch(gvk: GroupVersionKind, key: ObjectKey, patch: unknown, opts: ClientPatchOptions): Promise<KubeObject>;
}

/**
 * HTTP status and reason of the first API error (`ApiError`-shaped: numeric `status`) in the cause chain. Structural
 * so the kit classifies both the runtime client's `ApiError` and test doubles.
 */
export function apiStatusOf(err: unknown): { status: number; reason: string } | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 16 && typeof e === 'object' && e !== null; depth++) {
    const s = (e as { status?: unknown }).status;
    if (typeof s === 'number') {
      const r = (e as { reason?: unknown }).reason;
      return { status: s, reason: typeof r === 'string' ? r : '' };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True for a 409 Conflict API error (not AlreadyExists). */
export function isConflictError(err: unknown): boolean {
  const s = apiStatusOf(err);
  return s !== undefined && s.status === 409 && s.reason !== 'AlreadyExists';
}

/** True for a 404 NotFound API error. */
export function isNotFoundError(err: unknown): boolean {
  return apiStatusOf(err)?.status === 404;
}

/** `namespace/name` (or `name`) of an object, for messages. */
export function objectRef(obj: { metadata: { name?: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}
