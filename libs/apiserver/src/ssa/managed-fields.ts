/**
 * Field management: `metadata.managedFields` for server-side apply and for ordinary writes, following
 * the structured-merge-diff `Updater` and the Kubernetes field manager chain around it.
 */
import type { TypeInfo } from '../typeinfo/types.ts';
import { PatchError } from '../patch/errors.ts';
import type { FieldPath } from './fieldset.ts';
import { FieldSet, pathToString } from './fieldset.ts';
import { getOwn, setOwn } from '../util.ts';
import { compare, deepEqual, dropAppliedNulls, isObject, mergeApplied, removePaths, toFieldSet } from './walk.ts';

type Obj = Record<string, unknown>;

/** One `metadata.managedFields` entry as the API returns it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** One conflicting field of a server-side apply. `field` is rendered like `.spec.replicas`. */
export interface ApplyConflict {
  manager: string;
  field: string;
  /** The cause message Kubernetes puts into `Status.details.causes`: `conflict with "kubectl" using apps/v1`. */
  message: string;
}

/** A server-side apply that would take fields another manager owns with a different value (HTTP 409). */
export class ApplyConflictError extends Error {
  readonly status = 409;
  readonly reason = 'Conflict';
  readonly conflicts: ApplyConflict[];
  constructor(message: string, conflicts: ApplyConflict[]) {
    super(message);
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }
}

/** The manager Kubernetes records for fields that existed before the first server-side apply. */
export const beforeFirstApplyManager = 'before-first-apply';

/** Fields no manager ever owns (the Kubernetes strip-meta field manager). */
const strippedPaths: FieldPath[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
];
const stripSet = (() => {
  const s = new FieldSet();
  for (const p of strippedPaths) s.insert(p);
  return s;
})();

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource: string | undefined;
  time: string | undefined;
  set: FieldSet;
  /** The original entry, reused when nothing about the manager changed. */
  original: ManagedFieldsEntry | undefined;
}

/** The identity of a manager: Apply entries are one per manager and subresource, Update ones per API version too. */
const identity = (m: {
  manager: string;
  operation: string;
  apiVersion: string;
  subresource?: string | undefined;
}): string =>
  JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);

const formatTime = (now: Date | string): string =>
  typeof now === 'string' ? now : now.toISOString().replace(/\.\d{3}Z$/, 'Z');

const readManagedFields = (obj: unknown): unknown[] | undefined => {
  if (!isObject(obj) || !isObject(obj['metadata'])) return undefined;
  const mf = obj['metadata']['managedFields'];
  return Array.isArray(mf) ? mf : undefined;
};

const decode = (entries: readonly unknown[] | undefined): Map<string, Manager> => {
  const out = new Map<string, Manager>();
  for (const e of entries ?? []) {
    if (!isObject(e)) continue;
    const operation = e['operation'] === 'Apply' ? 'Apply' : 'Update';
    const m: Manager = {
      manager: typeof e['manager'] === 'string' ? e['manager'] : '',
      operation,
      apiVersion: typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '',
      subresource: typeof e['subresource'] === 'string' && e['subresource'] !== '' ? e['subresource'] : undefined,
      time: typeof e['time'] === 'string' ? e['time'] : undefined,
      set: FieldSet.fromFieldsV1(e['fieldsV1']),
      original: e as unknown as ManagedFieldsEntry,
    };
    const id = identity(m);
    const prev = out.get(id);
    if (prev !== undefined) prev.set = prev.set.union(m.set);
    else out.set(id, m);
  }
  return out;
};

/** Kubernetes keeps at most this many Update entries; older ones merge into {@link ancientChangesManager}. */
export const maxUpdateManagers = 10;
/** The bucket manager older Update entries are merged into. */
export const ancientChangesManager = 'ancient-changes';

const seconds = (t: string | undefined): number => (t === undefined ? 0 : Math.floor(Date.parse(t) / 1000));
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The Kubernetes capManagersManager: merges the oldest Update entries, per API version, into one bucket. */
const capUpdateManagers = (managers: Map<string, Manager>): void => {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update' && !m.set.isEmpty());
  if (updaters.length <= maxUpdateManagers) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmpStr(ia, ib));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, m] of updaters) {
    if (length <= maxUpdateManagers) break;
    const bucket = {
      manager: ancientChangesManager,
      operation: 'Update' as const,
      apiVersion: m.apiVersion,
      subresource: undefined,
    };
    const bucketId = identity(bucket);
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, id);
      continue;
    }
    let target = managers.get(bucketId);
    if (target === undefined) {
      const firstManager = managers.get(first) as Manager;
      managers.delete(first);
      target = { ...bucket, time: firstManager.time, set: firstManager.set, original: undefined };
      managers.set(bucketId, target);
    }
    target.set = target.set.union(m.set);
    target.time = m.time;
    target.original = undefined;
    managers.delete(id);
    length--;
  }
};

