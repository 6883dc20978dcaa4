import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { StallingError, conditions } from '@flux-ts/runtime';
import {
  actionForState,
  handleRequest,
  installServerSideApplyOf,
  releaseNameOf,
  serverSideApplyOf,
  summarizeRelease,
} from './release.ts';
import type { ReleaseRequest, ReleaseState, Snapshot } from './release.ts';

const hr = (spec: Partial<HelmRelease['spec']> = {}, status: HelmRelease['status'] = {}): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps', generation: 1 },
    spec: { interval: '5m', chartRef: { kind: 'HelmChart', name: 'c' }, ...spec },
    status,
  }) as HelmRelease;
const req = (o: HelmRelease): ReleaseRequest => ({ hr: o }) as ReleaseRequest;
const snap = (version: number, status: string): Snapshot => ({
  name: 'web',
  namespace: 'apps',
  version,
  status,
  chartName: 'web',
  chartVersion: '1.0.0',
  configDigest: 'sha256:x',
  digest: 'sha256:y',
  firstDeployed: '',
  lastDeployed: '',
});
const stall = (o: HelmRelease, state: ReleaseState): StallingError => {
  try {
    actionForState(req(o), state);
  } catch (err) {
    if (err instanceof StallingError) return err;
    throw err;
  }
  throw new Error('no stall');
};

describe('releaseNameOf', () => {
  it('is the name, or <targetNamespace>-<name>, or spec.releaseName', () => {
    expect(releaseNameOf(hr())).toBe('web');
    expect(releaseNameOf(hr({ targetNamespace: 'prod' }))).toBe('prod-web');
    expect(releaseNameOf(hr({ targetNamespace: 'prod', releaseName: 'custom' }))).toBe('custom');
  });

  it('shortens a name over 53 characters to 40 characters, a dash and 12 hex of its sha256 (release.ShortenName)', () => {
    const o = hr({ targetNamespace: 'a-very-long-target-namespace-for-testing' });
    o.metadata.name = 'and-a-rather-long-release-name';
    const name = releaseNameOf(o);
    expect(name).toBe('a-very-long-target-namespace-for-testing-53816c384664');
    expect(name).toHaveLength(53);
  });
});

describe('actionForState (helm-controller actionForState)', () => {
  it('plans install, upgrade, test and unlock from the state, nothing when in sync', () => {
    expect(actionForState(req(hr()), 'in-sync')).toBeUndefined();
    expect(actionForState(req(hr()), 'absent')).toMatchObject({ name: 'install', type: 'release', timeoutMs: 300_000 });
    expect(actionForState(req(hr({ upgrade: { timeout: '1m' } })), 'out-of-sync')).toMatchObject({
      name: 'upgrade',
      timeoutMs: 60_000,
    });
    expect(actionForState(req(hr({ timeout: '2m' })), 'untested')).toMatchObject({ name: 'test', timeoutMs: 120_000 });
    expect(actionForState(req(hr()), 'locked')).toMatchObject({ name: 'unlock', type: 'unlock' });
  });

  it('clears the history of an unmanaged release and upgrades it', () => {
    const o = hr({}, { history: [snap(1, 'deployed')] });
    expect(actionForState(req(o), 'unmanaged')).toMatchObject({ name: 'upgrade' });
    expect(o.status?.history).toBeUndefined();
  });

  it('stalls with RetriesExceeded once the install or upgrade retries are exhausted', () => {
    expect(stall(hr({}, { installFailures: 1 }), 'absent')).toMatchObject({
      reason: 'RetriesExceeded',
      message: 'Failed to install after 1 attempt(s)',
    });
    expect(
      actionForState(req(hr({ install: { remediation: { retries: 1 } } }, { installFailures: 1 })), 'absent'),
    ).toMatchObject({ name: 'install' });
    expect(stall(hr({ upgrade: { remediation: { retries: 2 } } }, { upgradeFailures: 3 }), 'out-of-sync').message).toBe(
      'Failed to upgrade after 3 attempt(s)',
    );
    expect(
      actionForState(req(hr({ upgrade: { remediation: { retries: -1 } } }, { upgradeFailures: 9 })), 'out-of-sync'),
    ).toMatchObject({ name: 'upgrade' });
  });

  it('remediates a failed upgrade by rollback to the previous release, or uninstall by strategy', () => {
    const status = (): HelmRelease['status'] => ({
      lastAttemptedReleaseAction: 'upgrade',
      upgradeFailures: 1,
      history: [snap(2, 'failed'), snap(1, 'superseded')],
    });
    expect(actionForState(req(hr({ upgrade: { remediation: { retries: 1 } } }, status())), 'failed')).toMatchObject({
      name: 'rollback',
      type: 'remediate',
    });
    expect(
      actionForState(req(hr({ upgrade: { remediation: { retries: 1, strategy: 'uninstall' } } }, status())), 'failed'),
    ).toMatchObject({ name: 'uninstall', type: 'remediate' });
    // retries exhausted: only with remediateLastFailure (default true when retries > 0)
    expect(stall(hr({}, status()), 'failed').message).toBe('Failed to upgrade after 1 attempt(s)');
    expect(
      actionForState(req(hr({ upgrade: { remediation: { remediateLastFailure: true } } }, status())), 'failed'),
    ).toMatchObject({ name: 'rollback' });
  });

  it('stalls with MissingRollbackTarget without a previous deployed release', () => {
    const o = hr(
      { upgrade: { remediation: { retries: 1 } } },
      { lastAttemptedReleaseAction: 'upgrade', upgradeFailures: 1, history: [snap(2, 'failed'), snap(1, 'failed')] },
    );
    expect(stall(o, 'failed')).toMatchObject({
      reason: 'MissingRollbackTarget',
      message: 'Failed to perform remediation: no previous release to rollback to',
    });
  });

  it('remediates a failed install by uninstall while retries remain', () => {
    const o = hr(
      { install: { remediation: { retries: 2 } } },
      { lastAttemptedReleaseAction: 'install', installFailures: 1, history: [snap(1, 'failed')] },
    );
    expect(actionForState(req(o), 'failed')).toMatchObject({ name: 'uninstall', type: 'remediate' });
  });
});

