/**
 * The atomic release of a HelmRelease (helm-controller `internal/reconcile`: `DetermineReleaseState`,
 * `AtomicRelease.actionForState` and the Install, Upgrade, Test, Unlock, RollbackRemediation and
 * UninstallRemediation action reconcilers). Each round observes the release storage, determines the release's
 * state (absent, unmanaged, locked, out of sync, untested, failed, in sync) against `status.history` and the desired
 * chart and config digest, and runs the one action that state calls for; rounds go on until the release is in sync,
 * an action type repeats, a remediation ran (the next reconcile resumes), the retries are exhausted (Stalled
 * RetriesExceeded) or an action fails without writing a release (returned for a retry). Every write of the storage
 * is observed into `status.history` snapshots; conditions Released, TestSuccess and Remediated carry each action's
 * outcome with Flux's messages and are summarized into Ready as Flux's `summarize` does.
 */
import { createHash } from 'node:crypto';
import {
  HelmEventMetadata,
  HelmReleaseActions,
  HelmReleaseAnnotations,
  HelmReleaseConditions,
  HelmReleaseDefaults,
  HelmReleaseReasons,
  HelmReleaseStrategies,
  ProgressingReason,
  ReadyCondition,
  ReconcileRequestAnnotation,
  ReconcilingCondition,
} from '@flux-ts/api';
import type { HelmRelease, HelmReleaseStatus } from '@flux-ts/api';
import {
  ReleaseNotFoundError,
  SecretsDriver,
  install,
  kubeSecretsClient,
  releaseJson,
  releaseKey,
  rollback,
  testRelease,
  uninstall,
  upgrade,
} from '@flux-ts/helm';
import type { ActionConfig, Chart, CrdPolicy, Release, Values } from '@flux-ts/helm';
import {
  GenericError,
  StallingError,
  conditions,
  errMessage,
  formatGoDuration,
  parseGoDuration,
} from '@flux-ts/runtime';
import type { EventSink, Logger } from '@flux-ts/runtime';
import { digestValues } from './values.ts';
import { renderDigestChange, setObservedRenderDigests } from './postrender.ts';
import { correctClusterDrift, detectDrift, driftDetected, markNoDrift } from './drift-release.ts';
import type { Diff, DriftContext } from './drift-release.ts';

/** `status.history[]`. */
export type Snapshot = NonNullable<HelmReleaseStatus['history']>[number];

/** The observed states of a release (helm-controller `ReleaseStatus`). */
export type ReleaseState =
  'absent' | 'unmanaged' | 'locked' | 'out-of-sync' | 'untested' | 'failed' | 'drifted' | 'in-sync';

/** The type of an action, which bounds how often it runs in one reconcile (`ReconcilerType`). */
export type ActionType = 'release' | 'remediate' | 'test' | 'unlock' | 'drift correction';

