// helm 3.18.0 pkg/action/uninstall.go: the last revision marked uninstalling, pre-delete hooks, the manifest's
// objects deleted in uninstall order (those annotated `helm.sh/resource-policy: keep` kept), the wait for their
// deletion, post-delete hooks, then uninstalled (`keepHistory`) or every revision purged.
import type { Release } from '../release/storage.ts';
import { releaseKey, ReleaseNotFoundError } from '../release/storage.ts';
import { UNINSTALL_ORDER } from '../releaseutil/kind-sorter.ts';
import { sortManifests } from '../releaseutil/manifest-sorter.ts';
import { goTrimSpace, splitManifests } from '../releaseutil/manifest.ts';
import { ActionRun, DEFAULT_TIMEOUT_MS, validateReleaseName, type ActionConfig } from './configuration.ts';
import { execHook } from './hooks.ts';
import { buildObjects, RESOURCE_POLICY_ANNOTATION, type DeletionPropagation, type KubeObject } from './kube.ts';
import { deleteObjects } from './resources.ts';

/** Options of {@link uninstall} (helm uninstall's flags, helm-controller's uninstall spec). */
export interface UninstallOptions {
  releaseName: string;
  disableHooks?: boolean;
  /** `--keep-history`: keep the records, the last one uninstalled. */
  keepHistory?: boolean;
  /** `--wait`: until the deleted objects are gone. */
  wait?: boolean;
  timeoutMs?: number;
  /** `--cascade` (default background). */
  deletionPropagation?: 'background' | 'foreground' | 'orphan';
  /** `--ignore-not-found`. */
  ignoreNotFound?: boolean;
  description?: string;
  signal?: AbortSignal;
}

/** What {@link uninstall} returns (release.UninstallReleaseResponse). */
export interface UninstallResult {
  release: Release;
  /** `These resources were kept due to the resource policy:\n[Kind] name\n…`, or ''. */
  info: string;
}

const PROPAGATION: Record<string, DeletionPropagation> = {
  background: 'Background',
  foreground: 'Foreground',
  orphan: 'Orphan',
};

/** action.Uninstall.Run. */
export async function uninstall(cfg: ActionConfig, opts: UninstallOptions): Promise<UninstallResult | undefined> {
  const run = new ActionRun(cfg, opts.signal);
  const name = opts.releaseName;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    validateReleaseName(name);
  } catch (e) {
    throw new Error(`uninstall: Release name is invalid: ${name}`, { cause: e });
  }
  let rels: Release[];
  try {
    rels = await run.history(name);
  } catch (e) {
    if (opts.ignoreNotFound ?? false) return undefined;
    throw new Error(`uninstall: Release not loaded: ${name}: ${(e as Error).message}`, { cause: e });
  }
  if (rels.length < 1) throw new Error('no release provided');
  const rel = rels[rels.length - 1] as Release;
  const info = rel.info ?? { deleted: '' };
  rel.info = info;
  if (info.status === 'uninstalled') {
    if (!(opts.keepHistory ?? false)) {
      await purge(run, rels);
      return { release: rel, info: '' };
    }
    throw new Error(`the release named ${JSON.stringify(name)} is already deleted`);
  }
  run.log(`uninstall: Deleting ${name}`);
  info.status = 'uninstalling';
  info.deleted = run.now();
  info.description = 'Deletion in progress (or silently failed)';
  if (!(opts.disableHooks ?? false)) await execHook(run, rel, 'pre-delete', timeoutMs);
  else run.log(`delete hooks disabled for ${name}`);
  await run.record(rel);

  const { manifests } = sortManifests(splitManifests(rel.manifest ?? ''), { ordering: UNINSTALL_ORDER });
  let kept = '';
  let text = '';
  for (const m of manifests) {
    const policy = m.head.metadata?.annotations?.[RESOURCE_POLICY_ANNOTATION];
    if (policy !== undefined && goTrimSpace(policy).toLowerCase() === 'keep') {
      kept += `[${m.head.kind}] ${m.head.metadata?.name ?? ''}\n`;
      continue;
    }
    text += `\n---\n${m.content}`;
  }
  const errs: string[] = [];
  let deleted: KubeObject[] = [];
  const objs = await buildObjects(cfg.kube, text, rel.namespace ?? '', run.signal);
  if (objs.length > 0) {
    const propagation = PROPAGATION[opts.deletionPropagation ?? 'background'] ?? 'Background';
    const r = await deleteObjects(cfg.kube, objs, propagation, run.signal);
    if (r.errors.length > 0) {
      run.log(`uninstall: Failed to delete release: ${r.errors.map((e) => e.message).join(', ')}`);
      throw new Error(`failed to delete release: ${name}`, { cause: r.errors[0] });
    }
    deleted = r.deleted;
  }
  if (opts.wait ?? false) {
    try {
      await cfg.waiter.waitForDelete(deleted, { timeoutMs, ...(run.signal ? { signal: run.signal } : {}) });
    } catch (e) {
      errs.push((e as Error).message);
    }
  }
  if (!(opts.disableHooks ?? false)) {
    try {
      await execHook(run, rel, 'post-delete', timeoutMs);
    } catch (e) {
      errs.push((e as Error).message);
    }
  }
  info.status = 'uninstalled';
  info.description = opts.description || 'Uninstallation complete';
  const result: UninstallResult = {
    release: rel,
    info: kept === '' ? '' : `These resources were kept due to the resource policy:\n${kept}`,
  };
  if (!(opts.keepHistory ?? false)) {
    run.log(`purge requested for ${name}`);
    try {
      await purge(run, rels);
    } catch (e) {
      errs.push(`uninstall: Failed to purge the release: ${(e as Error).message}`);
    }
  } else await run.record(rel);
  if (errs.length > 0) throw new Error(`uninstallation completed with ${errs.length} error(s): ${errs.join('; ')}`);
  return result;
}

async function purge(run: ActionRun, rels: readonly Release[]): Promise<void> {
  for (const r of rels) {
    try {
      await run.releases.delete(releaseKey(r.name ?? '', r.version ?? 0));
    } catch (e) {
      if (!(e instanceof ReleaseNotFoundError)) throw e;
    }
  }
}
