/**
 * SerialPatcher (fluxcd/pkg `runtime/patch` Helper + SerialPatcher): patches only what changed since the last
 * successful patch. Three requests, in this order, each only when needed:
 * 1. conditions: a three-way merge onto a fresh read, sent to the status subresource with the read's
 *    resourceVersion (optimistic lock) and retried on 409 by re-reading; owned conditions win conflicts;
 * 2. metadata/spec (and any other top-level field but status): a JSON merge patch of the main resource;
 * 3. the rest of the status: a JSON merge patch of the status subresource.
 */
import { conditions } from '../conditions/index.ts';
import { errMessage } from '../util/err-message.ts';
import { sleep } from '../util/sleep.ts';
import { applyConditionsPatch, newConditionsPatch } from './conditions-patch.ts';
import { createMergePatch, isEmptyPatch } from './merge-patch.ts';
import {
  isConflictError,
  objectRef,
  type GroupVersionKind,
  type KubeObject,
  type ObjectKey,
  type PatchClient,
  type StatusObject,
} from './types.ts';

/** Options of one {@link SerialPatcher.patch} call. */
export interface SerialPatchOptions {
  /** Condition types owned by this controller: our value wins a conflict. */
  ownedConditions?: readonly string[];
  /** Every condition is treated as owned. */
  forceOverwriteConditions?: boolean;
  /** Set `status.observedGeneration = metadata.generation` (only on success or stall). */
  includeStatusObservedGeneration?: boolean;
  /** Field manager of the patch requests. */
  fieldManager?: string;
  signal?: AbortSignal;
}

/** Options of a {@link SerialPatcher}. */
export interface SerialPatcherOptions {
  /** Attempts of the conditions patch on 409 Conflict (default 5, like fluxcd's backoff steps). */
  conflictRetries?: number;
  /** Base delay between conflict retries in ms, doubled each time, with full jitter (default 100). */
  conflictBackoffMs?: number;
  /** The kind has a status subresource (default true; all Flux kinds do). */
  statusSubresource?: boolean;
  /**
   * Where the conditions patch reads the latest object (the informer cache, as controller-runtime's client reads
   * in fluxcd/pkg's patch helper) until this patcher has written once; after a write of its own, and on retries
   * after a conflict, it reads the API, which the cache may lag. Default: the client.
   */
  reader?: Pick<PatchClient, 'get'>;
}

// Server-managed or identity fields never sent in a merge patch of metadata.
const metadataIgnored = new Set([
  'resourceVersion',
  'managedFields',
  'generation',
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'selfLink',
  'name',
  'namespace',
]);

function mainPart(obj: StatusObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).filter(([mk]) => !metadataIgnored.has(mk)),
      );
    } else out[k] = v;
  }
  return out;
}

function statusPart(obj: StatusObject): Record<string, unknown> {
  const { conditions: _c, ...rest } = (obj.status ?? {}) as Record<string, unknown>;
  return rest;
}

/**
 * Patches an object serially during one reconcile: construct it with the object as fetched, mutate the object,
 * call `patch(obj, opts)` as often as needed; each call sends only the changes since the previous one.
 */
export class SerialPatcher<T extends StatusObject> {
  readonly #client: PatchClient;
  readonly #opts: Required<Omit<SerialPatcherOptions, 'reader'>>;
  readonly #reader: Pick<PatchClient, 'get'>;
  #wrote = false;
  #before: T;

