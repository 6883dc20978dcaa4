/**
 * In-memory object storage: one bucket per group/resource, indexed by namespace, with a global monotonic
 * resourceVersion, a per-resource event ring buffer for watch resume, and O(watchers) fan-out per write.
 */
import { assertStorable } from './limits.ts';
import { getPath, isObj, type Obj } from './util.ts';

/** A stored change as watches see it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
  /** The object before this change (MODIFIED/DELETED). */
  prev?: Obj;
  rv: number;
}

/** A registered watch on one resource bucket. */
export interface StoreWatcher {
  namespace?: string;
  onEvent(ev: StoreEvent): void;
}

/** A dependent reference used by garbage collection. */
export interface DependentRef {
  bucket: string;
  namespace: string;
  name: string;
}

/** The serialisable form of a store. */
export interface StoreSnapshot {
  resourceVersion: number;
  buckets: Record<string, Obj[]>;
}

/**
 * Hears every committed change synchronously, before the write is acknowledged (a write-ahead log). A journal that
 * throws fails the write, and nothing changes.
 */
export interface StoreJournal {
  put(bucket: string, object: Obj, rv: number): void;
  remove(bucket: string, namespace: string, name: string, rv: number): void;
}

/** Fixed-capacity ring of events (hand-written: a few lines, no library needed). */
class Ring {
  private readonly buf: (StoreEvent | undefined)[];
  private start = 0;
  private size = 0;
  constructor(cap: number) {
    this.buf = new Array<StoreEvent | undefined>(Math.max(1, cap));
  }
  /** Push an event; returns the evicted one, if any. */
  push(ev: StoreEvent): StoreEvent | undefined {
    const cap = this.buf.length;
    if (this.size < cap) {
      this.buf[(this.start + this.size) % cap] = ev;
      this.size++;
      return undefined;
    }
    const evicted = this.buf[this.start];
    this.buf[this.start] = ev;
    this.start = (this.start + 1) % cap;
    return evicted;
  }
  clear(): void {
    this.start = 0;
    this.size = 0;
    this.buf.fill(undefined);
  }
  /** Events with rv > after, oldest first. */
  since(after: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const ev = this.buf[(this.start + i) % this.buf.length] as StoreEvent;
      if (ev.rv > after) out.push(ev);
    }
    return out;
  }
}

/** One group/resource's objects. */
export class Bucket {
  readonly name: string;
  readonly byNamespace = new Map<string, Map<string, Obj>>();
  readonly watchers = new Set<StoreWatcher>();
  /** Events at or before this resourceVersion are gone (watching from older gives 410). */
  compactedRv: number;
  private readonly history: Ring;
  private count = 0;
  constructor(name: string, historySize: number, startRv: number) {
    this.name = name;
    this.history = new Ring(historySize);
    this.compactedRv = startRv;
  }
  get size(): number {
    return this.count;
  }
  get(namespace: string, name: string): Obj | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }
  /** All objects (optionally in one namespace), sorted by namespace/name like etcd keys. */
  list(namespace?: string): Obj[] {
    const out: Obj[] = [];
    if (namespace !== undefined) {
      const m = this.byNamespace.get(namespace);
      if (m) for (const name of [...m.keys()].sort()) out.push(m.get(name) as Obj);
      return out;
    }
    for (const ns of [...this.byNamespace.keys()].sort()) {
      const m = this.byNamespace.get(ns) as Map<string, Obj>;
      for (const name of [...m.keys()].sort()) out.push(m.get(name) as Obj);
    }
    return out;
  }
  /** Namespaces that hold at least one object. */
  namespaces(): string[] {
    return [...this.byNamespace.keys()];
  }
  countIn(namespace: string): number {
    return this.byNamespace.get(namespace)?.size ?? 0;
  }
  /** Internal: write without events (used by the Store). */
  setRaw(namespace: string, name: string, o: Obj | undefined): void {
    let m = this.byNamespace.get(namespace);
    if (o === undefined) {
      if (m?.delete(name)) this.count--;
      if (m && m.size === 0) this.byNamespace.delete(namespace);
      return;
    }
    if (!m) {
      m = new Map();
      this.byNamespace.set(namespace, m);
    }
    if (!m.has(name)) this.count++;
    m.set(name, o);
  }
  record(ev: StoreEvent): void {
    const evicted = this.history.push(ev);
    if (evicted) this.compactedRv = Math.max(this.compactedRv, evicted.rv);
    for (const w of this.watchers) {
      if (w.namespace !== undefined && getPath(ev.object, 'metadata.namespace') !== w.namespace) continue;
      w.onEvent(ev);
    }
  }
  /** Events after rv, or undefined when rv is older than the retained history. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.since(rv);
  }
  /** Drop the event history (test hook: the next resume from an older version gets 410). */
  compact(rv: number): void {
    this.history.clear();
    this.compactedRv = rv;
  }
}

const ownerUids = (o: Obj): string[] => {
  const refs = getPath(o, 'metadata.ownerReferences');
  return Array.isArray(refs) ? refs.filter(isObj).map((r) => String(r['uid'])) : [];
};

