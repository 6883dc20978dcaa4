// helm 3.18.0 pkg/action's Configuration for the release actions: the injected cluster client and waiter, the
// release storage (the Secrets driver over that client, with storage.Storage's MaxHistory pruning), capabilities,
// the clock, and the conversions of a loaded chart and rendered hooks into release records.
import type { Capabilities } from '../chart/render.ts';
import type { Chart, ChartFile } from '../chart/chart.ts';
import { metadataJson } from '../chart/metadata.ts';
import type { LookupFunc } from '../engine/render.ts';
import type { Hook } from '../releaseutil/manifest-sorter.ts';
import {
  ReleaseNotFoundError,
  releaseKey,
  SecretsDriver,
  type Release,
  type ReleaseChart,
  type ReleaseHook,
  type SecretObject,
  type SecretsClient,
} from '../release/storage.ts';
import type { HelmKubeClient, KubeObject, Waiter } from './kube.ts';
import type { PostRenderer, PostRenderStrategy } from './post-render.ts';

/** What every action needs (action.Configuration). */
export interface ActionConfig {
  kube: HelmKubeClient;
  waiter: Waiter;
  /** Where the release Secrets live (Flux's storageNamespace; helm's `--namespace`). */
  storageNamespace: string;
  /** The cluster's capabilities for rendering (default: defaultCapabilities()). */
  capabilities?: Capabilities;
  /** The `lookup` template function's backend (default: lookup returns empty maps). */
  lookup?: LookupFunc;
  /** The clock (release and hook times). */
  now?: () => Date;
  /** Helm's debug log lines. */
  log?: (line: string) => void;
  /** The post-renderer of install and upgrade (helm's `--post-renderer`; Flux's post-renderers). */
  postRenderer?: PostRenderer;
  /** Which documents go through {@link postRenderer} (default `nohooks`, helm 3's behaviour). */
  postRenderStrategy?: PostRenderStrategy;
}

/** An error of an action, with the release record as it was left (Helm returns both). */
export class ReleaseActionError extends Error {
  override name = 'ReleaseActionError';
  readonly release: Release | undefined;
  constructor(message: string, release: Release | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.release = release;
  }
}

/** driver.ErrNoDeployedReleases. */
export class NoDeployedReleasesError extends Error {
  override name = 'NoDeployedReleasesError';
  constructor(name: string) {
    super(`${JSON.stringify(name)} has no deployed releases`);
  }
}

/** errPending: the last release is pending-install, pending-upgrade or pending-rollback. */
export const ERR_PENDING = 'another operation (install/upgrade/rollback) is in progress';

/** The default timeout of an action (helm's `--timeout 5m0s`). */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** Go's time.Time MarshalJSON (RFC 3339 with trailing zeros of the fraction dropped), in UTC. */
export function goTime(d: Date): string {
  const iso = d.toISOString();
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  if (m === null) return iso;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return `${m[1]}${frac === '' ? '' : `.${frac}`}Z`;
}

const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** chartutil.ValidateReleaseName. */
export function validateReleaseName(name: string): void {
  if (name === '' || name.length > 53 || !RELEASE_NAME.test(name)) {
    throw new Error(
      `release name ${JSON.stringify(name)}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53`,
    );
  }
}

const files = (fs: readonly ChartFile[]): ReleaseChart['templates'] =>
  fs.length === 0 ? null : fs.map((f) => ({ name: f.name, data: f.data.toString('base64') }));

/** The chart as a release stores it (chart.Chart's JSON: no dependencies, no raw files). */
export function releaseChart(c: Chart): ReleaseChart {
  return {
    metadata: metadataJson(c.metadata),
    lock: c.lock,
    templates: files(c.templates),
    values: c.values,
    schema: c.schema === null ? null : c.schema.toString('base64'),
    files: files(c.files),
  };
}

/** release.Hook of a rendered hook (never run: empty last_run; weight and delete policies omitted when empty). */
export function releaseHook(h: Hook): ReleaseHook {
  const r: ReleaseHook = {
    name: h.name,
    kind: h.kind,
    path: h.path,
    manifest: h.manifest,
    events: [...h.events],
    last_run: { started_at: '', completed_at: '', phase: '' },
  };
  if (h.weight !== 0) r.weight = h.weight;
  if (h.deletePolicies.length > 0) r.delete_policies = [...h.deletePolicies];
  return r;
}