  constructor(obj: T, client: PatchClient, opts: SerialPatcherOptions = {}) {
    this.#client = client;
    this.#reader = opts.reader ?? client;
    this.#before = structuredClone(obj);
    this.#opts = {
      conflictRetries: opts.conflictRetries ?? 5,
      conflictBackoffMs: opts.conflictBackoffMs ?? 100,
      statusSubresource: opts.statusSubresource ?? true,
    };
  }

  /** The snapshot the next patch is computed against (a copy). */
  get base(): T {
    return structuredClone(this.#before);
  }

  /** Sends the changes of `obj` since the last successful patch. Throws on failure (the base is then kept). */
  async patch(obj: T, opts: SerialPatchOptions = {}): Promise<void> {
    if (opts.includeStatusObservedGeneration) {
      obj.status ??= {};
      obj.status.observedGeneration = obj.metadata.generation ?? 0;
    }
    const gvk: GroupVersionKind = { apiVersion: obj.apiVersion, kind: obj.kind };
    const key: ObjectKey = { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
    const before = this.#before;
    const errors: unknown[] = [];
    let resourceVersion: string | undefined;
    const remember = (o: KubeObject | undefined) => {
      if (o?.metadata?.resourceVersion) resourceVersion = o.metadata.resourceVersion;
      if (o !== undefined) this.#wrote = true;
    };

    // 1. Conditions first: they carry the optimistic lock, so run before the other writes bump resourceVersion.
    const ops = newConditionsPatch(before, obj);
    if (ops.length > 0) {
      try {
        remember(await this.#patchConditions(gvk, key, ops, opts));
      } catch (err) {
        errors.push(err);
      }
    }

    // 2. metadata + spec (everything but status).
    let main = createMergePatch(mainPart(before), mainPart(obj));
    let status = createMergePatch(statusPart(before), statusPart(obj));
    if (!this.#opts.statusSubresource && !isEmptyPatch(status)) {
      main = { ...main, status };
      status = {};
    }
    if (!isEmptyPatch(main)) {
      try {
        remember(
          await this.#client.patch(gvk, key, main, {
            type: 'merge',
            fieldManager: opts.fieldManager,
            signal: opts.signal,
          }),
        );
      } catch (err) {
        errors.push(err);
      }
    }

    // 3. status without conditions.
    if (!isEmptyPatch(status)) {
      try {
        remember(
          await this.#client.patch(
            gvk,
            key,
            { status },
            { type: 'merge', subresource: 'status', fieldManager: opts.fieldManager, signal: opts.signal },
          ),
        );
      } catch (err) {
        errors.push(err);
      }
    }

    if (errors.length > 0) {
      const first = errors[0];
      const detail = errMessage(first);
      throw new SerialPatchError(
        `failed to patch ${obj.kind} ${objectRef(obj)}: ${detail}`,
        errors.length === 1 ? first : new AggregateError(errors),
        errors,
      );
    }
    if (resourceVersion) obj.metadata.resourceVersion = resourceVersion;
    this.#before = structuredClone(obj);
  }

  async #patchConditions(
    gvk: GroupVersionKind,
    key: ObjectKey,
    ops: ReturnType<typeof newConditionsPatch>,
    opts: SerialPatchOptions,
  ): Promise<KubeObject | undefined> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.#opts.conflictRetries; attempt++) {
      if (attempt > 0) {
        const base = this.#opts.conflictBackoffMs * 2 ** (attempt - 1);
        await sleep(base + Math.random() * base, opts.signal);
      }
      const reader = attempt === 0 && !this.#wrote ? this.#reader : this.#client;
      const latest: StatusObject = await reader.get(gvk, key, { signal: opts.signal });
      const merged = structuredClone(latest);
      applyConditionsPatch(merged, ops, {
        ownedConditions: opts.ownedConditions,
        forceOverwrite: opts.forceOverwriteConditions,
      });
      const next = conditions.getConditions(merged);
      if (JSON.stringify(next) === JSON.stringify(conditions.getConditions(latest))) return undefined; // already as intended
      const body = { metadata: { resourceVersion: latest.metadata.resourceVersion }, status: { conditions: next } };
      try {
        return await this.#client.patch(gvk, key, body, {
          type: 'merge',
          subresource: this.#opts.statusSubresource ? 'status' : undefined,
          fieldManager: opts.fieldManager,
          signal: opts.signal,
        });
      } catch (err) {
        if (!isConflictError(err)) throw err;
        lastErr = err;
      }
    }
    throw new Error(`failed to patch conditions after ${this.#opts.conflictRetries} conflicts`, { cause: lastErr });
  }
}

/** A failed {@link SerialPatcher.patch}: `errors` holds every failed request (conditions, main, status). */
export class SerialPatchError extends Error {
  readonly errors: readonly unknown[];
  constructor(message: string, cause: unknown, errors: readonly unknown[]) {
    super(message, { cause });
    this.name = 'SerialPatchError';
    this.errors = errors;
  }
}
