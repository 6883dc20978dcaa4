// helm 3.18.0 pkg/kube's Create, Update and Delete over the injected client: Update creates what is new, patches
// what changed (three-way merge against the previous manifest, or a replace with force) and deletes what the new
// manifest dropped, unless the live object says `helm.sh/resource-policy: keep`.
import {
  objectKey,
  refOf,
  RESOURCE_POLICY_ANNOTATION,
  type DeletionPropagation,
  type HelmKubeClient,
  type KubeObject,
} from './kube.ts';
import { threeWayMergePatch } from './patch.ts';

/** kube.Result. */
export interface UpdateResult {
  created: KubeObject[];
  updated: KubeObject[];
  deleted: KubeObject[];
}

/** An error of kube.Update with what had been done when it failed (for cleanupOnFail). */
export class UpdateError extends Error {
  override name = 'UpdateError';
  readonly result: UpdateResult;
  constructor(message: string, result: UpdateResult, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.result = result;
  }
}

const msg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** hashicorp/go-multierror's message, as helm's kube client returns its errors. */
export function multiErrorMessage(errs: readonly string[]): string {
  if (errs.length === 1) return `1 error occurred:\n\t* ${errs[0] ?? ''}\n\n`;
  return `${errs.length} errors occurred:\n${errs.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

/**
 * How helm 4's kube client writes objects: `serverSideApply` sends each whole object as an apply patch under the
 * client's field manager (creation and update alike), `forceConflicts` takes the fields other managers own; without
 * it objects are created (POST) and updated by the three-way merge patch, as helm 3.
 */
export interface ApplyStrategy {
  serverSideApply?: boolean;
  forceConflicts?: boolean;
}

/** schema.GroupVersionKind.String(): `group/version, Kind=kind` (`/v1, Kind=ConfigMap` for the core group). */
function gvkString(o: KubeObject): string {
  const v = o.apiVersion.includes('/') ? o.apiVersion : `/${o.apiVersion}`;
  return `${v}, Kind=${o.kind}`;
}

const isConflict = (e: unknown): boolean => {
  const x = e as { code?: unknown; reason?: unknown } | null;
  return x?.reason === 'Conflict' || x?.code === 409;
};

/** patchResourceServerSide: the apply patch of the whole object; a conflict is reported with the object's identity. */
export async function applyServerSide(
  kube: HelmKubeClient,
  o: KubeObject,
  forceConflicts: boolean,
  signal?: AbortSignal,
): Promise<KubeObject> {
  try {
    return await kube.apply(o, { force: forceConflicts }, signal);
  } catch (e) {
    if (isConflict(e))
      throw new Error(
        `conflict occurred while applying object ${o.metadata.namespace ?? ''}/${o.metadata.name} ${gvkString(o)}: ${msg(e)}`,
        { cause: e },
      );
    throw e;
  }
}

type FieldSet = Record<string, unknown>;
const isSet = (v: unknown): v is FieldSet => typeof v === 'object' && v !== null && !Array.isArray(v);
function unionFields(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const x = out[k];
    out[k] = isSet(x) && isSet(v) ? unionFields(x, v) : v;
  }
  return out;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
  subresource?: string;
}

/**
 * upgradeClientSideFieldManager (client-go csaupgrade.UpgradeManagedFields with the field manager as both the
 * client-side and the server-side manager): the fields the manager owns by `Update` become owned by its `Apply`
 * entry, so that the first server-side apply after client-side ones removes what the chart dropped. Sent as a merge
 * patch of `metadata.managedFields` guarded by the resourceVersion; true when the object was patched.
 */
export async function upgradeClientSideFieldManager(
  kube: HelmKubeClient,
  o: KubeObject,
  fieldManager: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const live = await kube.get(refOf(o), signal);
  if (live === undefined) return false;
  const entries = (live.metadata['managedFields'] ?? []) as ManagedFieldsEntry[];
  const csa = entries.filter((e) => e.manager === fieldManager && e.operation === 'Update' && !e.subresource);
  if (csa.length === 0) return false;
  const ssaIndex = entries.findIndex((e) => e.manager === fieldManager && e.operation === 'Apply' && !e.subresource);
  let fields: FieldSet = ssaIndex >= 0 ? (entries[ssaIndex]?.fieldsV1 ?? {}) : {};
  for (const e of csa) fields = unionFields(fields, e.fieldsV1 ?? {});
  const first = csa[0] as ManagedFieldsEntry;
  const merged: ManagedFieldsEntry = {
    ...(ssaIndex >= 0
      ? entries[ssaIndex]
      : { manager: fieldManager, operation: 'Apply', apiVersion: first.apiVersion }),
    ...(ssaIndex >= 0 ? {} : first.time !== undefined ? { time: first.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  };
  const next: ManagedFieldsEntry[] = [];
  entries.forEach((e, i) => {
    if (csa.includes(e)) return;
    next.push(i === ssaIndex ? merged : e);
  });
  if (ssaIndex < 0) next.push(merged);
  await kube.patch(
    refOf(o),
    {
      metadata: {
        managedFields: next,
        ...(live.metadata.resourceVersion !== undefined ? { resourceVersion: live.metadata.resourceVersion } : {}),
      },
    },
    signal,
  );
  return true;
}

/** kube.Create: every object is tried, in order; the failures are thrown together as helm's multierror. */
export async function createObjects(
  kube: HelmKubeClient,
  objects: readonly KubeObject[],
  signal?: AbortSignal,
  strategy: ApplyStrategy = {},
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const errs: unknown[] = [];
  for (const o of objects) {
    try {
      out.push(
        strategy.serverSideApply === true
          ? await applyServerSide(kube, o, strategy.forceConflicts ?? false, signal)
          : await kube.create(o, signal),
      );
    } catch (e) {
      errs.push(e);
    }
  }
  if (errs.length > 0) throw new Error(multiErrorMessage(errs.map(msg)), { cause: errs[0] });
  return out;
}

/** Options of {@link updateObjects}. */
export interface UpdateOptions extends ApplyStrategy {
  /** Replace (PUT) changed objects (helm's `--force`; helm 4's ForceReplace). */
  force?: boolean;
  /**
   * With server-side apply: first move the fields the client's `fieldManager` owns by client-side updates to its
   * apply entry
   * (helm 4 does it when a release changes from client-side to server-side apply, and on every rollback).
   */
  upgradeClientSideFieldManager?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** kube.Update(original, target, options): create what is new, update what exists, delete what was dropped. */
export async function updateObjects(
  kube: HelmKubeClient,
  original: readonly KubeObject[],
  target: readonly KubeObject[],
  opts: UpdateOptions = {},
): Promise<UpdateResult> {
  const res: UpdateResult = { created: [], updated: [], deleted: [] };
  const log = opts.log ?? ((): void => undefined);
  const ssa = opts.serverSideApply ?? false;
  const forceConflicts = opts.forceConflicts ?? false;
  if (forceConflicts && !ssa)
    throw new UpdateError('invalid client update option(s): forceConflicts enabled when serverSideApply disabled', res);
  if (forceConflicts && (opts.force ?? false))
    throw new UpdateError('invalid operation: cannot use force conflicts and force replace together', res);
  if (ssa && (opts.force ?? false))
    throw new UpdateError('invalid operation: cannot use server-side apply and force replace together', res);
  const originals = new Map(original.map((o) => [objectKey(o), o]));
  const updateErrors: string[] = [];
  for (const t of target) {
    let live: KubeObject | undefined;
    try {
      live = await kube.get(refOf(t), opts.signal);
    } catch (e) {
      throw new UpdateError(`could not get information about the resource: ${msg(e)}`, res, e);
    }
    if (live === undefined) {
      res.created.push(t);
      try {
        if (ssa) await applyServerSide(kube, t, forceConflicts, opts.signal);
        else await kube.create(t, opts.signal);
      } catch (e) {
        throw new UpdateError(`failed to create resource: ${msg(e)}`, res, e);
      }
      log(`Created a new ${t.kind} called ${JSON.stringify(t.metadata.name)} in ${t.metadata.namespace ?? ''}`);
      continue;
    }
    const orig = originals.get(objectKey(t));
    if (orig === undefined)
      throw new UpdateError(`no ${t.kind} with the name ${JSON.stringify(t.metadata.name)} found`, res);
    try {
      if (ssa) {
        if ((opts.upgradeClientSideFieldManager ?? false) && kube.fieldManager !== undefined) {
          const o = originals.get(objectKey(t)) ?? t;
          try {
            if (await upgradeClientSideFieldManager(kube, o, kube.fieldManager, opts.signal))
              log(`Upgraded ${t.kind} ${JSON.stringify(t.metadata.name)} client-side field management to server-side`);
          } catch (e) {
            throw new Error(
              `failed to patch object to upgrade CSA field manager ${o.metadata.namespace ?? ''}/${o.metadata.name} ${gvkString(o)}: ${msg(e)}`,
              { cause: e },
            );
          }
        }
        await applyServerSide(kube, t, forceConflicts, opts.signal);
      } else if (opts.force ?? false) {
        const obj: KubeObject = { ...t, metadata: { ...t.metadata } };
        if (live.metadata.resourceVersion !== undefined) obj.metadata.resourceVersion = live.metadata.resourceVersion;
        try {
          await kube.replace(obj, opts.signal);
        } catch (e) {
          throw new Error(`failed to replace object: ${msg(e)}`, { cause: e });
        }
      } else {
        const patch = threeWayMergePatch(
          orig as unknown as Record<string, unknown>,
          t as unknown as Record<string, unknown>,
          live as unknown as Record<string, unknown>,
        );
        if (Object.keys(patch).length === 0) {
          log(`Looks like there are no changes for ${t.kind} ${JSON.stringify(t.metadata.name)}`);
        } else {
          try {
            await kube.patch(refOf(t), patch, opts.signal);
          } catch (e) {
            throw new Error(`cannot patch ${JSON.stringify(t.metadata.name)} with kind ${t.kind}: ${msg(e)}`, {
              cause: e,
            });
          }
        }
      }
    } catch (e) {
      log(`error updating the resource ${JSON.stringify(t.metadata.name)}:\n\t ${msg(e)}`);
      updateErrors.push(msg(e));
    }
    res.updated.push(t);
  }
  if (updateErrors.length > 0) throw new UpdateError(updateErrors.join(' && '), res);
  const targets = new Set(target.map(objectKey));
  for (const o of original) {
    if (targets.has(objectKey(o))) continue;
    log(`Deleting ${o.kind} ${JSON.stringify(o.metadata.name)} in namespace ${o.metadata.namespace ?? ''}...`);
    let live: KubeObject | undefined;
    try {
      live = await kube.get(refOf(o), opts.signal);
    } catch (e) {
      log(`Unable to get obj ${JSON.stringify(o.metadata.name)}, err: ${msg(e)}`);
      continue;
    }
    if (live === undefined) continue;
    if (live.metadata.annotations?.[RESOURCE_POLICY_ANNOTATION] === 'keep') {
      log(
        `Skipping delete of ${JSON.stringify(o.metadata.name)} due to annotation [${RESOURCE_POLICY_ANNOTATION}=keep]`,
      );
      continue;
    }
    try {
      await kube.delete(refOf(o), 'Background', opts.signal);
    } catch (e) {
      log(`Failed to delete ${JSON.stringify(o.metadata.name)}, err: ${msg(e)}`);
      continue;
    }
    res.deleted.push(o);
  }
  return res;
}

/** kube.DeleteWithPropagationPolicy: objects already gone are skipped; the other failures are returned. */
export async function deleteObjects(
  kube: HelmKubeClient,
  objects: readonly KubeObject[],
  propagation: DeletionPropagation,
  signal?: AbortSignal,
): Promise<{ deleted: KubeObject[]; errors: Error[] }> {
  const deleted: KubeObject[] = [];
  const errors: Error[] = [];
  for (const o of objects) {
    try {
      if (await kube.delete(refOf(o), propagation, signal)) deleted.push(o);
    } catch (e) {
      errors.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  return { deleted, errors };
}
