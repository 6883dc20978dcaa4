// helm 3.18.0 pkg/action/install.go: CRDs, rendering, the ownership check, the namespace, the release record
// (pending-install), pre-install hooks, the objects created in install order (or adopted), the wait, post-install
// hooks, then deployed, or failed with `Release "x" failed: …` in the description.
import type { Chart } from '../chart/chart.ts';
import type { ApplyMethod, Release } from '../release/storage.ts';
import { renderRelease } from '../releaseutil/template.ts';
import type { RenderedResources } from '../releaseutil/render-resources.ts';
import type { Values } from '../values/yaml.ts';
import {
  ActionRun,
  DEFAULT_TIMEOUT_MS,
  ReleaseActionError,
  releaseChart,
  releaseHook,
  validateReleaseName,
  type ActionConfig,
} from './configuration.ts';
import { applyCrds, type CrdPolicy } from './crds.ts';
import { execHook } from './hooks.ts';
import { buildObjects, existingResourceConflict, isAlreadyExists, setOwnership, type KubeObject } from './kube.ts';
import { postRenderResources } from './post-render.ts';
import { createObjects, updateObjects } from './resources.ts';
import { SYSTEM_LABELS } from '../release/storage.ts';

/** Options of {@link install} (helm install's flags, helm-controller's install spec). */
export interface InstallOptions {
  releaseName: string;
  /** The release namespace (where namespaced objects without a namespace go). */
  namespace: string;
  chart: Chart;
  /** User-supplied values (the release's config). */
  values?: Values;
  /** `--create-namespace`. */
  createNamespace?: boolean;
  /** helm-controller's `install.crds` (default Create, as helm install). */
  crds?: CrdPolicy;
  /** `--no-hooks`. */
  disableHooks?: boolean;
  /** `--wait`. */
  wait?: boolean;
  /** `--wait-for-jobs`. */
  waitForJobs?: boolean;
  /** `--timeout` (default 5 min). */
  timeoutMs?: number;
  /** `--replace`: re-use the name of an uninstalled or failed release. */
  replace?: boolean;
  /** `--force` when adopting existing objects. */
  force?: boolean;
  /**
   * helm 4's `--server-side`: objects (and hooks) written by server-side apply, recorded as `apply_method: ssa`;
   * default false (helm 3's create and three-way merge, recorded as `csa`).
   */
  serverSideApply?: boolean;
  /** helm 4's `--force-conflicts`: server-side apply takes the fields other managers own. */
  forceConflicts?: boolean;
  /** `--description`. */
  description?: string;
  /** `--labels`: custom labels of the release Secret. */
  labels?: Record<string, string>;
  /** `--skip-schema-validation`. */
  skipSchemaValidation?: boolean;
  /** `--render-subchart-notes`. */
  subNotes?: boolean;
  signal?: AbortSignal;
}

/** Renders a release's resources as install/upgrade do (renderResources without CRDs). */
export function renderForRelease(
  cfg: ActionConfig,
  chart: Chart,
  values: Values,
  release: { name: string; namespace: string; revision: number; isInstall?: boolean; isUpgrade?: boolean },
  opts: { skipSchemaValidation?: boolean; log?: (line: string) => void } = {},
): RenderedResources {
  return renderRelease(chart, values, {
    release,
    ...(cfg.capabilities ? { capabilities: cfg.capabilities } : {}),
    ...(cfg.lookup ? { lookup: cfg.lookup } : {}),
    skipSchemaValidation: opts.skipSchemaValidation ?? false,
    includeCrds: false,
    ...(opts.log ? { log: opts.log } : {}),
  });
}

/** Runs the configuration's post-renderer over rendered resources (renderResources' last step), if it has one. */
export async function postRenderForRelease(
  cfg: ActionConfig,
  rendered: RenderedResources,
  log?: (line: string) => void,
): Promise<RenderedResources> {
  if (cfg.postRenderer === undefined) return rendered;
  try {
    return await postRenderResources(rendered, cfg.postRenderer, cfg.postRenderStrategy, log);
  } catch (e) {
    throw new ReleaseActionError((e as Error).message, undefined, e);
  }
}

/** Refuses custom labels Helm reserves. */
export function checkLabels(labels: Record<string, string> | undefined): void {
  if (labels !== undefined && Object.keys(labels).some((k) => SYSTEM_LABELS.includes(k))) {
    throw new Error(
      `user suplied labels contains system reserved label name. System labels: [${SYSTEM_LABELS.join(' ')}]`,
    );
  }
}

async function availableName(run: ActionRun, name: string, replace: boolean): Promise<void> {
  let h: Release[];
  try {
    h = await run.history(name);
  } catch {
    return;
  }
  if (h.length < 1) return;
  const last = h[h.length - 1] as Release;
  const st = last.info?.status;
  if (replace && (st === 'uninstalled' || st === 'failed')) return;
  throw new Error('cannot re-use a name that is still in use');
}