/** The release name, Flux's default `[<targetNamespace>-]<name>` shortened past 53 characters (`release.ShortenName`). */
export function releaseNameOf(hr: HelmRelease): string {
  const name =
    hr.spec.releaseName ||
    (hr.spec.targetNamespace ? `${hr.spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
  if (name.length <= 53) return name;
  const sum = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, 40)}-${sum}`;
}

/** The namespace the release deploys to (`targetNamespace`, else the HelmRelease's). */
export const releaseNamespaceOf = (hr: HelmRelease): string => hr.spec.targetNamespace || hr.metadata.namespace || '';
/** The namespace of the release storage (`storageNamespace`, else the HelmRelease's). */
export const storageNamespaceOf = (hr: HelmRelease): string => hr.spec.storageNamespace || hr.metadata.namespace || '';

/** `sha256:<hex>` of the release record as Go's encoding/json writes it (helm-controller `release.Digest`). */
export function releaseDigest(r: Release): string {
  return `sha256:${createHash('sha256')
    .update(`${releaseJson(r)}\n`)
    .digest('hex')}`;
}

/** A Helm (Go) time as `metav1.Time` serializes it: RFC 3339 in seconds; '' stays ''. */
function metaTime(t: string | undefined): string {
  const d = t ? new Date(t) : undefined;
  return d === undefined || Number.isNaN(d.getTime()) ? (t ?? '') : d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The snapshot of a release record (helm-controller `release.ObservedToSnapshot`). */
export function snapshotOf(r: Release): Snapshot {
  const meta = (r.chart?.metadata ?? {}) as { name?: string; version?: string; appVersion?: string };
  const s: Snapshot = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    digest: releaseDigest(r),
    name: r.name ?? '',
    namespace: r.namespace ?? '',
    version: r.version ?? 0,
    status: r.info?.status ?? 'unknown',
    chartName: meta.name ?? '',
    chartVersion: meta.version ?? '',
    configDigest: digestValues(r.config ?? {}),
    firstDeployed: metaTime(r.info?.first_deployed),
    lastDeployed: metaTime(r.info?.last_deployed),
  };
  if (meta.appVersion) s.appVersion = meta.appVersion;
  if (r.info?.deleted && !r.info.deleted.startsWith('0001-')) s.deleted = metaTime(r.info.deleted);
  return s;
}

/** The test hooks of a tested release, as `status.history[].testHooks`. */
export function testHooksOf(r: Release): NonNullable<Snapshot['testHooks']> {
  const out: NonNullable<Snapshot['testHooks']> = {};
  for (const h of r.hooks ?? []) {
    if (!(h.events ?? []).includes('test') || h.name === undefined) continue;
    const run = h.last_run;
    out[h.name] = {
      ...(run.started_at ? { lastStarted: metaTime(run.started_at) } : {}),
      ...(run.completed_at ? { lastCompleted: metaTime(run.completed_at) } : {}),
      ...(run.phase ? { phase: run.phase } : {}),
    };
  }
  return out;
}

const fullName = (s: Pick<Snapshot, 'namespace' | 'name' | 'version'>): string =>
  `${s.namespace}/${s.name}.v${s.version}`;
const versionedChart = (s: Pick<Snapshot, 'chartName' | 'chartVersion'>): string => `${s.chartName}@${s.chartVersion}`;

/** What one reconcile of the release works with. */
export interface ReleaseRequest {
  hr: HelmRelease;
  chart: Chart;
  values: Values;
  /** {@link digestValues} of `values`. */
  configDigest: string;
  /** The actions' configuration (cluster client, waiter, storage namespace). */
  cfg: ActionConfig;
  recorder?: EventSink | undefined;
  log: Logger;
  /** Feature gate DefaultToRetryOnFailure: RetryOnFailure is the strategy where none is set. */
  defaultToRetryOnFailure?: boolean | undefined;
  /** Feature gate UseHelm3Defaults: an install without `install.serverSideApply` uses Helm 3's three-way merge. */
  useHelm3Defaults?: boolean | undefined;
  signal: AbortSignal;
  /** Patches the HelmRelease's status (progress between actions). */
  patch(): Promise<void>;
  /** The cluster client and field managers of drift detection (none: drift detection off). */
  drift?: DriftContext | undefined;
  /** Set once an install or upgrade ran in this reconcile: its release has the spec's post-renderers. */
  released?: boolean;
  /**
   * The release storage as last read in this reconcile (by the state check or by the observation after an action),
   * so that an action and the state check after an observation do not list the storage Secrets again.
   */
  stored?: Release[];
}

function timeoutOf(hr: HelmRelease, own: string | undefined): number {
  return parseGoDuration(own ?? hr.spec.timeout ?? HelmReleaseDefaults.timeout);
}

type Remediation = { retries?: number; remediateLastFailure?: boolean; strategy?: string } | undefined;

/** The remediation of the last attempted action (helm-controller `GetActiveRemediation`). */
function activeRemediation(hr: HelmRelease): { kind: 'install' | 'upgrade'; r: Remediation; failures: number } {
  if (hr.status?.lastAttemptedReleaseAction === HelmReleaseActions.Upgrade)
    return { kind: 'upgrade', r: hr.spec.upgrade?.remediation, failures: hr.status.upgradeFailures ?? 0 };
  return { kind: 'install', r: hr.spec.install?.remediation, failures: hr.status?.installFailures ?? 0 };
}

const retriesExhausted = (r: Remediation, failures: number): boolean => {
  const retries = r?.retries ?? 0;
  return retries >= 0 && failures > retries;
};

/** `RemediateLastFailure`: install default false; upgrade default true when retries > 0. */
function mustRemediateLastFailure(kind: 'install' | 'upgrade', r: Remediation): boolean {
  if (r?.remediateLastFailure !== undefined) return r.remediateLastFailure;
  return kind === 'upgrade' && (r?.retries ?? 0) > 0;
}

/** The default of `spec.{install,upgrade}.strategy.retryInterval`. */
export const DefaultRetryInterval = '5m';

/**
 * The RetryOnFailure strategy of install or upgrade with its `retryInterval` in ms (helm-controller `GetRetry`);
 * undefined under RemediateOnFailure. Without a strategy, DefaultToRetryOnFailure chooses.
 */
export function retryStrategyOf(
  hr: HelmRelease,
  kind: 'install' | 'upgrade',
  defaultToRetryOnFailure = false,
): { retryIntervalMs: number } | undefined {
  const strategy = (kind === 'install' ? hr.spec.install : hr.spec.upgrade)?.strategy;
  const name =
    strategy?.name ??
    (defaultToRetryOnFailure ? HelmReleaseStrategies.RetryOnFailure : HelmReleaseStrategies.RemediateOnFailure);
  if (name !== HelmReleaseStrategies.RetryOnFailure) return undefined;
  return { retryIntervalMs: parseGoDuration(strategy?.retryInterval ?? DefaultRetryInterval) };
}

/** The retry strategy of the last attempted release action (helm-controller `GetActiveRetry`). */
export function activeRetry(hr: HelmRelease, defaultToRetryOnFailure = false): { retryIntervalMs: number } | undefined {
  const last = hr.status?.lastAttemptedReleaseAction;
  if (last === undefined) return undefined;
  return retryStrategyOf(hr, last === HelmReleaseActions.Upgrade ? 'upgrade' : 'install', defaultToRetryOnFailure);
}

function storageOf(req: ReleaseRequest): SecretsDriver {
  return new SecretsDriver(kubeSecretsClient(req.cfg.kube, req.cfg.storageNamespace, req.signal));
}

async function storedHistory(req: ReleaseRequest): Promise<Release[]> {
  try {
    return await storageOf(req).history(releaseNameOf(req.hr));
  } catch (err) {
    if (err instanceof ReleaseNotFoundError) return [];
    throw err;
  }
}

/**
 * Observes the storage into `status.history`: snapshots of known versions are refreshed, releases newer than
 * `after` (written by the action that just ran) are added newest first.
 */
async function observe(req: ReleaseRequest, after: number): Promise<Release[]> {
  const releases = await storedHistory(req);
  req.stored = releases;
  const status = (req.hr.status ??= {});
  const history = [...(status.history ?? [])];
  const ociDigest = status.lastAttemptedRevisionDigest;
  for (const r of releases) {
    const snap = snapshotOf(r);
    const i = history.findIndex(
      (s) => s.name === snap.name && s.namespace === snap.namespace && s.version === snap.version,
    );
    const known = i >= 0 ? history[i] : undefined;
    if (known !== undefined)
      history[i] = {
        ...snap,
        ...(known.testHooks ? { testHooks: known.testHooks } : {}),
        ...(known.ociDigest ? { ociDigest: known.ociDigest } : {}),
      };
    // a release this reconcile made is of the chart it loaded: an OCIRepository's records its OCI digest
    else if (snap.version > after) history.unshift(ociDigest ? { ...snap, ociDigest } : snap);
  }
  history.sort((a, b) => b.version - a.version);
  status.history = history;
  return releases;
}

/** The state of the release (helm-controller `DetermineReleaseState`). */
export async function determineReleaseState(
  req: ReleaseRequest,
): Promise<{ state: ReleaseState; detail: string; diffs?: Diff[] }> {
  // the storage as the observation after the last action left it, else read now
  const releases =
    req.stored ??
    (await storedHistory(req).catch((err: unknown) => {
      // e.g. an impersonated service account that may not read the storage Secrets (helm-controller's StateError)
      throw new GenericError(
        `Could not determine release state: failed to retrieve last release from storage: ${errMessage(err)}`,
        HelmReleaseReasons.StateError,
        { cause: err },
      );
    }));
  req.stored = releases;
  const last = releases[releases.length - 1];
  if (last === undefined) return { state: 'absent', detail: 'no release in storage for object' };
  const status = last.info?.status ?? 'unknown';
  if (status.startsWith('pending-')) return { state: 'locked', detail: `release with status '${status}'` };
  const cur = req.hr.status?.history?.[0];
  if (cur === undefined) {
    if (status === 'uninstalled') return { state: 'absent', detail: 'found uninstalled release in storage' };
    return { state: 'unmanaged', detail: 'release not managed by object' };
  }
  const observed = snapshotOf(last);
  if (cur.name !== observed.name || cur.namespace !== observed.namespace || cur.version !== observed.version)
    return { state: 'unmanaged', detail: 'release not observed to be made for object' };
  if (cur.digest !== observed.digest) return { state: 'unmanaged', detail: 'release digest verification error' };
  switch (status) {
    case 'failed':
      return { state: 'failed', detail: 'release is in a failed state' };
    case 'uninstalled':
      return { state: 'absent', detail: `found uninstalled release ${fullName(cur)} in storage` };
    case 'deployed': {
      if (cur.chartName !== req.chart.metadata.name || cur.chartVersion !== req.chart.metadata.version)
        return { state: 'out-of-sync', detail: 'release chart changed' };
      if (cur.configDigest !== req.configDigest) return { state: 'out-of-sync', detail: 'release config changed' };
      const renderChange = req.released ? undefined : renderDigestChange(req.hr);
      if (renderChange !== undefined) return { state: 'out-of-sync', detail: renderChange };
      const test = req.hr.spec.test;
      if (test?.enable && cur.testHooks === undefined)
        return { state: 'untested', detail: 'release has not been tested' };
      if (test?.enable && !test.ignoreFailures && Object.values(cur.testHooks ?? {}).some((h) => h.phase === 'Failed'))
        return { state: 'failed', detail: 'release has test in failed phase' };
      const drift = await detectDrift(req, last);
      if (drift !== undefined) return { state: 'drifted', detail: drift.detail, diffs: drift.diffs };
      return { state: 'in-sync', detail: '' };
    }
    default:
      return { state: 'unmanaged', detail: `found '${status}' release ${fullName(cur)} in storage` };
  }
}

/** One action: its name and type, and how long it may take. */
interface Action {
  name: 'install' | 'upgrade' | 'test' | 'unlock' | 'rollback' | 'uninstall' | 'correct cluster drift';
  type: ActionType;
  timeoutMs: number;
  run(req: ReleaseRequest): Promise<void>;
}

/**
 * `reconcile.fluxcd.io/forceAt` or `resetAt` equal to `reconcile.fluxcd.io/requestedAt` and not handled yet: marks
 * it handled in `status` and returns true (helm-controller `ShouldHandleForceRequest` / `ShouldHandleResetRequest`).
 */
export function handleRequest(hr: HelmRelease, kind: 'force' | 'reset'): boolean {
  const annotations = hr.metadata.annotations ?? {};
  const requested = annotations[ReconcileRequestAnnotation];
  const value =
    annotations[kind === 'force' ? HelmReleaseAnnotations.ForceRequest : HelmReleaseAnnotations.ResetRequest];
  if (requested === undefined || value !== requested) return false;
  const status = (hr.status ??= {});
  const field = kind === 'force' ? 'lastHandledForceAt' : 'lastHandledResetAt';
  if (status[field] === requested) return false;
  status[field] = requested;
  return true;
}

/**
 * The action for a state, undefined when in sync (helm-controller `actionForState`); throws StallingError. A force
 * request (`forceAt`) installs or upgrades whatever the state and the retries left.
 */
export function actionForState(req: ReleaseRequest, state: ReleaseState, diffs: Diff[] = []): Action | undefined {
  const hr = req.hr;
  const spec = hr.spec;
  const force = state !== 'locked' && state !== 'untested' && handleRequest(hr, 'force');
  const installAct: Action = {
    name: 'install',
    type: 'release',
    timeoutMs: timeoutOf(hr, spec.install?.timeout),
    run: installAction,
  };
  const upgradeAct: Action = {
    name: 'upgrade',
    type: 'release',
    timeoutMs: timeoutOf(hr, spec.upgrade?.timeout),
    run: upgradeAction,
  };
  switch (state) {
    case 'in-sync':
      markNoDrift(hr);
      return force ? upgradeAct : undefined;
    case 'drifted':
      if (!driftDetected(req, diffs)) return undefined;
      return {
        name: 'correct cluster drift',
        type: 'drift correction',
        timeoutMs: timeoutOf(hr, undefined),
        run: (r) => correctClusterDrift(r, diffs),
      };
    case 'locked':
      return { name: 'unlock', type: 'unlock', timeoutMs: timeoutOf(hr, undefined), run: unlockAction };
    case 'absent':
      if (
        !force &&
        !retryStrategyOf(hr, 'install', req.defaultToRetryOnFailure) &&
        retriesExhausted(spec.install?.remediation, hr.status?.installFailures ?? 0)
      )
        throw retriesExceeded('install', hr.status?.installFailures ?? 0);
      return installAct;
    case 'unmanaged':
      if (req.hr.status) delete req.hr.status.history;
      return upgradeAct;
    case 'out-of-sync':
      if (
        !force &&
        !retryStrategyOf(hr, 'upgrade', req.defaultToRetryOnFailure) &&
        retriesExhausted(spec.upgrade?.remediation, hr.status?.upgradeFailures ?? 0)
      )
        throw retriesExceeded('upgrade', hr.status?.upgradeFailures ?? 0);
      return upgradeAct;
    case 'untested':
      return { name: 'test', type: 'test', timeoutMs: timeoutOf(hr, spec.test?.timeout), run: testAction };
    case 'failed': {
      if (force) return upgradeAct;
      // RetryOnFailure: no remediation, the failed release (an install's too) is retried as an upgrade, once per
      // reconcile (the reconciler requeues after retryInterval)
      if (activeRetry(hr, req.defaultToRetryOnFailure)) {
        truncateFailedHistory(hr);
        return upgradeAct;
      }
      const active = activeRemediation(hr);
      if (retriesExhausted(active.r, active.failures)) {
        const cur = hr.status?.history?.[0];
        if (!mustRemediateLastFailure(active.kind, active.r) || cur?.status !== 'failed')
          throw retriesExceeded(active.kind, active.failures);
      }
      const strategy =
        active.kind === 'install'
          ? 'uninstall'
          : (active.r?.strategy ?? HelmReleaseDefaults.upgradeRemediationStrategy);
      if (strategy === 'uninstall')
        return {
          name: 'uninstall',
          type: 'remediate',
          timeoutMs: timeoutOf(hr, spec.uninstall?.timeout),
          run: uninstallRemediation,
        };
      const prev = hr.status?.history?.[1];
      if (prev === undefined || (prev.status !== 'deployed' && prev.status !== 'superseded'))
        throw new StallingError(
          'Failed to perform remediation: no previous release to rollback to',
          HelmReleaseReasons.MissingRollbackTarget,
        );
      return {
        name: 'rollback',
        type: 'remediate',
        timeoutMs: timeoutOf(hr, spec.rollback?.timeout),
        run: rollbackRemediation,
      };
    }
  }
}

function retriesExceeded(action: string, failures: number): StallingError {
  return new StallingError(`Failed to ${action} after ${failures} attempt(s)`, HelmReleaseReasons.RetriesExceeded);
}

/**
 * Flux's `summarize`: Ready mirrors Remediated (when True, abnormal), TestSuccess (when tests count) and Released, in
 * that order; TestSuccess is dropped when tests are disabled, Remediated once a release (and its test) succeeded.
 */
export function summarizeRelease(hr: HelmRelease): void {
  const test = hr.spec.test;
  const counted = test?.enable === true && test.ignoreFailures !== true;
  if (!test?.enable) conditions.remove(hr, HelmReleaseConditions.TestSuccess);
  if (
    conditions.isTrue(hr, HelmReleaseConditions.Released) &&
    (!counted || conditions.isTrue(hr, HelmReleaseConditions.TestSuccess))
  )
    conditions.remove(hr, HelmReleaseConditions.Remediated);
  let sum: string[] = counted
    ? [HelmReleaseConditions.TestSuccess, HelmReleaseConditions.Released, HelmReleaseConditions.Remediated]
    : [HelmReleaseConditions.Released, HelmReleaseConditions.Remediated];
  if (conditions.isTrue(hr, HelmReleaseConditions.Remediated)) sum = [HelmReleaseConditions.Remediated, ...sum];
  conditions.setSummary(hr, ReadyCondition, {
    conditions: sum,
    negativePolarity: [HelmReleaseConditions.Remediated],
  });
}

function event(
  req: ReleaseRequest,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  chartVersion: string,
): void {
  if (!req.recorder) return;
  // fire-and-forget: recorder.event never rejects (it logs its own failures)
  void req.recorder.event(req.hr, {
    type,
    reason,
    message,
    metadata: { [HelmEventMetadata.Revision]: chartVersion, [HelmEventMetadata.Token]: req.configDigest },
  });
}

const lastVersion = (releases: readonly Release[]): number => releases[releases.length - 1]?.version ?? 0;

/**
 * The outcome of a release action (install/upgrade): Released with Flux's messages and an event; a failure that
 * wrote a release counts towards the remediation, one that did not is thrown for a retry.
 */
async function releaseOutcome(
  req: ReleaseRequest,
  kind: 'install' | 'upgrade',
  before: number,
  err: unknown,
): Promise<void> {
  const hr = req.hr;
  const status = (hr.status ??= {});
  const releases = await observe(req, before);
  const Kind = kind === 'install' ? 'install' : 'upgrade';
  const meta = req.chart.metadata;
  if (err !== undefined) {
    const msg = `Helm ${Kind} failed for release ${releaseNamespaceOf(hr)}/${releaseNameOf(hr)} with chart ${meta.name}@${meta.version}: ${errMessage(err)}`;
    const reason = kind === 'install' ? HelmReleaseReasons.InstallFailed : HelmReleaseReasons.UpgradeFailed;
    status.failures = (status.failures ?? 0) + 1;
    conditions.markFalse(hr, HelmReleaseConditions.Released, reason, msg);
    event(req, 'Warning', reason, msg, meta.version);
    if (lastVersion(releases) <= before) throw new GenericError(msg, reason, { cause: err });
    if (kind === 'install') status.installFailures = (status.installFailures ?? 0) + 1;
    else status.upgradeFailures = (status.upgradeFailures ?? 0) + 1;
    return;
  }
  const cur = status.history?.[0];
  if (cur === undefined) throw new Error(`internal error: no release observed after ${kind}`);
  const reason = kind === 'install' ? HelmReleaseReasons.InstallSucceeded : HelmReleaseReasons.UpgradeSucceeded;
  const msg = `Helm ${Kind} succeeded for release ${fullName(cur)} with chart ${versionedChart(cur)}`;
  conditions.markTrue(hr, HelmReleaseConditions.Released, reason, msg);
  if (hr.spec.test?.enable)
    conditions.markFalse(
      hr,
      HelmReleaseConditions.TestSuccess,
      HelmReleaseReasons.TestPending,
      `Release ${fullName(cur)} with chart ${versionedChart(cur)} has not been tested yet`,
    );
  event(req, 'Normal', reason, msg, cur.chartVersion);
}

/** The wait options of an action's spec (`disableWait`, `disableWaitForJobs`, `timeout` else `spec.timeout`). */
function waitOf(
  hr: HelmRelease,
  spec: { disableWait?: boolean; disableWaitForJobs?: boolean; timeout?: string },
): { wait: boolean; waitForJobs: boolean; timeoutMs: number } {
  return {
    wait: spec.disableWait !== true,
    waitForJobs: spec.disableWait !== true && spec.disableWaitForJobs !== true,
    timeoutMs: timeoutOf(hr, spec.timeout),
  };
}

/** `install.serverSideApply`, default true; the UseHelm3Defaults gate makes the default Helm 3's three-way merge. */
export function installServerSideApplyOf(spec: boolean | undefined, useHelm3Defaults: boolean): boolean {
  return spec ?? !useHelm3Defaults;
}

/**
 * helm-controller's server-side apply of an upgrade or rollback: `enabled`, `disabled`, or `auto` (the default, also
 * under UseHelm3Defaults) resolved as Helm does from the apply method of `recorded` (the last release for an
 * upgrade, the release rolled back to for a rollback). Resolved here rather than in Helm because helm-controller
 * always forces conflicts when it applies server-side.
 */
export function serverSideApplyOf(mode: string | undefined, recorded: Release | undefined): boolean {
  if (mode === 'enabled') return true;
  if (mode === 'disabled') return false;
  return recorded?.apply_method === 'ssa';
}

/** Runs an install or upgrade (given the last version in storage) and records its outcome. */
async function releaseAction(
  req: ReleaseRequest,
  kind: 'install' | 'upgrade',
  run: (before: number) => Promise<unknown>,
): Promise<void> {
  const before = lastVersion(req.stored ?? (await storedHistory(req)));
  (req.hr.status ??= {}).lastAttemptedReleaseAction =
    kind === 'install' ? HelmReleaseActions.Install : HelmReleaseActions.Upgrade;
  let err: unknown;
  try {
    await run(before);
  } catch (e) {
    err = e;
  }
  await releaseOutcome(req, kind, before, err);
}

const installAction = (req: ReleaseRequest): Promise<void> =>
  releaseAction(req, 'install', (before) => {
    const hr = req.hr;
    const spec = hr.spec.install ?? {};
    const ssa = installServerSideApplyOf(spec.serverSideApply, req.useHelm3Defaults ?? false);
    return install(req.cfg, {
      serverSideApply: ssa,
      forceConflicts: ssa,
      releaseName: releaseNameOf(hr),
      namespace: releaseNamespaceOf(hr),
      chart: req.chart,
      values: req.values,
      createNamespace: spec.createNamespace === true,
      crds: (spec.crds ?? HelmReleaseDefaults.installCRDs) as CrdPolicy,
      disableHooks: spec.disableHooks === true,
      ...waitOf(hr, spec),
      replace: spec.replace === true || before > 0,
      skipSchemaValidation: spec.disableSchemaValidation === true,
      signal: req.signal,
    });
  });

const upgradeAction = (req: ReleaseRequest): Promise<void> =>
  releaseAction(req, 'upgrade', async () => {
    const hr = req.hr;
    const spec = hr.spec.upgrade ?? {};
    const stored = req.stored ?? (await storedHistory(req));
    const ssa = serverSideApplyOf(spec.serverSideApply, stored[stored.length - 1]);
    return upgrade(req.cfg, {
      serverSideApply: ssa,
      forceConflicts: ssa,
      releaseName: releaseNameOf(hr),
      chart: req.chart,
      values: req.values,
      resetValues: spec.preserveValues !== true,
      reuseValues: spec.preserveValues === true,
      disableHooks: spec.disableHooks === true,
      ...waitOf(hr, spec),
      // helm-controller ignores force (replace) when it applies server-side (fluxcd/helm-controller#1455)
      force: spec.force === true && !ssa,
      cleanupOnFail: spec.cleanupOnFail === true,
      maxHistory: hr.spec.maxHistory ?? HelmReleaseDefaults.maxHistory,
      crds: (spec.crds ?? HelmReleaseDefaults.upgradeCRDs) as CrdPolicy,
      skipSchemaValidation: spec.disableSchemaValidation === true,
      signal: req.signal,
    });
  });

async function testAction(req: ReleaseRequest): Promise<void> {
  const hr = req.hr;
  const spec = hr.spec.test ?? {};
  const status = (hr.status ??= {});
  const filters = spec.filters ?? [];
  let err: unknown;
  try {
    await testRelease(req.cfg, {
      releaseName: releaseNameOf(hr),
      timeoutMs: timeoutOf(hr, spec.timeout),
      include: filters.filter((f) => f.exclude !== true).map((f) => f.name),
      exclude: filters.filter((f) => f.exclude === true).map((f) => f.name),
      signal: req.signal,
    });
  } catch (e) {
    err = e;
  }
  const releases = await observe(req, Number.MAX_SAFE_INTEGER);
  const last = releases[releases.length - 1];
  const cur = status.history?.[0];
  if (cur === undefined || last === undefined) throw new Error('internal error: no release observed after test');
  cur.testHooks = testHooksOf(last);
  const n = Object.keys(cur.testHooks).length;
  if (err === undefined) {
    const msg = `Helm test succeeded for release ${fullName(cur)} with chart ${versionedChart(cur)}: ${
      n === 0 ? 'no test hooks' : `${n} test hook${n === 1 ? '' : 's'} completed successfully`
    }`;
    conditions.markTrue(hr, HelmReleaseConditions.TestSuccess, HelmReleaseReasons.TestSucceeded, msg);
    event(req, 'Normal', HelmReleaseReasons.TestSucceeded, msg, cur.chartVersion);
    return;
  }
  const msg = `Helm test failed for release ${fullName(cur)} with chart ${versionedChart(cur)}: ${errMessage(err)}`;
  conditions.markFalse(hr, HelmReleaseConditions.TestSuccess, HelmReleaseReasons.TestFailed, msg);
  event(req, 'Warning', HelmReleaseReasons.TestFailed, msg, cur.chartVersion);
  status.failures = (status.failures ?? 0) + 1;
  if (spec.ignoreFailures !== true) {
    if (activeRemediation(hr).kind === 'upgrade') status.upgradeFailures = (status.upgradeFailures ?? 0) + 1;
    else status.installFailures = (status.installFailures ?? 0) + 1;
  }
}

async function unlockAction(req: ReleaseRequest): Promise<void> {
  const storage = storageOf(req);
  const releases = req.stored ?? (await storedHistory(req));
  const last = releases[releases.length - 1];
  if (last === undefined || !(last.info?.status ?? '').startsWith('pending-')) return;
  const from = last.info?.status ?? '';
  last.info = {
    ...(last.info ?? { deleted: '' }),
    status: 'failed',
    description: `Release unlocked from stale '${from}' state`,
  };
  await storage.update(releaseKey(last.name ?? '', last.version ?? 0), last);
  await observe(req, (last.version ?? 0) - 1);
  const cur = req.hr.status?.history?.[0];
  const msg = `Unlocked Helm release ${cur ? fullName(cur) : releaseNameOf(req.hr)} with chart ${
    cur ? versionedChart(cur) : req.chart.metadata.name
  } in '${from}' state`;
  conditions.markFalse(req.hr, HelmReleaseConditions.Released, HelmReleaseReasons.PendingRelease, msg);
  event(req, 'Normal', HelmReleaseReasons.PendingRelease, msg, cur?.chartVersion ?? '');
}

async function rollbackRemediation(req: ReleaseRequest): Promise<void> {
  const hr = req.hr;
  const spec = hr.spec.rollback ?? {};
  const prev = hr.status?.history?.[1];
  if (prev === undefined) throw new Error('internal error: no rollback target');
  const stored = req.stored ?? (await storedHistory(req));
  const before = lastVersion(stored);
  const ssa = serverSideApplyOf(
    spec.serverSideApply,
    stored.find((r) => r.version === prev.version),
  );
  let err: unknown;
  try {
    await rollback(req.cfg, {
      serverSideApply: ssa,
      forceConflicts: ssa,
      releaseName: prev.name,
      version: prev.version,
      ...waitOf(hr, spec),
      // helm-controller ignores force (replace) when it applies server-side (fluxcd/helm-controller#1455)
      force: spec.force === true && !ssa,
      cleanupOnFail: spec.cleanupOnFail === true,
      disableHooks: spec.disableHooks === true,
      maxHistory: hr.spec.maxHistory ?? HelmReleaseDefaults.maxHistory,
      signal: req.signal,
    });
  } catch (e) {
    err = e;
  }
  await observe(req, before);
  if (err !== undefined) {
    const msg = `Helm rollback to previous release ${fullName(prev)} with chart ${versionedChart(prev)} failed: ${errMessage(err)}`;
    conditions.markFalse(hr, HelmReleaseConditions.Remediated, HelmReleaseReasons.RollbackFailed, msg);
    event(req, 'Warning', HelmReleaseReasons.RollbackFailed, msg, prev.chartVersion);
    throw new GenericError(msg, HelmReleaseReasons.RollbackFailed, { cause: err });
  }
  const msg = `Helm rollback to previous release ${fullName(prev)} with chart ${versionedChart(prev)} succeeded`;
  conditions.markTrue(hr, HelmReleaseConditions.Remediated, HelmReleaseReasons.RollbackSucceeded, msg);
  event(req, 'Normal', HelmReleaseReasons.RollbackSucceeded, msg, prev.chartVersion);
}

async function uninstallRemediation(req: ReleaseRequest): Promise<void> {
  const hr = req.hr;
  const cur = hr.status?.history?.[0];
  if (cur === undefined) throw new Error('internal error: nothing to uninstall');
  try {
    await uninstallRelease(req.cfg, hr, cur.name, req.signal);
  } catch (err) {
    const msg = `Helm uninstall remediation for release ${fullName(cur)} with chart ${versionedChart(cur)} failed: ${errMessage(err)}`;
    conditions.markFalse(hr, HelmReleaseConditions.Remediated, HelmReleaseReasons.UninstallFailed, msg);
    event(req, 'Warning', HelmReleaseReasons.UninstallFailed, msg, cur.chartVersion);
    throw new GenericError(msg, HelmReleaseReasons.UninstallFailed, { cause: err });
  }
  await observe(req, Number.MAX_SAFE_INTEGER);
  const msg = `Helm uninstall remediation for release ${fullName(cur)} with chart ${versionedChart(cur)} succeeded`;
  conditions.markTrue(hr, HelmReleaseConditions.Remediated, HelmReleaseReasons.UninstallSucceeded, msg);
  event(req, 'Normal', HelmReleaseReasons.UninstallSucceeded, msg, cur.chartVersion);
}

/** Helm uninstall with the HelmRelease's `spec.uninstall` (keepHistory, deletionPropagation, disableWait, timeout). */
export async function uninstallRelease(
  cfg: ActionConfig,
  hr: HelmRelease,
  releaseName: string,
  signal: AbortSignal,
): Promise<boolean> {
  const spec = hr.spec.uninstall ?? {};
  const res = await uninstall(cfg, {
    releaseName,
    keepHistory: spec.keepHistory === true,
    wait: spec.disableWait !== true,
    disableHooks: spec.disableHooks === true,
    timeoutMs: timeoutOf(hr, spec.timeout),
    deletionPropagation: spec.deletionPropagation ?? 'background',
    ignoreNotFound: true,
    signal,
  });
  return res !== undefined;
}

/** Drops snapshots older than the previous successful release (helm-controller `History.Truncate` when in sync). */
function truncateHistory(hr: HelmRelease): void {
  const history = hr.status?.history;
  if (!history || history.length < 2) return;
  const i = history.findIndex((s, n) => n > 0 && (s.status === 'deployed' || s.status === 'superseded'));
  if (i > 0) hr.status!.history = history.slice(0, i + 1);
}

/**
 * Under RetryOnFailure (nothing is ever rolled back): the current release and the previous successful one, so that
 * retrying forever does not grow the history.
 */
function truncateFailedHistory(hr: HelmRelease): void {
  const history = hr.status?.history;
  if (!history || history.length < 2) return;
  const ok = history.slice(1).find((s) => s.status === 'deployed' || s.status === 'superseded');
  hr.status!.history = ok ? [history[0]!, ok] : history.slice(0, 1);
}

/**
 * In sync after a remediation (the desired state is the one rolled back to): Remediated gives way to
 * Released=True UpgradeSucceeded for the current release, as Flux's in-sync case does.
 */
function replaceRemediated(hr: HelmRelease): void {
  const cur = hr.status?.history?.[0];
  if (!conditions.isTrue(hr, HelmReleaseConditions.Remediated) || cur === undefined) return;
  conditions.remove(hr, HelmReleaseConditions.Remediated);
  conditions.markTrue(
    hr,
    HelmReleaseConditions.Released,
    HelmReleaseReasons.UpgradeSucceeded,
    `Helm upgrade succeeded for release ${fullName(cur)} with chart ${versionedChart(cur)}`,
  );
}

/** Clears the failure counters (helm-controller `ClearFailures`). */
export function clearFailures(status: HelmReleaseStatus): void {
  delete status.failures;
  delete status.installFailures;
  delete status.upgradeFailures;
}

/** Runs the atomic release; see the module comment. Throws what must be retried or stalls. */
export async function atomicRelease(req: ReleaseRequest): Promise<void> {
  const done = new Set<ActionType>();
  for (;;) {
    req.signal.throwIfAborted();
    const { state, detail, diffs } = await determineReleaseState(req);
    req.log.debug({ state, detail }, 'determined release state');
    const next = actionForState(req, state, diffs);
    if (next === undefined) {
      truncateHistory(req.hr);
      replaceRemediated(req.hr);
      clearFailures((req.hr.status ??= {}));
      conditions.remove(req.hr, ReconcilingCondition);
      summarizeRelease(req.hr);
      if (conditions.isReady(req.hr)) setObservedRenderDigests(req.hr);
      return;
    }
    if (done.has(next.type)) {
      conditions.remove(req.hr, ReconcilingCondition);
      summarizeRelease(req.hr);
      return;
    }
    conditions.markReconciling(
      req.hr,
      ProgressingReason,
      `Running '${next.name}' ${next.type} action with timeout of ${formatGoDuration(next.timeoutMs)}`,
    );
    await req.patch();
    req.log.info({ action: next.name, state, detail }, `running '${next.name}' action`);
    const seen = req.stored;
    try {
      await next.run(req);
    } finally {
      // an action that did not observe the storage after it acted leaves it to be read again
      if (req.stored === seen) delete req.stored;
      summarizeRelease(req.hr);
    }
    if (next.type === 'release') req.released = true;
    if (next.type === 'remediate') {
      conditions.remove(req.hr, ReconcilingCondition);
      return;
    }
    done.add(next.type);
    await req.patch();
  }
}