/** A SecretsClient for the release driver over the injected cluster client, in one namespace. */
export function kubeSecretsClient(kube: HelmKubeClient, namespace: string, signal?: AbortSignal): SecretsClient {
  const ref = (name: string): { apiVersion: string; kind: string; namespace: string; name: string } => ({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    name,
  });
  const withNs = (s: SecretObject): KubeObject =>
    ({ ...s, metadata: { ...s.metadata, namespace } }) as unknown as KubeObject;
  return {
    get: async (name) => (await kube.get(ref(name), signal)) as unknown as SecretObject | undefined,
    list: async (labels) =>
      (await kube.list('v1', 'Secret', { namespace, labels }, signal)) as unknown as SecretObject[],
    create: async (s) => {
      await kube.create(withNs(s), signal);
    },
    update: async (s) => {
      await kube.replace(withNs(s), signal);
    },
    delete: async (name) => {
      await kube.delete(ref(name), 'Background', signal);
    },
  };
}

/** One run of an action: the configuration, the storage, the signal and the clock. */
export class ActionRun {
  readonly cfg: ActionConfig;
  readonly releases: SecretsDriver;
  readonly signal: AbortSignal | undefined;
  constructor(cfg: ActionConfig, signal?: AbortSignal) {
    this.cfg = cfg;
    this.signal = signal;
    this.releases = new SecretsDriver(kubeSecretsClient(cfg.kube, cfg.storageNamespace, signal), {
      now: () => Math.floor(this.nowDate().getTime() / 1000),
    });
  }

  nowDate(): Date {
    return this.cfg.now?.() ?? new Date();
  }

  /** helmtime.Now() as stored. */
  now(): string {
    return goTime(this.nowDate());
  }

  log(line: string): void {
    this.cfg.log?.(line);
  }

  /**
   * cfg.recordRelease: update the stored record, logging a failure. Helm's storage takes no context: a cancelled
   * action still records its outcome (pending → failed), so its write is bounded by a timeout of its own instead.
   */
  async record(r: Release): Promise<void> {
    const releases = this.signal?.aborted
      ? new SecretsDriver(kubeSecretsClient(this.cfg.kube, this.cfg.storageNamespace, AbortSignal.timeout(30_000)), {
          now: () => Math.floor(this.nowDate().getTime() / 1000),
        })
      : this.releases;
    try {
      await releases.update(releaseKey(r.name ?? '', r.version ?? 0), r);
    } catch (e) {
      this.log(`warning: Failed to update release ${r.name ?? ''}: ${(e as Error).message}`);
    }
  }

  /** storage.History (ReleaseNotFoundError when there is none). */
  history(name: string): Promise<Release[]> {
    return this.releases.history(name);
  }

  /** storage.Last. */
  last(name: string): Promise<Release> {
    return this.releases.last(name);
  }

  /** storage.Get of one revision. */
  get(name: string, version: number): Promise<Release> {
    return this.releases.get(releaseKey(name, version));
  }

  /** storage.DeployedAll, newest first; NoDeployedReleasesError when none. */
  async deployedAll(name: string): Promise<Release[]> {
    try {
      const rs = await this.releases.query({ name, status: 'deployed' });
      return rs.sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
    } catch (e) {
      if (e instanceof ReleaseNotFoundError) throw new NoDeployedReleasesError(name);
      throw e;
    }
  }

  /** storage.Deployed. */
  async deployed(name: string): Promise<Release> {
    return (await this.deployedAll(name))[0] as Release;
  }

  /** storage.Create, pruning the history to maxHistory - 1 first when maxHistory > 0. */
  async create(r: Release, maxHistory = 0): Promise<void> {
    if (maxHistory > 0) await this.removeLeastRecent(r.name ?? '', maxHistory - 1);
    await this.releases.create(releaseKey(r.name ?? '', r.version ?? 0), r);
  }

  /** storage.removeLeastRecent: the oldest revisions but the last deployed one, until `max` are left. */
  private async removeLeastRecent(name: string, max: number): Promise<void> {
    let h: Release[];
    try {
      h = await this.history(name);
    } catch (e) {
      if (e instanceof ReleaseNotFoundError) return;
      throw e;
    }
    if (h.length <= max) return;
    let lastDeployed: Release | undefined;
    try {
      lastDeployed = await this.deployed(name);
    } catch (e) {
      if (!(e instanceof NoDeployedReleasesError)) throw e;
    }
    const toDelete: Release[] = [];
    for (const r of h) {
      if (h.length - toDelete.length === max) break;
      if (lastDeployed === undefined || r.version !== lastDeployed.version) toDelete.push(r);
    }
    const errs: string[] = [];
    for (const r of toDelete) {
      try {
        await this.releases.delete(releaseKey(name, r.version ?? 0));
      } catch (e) {
        errs.push((e as Error).message);
      }
    }
    this.log(`Pruned ${toDelete.length} record(s) from ${name} with ${errs.length} error(s)`);
    if (errs.length > 0) throw new Error(`error(s) deleting old release versions: ${errs.join('; ')}`);
  }
}
