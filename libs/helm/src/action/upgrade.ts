// helm 3.18.0 pkg/action/upgrade.go: the next revision from the last one (pending-upgrade), values reset or reused,
// pre-upgrade hooks, kube.Update from the current release's manifest to the new one (create new objects, patch
// changed ones, delete dropped ones), the wait, post-upgrade hooks; the previous release then superseded and the
// new one deployed, or the new one failed (`Upgrade "x" failed: …`), with cleanupOnFail removing what it created.
import type { Chart } from '../chart/chart.ts';
import type { Release } from '../release/storage.ts';
import type { RenderedResources } from '../releaseutil/render-resources.ts';
import { coalesceTables, deepCopy } from '../values/coalesce.ts';
import type { Values } from '../values/yaml.ts';
import {
  ActionRun,
  DEFAULT_TIMEOUT_MS,
  ERR_PENDING,
  NoDeployedReleasesError,
  ReleaseActionError,
  releaseChart,
  releaseHook,
  validateReleaseName,
  type ActionConfig,
} from './configuration.ts';
import { applyCrds, type CrdPolicy } from './crds.ts';
import { execHook } from './hooks.ts';
import {
  applyMethodOf,
  checkLabels,
  postRenderForRelease,
  renderForRelease,
  resolveServerSideApply,
  setStatus,
  type ServerSideApplyMode,
} from './install.ts';
import { buildObjects, existingResourceConflict, objectKey, setOwnership, type KubeObject } from './kube.ts';
import { deleteObjects, updateObjects, UpdateError } from './resources.ts';
import { ReleaseNotFoundError } from '../release/storage.ts';

/** Options of {@link upgrade} (helm upgrade's flags, helm-controller's upgrade spec). */
export interface UpgradeOptions {
  releaseName: string;
  chart: Chart;
  values?: Values;
  /** `--reset-values`: only the new values (helm-controller's default). */
  resetValues?: boolean;
  /** `--reuse-values`: the last release's values merged under the new ones (helm-controller's `preserveValues`). */
  reuseValues?: boolean;
  /** `--reset-then-reuse-values`. */
  resetThenReuseValues?: boolean;
  disableHooks?: boolean;
  wait?: boolean;
  waitForJobs?: boolean;
  timeoutMs?: number;
  /** `--force`: replace changed objects instead of patching them (refused with server-side apply, as helm 4). */
  force?: boolean;
  /**
   * helm 4's `--server-side` (`true`, `false` or `auto`, the default: the apply method of the last release, csa when
   * it records none); the new release records the method used.
   */
  serverSideApply?: ServerSideApplyMode;
  /** helm 4's `--force-conflicts` (server-side apply only). */
  forceConflicts?: boolean;
  /** `--cleanup-on-fail`: delete the objects this upgrade created when it fails. */
  cleanupOnFail?: boolean;
  /** `--history-max` (0: unlimited). */
  maxHistory?: number;
  /** helm-controller's `upgrade.crds` (default Skip, as helm upgrade). */
  crds?: CrdPolicy;
  description?: string;
  labels?: Record<string, string>;
  skipSchemaValidation?: boolean;
  signal?: AbortSignal;
}

/** The values of the new revision (Upgrade.reuseValues). */
function reuseValues(opts: UpgradeOptions, chart: Chart, current: Release, newVals: Values): Values {
  if (opts.resetValues ?? false) return newVals;
  const old = (current.config ?? {}) as Values;
  if (opts.reuseValues ?? false) {
    chart.values = (coalesceTables(deepCopy(old), deepCopy(current.chart?.values ?? {}) as Values) ?? {}) as Values;
    return (coalesceTables(newVals, old) ?? {}) as Values;
  }
  if (opts.resetThenReuseValues ?? false) return (coalesceTables(newVals, old) ?? {}) as Values;
  if (Object.keys(newVals).length === 0 && Object.keys(old).length > 0) return old;
  return newVals;
}