/** action.Install.RunWithContext: installs the chart as revision 1 and returns the deployed release. */
export async function install(cfg: ActionConfig, opts: InstallOptions): Promise<Release> {
  const run = new ActionRun(cfg, opts.signal);
  const name = opts.releaseName;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  validateReleaseName(name);
  await availableName(run, name, opts.replace ?? false);
  await applyCrds(run, opts.chart, opts.crds ?? 'Create');
  checkLabels(opts.labels);
  const vals = opts.values ?? {};
  const ssa = opts.serverSideApply ?? false;
  const strategy = { serverSideApply: ssa, forceConflicts: opts.forceConflicts ?? false };
  const ts = run.now();
  const rel: Release = {
    name,
    info: { first_deployed: ts, last_deployed: ts, deleted: '', status: 'unknown' },
    chart: releaseChart(opts.chart),
    config: vals,
    version: 1,
    namespace: opts.namespace,
    labels: opts.labels ?? {},
    apply_method: applyMethodOf(ssa),
  };
  let rendered: RenderedResources;
  try {
    rendered = renderForRelease(
      cfg,
      opts.chart,
      vals,
      { name, namespace: opts.namespace, revision: 1, isInstall: true },
      { skipSchemaValidation: opts.skipSchemaValidation ?? false, log: (l) => run.log(l) },
    );
  } catch (e) {
    throw new ReleaseActionError((e as Error).message, undefined, e);
  }
  rendered = await postRenderForRelease(cfg, rendered, (l) => run.log(l));
  // the chart after prepareRender (dependencies processed) is what helm stores
  rel.chart = releaseChart(opts.chart);
  rel.hooks = rendered.hooks.map(releaseHook);
  rel.manifest = rendered.manifest;
  if (rendered.notes !== '') (rel.info as NonNullable<Release['info']>).notes = rendered.notes;
  setStatus(rel, 'pending-install', 'Initial install underway');
  let resources: KubeObject[];
  try {
    resources = await buildObjects(cfg.kube, rel.manifest, opts.namespace, run.signal);
  } catch (e) {
    throw new Error(`unable to build kubernetes objects from release manifest: ${(e as Error).message}`, { cause: e });
  }
  setOwnership(resources, name, opts.namespace);
  let toBeAdopted: KubeObject[] = [];
  if (resources.length > 0) {
    try {
      toBeAdopted = await existingResourceConflict(cfg.kube, resources, name, opts.namespace, run.signal);
    } catch (e) {
      throw new Error(`Unable to continue with install: ${(e as Error).message}`, { cause: e });
    }
  }
  if (opts.createNamespace ?? false) {
    try {
      await cfg.kube.create(
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: opts.namespace, labels: { name: opts.namespace } },
        },
        run.signal,
      );
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
  if (opts.replace ?? false) await replaceRelease(run, rel);
  await run.create(rel);
  try {
    if (!(opts.disableHooks ?? false)) {
      try {
        await execHook(run, rel, 'pre-install', timeoutMs, ssa);
      } catch (e) {
        throw new Error(`failed pre-install: ${(e as Error).message}`, { cause: e });
      }
    }
    if (toBeAdopted.length === 0 && resources.length > 0)
      // helm 4 creates without forcing conflicts; it forces them (if asked) only when adopting
      await createObjects(cfg.kube, resources, run.signal, { serverSideApply: ssa });
    else if (resources.length > 0)
      await updateObjects(cfg.kube, toBeAdopted, resources, {
        force: opts.force ?? false,
        ...strategy,
        upgradeClientSideFieldManager: ssa,
        ...(run.signal ? { signal: run.signal } : {}),
        log: (l) => run.log(l),
      });
    if (opts.wait ?? false) {
      const w = { timeoutMs, ...(run.signal ? { signal: run.signal } : {}) };
      if (opts.waitForJobs ?? false) await cfg.waiter.waitWithJobs(resources, w);
      else await cfg.waiter.wait(resources, w);
    }
    if (!(opts.disableHooks ?? false)) {
      try {
        await execHook(run, rel, 'post-install', timeoutMs, ssa);
      } catch (e) {
        throw new Error(`failed post-install: ${(e as Error).message}`, { cause: e });
      }
    }
  } catch (e) {
    setStatus(rel, 'failed', `Release ${JSON.stringify(name)} failed: ${(e as Error).message}`);
    await run.record(rel);
    throw new ReleaseActionError((e as Error).message, rel, e);
  }
  setStatus(rel, 'deployed', opts.description || 'Install complete');
  await run.record(rel);
  return rel;
}

/** determineReleaseSSApplyMethod: the release record's `apply_method`. */
export function applyMethodOf(serverSideApply: boolean): ApplyMethod {
  return serverSideApply ? 'ssa' : 'csa';
}

/** helm 4's `--server-side` of upgrade and rollback: `auto` follows the apply method of a recorded release. */
export type ServerSideApplyMode = boolean | 'auto';

/** getUpgradeServerSideValue: `auto` is server-side apply when the release was applied so (unset means csa). */
export function resolveServerSideApply(mode: ServerSideApplyMode, recorded: Release | undefined): boolean {
  return mode === 'auto' ? recorded?.apply_method === 'ssa' : mode;
}

/** Release.SetStatus. */
export function setStatus(rel: Release, status: NonNullable<Release['info']>['status'], description: string): void {
  const info = rel.info ?? { deleted: '' };
  info.status = status;
  info.description = description;
  rel.info = info;
}

/** Install.replaceRelease: the new record continues the numbering; the last one, unless failed, is superseded. */
async function replaceRelease(run: ActionRun, rel: Release): Promise<void> {
  let hist: Release[];
  try {
    hist = await run.history(rel.name ?? '');
  } catch {
    return;
  }
  if (hist.length === 0) return;
  const last = hist[hist.length - 1] as Release;
  rel.version = (last.version ?? 0) + 1;
  if (last.info?.status === 'failed') return;
  setStatus(last, 'superseded', last.info?.description ?? '');
  await run.record(last);
}
