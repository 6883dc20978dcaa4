/**
 * Test-only in-memory client implementing the KubeClient subset of the reconcile kit: get/create/patch/delete with
 * RFC 7386 merge patches, resourceVersion optimistic locking on patches that carry `metadata.resourceVersion`, a
 * status subresource (main writes ignore status, status writes ignore everything else), generation bumps on spec
 * changes, and a hook to interfere with a request before it is served.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ClientPatchOptions, GroupVersionKind, KubeObject, ObjectKey } from './types.ts';

/** One served request. */
export interface FakeCall {
  verb: 'get' | 'create' | 'patch' | 'delete' | 'list';
  kind: string;
  key?: ObjectKey;
  subresource?: string;
  body?: unknown;
}

class FakeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** Any object the fake stores. */
export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObject['metadata'];
}

/** An object as the fake stores it: any fields besides apiVersion, kind and metadata. */
type Stored = KubeObject & Record<string, unknown>;

export class FakeClient {
  readonly objects = new Map<string, Stored>();
  readonly calls: FakeCall[] = [];
  /** Called before a request is served; may mutate the store or throw to inject a failure. */
  before?: (call: FakeCall, client: FakeClient) => void;
  #rv = 100;
  #uid = 0;

  static keyOf(kind: string, key: ObjectKey): string {
    return `${kind}/${key.namespace ?? ''}/${key.name}`;
  }

  /** Stores an object as-is (assigning uid/resourceVersion/generation when absent). */
  add<T extends FakeObject>(obj: T): T {
    const o = structuredClone(obj) as unknown as Stored;
    o.metadata.uid ??= `uid-${++this.#uid}`;
    o.metadata.resourceVersion = String(++this.#rv);
    o.metadata.generation ??= 1;
    this.objects.set(FakeClient.keyOf(o.kind, { namespace: o.metadata.namespace, name: o.metadata.name ?? '' }), o);
    return structuredClone(o) as unknown as T;
  }

  /** Mutates a stored object as another writer would (bumps resourceVersion). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests mutate typed views of stored objects
  mutate(kind: string, key: ObjectKey, fn: (o: any) => void): void {
    const o = this.objects.get(FakeClient.keyOf(kind, key));
    if (!o) throw new Error('no such object');
    fn(o);
    o.metadata.resourceVersion = String(++this.#rv);
  }

  stored<T = KubeObject>(kind: string, key: ObjectKey): T | undefined {
    const o = this.objects.get(FakeClient.keyOf(kind, key));
    return o ? (structuredClone(o) as unknown as T) : undefined;
  }

  async get<T = KubeObject>(gvk: GroupVersionKind, key: ObjectKey): Promise<T> {
    const call: FakeCall = { verb: 'get', kind: gvk.kind, key };
    this.before?.(call, this);
    this.calls.push(call);
    const o = this.objects.get(FakeClient.keyOf(gvk.kind, key));
    if (!o) throw new FakeApiError(404, 'NotFound', `${gvk.kind} "${key.name}" not found`);
    return structuredClone(o) as unknown as T;
  }

  async create<T extends FakeObject>(obj: T): Promise<T> {
    const call: FakeCall = {
      verb: 'create',
      kind: obj.kind,
      key: { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' },
      body: obj,
    };
    this.before?.(call, this);
    this.calls.push(call);
    const k = FakeClient.keyOf(obj.kind, call.key!);
    if (this.objects.has(k))
      throw new FakeApiError(409, 'AlreadyExists', `${obj.kind} "${obj.metadata.name}" already exists`);
    return this.add(obj);
  }

  async patch(gvk: GroupVersionKind, key: ObjectKey, patch: unknown, opts: ClientPatchOptions): Promise<KubeObject> {
    const call: FakeCall = {
      verb: 'patch',
      kind: gvk.kind,
      key,
      subresource: opts.subresource,
      body: structuredClone(patch),
    };
    this.before?.(call, this);
    this.calls.push(call);
    const k = FakeClient.keyOf(gvk.kind, key);
    const live = this.objects.get(k);
    if (!live) throw new FakeApiError(404, 'NotFound', `${gvk.kind} "${key.name}" not found`);
    const p = structuredClone(patch) as Record<string, unknown> & { metadata?: Record<string, unknown> };
    const wantRV = p.metadata?.resourceVersion;
    if (wantRV !== undefined && wantRV !== live.metadata.resourceVersion) {
      throw new FakeApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${gvk.kind} "${key.name}": the object has been modified`,
      );
    }
    if (p.metadata) delete p.metadata.resourceVersion;
    let next: Stored;
    if (opts.subresource === 'status') {
      next = { ...live, status: applyMergePatch(live.status, p.status) } as Stored;
    } else {
      const { status: _s, ...rest } = p;
      next = applyMergePatch(live, rest) as Stored;
      if (!isDeepStrictEqual(next.spec, live.spec)) next.metadata.generation = (live.metadata.generation ?? 1) + 1;
    }
    if (!isDeepStrictEqual(next, live)) next.metadata.resourceVersion = String(++this.#rv);
    this.objects.set(k, next);
    return structuredClone(next);
  }

  async delete(gvk: GroupVersionKind, key: ObjectKey): Promise<void> {
    const call: FakeCall = { verb: 'delete', kind: gvk.kind, key };
    this.before?.(call, this);
    this.calls.push(call);
    if (!this.objects.delete(FakeClient.keyOf(gvk.kind, key))) throw new FakeApiError(404, 'NotFound', 'not found');
  }

  callsOf(verb: FakeCall['verb'], kind?: string): FakeCall[] {
    return this.calls.filter((c) => c.verb === verb && (kind === undefined || c.kind === kind));
  }
}