describe('force and reset requests (ShouldHandleForceRequest / ShouldHandleResetRequest)', () => {
  const annotated = (annotations: Record<string, string>, status: HelmRelease['status'] = {}): HelmRelease => {
    const o = hr({}, status);
    o.metadata.annotations = annotations;
    return o;
  };

  it('is handled once when the annotation equals reconcile.fluxcd.io/requestedAt', () => {
    const o = annotated({ 'reconcile.fluxcd.io/requestedAt': 't1', 'reconcile.fluxcd.io/resetAt': 't1' });
    expect(handleRequest(o, 'reset')).toBe(true);
    expect(o.status?.lastHandledResetAt).toBe('t1');
    expect(handleRequest(o, 'reset')).toBe(false);
    expect(handleRequest(o, 'force')).toBe(false);
    expect(
      handleRequest(
        annotated({ 'reconcile.fluxcd.io/requestedAt': 't2', 'reconcile.fluxcd.io/forceAt': 't1' }),
        'force',
      ),
    ).toBe(false);
  });

  it('forces an upgrade of an in-sync release, and an install or upgrade past exhausted retries', () => {
    const force = { 'reconcile.fluxcd.io/requestedAt': 't', 'reconcile.fluxcd.io/forceAt': 't' };
    const o = annotated(force);
    expect(actionForState(req(o), 'in-sync')).toMatchObject({ name: 'upgrade' });
    expect(o.status?.lastHandledForceAt).toBe('t');
    expect(actionForState(req(o), 'in-sync')).toBeUndefined();
    expect(actionForState(req(annotated(force, { installFailures: 3 })), 'absent')).toMatchObject({ name: 'install' });
    expect(actionForState(req(annotated(force, { upgradeFailures: 3 })), 'out-of-sync')).toMatchObject({
      name: 'upgrade',
    });
  });
});

describe('summarizeRelease (Flux summarize)', () => {
  it('mirrors Released into Ready, Remediated first and abnormal when true, and drops TestSuccess without tests', () => {
    const o = hr();
    conditions.markTrue(o, 'Released', 'InstallSucceeded', 'installed');
    conditions.markFalse(o, 'TestSuccess', 'Pending', 'not tested');
    summarizeRelease(o);
    expect(conditions.get(o, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'InstallSucceeded',
      message: 'installed',
    });
    expect(conditions.has(o, 'TestSuccess')).toBe(false);

    conditions.markFalse(o, 'Released', 'UpgradeFailed', 'upgrade failed');
    conditions.markTrue(o, 'Remediated', 'RollbackSucceeded', 'rolled back');
    summarizeRelease(o);
    expect(conditions.get(o, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'RollbackSucceeded',
      message: 'rolled back',
    });

    conditions.markTrue(o, 'Released', 'UpgradeSucceeded', 'upgraded');
    summarizeRelease(o);
    expect(conditions.has(o, 'Remediated')).toBe(false);
    expect(conditions.get(o, 'Ready')).toMatchObject({ status: 'True', reason: 'UpgradeSucceeded' });
  });

  it('puts a failed test first when tests are enabled and not ignored', () => {
    const o = hr({ test: { enable: true } });
    conditions.markTrue(o, 'Released', 'InstallSucceeded', 'installed');
    conditions.markFalse(o, 'TestSuccess', 'TestFailed', 'test failed');
    summarizeRelease(o);
    expect(conditions.get(o, 'Ready')).toMatchObject({ status: 'False', reason: 'TestFailed', message: 'test failed' });
  });
});

describe('server-side apply of the actions', () => {
  it('installs by server-side apply unless disabled; UseHelm3Defaults makes the three-way merge the default', () => {
    expect(installServerSideApplyOf(undefined, false)).toBe(true);
    expect(installServerSideApplyOf(false, false)).toBe(false);
    expect(installServerSideApplyOf(undefined, true)).toBe(false);
    expect(installServerSideApplyOf(true, true)).toBe(true);
  });

  it('upgrades and rolls back by the recorded method on auto (the default, also under UseHelm3Defaults)', () => {
    expect(serverSideApplyOf(undefined, { apply_method: 'ssa' })).toBe(true);
    expect(serverSideApplyOf('auto', { apply_method: 'csa' })).toBe(false);
    expect(serverSideApplyOf(undefined, {})).toBe(false);
    expect(serverSideApplyOf('enabled', { apply_method: 'csa' })).toBe(true);
    expect(serverSideApplyOf('disabled', { apply_method: 'ssa' })).toBe(false);
  });
});
