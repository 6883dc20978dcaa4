// helm 3.18.0 pkg/action/hooks.go: the hooks of one event run in weight order (then kind in install order, then
// name), each created, watched until ready (Jobs complete, Pods succeed) and recorded in the release's last_run; the
// delete policies before-hook-creation (the default), hook-succeeded and hook-failed remove them.
import type { Release, ReleaseHook } from '../release/storage.ts';
import type { HookEvent } from '../releaseutil/manifest-sorter.ts';
import { INSTALL_ORDER } from '../releaseutil/kind-sorter.ts';
import type { ActionRun } from './configuration.ts';
import { buildObjects } from './kube.ts';
import { createObjects, deleteObjects, multiErrorMessage } from './resources.ts';

/** release.HookDeletePolicy values. */
export type HookDeletePolicy = 'before-hook-creation' | 'hook-succeeded' | 'hook-failed';

const ORDER = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

/** hookByWeight's Less as a comparator: weight, then kind in install order (unknown kinds last, by name), then name. */
export function compareHooks(a: ReleaseHook, b: ReleaseHook): number {
  const wa = a.weight ?? 0;
  const wb = b.weight ?? 0;
  if (wa !== wb) return wa - wb;
  const ka = a.kind ?? '';
  const kb = b.kind ?? '';
  const byName = (): number => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0);
  const fa = ORDER.get(ka);
  const fb = ORDER.get(kb);
  if (fa === undefined && fb === undefined) return ka === kb ? byName() : ka < kb ? -1 : 1;
  if (fa === undefined) return 1;
  if (fb === undefined) return -1;
  return fa === fb ? byName() : fa - fb;
}

/** deleteHookByPolicy: CRDs are never deleted; otherwise delete and wait until gone when the hook has the policy. */
export async function deleteHookByPolicy(
  run: ActionRun,
  rel: Release,
  h: ReleaseHook,
  policy: HookDeletePolicy,
  timeoutMs: number,
): Promise<void> {
  if (h.kind === 'CustomResourceDefinition') return;
  if (!(h.delete_policies ?? []).includes(policy)) return;
  let objs;
  try {
    objs = await buildObjects(run.cfg.kube, h.manifest ?? '', rel.namespace ?? '', run.signal);
  } catch (e) {
    throw new Error(`unable to build kubernetes object for deleting hook ${h.path ?? ''}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const { errors } = await deleteObjects(run.cfg.kube, objs, 'Background', run.signal);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('; '), { cause: errors[0] });
  await run.cfg.waiter.waitForDelete(objs, { timeoutMs, ...(run.signal ? { signal: run.signal } : {}) });
}

/**
 * cfg.execHook: runs the release's hooks of one event (created by server-side apply when `serverSideApply`, as helm
 * 4); the release's hook records are updated in place.
 */
export async function execHook(
  run: ActionRun,
  rel: Release,
  event: HookEvent,
  timeoutMs: number,
  serverSideApply = false,
): Promise<void> {
  const executing = (rel.hooks ?? []).filter((h) => (h.events ?? []).includes(event));
  executing.sort(compareHooks);
  const waitOpts = { timeoutMs, ...(run.signal ? { signal: run.signal } : {}) };
  for (const h of executing) {
    if ((h.delete_policies ?? []).length === 0) h.delete_policies = ['before-hook-creation'];
    await deleteHookByPolicy(run, rel, h, 'before-hook-creation', timeoutMs);
    let objs;
    try {
      objs = await buildObjects(run.cfg.kube, h.manifest ?? '', rel.namespace ?? '', run.signal);
    } catch (e) {
      throw new Error(`unable to build kubernetes object for ${event} hook ${h.path ?? ''}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    h.last_run = { started_at: run.now(), completed_at: '', phase: 'Running' };
    await run.record(rel);
    h.last_run.phase = 'Unknown';
    try {
      // helm 4 creates hooks by server-side apply when the release applies so, without forcing conflicts
      await createObjects(run.cfg.kube, objs, run.signal, { serverSideApply });
    } catch (e) {
      h.last_run.completed_at = run.now();
      h.last_run.phase = 'Failed';
      throw new Error(`warning: Hook ${event} ${h.path ?? ''} failed: ${(e as Error).message}`, { cause: e });
    }
    try {
      await run.cfg.waiter.watchUntilReady(objs, waitOpts);
    } catch (e) {
      h.last_run.completed_at = run.now();
      h.last_run.phase = 'Failed';
      await deleteHookByPolicy(run, rel, h, 'hook-failed', timeoutMs);
      // helm's kube client returns the watch's errors as a multierror
      throw new Error(multiErrorMessage([(e as Error).message]), { cause: e });
    }
    h.last_run.completed_at = run.now();
    h.last_run.phase = 'Succeeded';
  }
  for (let i = executing.length - 1; i >= 0; i--) {
    await deleteHookByPolicy(run, rel, executing[i] as ReleaseHook, 'hook-succeeded', timeoutMs);
  }
}