/** The object store shared by all resources. */
export class Store {
  private rv = 1;
  private readonly buckets = new Map<string, Bucket>();
  private readonly historySize: number;
  /** owner uid -> dependents. */
  private readonly dependents = new Map<string, Map<string, DependentRef>>();
  /** uid -> where the object lives. */
  private readonly uids = new Map<string, DependentRef>();
  private readonly journal: StoreJournal | undefined;
  constructor(opts: { historySize?: number; journal?: StoreJournal | undefined } = {}) {
    this.historySize = opts.historySize ?? 5000;
    this.journal = opts.journal;
  }
  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }
  bucket(name: string): Bucket {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Bucket(name, this.historySize, this.rv);
      this.buckets.set(name, b);
    }
    return b;
  }
  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }
  /** Store a new or changed object; stamps and returns its new resourceVersion. Refuses what etcd would (413). */
  put(bucketName: string, o: Obj): Obj {
    assertStorable(o);
    const b = this.bucket(bucketName);
    const m = o['metadata'] as Obj;
    const ns = typeof m['namespace'] === 'string' ? m['namespace'] : '';
    const name = String(m['name']);
    const prev = b.get(ns, name);
    const prevRv = m['resourceVersion'];
    this.rv++;
    m['resourceVersion'] = String(this.rv);
    try {
      this.journal?.put(bucketName, o, this.rv);
    } catch (err) {
      m['resourceVersion'] = prevRv;
      throw err;
    }
    b.setRaw(ns, name, o);
    this.reindex(bucketName, ns, name, prev, o);
    b.record({ type: prev ? 'MODIFIED' : 'ADDED', object: o, ...(prev ? { prev } : {}), rv: this.rv });
    return o;
  }
  /** Remove an object; the DELETED event carries a new resourceVersion. */
  remove(bucketName: string, namespace: string, name: string): Obj | undefined {
    const b = this.bucket(bucketName);
    const prev = b.get(namespace, name);
    if (!prev) return undefined;
    this.rv++;
    this.journal?.remove(bucketName, namespace, name, this.rv);
    const gone: Obj = { ...prev, metadata: { ...(prev['metadata'] as Obj), resourceVersion: String(this.rv) } };
    b.setRaw(namespace, name, undefined);
    this.reindex(bucketName, namespace, name, prev, undefined);
    b.record({ type: 'DELETED', object: gone, prev, rv: this.rv });
    return gone;
  }
  /** Objects whose ownerReferences name this uid. */
  dependentsOf(uid: string): DependentRef[] {
    return [...(this.dependents.get(uid)?.values() ?? [])];
  }
  /** Where the object with this uid lives, if it exists. */
  locate(uid: string): DependentRef | undefined {
    return this.uids.get(uid);
  }
  private reindex(bucket: string, ns: string, name: string, prev: Obj | undefined, next: Obj | undefined): void {
    const key = `${bucket}|${ns}|${name}`;
    const prevUid = prev ? getPath(prev, 'metadata.uid') : undefined;
    if (typeof prevUid === 'string') this.uids.delete(prevUid);
    const nextUid = next ? getPath(next, 'metadata.uid') : undefined;
    if (typeof nextUid === 'string') this.uids.set(nextUid, { bucket, namespace: ns, name });
    for (const uid of prev ? ownerUids(prev) : []) {
      const m = this.dependents.get(uid);
      m?.delete(key);
      if (m && m.size === 0) this.dependents.delete(uid);
    }
    for (const uid of next ? ownerUids(next) : []) {
      let m = this.dependents.get(uid);
      if (!m) {
        m = new Map();
        this.dependents.set(uid, m);
      }
      m.set(key, { bucket, namespace: ns, name });
    }
  }
  /** Forget history in every bucket (watch resumes from before now get 410). */
  compactAll(): void {
    for (const b of this.buckets.values()) b.compact(this.rv);
  }
  /** A JSON-serialisable copy of every object. */
  snapshot(): StoreSnapshot {
    const buckets: Record<string, Obj[]> = {};
    for (const [name, b] of this.buckets) if (b.size > 0) buckets[name] = structuredClone(b.list());
    return { resourceVersion: this.rv, buckets };
  }
  /** Replace the content with a snapshot (no watch events; history starts empty). */
  restore(s: StoreSnapshot): void {
    for (const b of this.buckets.values()) {
      for (const ns of b.namespaces())
        for (const o of b.list(ns)) b.setRaw(ns, String(getPath(o, 'metadata.name')), undefined);
    }
    this.dependents.clear();
    this.uids.clear();
    this.rv = Math.max(this.rv, s.resourceVersion);
    for (const [name, objs] of Object.entries(s.buckets)) {
      const b = this.bucket(name);
      for (const o of structuredClone(objs)) {
        const ns = String(getPath(o, 'metadata.namespace') ?? '');
        const n = String(getPath(o, 'metadata.name'));
        b.setRaw(ns, n, o);
        this.reindex(name, ns, n, undefined, o);
      }
    }
    this.compactAll();
  }
}