/** action.Upgrade.RunWithContext: upgrades the release to a new revision and returns it. */
export async function upgrade(cfg: ActionConfig, opts: UpgradeOptions): Promise<Release> {
  const run = new ActionRun(cfg, opts.signal);
  const name = opts.releaseName;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  validateReleaseName(name);
  let last: Release;
  try {
    last = await run.last(name);
  } catch (e) {
    if (e instanceof ReleaseNotFoundError) throw new NoDeployedReleasesError(name);
    throw e;
  }
  const lastStatus = last.info?.status;
  if (lastStatus === 'pending-install' || lastStatus === 'pending-upgrade' || lastStatus === 'pending-rollback')
    throw new Error(ERR_PENDING);
  let current: Release | undefined;
  if (lastStatus === 'deployed') current = last;
  else {
    try {
      current = await run.deployed(name);
    } catch (e) {
      if (!(e instanceof NoDeployedReleasesError)) throw e;
      if (lastStatus === 'failed' || lastStatus === 'superseded') current = last;
      else throw e;
    }
  }
  const namespace = current.namespace ?? '';
  const vals = reuseValues(opts, opts.chart, current, opts.values ?? {});
  const revision = (last.version ?? 0) + 1;
  const ssa = resolveServerSideApply(opts.serverSideApply ?? 'auto', last);
  run.log(`determined release apply method: server_side_apply=${ssa} previous=${last.apply_method ?? ''}`);
  await applyCrds(run, opts.chart, opts.crds ?? 'Skip');
  let rendered: RenderedResources;
  try {
    rendered = renderForRelease(
      cfg,
      opts.chart,
      vals,
      { name, namespace, revision, isUpgrade: true },
      { skipSchemaValidation: opts.skipSchemaValidation ?? false, log: (l) => run.log(l) },
    );
  } catch (e) {
    throw new ReleaseActionError((e as Error).message, undefined, e);
  }
  rendered = await postRenderForRelease(cfg, rendered, (l) => run.log(l));
  checkLabels(opts.labels);
  const upgraded: Release = {
    name,
    info: {
      first_deployed: current.info?.first_deployed ?? '',
      last_deployed: run.now(),
      deleted: '',
      description: 'Preparing upgrade',
      status: 'pending-upgrade',
    },
    chart: releaseChart(opts.chart),
    config: vals,
    manifest: rendered.manifest,
    hooks: rendered.hooks.map(releaseHook),
    version: revision,
    namespace,
    labels: mergeLabels(last.labels ?? {}, opts.labels ?? {}),
    apply_method: applyMethodOf(ssa),
  };
  if (rendered.notes !== '') (upgraded.info as NonNullable<Release['info']>).notes = rendered.notes;

  let currentObjs: KubeObject[];
  try {
    currentObjs = await buildObjects(cfg.kube, current.manifest ?? '', namespace, run.signal);
  } catch (e) {
    throw new ReleaseActionError(
      `unable to build kubernetes objects from current release manifest: ${(e as Error).message}`,
      upgraded,
      e,
    );
  }
  let target: KubeObject[];
  try {
    target = await buildObjects(cfg.kube, upgraded.manifest ?? '', namespace, run.signal);
  } catch (e) {
    throw new ReleaseActionError(
      `unable to build kubernetes objects from new release manifest: ${(e as Error).message}`,
      upgraded,
      e,
    );
  }
  setOwnership(target, name, namespace);
  const existing = new Set(currentObjs.map(objectKey));
  const toBeCreated = target.filter((t) => !existing.has(objectKey(t)));
  try {
    currentObjs.push(...(await existingResourceConflict(cfg.kube, toBeCreated, name, namespace, run.signal)));
  } catch (e) {
    throw new Error(`Unable to continue with update: ${(e as Error).message}`, { cause: e });
  }
  run.log(`creating upgraded release for ${name}`);
  await run.create(upgraded, opts.maxHistory ?? 0);

  const fail = async (err: unknown, created: KubeObject[]): Promise<never> => {
    const message = (err as Error).message;
    const msg = `Upgrade ${JSON.stringify(name)} failed: ${message}`;
    run.log(`warning: ${msg}`);
    setStatus(upgraded, 'failed', msg);
    await run.record(upgraded);
    if ((opts.cleanupOnFail ?? false) && created.length > 0) {
      run.log(`Cleanup on fail set, cleaning up ${created.length} resources`);
      const { errors } = await deleteObjects(cfg.kube, created, 'Background', run.signal);
      if (errors.length > 0) {
        throw new ReleaseActionError(
          `an error occurred while cleaning up resources. original upgrade error: ${message}: unable to cleanup resources: ${errors.map((x) => x.message).join(', ')}`,
          upgraded,
          err,
        );
      }
      run.log('Resource cleanup complete');
    }
    throw new ReleaseActionError(message, upgraded, err);
  };

  if (!(opts.disableHooks ?? false)) {
    try {
      await execHook(run, upgraded, 'pre-upgrade', timeoutMs, ssa);
    } catch (e) {
      return fail(new Error(`pre-upgrade hooks failed: ${(e as Error).message}`, { cause: e }), []);
    }
  } else run.log(`upgrade hooks disabled for ${name}`);
  let created: KubeObject[] = [];
  try {
    const res = await updateObjects(cfg.kube, currentObjs, target, {
      force: opts.force ?? false,
      serverSideApply: ssa,
      forceConflicts: opts.forceConflicts ?? false,
      // the client-side field manager is upgraded when the release moves from client-side to server-side apply
      upgradeClientSideFieldManager: ssa && (current.apply_method ?? 'csa') === 'csa',
      ...(run.signal ? { signal: run.signal } : {}),
      log: (l) => run.log(l),
    });
    created = res.created;
  } catch (e) {
    await run.record(current);
    return fail(e, e instanceof UpdateError ? e.result.created : []);
  }
  if (opts.wait ?? false) {
    const w = { timeoutMs, ...(run.signal ? { signal: run.signal } : {}) };
    try {
      if (opts.waitForJobs ?? false) await cfg.waiter.waitWithJobs(target, w);
      else await cfg.waiter.wait(target, w);
    } catch (e) {
      await run.record(current);
      return fail(e, created);
    }
  }
  if (!(opts.disableHooks ?? false)) {
    try {
      await execHook(run, upgraded, 'post-upgrade', timeoutMs, ssa);
    } catch (e) {
      return fail(new Error(`post-upgrade hooks failed: ${(e as Error).message}`, { cause: e }), created);
    }
  }
  setStatus(current, 'superseded', current.info?.description ?? '');
  await run.record(current);
  setStatus(upgraded, 'deployed', opts.description || 'Upgrade complete');
  await run.record(upgraded);
  return upgraded;
}

/** mergeCustomLabels: the last release's labels, overridden by the new ones (the value `null` removes a label). */
function mergeLabels(current: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(desired)) out[k] = v;
  for (const [k, v] of Object.entries(out)) if (v === 'null') delete out[k];
  return out;
}
