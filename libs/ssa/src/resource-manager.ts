/**
 * Server-side apply of a set of objects the way fluxcd/pkg `ssa.ResourceManager` does it: a server-side dry-run
 * per existing object decides whether it changed, so only created or configured objects are written (a steady
 * state costs one read and one dry-run per object and no write); staged apply (cluster definitions first and waited
 * for, then `*Class` kinds, then the rest); bounded parallelism; recreate on immutable-field errors; the
 * `kustomize.toolkit.fluxcd.io/*` per-object policies; and prune by inventory with the owner-label guard.
 */
import { errMessage, isInvalid, isNotFound, reasonForError } from '@flux-ts/runtime';
import type {
  ApplyOptions as ClientApplyOptions,
  DeleteOptions,
  GroupVersionKind,
  KubeObject,
  ObjectKey,
  ObjectReader,
  PatchOptions,
} from '@flux-ts/runtime';
import { Action, ChangeSet, changeSetEntry } from './change-set.ts';
import type { ChangeSetEntry } from './change-set.ts';
import { HealthChecker } from './health.ts';
import { entryRef } from './inventory.ts';
import type { InventoryEntry } from './inventory.ts';
import { formatObject, formatSubject, objMetadataOf } from './object-ref.ts';
import { applyIgnoreRules } from './drift-ignore.ts';
import { isApplySkipped, isForceEnabled, isPruneDisabled, ssaPolicyOf } from './policy.ts';

/** Flux's field manager of applied objects. */
export const DefaultFieldManager = 'kustomize-controller';

/** The client calls the manager makes (satisfied by `KubeClient` and its impersonating clients). */
export interface SsaClient extends ObjectReader {
  patch<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    patch: unknown,
    opts: PatchOptions,
  ): Promise<T>;
  apply<T extends KubeObject>(obj: T, opts: ClientApplyOptions): Promise<T>;
  delete(gvk: GroupVersionKind, key: ObjectKey, opts?: DeleteOptions): Promise<void>;
}

/** Minimal structured logger (pino satisfies it). */
export interface SsaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** A field manager whose fields the applier takes over (fluxcd/pkg `ssa.FieldManager`). */
export interface FieldManagerRef {
  name: string;
  operation: 'Apply' | 'Update';
}

/**
 * Metadata cleanup before an apply (fluxcd/pkg `ApplyCleanupOptions`): annotations to remove and field managers whose
 * fields move to the applier, so fields they set and the manifests no longer contain are removed. Objects annotated
 * `kustomize.toolkit.fluxcd.io/ssa: Merge` are excluded.
 */
export interface CleanupOptions {
  annotations?: readonly string[];
  fieldManagers?: readonly FieldManagerRef[];
}

