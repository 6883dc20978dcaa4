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

/** kube.Create: every object is tried, in order; the failures are thrown together as helm's multierror. */
export async function createObjects(
  kube: HelmKubeClient,
  objects: readonly KubeObject[],
  signal?: AbortSignal,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const errs: unknown[] = [];
  for (const o of objects) {
    try {
      out.push(await kube.create(o, signal));
    } catch (e) {
      errs.push(e);
    }
  }
  if (errs.length > 0) throw new Error(multiErrorMessage(errs.map(msg)), { cause: errs[0] });
  return out;
}

/** kube.Update(original, target, force). */
export async function updateObjects(
  kube: HelmKubeClient,
  original: readonly KubeObject[],
  target: readonly KubeObject[],
  opts: { force?: boolean; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<UpdateResult> {
  const res: UpdateResult = { created: [], updated: [], deleted: [] };
  const log = opts.log ?? ((): void => undefined);
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
        await kube.create(t, opts.signal);
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
      if (opts.force ?? false) {
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
