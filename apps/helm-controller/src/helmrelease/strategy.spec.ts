// The RetryOnFailure strategy in the action choice of the atomic release (release.ts).
import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { StallingError } from '@flux-ts/runtime';
import { actionForState, activeRetry, retryStrategyOf } from './release.ts';
import type { ReleaseRequest, Snapshot } from './release.ts';

const hr = (spec: Partial<HelmRelease['spec']> = {}, status: HelmRelease['status'] = {}): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps', generation: 1 },
    spec: { interval: '5m', chartRef: { kind: 'HelmChart', name: 'c' }, ...spec },
    status,
  }) as HelmRelease;
const req = (o: HelmRelease, defaultToRetryOnFailure = false): ReleaseRequest =>
  ({ hr: o, defaultToRetryOnFailure }) as ReleaseRequest;
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
const retry = { name: 'RetryOnFailure' as const, retryInterval: '30s' };

describe('retryStrategyOf / activeRetry (helm-controller GetRetry, GetActiveRetry)', () => {
  it('is the RetryOnFailure strategy of install or upgrade, retryInterval defaulting to 5m', () => {
    const o = hr({ install: { strategy: retry }, upgrade: { strategy: { name: 'RetryOnFailure' } } });
    expect(retryStrategyOf(o, 'install')).toEqual({ retryIntervalMs: 30_000 });
    expect(retryStrategyOf(o, 'upgrade')).toEqual({ retryIntervalMs: 300_000 });
    expect(retryStrategyOf(hr({ install: { strategy: { name: 'RemediateOnFailure' } } }), 'install')).toBeUndefined();
    expect(retryStrategyOf(hr(), 'upgrade')).toBeUndefined();
  });

  it('DefaultToRetryOnFailure makes it the strategy where none is set, not where one is', () => {
    expect(retryStrategyOf(hr(), 'install', true)).toEqual({ retryIntervalMs: 300_000 });
    expect(retryStrategyOf(hr({ upgrade: { strategy: { name: 'RemediateOnFailure' } } }), 'upgrade', true)).toBe(
      undefined,
    );
  });

  it('follows the last attempted release action, none before the first one', () => {
    const spec = { install: { strategy: retry } };
    expect(activeRetry(hr(spec))).toBeUndefined();
    expect(activeRetry(hr(spec, { lastAttemptedReleaseAction: 'install' }))).toEqual({ retryIntervalMs: 30_000 });
    expect(activeRetry(hr(spec, { lastAttemptedReleaseAction: 'upgrade' }))).toBeUndefined();
    expect(activeRetry(hr({}, { lastAttemptedReleaseAction: 'upgrade' }), true)).toEqual({ retryIntervalMs: 300_000 });
  });
});

describe('actionForState under RetryOnFailure', () => {
  it('installs and upgrades whatever the failure counts, where RemediateOnFailure stalls', () => {
    const exhausted = { installFailures: 3, upgradeFailures: 3, failures: 6 };
    expect(() => actionForState(req(hr({}, { ...exhausted })), 'absent')).toThrow(StallingError);
    expect(actionForState(req(hr({ install: { strategy: retry } }, { ...exhausted })), 'absent')?.name).toBe('install');
    expect(() => actionForState(req(hr({}, { ...exhausted })), 'out-of-sync')).toThrow(StallingError);
    expect(actionForState(req(hr({ upgrade: { strategy: retry } }, { ...exhausted })), 'out-of-sync')?.name).toBe(
      'upgrade',
    );
    expect(actionForState(req(hr({}, { ...exhausted }), true), 'out-of-sync')?.name).toBe('upgrade');
  });

  it('retries a failed install as an upgrade, without the uninstall remediation', () => {
    const o = hr(
      { install: { strategy: retry, remediation: { retries: 3 } } },
      { lastAttemptedReleaseAction: 'install', installFailures: 1, history: [snap(1, 'failed')] },
    );
    expect(actionForState(req(o), 'failed')).toMatchObject({ name: 'upgrade', type: 'release' });
    const remediated = hr(
      { install: { remediation: { retries: 3 } } },
      { lastAttemptedReleaseAction: 'install', installFailures: 1, history: [snap(1, 'failed')] },
    );
    expect(actionForState(req(remediated), 'failed')).toMatchObject({ name: 'uninstall', type: 'remediate' });
  });

  it('retries a failed upgrade without rollback, keeping the history to the failure and the last success', () => {
    const o = hr(
      { upgrade: { strategy: retry, remediation: { retries: 0, strategy: 'rollback' } } },
      {
        lastAttemptedReleaseAction: 'upgrade',
        upgradeFailures: 7,
        history: [snap(5, 'failed'), snap(4, 'failed'), snap(3, 'failed'), snap(2, 'deployed'), snap(1, 'superseded')],
      },
    );
    expect(actionForState(req(o), 'failed')).toMatchObject({ name: 'upgrade', type: 'release' });
    expect(o.status?.history?.map((s) => `${s.version}:${s.status}`)).toEqual(['5:failed', '2:deployed']);
  });
});
