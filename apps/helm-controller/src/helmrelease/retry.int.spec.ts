// The RetryOnFailure strategy: no remediation, a failed install is retried as an upgrade, failures are retried after
// retryInterval forever (never RetriesExceeded), and a fix converges. Failures come from the workload simulation
// (an image that never gets ready) against a short Helm wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CHART, cond, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Hr, HrHarness } from './harness.spec-helper.ts';

const NS = 'retry';
const chartRef = { kind: 'HelmChart', name: 'shared', namespace: 'flux-system' };
const retry = (retryInterval: string) => ({ name: 'RetryOnFailure', retryInterval });

describe('HelmRelease RetryOnFailure strategy', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS]);
    await h.serveChart('flux-system', 'shared', WEB_CHART, true);
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  const history = async (name: string): Promise<{ revision: number; status: string; description: string }[]> =>
    JSON.parse(await h.helm(['history', name, '-n', NS, '-o', 'json'])) as {
      revision: number;
      status: string;
      description: string;
    }[];
  const hrWhere = (what: string, name: string, ok: (hr: Hr) => boolean): Promise<Hr> =>
    until(`${NS}/${name} ${what}`, async () => {
      const hr = await h.getHr(NS, name);
      return ok(hr) ? hr : undefined;
    });

  it(
    'a failed install is not uninstalled; it is retried as an upgrade after retryInterval, then converges on a fix',
    { timeout: 120_000 },
    async () => {
      await h.createHr(NS, 'flaky', {
        chartRef,
        timeout: '2s',
        values: { simulate: 'fail' },
        install: { strategy: retry('1s'), remediation: { retries: 0 } },
        upgrade: { strategy: retry('1s') },
      });
      // the install's failure is an event (the Ready it left lasts only until the retry)
      const installFailed = await until('flaky InstallFailed event', async () =>
        h.events.find((e) => e.obj === 'flaky' && e.ev.reason === 'InstallFailed'),
      );
      expect(installFailed.ev.message).toMatch(
        /^Helm install failed for release retry\/flaky with chart web@1\.0\.0: /,
      );

      // no spec change: the retry comes from the requeue after retryInterval, as an upgrade of the failed install
      const upgraded = await hrWhere(
        'retried as an upgrade',
        'flaky',
        (hr) => hr.status?.lastAttemptedReleaseAction === 'upgrade' && cond(hr, 'Ready')?.reason === 'UpgradeFailed',
      );
      expect(cond(upgraded, 'Remediated')).toBeUndefined();
      expect(cond(upgraded, 'Stalled')).toBeUndefined();
      expect(h.events.filter((e) => e.obj === 'flaky').map((e) => e.ev.reason)).not.toContain('UninstallSucceeded');
      const revisions = await history('flaky');
      expect(revisions[0]).toMatchObject({ revision: 1, status: expect.stringMatching(/failed|superseded/) });
      expect(revisions.some((r) => r.revision >= 2)).toBe(true);
      expect(revisions.map((r) => r.description).join('\n')).not.toMatch(/Rollback|Uninstall/i);

      await h.patchSpec(NS, 'flaky', { values: { simulate: '' } });
      const ok = await hrWhere('Ready=True', 'flaky', (hr) => cond(hr, 'Ready')?.status === 'True' && settled(hr));
      expect(cond(ok, 'Ready')?.reason).toBe('UpgradeSucceeded');
      expect(ok.status?.failures).toBeUndefined();
      expect(ok.status?.upgradeFailures).toBeUndefined();
      expect((await history('flaky')).at(-1)).toMatchObject({ status: 'deployed' });
    },
  );

  it(
    'a failed upgrade is neither rolled back nor stalled: retried again and again whatever the remediation retries',
    { timeout: 120_000 },
    async () => {
      await h.createHr(NS, 'steady', {
        chartRef,
        timeout: '2s',
        upgrade: { strategy: retry('1s'), remediation: { retries: 1, strategy: 'rollback' } },
      });
      await hrWhere('Ready=True', 'steady', (hr) => cond(hr, 'Ready')?.status === 'True' && settled(hr));
      await h.patchSpec(NS, 'steady', { values: { simulate: 'fail' } });
      const failing = await hrWhere(
        'three failed upgrades',
        'steady',
        (hr) => (hr.status?.upgradeFailures ?? 0) >= 3 && cond(hr, 'Ready')?.reason === 'UpgradeFailed',
      );
      expect(cond(failing, 'Remediated')).toBeUndefined();
      expect(cond(failing, 'Stalled')).toBeUndefined();
      const revisions = await history('steady');
      expect(revisions.map((r) => r.description).join('\n')).not.toMatch(/Rollback/i);
      expect(revisions.at(-1)?.status).toBe('failed');
      // the status history stays bounded (the last attempts and the last successful release), not every attempt
      expect((failing.status?.history ?? []).length).toBeLessThanOrEqual(3);
      expect(failing.status?.history?.at(-1)).toMatchObject({ version: 1, status: 'deployed' });
    },
  );

  it(
    'the reconcile that leaves a failed release requeues after retryInterval, not with the backoff',
    { timeout: 90_000 },
    async () => {
      await h.createHr(NS, 'patient', {
        chartRef,
        timeout: '2s',
        values: { simulate: 'fail' },
        install: { strategy: retry('1h') },
        upgrade: { strategy: retry('1h') },
      });
      await hrWhere('InstallFailed', 'patient', (hr) => cond(hr, 'Ready')?.reason === 'InstallFailed' && settled(hr));
      // one more reconcile of its own (the controller waits an hour): it upgrades once, fails, and asks for the hour
      await expect(h.reconcileOnce(NS, 'patient')).resolves.toEqual({ requeueAfter: 3_600_000 });
      const hr = await h.getHr(NS, 'patient');
      expect(hr.status?.lastAttemptedReleaseAction).toBe('upgrade');
      expect(cond(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'UpgradeFailed' });
    },
  );
});