const encode = (managers: Map<string, Manager>): ManagedFieldsEntry[] => {
  capUpdateManagers(managers);
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) {
    if (m.set.isEmpty()) continue;
    const entry: ManagedFieldsEntry = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time !== undefined ? { time: m.time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource !== undefined ? { subresource: m.subresource } : {}),
    };
    entries.push(entry);
  }
  // sortEncodedManagedFields: operation, time (seconds), manager, apiVersion, subresource
  const cmp = cmpStr;
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries;
};

const withoutManagedFields = (obj: unknown): Obj => {
  if (!isObject(obj)) return {};
  const out = structuredClone(obj);
  if (isObject(out['metadata'])) delete out['metadata']['managedFields'];
  return out;
};

/** Fields the caller ignores for this write (reset fields such as `status` on the main resource). */
const ignoredSet = (paths: readonly (readonly string[])[] | undefined): FieldSet => {
  const s = new FieldSet();
  for (const p of paths ?? []) s.insert(p.map((name) => `f:${name}`));
  return s;
};

const filterChanges = (set: FieldSet, ignored: FieldSet): FieldSet =>
  set.difference(stripSet).recursiveDifference(ignored);

/** Manager description for conflict messages (apimachinery `printManager`). */
const describeManager = (m: Manager): string => {
  let s = JSON.stringify(m.manager);
  if (m.subresource !== undefined) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
};