/** kustomize-controller's cleanup: `kubectl` (Apply, Update), `before-first-apply`, our own Update entries, the last-applied annotation. */
export function fluxCleanupOptions(
  overrideManagers: readonly string[] = [],
  fieldManager = DefaultFieldManager,
): CleanupOptions {
  return {
    annotations: ['kubectl.kubernetes.io/last-applied-configuration'],
    fieldManagers: [
      { name: 'kubectl', operation: 'Apply' },
      { name: 'kubectl', operation: 'Update' },
      { name: 'kubectl-client-side-apply', operation: 'Update' },
      { name: 'before-first-apply', operation: 'Update' },
      { name: fieldManager, operation: 'Update' },
      ...overrideManagers.flatMap((name) => [
        { name, operation: 'Apply' as const },
        { name, operation: 'Update' as const },
      ]),
    ],
  };
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Union of two FieldsV1 sets (nested maps). */
function mergeFieldSets(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      typeof cur === 'object' && cur !== null && typeof v === 'object' && v !== null
        ? mergeFieldSets(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * The JSON patch of a cleanup, or undefined when the object needs none: removes the listed annotations and hands the
 * fields of the listed managers (main resource only) to `manager`'s Apply entry.
 */
export function cleanupPatch(
  live: KubeObject,
  opts: CleanupOptions,
  manager: string,
  now: Date = new Date(),
): unknown[] | undefined {
  const ops: unknown[] = [];
  for (const a of opts.annotations ?? []) {
    if (live.metadata.annotations?.[a] !== undefined)
      ops.push({ op: 'remove', path: `/metadata/annotations/${a.replaceAll('~', '~0').replaceAll('/', '~1')}` });
  }
  const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const matches = (e: ManagedFieldsEntry) =>
    !e.subresource && (opts.fieldManagers ?? []).some((m) => m.name === e.manager && m.operation === e.operation);
  const taken = entries.filter(matches);
  if (taken.length > 0) {
    const kept = entries.filter((e) => !matches(e));
    let mine = kept.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
    if (!mine) {
      mine = { manager, operation: 'Apply', apiVersion: live.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} };
      kept.push(mine);
    }
    for (const e of taken) mine.fieldsV1 = mergeFieldSets(mine.fieldsV1 ?? {}, e.fieldsV1 ?? {});
    mine.time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    ops.push({ op: 'replace', path: '/metadata/managedFields', value: kept });
  }
  return ops.length > 0 ? ops : undefined;
}

/** Options of a {@link ResourceManager}. */
export interface ResourceManagerOptions {
  client: SsaClient;
  /** Field manager of the applies (default `kustomize-controller`). */
  fieldManager?: string;
  /** Objects applied in parallel (`--concurrent-ssa`, default 4). */
  concurrency?: number;
  /** Metadata cleanup before applying existing objects (see {@link fluxCleanupOptions}); none when absent. */
  cleanup?: CleanupOptions;
  log?: SsaLogger;
}

/** Options of one apply run. */
export interface ApplyOptions {
  /** Recreate objects whose update fails on an immutable field (`spec.force`). */
  force?: boolean;
  /** `spec.ignore`: the JSON pointers of an object that apply leaves to the cluster (see drift-ignore.ts). */
  ignorePaths?: (obj: KubeObject) => readonly string[];
  signal?: AbortSignal;
}

/** Options of a staged apply. */
export interface StagedApplyOptions extends ApplyOptions {
  /** Poll interval of the stage waits in ms (Flux: 2 s). */
  waitInterval?: number;
  /** Timeout of each stage wait in ms (Flux: 60 s). */
  waitTimeout?: number;
  /** `--custom-apply-stage-kinds` as `group/Kind` (core: `Kind`), applied after the `*Class` stage. */
  customStageKinds?: readonly string[];
}

/** Options of {@link ResourceManager.deleteAll}. */
export interface DeleteAllOptions {
  /** Only objects carrying every one of these labels are deleted (Flux's owner labels). */
  ownerLabels?: Record<string, string>;
  signal?: AbortSignal;
}

/** True for the 422 a server answers when an update touches an immutable field. */
export function isImmutableError(err: unknown): boolean {
  if (!isInvalid(err)) return false;
  const msg = errMessage(err);
  return /field is immutable|is immutable|cannot change|may not be changed|may not change once set/i.test(msg);
}

function gvkOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): GroupVersionKind {
  return { apiVersion: obj.apiVersion, kind: obj.kind };
}

function keyOf(obj: Pick<KubeObject, 'metadata'>): ObjectKey {
  return obj.metadata.namespace
    ? { namespace: obj.metadata.namespace, name: obj.metadata.name }
    : { name: obj.metadata.name };
}

const serverFields = ['managedFields', 'resourceVersion', 'generation'] as const;

/** The object as compared for drift: server bookkeeping removed from metadata. */
function forDiff(obj: KubeObject): unknown {
  const metadata: Record<string, unknown> = { ...obj.metadata };
  for (const f of serverFields) delete metadata[f];
  return { ...obj, metadata };
}

/** Structural equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** True when the dry-run result differs from the live object (the apply would change it). */
export function hasDrifted(live: KubeObject, dryRun: KubeObject): boolean {
  return !jsonEqual(forDiff(live), forDiff(dryRun));
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await fn(items[i] as T) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Kinds of the first stage: cluster definitions everything else may need. */
export function isClusterDefinition(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.slice(0, obj.apiVersion.indexOf('/')) : '';
  return (
    (obj.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') ||
    (obj.kind === 'Namespace' && group === '') ||
    (obj.kind === 'ClusterRole' && group === 'rbac.authorization.k8s.io')
  );
}

/** One apply stage: its objects and whether the next stage waits for them to be Current. */
export interface ApplyStage<T> {
  name: 'definitions' | 'classes' | 'custom' | 'resources';
  objects: T[];
  wait: boolean;
}

/** Splits objects into Flux's apply stages, input order kept within a stage (empty stages dropped). */
export function applyStages<T extends Pick<KubeObject, 'apiVersion' | 'kind'>>(
  objects: readonly T[],
  customStageKinds: readonly string[] = [],
): ApplyStage<T>[] {
  const custom = new Set(customStageKinds);
  const groupKind = (o: T): string => {
    const g = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
    return g ? `${g}/${o.kind}` : o.kind;
  };
  const stages: ApplyStage<T>[] = [
    { name: 'definitions', objects: [], wait: true },
    { name: 'classes', objects: [], wait: true },
    { name: 'custom', objects: [], wait: true },
    { name: 'resources', objects: [], wait: false },
  ];
  for (const o of objects) {
    const i = isClusterDefinition(o) ? 0 : o.kind.endsWith('Class') ? 1 : custom.has(groupKind(o)) ? 2 : 3;
    stages[i]!.objects.push(o);
  }
  return stages.filter((s) => s.objects.length > 0);
}

/** Flux's dry-run error: `<Kind/ns/name> dry-run failed (<Status reason>): <message>` (no parentheses without one). */
function dryRunFailed(subject: string, err: unknown): Error {
  const reason = reasonForError(err);
  const shown = reason && reason !== 'Unknown' ? ` (${reason})` : '';
  return new Error(`${subject} dry-run failed${shown}: ${errMessage(err)}`, { cause: err });
}

/** Applies and prunes objects with server-side apply. */
export class ResourceManager {
  readonly #client: SsaClient;
  readonly #fieldManager: string;
  readonly #concurrency: number;
  readonly #log: SsaLogger | undefined;
  readonly #cleanup: CleanupOptions | undefined;

  constructor(opts: ResourceManagerOptions) {
    this.#cleanup = opts.cleanup;
    this.#client = opts.client;
    this.#fieldManager = opts.fieldManager ?? DefaultFieldManager;
    this.#concurrency = Math.max(1, opts.concurrency ?? 4);
    this.#log = opts.log;
  }

  /** The field manager of the applies. */
  get fieldManager(): string {
    return this.#fieldManager;
  }

  /**
   * Applies one object: skipped (`ssa: Ignore`, `reconcile: disabled`, `IfNotPresent` on an existing object),
   * created (absent), or a server-side dry-run decides between unchanged (no write) and configured.
   * @throws Error `<Kind/ns/name> dry-run failed (<Reason>): …` or `<Kind/ns/name> apply failed: …`, with `cause`
   */
  async apply(obj: KubeObject, opts: ApplyOptions = {}): Promise<ChangeSetEntry> {
    const meta = objMetadataOf(obj);
    const entry = (action: Action) => changeSetEntry(meta, obj.apiVersion, action);
    const subject = formatSubject(meta);
    const signal = opts.signal;
    if (isApplySkipped(obj)) return entry(Action.Skipped);

    let live: KubeObject | undefined;
    try {
      live = await this.#client.get(gvkOf(obj), keyOf(obj), { signal });
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`${subject} query failed: ${errMessage(err)}`, { cause: err });
    }
    if (live && ssaPolicyOf(obj) === 'IfNotPresent') return entry(Action.Skipped);
    if (live && opts.ignorePaths) obj = applyIgnoreRules(obj, live, opts.ignorePaths(obj), this.#fieldManager);
    if (!live) {
      // As fluxcd/pkg/ssa: a new object is dry-run first too, so that an invalid one fails as `dry-run failed`.
      try {
        await this.#client.apply(obj, { fieldManager: this.#fieldManager, force: true, dryRun: true, signal });
      } catch (err) {
        throw dryRunFailed(subject, err);
      }
      await this.#apply(obj, subject, signal);
      return entry(Action.Created);
    }

    let current: KubeObject = live;
    let cleaned = false;
    if (this.#cleanup && ssaPolicyOf(obj) !== 'Merge') {
      const ops = cleanupPatch(current, this.#cleanup, this.#fieldManager);
      if (ops) {
        try {
          current = await this.#client.patch(gvkOf(obj), keyOf(obj), ops, { type: 'json', signal });
        } catch (err) {
          throw new Error(`${subject} metadata cleanup failed: ${errMessage(err)}`, { cause: err });
        }
        cleaned = true;
      }
    }

    let dryRun: KubeObject;
    try {
      dryRun = await this.#client.apply(obj, { fieldManager: this.#fieldManager, force: true, dryRun: true, signal });
    } catch (err) {
      if (isImmutableError(err) && (opts.force || isForceEnabled(obj))) {
        await this.#recreate(obj, subject, signal);
        return entry(Action.Created);
      }
      throw dryRunFailed(subject, err);
    }
    if (!hasDrifted(current, dryRun)) {
      if (cleaned) return entry(Action.Configured);
      return { ...entry(Action.Unchanged), observed: current };
    }
    await this.#apply(obj, subject, signal);
    return entry(Action.Configured);
  }

  /**
   * Applies objects in parallel (bounded by `concurrency`); the change set keeps the input order.
   * @throws Error naming every failed object (one line each), `cause` the first failure
   */
  async applyAll(objects: readonly KubeObject[], opts: ApplyOptions = {}): Promise<ChangeSet> {
    const results = await mapLimit(objects, this.#concurrency, (o) => this.apply(o, opts));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new Error(failed.map((f) => errMessage(f.reason)).join('\n'), { cause: failed[0]?.reason });
    }
    return new ChangeSet(results.map((r) => (r as PromiseFulfilledResult<ChangeSetEntry>).value));
  }

  /**
   * Applies in stages: CRDs, Namespaces and ClusterRoles first, then `*Class` kinds, then the custom stage kinds,
   * each followed by a wait until its objects are Current; then everything else (not waited for).
   */
  async applyAllStaged(objects: readonly KubeObject[], opts: StagedApplyOptions = {}): Promise<ChangeSet> {
    const cs = new ChangeSet();
    const stages = applyStages(objects, opts.customStageKinds);
    const checker = new HealthChecker({ client: this.#client });
    for (const stage of stages) {
      const stageCs = await this.applyAll(stage.objects, opts);
      cs.append(stageCs);
      if (stage.wait && stageCs.changes().length > 0) {
        this.#log?.debug({ stage: stage.name, objects: stage.objects.length }, 'waiting for apply stage');
        await checker.waitForSet(
          stage.objects.filter((o) => !isApplySkipped(o)),
          {
            interval: opts.waitInterval ?? 2000,
            timeout: opts.waitTimeout ?? 60_000,
            signal: opts.signal,
            observed: stageCs.observed(),
          },
        );
      }
    }
    return cs;
  }

  /**
   * Deletes the objects of inventory entries (background propagation). Entries whose object is gone are left out
   * of the change set; objects with `prune: disabled` (and the other opt-outs) or without the owner labels are
   * `skipped`.
   * @throws Error naming every object that could not be deleted
   */
  async deleteAll(entries: readonly InventoryEntry[], opts: DeleteAllOptions = {}): Promise<ChangeSet> {
    const results = await mapLimit(entries, this.#concurrency, async (e) => {
      const ref = entryRef(e);
      const gvk = { apiVersion: ref.apiVersion, kind: ref.kind };
      const key = ref.namespace ? { namespace: ref.namespace, name: ref.name } : { name: ref.name };
      const entry = (a: Action) => changeSetEntry(ref, ref.apiVersion, a);
      let live: KubeObject;
      try {
        live = await this.#client.get(gvk, key, { signal: opts.signal });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw new Error(`${formatSubject(ref)} query failed: ${errMessage(err)}`, { cause: err });
      }
      if (isPruneDisabled(live)) return entry(Action.Skipped);
      const labels = live.metadata.labels ?? {};
      if (Object.entries(opts.ownerLabels ?? {}).some(([k, v]) => labels[k] !== v)) return entry(Action.Skipped);
      try {
        await this.#client.delete(gvk, key, { propagationPolicy: 'Background', signal: opts.signal });
      } catch (err) {
        if (isNotFound(err)) return entry(Action.Deleted);
        throw new Error(`${formatSubject(ref)} delete failed: ${errMessage(err)}`, { cause: err });
      }
      return entry(Action.Deleted);
    });
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0)
      throw new Error(failed.map((f) => errMessage(f.reason)).join('\n'), { cause: failed[0]?.reason });
    const cs = new ChangeSet();
    for (const r of results) {
      const v = (r as PromiseFulfilledResult<ChangeSetEntry | undefined>).value;
      if (v) cs.add(v);
    }
    return cs;
  }

  async #apply(obj: KubeObject, subject: string, signal: AbortSignal | undefined): Promise<KubeObject> {
    try {
      return await this.#client.apply(obj, { fieldManager: this.#fieldManager, force: true, signal });
    } catch (err) {
      throw new Error(`${subject} apply failed: ${errMessage(err)}`, { cause: err });
    }
  }

  /** Delete, wait until gone, apply (Flux's force recreate). */
  async #recreate(obj: KubeObject, subject: string, signal: AbortSignal | undefined): Promise<void> {
    this.#log?.info({ object: formatObject(obj) }, 'recreating object after an immutable field error');
    try {
      await this.#client.delete(gvkOf(obj), keyOf(obj), { propagationPolicy: 'Background', signal });
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`${subject} delete failed: ${errMessage(err)}`, { cause: err });
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await this.#client.get(gvkOf(obj), keyOf(obj), { signal });
      } catch (err) {
        if (isNotFound(err)) break;
        throw new Error(`${subject} query failed: ${errMessage(err)}`, { cause: err });
      }
      if (Date.now() > deadline) throw new Error(`${subject} recreate failed: timeout waiting for the deletion`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.#apply(obj, subject, signal);
  }
}
