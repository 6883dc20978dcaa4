// helm 3.18.0 pkg/action/rollback.go: a new revision with the chart, values, manifest and hooks of the target one
// (pending-rollback, `Rollback to N`), pre-rollback hooks, kube.Update from the current manifest, the wait,
// post-rollback hooks, every deployed revision superseded, then the new one deployed.
import type { Release } from '../release/storage.ts';
import {
  ActionRun,
  DEFAULT_TIMEOUT_MS,
  NoDeployedReleasesError,
  ReleaseActionError,
  validateReleaseName,
  type ActionConfig,
} from './configuration.ts';
import { execHook } from './hooks.ts';
import { applyMethodOf, resolveServerSideApply, setStatus, type ServerSideApplyMode } from './install.ts';
import { buildObjects, setOwnership, type KubeObject } from './kube.ts';
import { deleteObjects, updateObjects, UpdateError } from './resources.ts';

/** Options of {@link rollback} (helm rollback's flags, helm-controller's rollback spec). */
export interface RollbackOptions {
  releaseName: string;
  /** The revision to roll back to; 0 (default): the one before the last. */
  version?: number;
  disableHooks?: boolean;
  wait?: boolean;
  waitForJobs?: boolean;
  timeoutMs?: number;
  force?: boolean;
  /** helm 4's `--server-side` (default `auto`: the apply method of the release rolled back to). */
  serverSideApply?: ServerSideApplyMode;
  /** helm 4's `--force-conflicts` (server-side apply only). */
  forceConflicts?: boolean;
  cleanupOnFail?: boolean;
  /** `--history-max` (0: unlimited). */
  maxHistory?: number;
  signal?: AbortSignal;
}

/** action.Rollback.Run: returns the new (deployed) revision. */
export async function rollback(cfg: ActionConfig, opts: RollbackOptions): Promise<Release> {
  const run = new ActionRun(cfg, opts.signal);
  const name = opts.releaseName;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    validateReleaseName(name);
  } catch (e) {
    throw new Error(`prepareRollback: Release name is invalid: ${name}`, { cause: e });
  }
  const version = opts.version ?? 0;
  if (version < 0) throw new Error('invalid release revision');
  const current = await run.last(name);
  const previousVersion = version === 0 ? (current.version ?? 0) - 1 : version;
  const history = await run.history(name);
  if (!history.some((r) => r.version === previousVersion)) throw new Error(`release has no ${previousVersion} version`);
  run.log(`rolling back ${name} (current: v${current.version ?? 0}, target: v${previousVersion})`);
  const previous = await run.get(name, previousVersion);
  const ssa = resolveServerSideApply(opts.serverSideApply ?? 'auto', previous);
  const target: Release = {
    name,
    info: {
      first_deployed: current.info?.first_deployed ?? '',
      last_deployed: run.now(),
      deleted: '',
      description: `Rollback to ${previousVersion}`,
      status: 'pending-rollback',
      ...(previous.info?.notes ? { notes: previous.info.notes } : {}),
    },
    ...(previous.chart ? { chart: previous.chart } : {}),
    ...(previous.config ? { config: previous.config } : {}),
    ...(previous.manifest ? { manifest: previous.manifest } : {}),
    ...(previous.hooks ? { hooks: previous.hooks } : {}),
    version: (current.version ?? 0) + 1,
    ...(current.namespace ? { namespace: current.namespace } : {}),
    labels: previous.labels ?? {},
    apply_method: applyMethodOf(ssa),
  };
  run.log(`creating rolled back release for ${name}`);
  await run.create(target, opts.maxHistory ?? 0);

  const namespace = current.namespace ?? '';
  let currentObjs: KubeObject[];
  let targetObjs: KubeObject[];
  try {
    currentObjs = await buildObjects(cfg.kube, current.manifest ?? '', namespace, run.signal);
  } catch (e) {
    throw new ReleaseActionError(
      `unable to build kubernetes objects from current release manifest: ${(e as Error).message}`,
      target,
      e,
    );
  }
  try {
    targetObjs = await buildObjects(cfg.kube, target.manifest ?? '', namespace, run.signal);
  } catch (e) {
    throw new ReleaseActionError(
      `unable to build kubernetes objects from new release manifest: ${(e as Error).message}`,
      target,
      e,
    );
  }
  if (!(opts.disableHooks ?? false)) {
    try {
      await execHook(run, target, 'pre-rollback', timeoutMs, ssa);
    } catch (e) {
      throw new ReleaseActionError((e as Error).message, target, e);
    }
  } else run.log(`rollback hooks disabled for ${name}`);
  setOwnership(targetObjs, name, namespace);
  try {
    await updateObjects(cfg.kube, currentObjs, targetObjs, {
      force: opts.force ?? false,
      serverSideApply: ssa,
      forceConflicts: opts.forceConflicts ?? false,
      upgradeClientSideFieldManager: true,
      ...(run.signal ? { signal: run.signal } : {}),
      log: (l) => run.log(l),
    });
  } catch (e) {
    const msg = `Rollback ${JSON.stringify(name)} failed: ${(e as Error).message}`;
    run.log(`warning: ${msg}`);
    setStatus(current, 'superseded', current.info?.description ?? '');
    setStatus(target, 'failed', msg);
    await run.record(current);
    await run.record(target);
    if ((opts.cleanupOnFail ?? false) && e instanceof UpdateError && e.result.created.length > 0) {
      await deleteObjects(cfg.kube, e.result.created, 'Background', run.signal);
    }
    throw new ReleaseActionError((e as Error).message, target, e);
  }
  if (opts.wait ?? false) {
    const w = { timeoutMs, ...(run.signal ? { signal: run.signal } : {}) };
    try {
      if (opts.waitForJobs ?? false) await cfg.waiter.waitWithJobs(targetObjs, w);
      else await cfg.waiter.wait(targetObjs, w);
    } catch (e) {
      setStatus(target, 'failed', `Release ${JSON.stringify(name)} failed: ${(e as Error).message}`);
      await run.record(current);
      await run.record(target);
      throw new ReleaseActionError(`release ${name} failed: ${(e as Error).message}`, target, e);
    }
  }
  if (!(opts.disableHooks ?? false)) {
    try {
      await execHook(run, target, 'post-rollback', timeoutMs, ssa);
    } catch (e) {
      throw new ReleaseActionError((e as Error).message, target, e);
    }
  }
  let deployed: Release[] = [];
  try {
    deployed = await run.deployedAll(name);
  } catch (e) {
    if (!(e instanceof NoDeployedReleasesError)) throw e;
  }
  for (const r of deployed) {
    run.log(`superseding previous deployment ${r.version ?? 0}`);
    setStatus(r, 'superseded', r.info?.description ?? '');
    await run.record(r);
  }
  setStatus(target, 'deployed', target.info?.description ?? '');
  run.log(`updating status for rolled back release for ${name}`);
  await run.record(target);
  return target;
}