const conflictMessage = (conflicts: { m: Manager; path: FieldPath }[]): string => {
  if (conflicts.length === 1) {
    const c = conflicts[0] as { m: Manager; path: FieldPath };
    return `Apply failed with 1 conflict: conflict with ${describeManager(c.m)}: ${pathToString(c.path)}`;
  }
  const byManager = new Map<string, { m: Manager; paths: FieldPath[] }>();
  for (const c of conflicts) {
    // the Kubernetes manager identifier: JSON in ManagedFieldsEntry field order, no apiVersion for appliers
    const id = JSON.stringify({
      manager: c.m.manager,
      operation: c.m.operation,
      ...(c.m.operation === 'Update' ? { apiVersion: c.m.apiVersion } : {}),
      ...(c.m.subresource !== undefined ? { subresource: c.m.subresource } : {}),
    });
    const g = byManager.get(id) ?? { m: c.m, paths: [] };
    g.paths.push(c.path);
    byManager.set(id, g);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const g = byManager.get(id) as { m: Manager; paths: FieldPath[] };
    lines.push(`conflicts with ${describeManager(g.m)}:`);
    for (const p of g.paths) lines.push(`- ${pathToString(p)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
};

/** Options of {@link updateManagedFields}. */
export interface UpdateManagedFieldsOptions {
  /** The stored object; undefined for a create. */
  live: unknown;
  /** The object about to be stored (its `metadata.managedFields`, if the client set them, are honoured). */
  updated: unknown;
  manager: string;
  operation?: 'Update';
  typeInfo: TypeInfo;
  /** `group/version` of the request. */
  apiVersion: string;
  now: Date | string;
  subresource?: string;
  /** Field paths (property names) whose changes this write ignores, e.g. `[['status']]` on the main resource. */
  ignoredFields?: readonly (readonly string[])[];
}

/**
 * The `metadata.managedFields` after a non-apply write (create, update, JSON/merge/strategic patch):
 * the writer owns what it changed, other managers lose ownership of it, removed fields are forgotten.
 * An existing object without managed fields stays untracked until its first apply, like Kubernetes.
 */
export const updateManagedFields = (opts: UpdateManagedFieldsOptions): ManagedFieldsEntry[] => {
  const isCreate = opts.live === undefined;
  const fromUpdated = opts.subresource === undefined ? readManagedFields(opts.updated) : undefined;
  let managers = decode(fromUpdated);
  if (managers.size === 0) managers = decode(readManagedFields(opts.live));
  if (managers.size === 0 && !isCreate) return [];

  const ti = opts.typeInfo;
  const ignored = ignoredSet(opts.ignoredFields);
  let cmp: ReturnType<typeof compare>;
  try {
    cmp = compare(withoutManagedFields(opts.live ?? {}), withoutManagedFields(opts.updated), ti);
  } catch {
    // an object the field semantics cannot describe (a list-map item without its keys): like Kubernetes'
    // UpdateNoErrors, a write never fails because of field management; the previous entries stay as they were
    return encode(managers);
  }
  const changed = filterChanges(cmp.added.union(cmp.modified), ignored);
  const removed = filterChanges(cmp.removed, ignored);

  const self = {
    manager: opts.manager,
    operation: 'Update' as const,
    apiVersion: opts.apiVersion,
    subresource: opts.subresource,
  };
  const selfId = identity(self);
  for (const [id, m] of managers) {
    m.set = id === selfId ? m.set.difference(removed) : m.set.difference(changed).difference(removed);
  }
  // like the Kubernetes managedFieldsUpdater: the writer's entry (and its time) moves only when it took fields
  if (!changed.isEmpty()) {
    const prev = managers.get(selfId);
    managers.set(selfId, {
      ...self,
      time: formatTime(opts.now),
      set: (prev?.set ?? new FieldSet()).union(changed),
      original: undefined,
    });
  }
  return encode(managers);
};

/** Options of {@link applyServerSide}. */
export interface ApplyServerSideOptions {
  /** The stored object; undefined when the apply creates it. */
  live: unknown;
  /** The applied configuration (the request body, decoded). */
  applied: unknown;
  manager: string;
  force?: boolean;
  typeInfo: TypeInfo;
  /** `group/version` of the request. */
  apiVersion: string;
  now: Date | string;
  subresource?: string;
  /** Field paths (property names) this apply ignores, e.g. `[['status']]` on the main resource. */
  ignoredFields?: readonly (readonly string[])[];
}

/** The result of a server-side apply: the object to store, `metadata.managedFields` included. */
export interface ApplyServerSideResult {
  object: Record<string, unknown>;
  /** False when the apply changed neither the object nor its managed fields. */
  changed: boolean;
}

/**
 * Server-side apply with structured-merge-diff semantics: merges the applied configuration into the live
 * object, gives the applier ownership of every field it sets, removes fields it applied before and no
 * longer applies (unless another manager owns them), and throws {@link ApplyConflictError} when it would
 * change a field another manager owns, unless `force` transfers the ownership.
 */
export const applyServerSide = (opts: ApplyServerSideOptions): ApplyServerSideResult => {
  const ti = opts.typeInfo;
  if (!isObject(opts.applied)) throw new PatchError(400, 'the applied configuration must be an object');
  const appliedMF = readManagedFields(opts.applied);
  if (appliedMF !== undefined && appliedMF.length > 0) {
    throw new PatchError(400, 'metadata.managedFields must be nil');
  }
  const applied = withoutManagedFields(opts.applied);
  const live = opts.live === undefined ? undefined : withoutManagedFields(opts.live);
  const liveObj = live ?? {};
  const ignored = ignoredSet(opts.ignoredFields);
  const now = formatTime(opts.now);

  let managers = decode(readManagedFields(opts.live));
  if (managers.size === 0 && live !== undefined) {
    // an object nobody tracked yet: what it holds belongs to `before-first-apply` (an Update manager)
    const cmp = compare({}, liveObj, ti);
    const set = filterChanges(cmp.added.union(cmp.modified), ignored);
    if (!set.isEmpty()) {
      const bfa: Manager = {
        manager: beforeFirstApplyManager,
        operation: 'Update',
        apiVersion: opts.apiVersion,
        subresource: opts.subresource,
        time: now,
        set,
        original: undefined,
      };
      managers = new Map([[identity(bfa), bfa]]);
    }
  }

  const self = {
    manager: opts.manager,
    operation: 'Apply' as const,
    apiVersion: opts.apiVersion,
    subresource: opts.subresource,
  };
  const selfId = identity(self);
  const previous = managers.get(selfId);
  const appliedSet = filterChanges(toFieldSet(applied, ti), ignored);

  // merge, then drop what this manager applied last time, no longer applies, and nobody else owns
  let merged = mergeApplied(liveObj, applied, ti) as Obj;
  // ignored fields keep their live value
  merged = restoreIgnored(merged, liveObj, opts.ignoredFields);
  if (previous !== undefined) {
    // only appliers protect a field from removal (structured-merge-diff addBackOwnedItems)
    const owned = appliedSet.clone();
    for (const [id, m] of managers) {
      if (id !== selfId && m.operation === 'Apply') for (const p of m.set.paths()) owned.insert(p);
    }
    const stale = previous.set
      .difference(appliedSet)
      .paths()
      .filter((p) => !owned.hasPrefix(p));
    merged = removePaths(merged, stale, ti);
  }

  const cmp = compare(liveObj, merged, ti);
  const changed = filterChanges(cmp.added.union(cmp.modified), ignored);
  const removed = filterChanges(cmp.removed, ignored);

  const conflicts: { m: Manager; path: FieldPath }[] = [];
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    for (const p of m.set.intersection(changed).sortedPaths()) conflicts.push({ m, path: p });
  }
  if (conflicts.length > 0 && opts.force !== true && !allowedByLastApplied(opts.manager, liveObj, conflicts, ti)) {
    throw new ApplyConflictError(
      conflictMessage(conflicts),
      conflicts.map((c) => ({
        manager: c.m.manager,
        field: pathToString(c.path),
        message: `conflict with ${describeManager(c.m)}`,
      })),
    );
  }
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    m.set = m.set.difference(changed).difference(removed);
  }

  merged = dropAppliedNulls(merged, applied) as Obj;
  const objectChanged = live === undefined || !deepEqual(liveObj, merged);
  // Kubernetes stamps the applier's time only when the apply changed the object
  managers.set(selfId, {
    ...self,
    time: objectChanged ? now : previous?.time,
    set: appliedSet,
    original: undefined,
  });

  const managedFields = encode(managers);
  const metadata = isObject(merged['metadata']) ? { ...merged['metadata'] } : {};
  syncLastApplied(opts.manager, liveObj, applied, metadata);
  if (managedFields.length > 0) metadata['managedFields'] = managedFields;
  else delete metadata['managedFields'];
  const object: Obj = { ...merged, metadata };
  const before = readManagedFields(opts.live);
  const annotationsChanged = !deepEqual(metaOf(liveObj)['annotations'], metadata['annotations']);
  return { object, changed: objectChanged || annotationsChanged || !deepEqual(before ?? [], managedFields) };
};

/** The client-side apply annotation kubectl keeps. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** The only manager whose server-side applies take part in the client-side apply migration (Kubernetes rule). */
const kubectlManager = 'kubectl';

const metaOf = (obj: Obj): Obj => (isObject(obj['metadata']) ? obj['metadata'] : {});

const lastAppliedOf = (obj: Obj): string | undefined => {
  const annotations = metaOf(obj)['annotations'];
  const v = isObject(annotations) ? annotations[lastAppliedAnnotation] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * Kubernetes lastAppliedManager: a `kubectl` server-side apply upgrading an object kubectl applied client-side
 * may take, without force, the fields whose live value still equals the last-applied configuration.
 */
const allowedByLastApplied = (manager: string, live: Obj, conflicts: { path: FieldPath }[], ti: TypeInfo): boolean => {
  if (manager !== kubectlManager) return false;
  const raw = lastAppliedOf(live);
  if (raw === undefined) return false;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return false;
  }
  if (!isObject(lastApplied)) return false;
  let allowed: FieldSet;
  try {
    allowed = toFieldSet(lastApplied, ti).difference(compare(lastApplied, live, ti).modified);
  } catch {
    return false;
  }
  return conflicts.every((c) => allowed.has(c.path));
};

/** JSON with object keys sorted, as Go's encoding/json writes a map, plus the encoder's trailing newline. */
const goJson = (v: unknown): string => {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (!isObject(x)) return x;
    return Object.fromEntries(
      Object.keys(x)
        .sort()
        .map((k) => [k, sortKeys(x[k])]),
    );
  };
  return `${JSON.stringify(sortKeys(v))}\n`;
};

/**
 * Kubernetes lastAppliedUpdater: a `kubectl` server-side apply to an object that carries the client-side
 * apply annotation rewrites it to the applied configuration, so that a later client-side apply diffs correctly.
 */
const syncLastApplied = (manager: string, live: Obj, applied: Obj, metadata: Obj): void => {
  if (manager !== kubectlManager || lastAppliedOf(live) === undefined) return;
  const copy = structuredClone(applied);
  const meta = metaOf(copy);
  if (isObject(meta['annotations'])) delete meta['annotations'][lastAppliedAnnotation];
  const annotations = isObject(metadata['annotations']) ? { ...metadata['annotations'] } : {};
  annotations[lastAppliedAnnotation] = goJson(copy);
  metadata['annotations'] = annotations;
};

const restoreIgnored = (merged: Obj, live: Obj, paths: readonly (readonly string[])[] | undefined): Obj => {
  if (paths === undefined || paths.length === 0) return merged;
  const out = structuredClone(merged);
  for (const path of paths) {
    if (path.length === 0) continue;
    let src: unknown = live;
    let dst: unknown = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] as string;
      src = isObject(src) ? getOwn(src, k) : undefined;
      if (!isObject(dst)) break;
      if (!isObject(getOwn(dst, k))) setOwn(dst, k, {});
      dst = dst[k];
    }
    const last = path[path.length - 1] as string;
    if (!isObject(dst)) continue;
    const value = isObject(src) ? getOwn(src, last) : undefined;
    if (value === undefined) delete dst[last];
    else setOwn(dst, last, structuredClone(value));
  }
  return out;
};
