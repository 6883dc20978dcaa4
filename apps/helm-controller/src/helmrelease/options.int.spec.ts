import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@flux-ts/runtime';
import { secretToRelease } from '@flux-ts/helm';
import type { SecretObject } from '@flux-ts/helm';
import { WEB_CHART, cond, hcGVK, hrGVK, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Hr, HrHarness } from './harness.spec-helper.ts';

const NS = 'team';
const chartRef = (name: string) => ({ kind: 'HelmChart', name, namespace: 'flux-system' });

/** The web chart with a CRD in crds/. */
const CRD_CHART: Record<string, string> = {
  ...WEB_CHART,
  'Chart.yaml': 'apiVersion: v2\nname: widgets\nversion: 0.1.0\n',
  'crds/widget.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`,
};

/** The web chart with a test hook Job. */
const TESTED_CHART: Record<string, string> = {
  ...WEB_CHART,
  'templates/test.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: test
          image: busybox:1.36
`,
};

describe('HelmRelease options against the API server, with the helm CLI as judge', () => {
  let h: HrHarness;
  let work: string;
  beforeAll(async () => {
    h = await startHrHarness([NS]);
    await h.serveChart('flux-system', 'web', WEB_CHART, true);
    await h.serveChart('flux-system', 'tested', TESTED_CHART, true);
    await h.serveChart('flux-system', 'widgets', CRD_CHART, true);
    work = mkdtempSync(join(tmpdir(), 'hr-options-'));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const waitFor = (name: string, what: string, ok: (hr: Hr) => boolean): Promise<Hr> =>
    until(`${NS}/${name}: ${what}`, async () => {
      const hr = await h.getHr(NS, name);
      return ok(hr) && settled(hr) ? hr : undefined;
    });
  const helmJson = async <T>(args: string[]): Promise<T> => JSON.parse(await h.helm([...args, '-o', 'json'])) as T;

  it(
    'installs into a created targetNamespace with the release stored in storageNamespace, named <target>-<name>',
    { timeout: 90_000 },
    async () => {
      await h.createHr(NS, 'web', {
        chartRef: chartRef('web'),
        targetNamespace: 'fresh',
        storageNamespace: NS,
        install: { createNamespace: true },
        maxHistory: 2,
      });
      const hr = await waitFor('web', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      expect(cond(hr, 'Ready')?.message).toBe(
        'Helm install succeeded for release fresh/fresh-web.v1 with chart web@1.0.0',
      );
      expect(hr.status?.storageNamespace).toBe(NS);
      const list = await helmJson<Record<string, unknown>[]>(['list', '-n', NS]);
      expect(list.map((r) => [r['name'], r['namespace'], r['status']])).toEqual([['fresh-web', 'fresh', 'deployed']]);
      await h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'fresh', name: 'fresh-web-cm' });

      // maxHistory 2: three upgrades leave two revisions in storage, as helm's --history-max
      for (const [n, message] of ['m1', 'm2', 'm3'].entries()) {
        await h.patchSpec(NS, 'web', { values: { message } });
        const ready = `Helm upgrade succeeded for release fresh/fresh-web.v${n + 2} with chart web@1.0.0`;
        await waitFor('web', ready, (x) => cond(x, 'Ready')?.message === ready);
      }
      const history = await helmJson<Record<string, unknown>[]>(['history', 'fresh-web', '-n', NS]);
      expect(history.map((r) => [r['revision'], r['status']])).toEqual([
        [3, 'superseded'],
        [4, 'deployed'],
      ]);
    },
  );

  it('runs the chart tests after install and records their hooks (TestSuccess)', { timeout: 90_000 }, async () => {
    await h.createHr(NS, 'tested', { chartRef: chartRef('tested'), test: { enable: true } });
    const hr = await waitFor('tested', 'TestSuccess', (x) => cond(x, 'TestSuccess')?.status === 'True');
    expect(cond(hr, 'TestSuccess')).toMatchObject({
      reason: 'TestSucceeded',
      message:
        'Helm test succeeded for release team/tested.v1 with chart web@1.0.0: 1 test hook completed successfully',
    });
    expect(cond(hr, 'Ready')).toMatchObject({ status: 'True', reason: 'TestSucceeded' });
    expect(hr.status?.history?.[0]?.['testHooks']).toEqual({
      'tested-test': { lastStarted: expect.any(String), lastCompleted: expect.any(String), phase: 'Succeeded' },
    });
    const status = await helmJson<{ hooks: { name: string; last_run: { phase: string } }[] }>([
      'status',
      'tested',
      '-n',
      NS,
    ]);
    expect(status.hooks.map((x) => [x.name, x.last_run.phase])).toEqual([['tested-test', 'Succeeded']]);
  });

  it(
    'remediates a failed install by uninstall while retries remain, then stalls with RetriesExceeded',
    { timeout: 120_000 },
    async () => {
      await h.createHr(NS, 'flaky', {
        chartRef: chartRef('web'),
        values: { simulate: 'fail' },
        install: { remediation: { retries: 1 } },
        timeout: '2s',
      });
      const hr = await waitFor('flaky', 'Stalled', (x) => cond(x, 'Stalled')?.status === 'True');
      expect(cond(hr, 'Stalled')).toMatchObject({
        reason: 'RetriesExceeded',
        message: 'Failed to install after 2 attempt(s)',
      });
      expect(cond(hr, 'Released')?.message).toMatch(
        /^Helm install failed for release team\/flaky with chart web@1\.0\.0: /,
      );
      expect(hr.status).toMatchObject({ installFailures: 2, failures: 2, lastAttemptedReleaseAction: 'install' });
      const reasons = h.events.filter((e) => e.obj === 'flaky').map((e) => e.ev.reason);
      expect(reasons.filter((r) => r === 'InstallFailed')).toHaveLength(2);
      expect(reasons).toContain('UninstallSucceeded');
      const history = await helmJson<Record<string, unknown>[]>(['history', 'flaky', '-n', NS]);
      expect(history.map((r) => [r['revision'], r['status']])).toEqual([[1, 'failed']]);
    },
  );

  it('takes over a release made by helm install and upgrades it', { timeout: 90_000 }, async () => {
    const dir = join(work, 'web');
    for (const [p, t] of Object.entries(WEB_CHART)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), t);
    }
    await h.helm(['install', 'adopted', dir, '-n', NS, '--set', 'message=by-helm']);
    await h.createHr(NS, 'adopted', { chartRef: chartRef('web'), values: { message: 'by-flux' } });
    const hr = await waitFor('adopted', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
    expect(cond(hr, 'Ready')?.message).toBe('Helm upgrade succeeded for release team/adopted.v2 with chart web@1.0.0');
    expect(await helmJson<unknown>(['get', 'values', 'adopted', '-n', NS])).toEqual({ message: 'by-flux' });
    expect(hr.status?.history?.map((s) => s['version'])).toEqual([2]);
  });

  it(
    'applies the CRDs of crds/ by install.crds: Skip leaves them out, the default Create creates them',
    { timeout: 90_000 },
    async () => {
      const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
      const exists = () =>
        h.client.get(crd, { name: 'widgets.example.com' }).then(
          () => true,
          (err: unknown) => {
            if (isNotFound(err)) return false;
            throw err;
          },
        );
      await h.createHr(NS, 'skip-crds', { chartRef: chartRef('widgets'), install: { crds: 'Skip' } });
      await waitFor('skip-crds', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      expect(await exists()).toBe(false);
      await h.createHr(NS, 'with-crds', { chartRef: chartRef('widgets') });
      await waitFor('with-crds', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      expect(await exists()).toBe(true);
    },
  );

  it('does not wait for readiness with install.disableWait', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'nowait', {
      chartRef: chartRef('web'),
      values: { simulate: 'fail' },
      install: { disableWait: true },
      timeout: '2s',
    });
    const hr = await waitFor('nowait', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
    expect(cond(hr, 'Ready')?.reason).toBe('InstallSucceeded');
    expect(hr.status?.history?.[0]?.['firstDeployed']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('waits for a dependency to be Ready, then installs', { timeout: 90_000 }, async () => {
    await h.createHr(NS, 'second', { chartRef: chartRef('web'), dependsOn: [{ name: 'first' }] });
    const waiting = await until('second DependencyNotReady', async () => {
      const x = await h.getHr(NS, 'second');
      return cond(x, 'Ready')?.reason === 'DependencyNotReady' ? x : undefined;
    });
    expect(cond(waiting, 'Ready')?.status).toBe('False');
    await h.createHr(NS, 'first', { chartRef: chartRef('web') });
    const hr = await waitFor('second', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
    expect(cond(hr, 'Ready')?.message).toBe('Helm install succeeded for release team/second.v1 with chart web@1.0.0');
  });

  it(
    'forceAt upgrades an in-sync release; resetAt clears the counters of a stalled one',
    { timeout: 90_000 },
    async () => {
      const annotate = async (name: string, key: string): Promise<string> => {
        const token = `t-${Date.now()}`;
        await h.client.patch(
          hrGVK,
          { namespace: NS, name },
          { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token, [key]: token } } },
          { type: 'merge' },
        );
        return token;
      };
      const force = await annotate('first', 'reconcile.fluxcd.io/forceAt');
      const forced = await waitFor('first', 'forced upgrade', (x) => x.status?.lastHandledReconcileAt === force);
      expect(cond(forced, 'Ready')?.message).toBe(
        'Helm upgrade succeeded for release team/first.v2 with chart web@1.0.0',
      );
      expect(forced.status).toMatchObject({ lastHandledForceAt: force });

      const failedBefore = h.events.filter((e) => e.obj === 'flaky' && e.ev.reason === 'InstallFailed').length;
      const reset = await annotate('flaky', 'reconcile.fluxcd.io/resetAt');
      const again = await waitFor(
        'flaky',
        'stalled again after reset',
        (x) => x.status?.lastHandledReconcileAt === reset && cond(x, 'Stalled')?.status === 'True',
      );
      expect(again.status).toMatchObject({ lastHandledResetAt: reset, installFailures: 2 });
      expect(h.events.filter((e) => e.obj === 'flaky' && e.ev.reason === 'InstallFailed').length).toBe(
        failedBefore + 2,
      );
    },
  );

  it('deletes the HelmChart of a template when the release moves to chartRef', { timeout: 90_000 }, async () => {
    await h.createHr(NS, 'moving', {
      chart: {
        spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } },
      },
    });
    await h.serveChart('flux-system', 'team-moving', WEB_CHART);
    await waitFor('moving', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
    await h.patchSpec(NS, 'moving', { chart: null, chartRef: chartRef('web') });
    const hr = await waitFor('moving', 'Ready on chartRef', (x) => cond(x, 'Ready')?.status === 'True');
    expect(hr.status?.helmChart).toBeUndefined();
    await until('HelmChart team-moving gone', () =>
      h.client.get(hcGVK, { namespace: 'flux-system', name: 'team-moving' }).then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      ),
    );
    // the same chart and values: in sync, no new release
    expect(hr.status?.history?.map((s) => s['version'])).toEqual([1]);
  });

  it(
    'uninstalls the previous release when the release name changes, then installs the new one',
    { timeout: 90_000 },
    async () => {
      await h.createHr(NS, 'renamed', { chartRef: chartRef('web') });
      await waitFor('renamed', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      await h.patchSpec(NS, 'renamed', { releaseName: 'renamed-two' });
      const hr = await waitFor('renamed', 'Ready as renamed-two', (x) => cond(x, 'Ready')?.status === 'True');
      expect(cond(hr, 'Ready')?.message).toBe(
        'Helm install succeeded for release team/renamed-two.v1 with chart web@1.0.0',
      );
      const names = (await helmJson<{ name: string }[]>(['list', '-a', '-n', NS])).map((r) => r.name);
      expect(names).toContain('renamed-two');
      expect(names).not.toContain('renamed');
      expect(hr.status?.history?.map((s) => [s['name'], s['version']])).toEqual([['renamed-two', 1]]);
    },
  );

  it(
    'installs under the RetryOnFailure strategy (retry.int.spec.ts covers its failures)',
    { timeout: 60_000 },
    async () => {
      await h.createHr(NS, 'retrying', {
        chartRef: chartRef('web'),
        install: { strategy: { name: 'RetryOnFailure' } },
      });
      const hr = await waitFor('retrying', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      expect(cond(hr, 'Ready')?.reason).toBe('InstallSucceeded');
      expect(cond(hr, 'Stalled')).toBeUndefined();
    },
  );

  it('keeps the release history on deletion with uninstall.keepHistory', { timeout: 90_000 }, async () => {
    await h.createHr(NS, 'kept', { chartRef: chartRef('web'), uninstall: { keepHistory: true } });
    await waitFor('kept', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
    await h.client.delete(hrGVK, { namespace: NS, name: 'kept' });
    await until('HelmRelease kept gone', () =>
      h.getHr(NS, 'kept').then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      ),
    );
    const list = await helmJson<Record<string, unknown>[]>(['list', '-a', '-n', NS, '--filter', '^kept$']);
    expect(list.map((r) => [r['name'], r['status']])).toEqual([['kept', 'uninstalled']]);
  });

  it(
    'applies server-side by default as helm-controller (field manager helm-controller), three-way merge when disabled',
    { timeout: 90_000 },
    async () => {
      await h.createHr(NS, 'applied', { chartRef: chartRef('web') });
      await h.createHr(NS, 'merged', { chartRef: chartRef('web'), install: { serverSideApply: false } });
      const cmManagers = async (name: string): Promise<string[]> =>
        (
          await h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: NS, name: `${name}-cm` })
        ).metadata.managedFields!.map((e) => {
          const f = e as { manager?: string; operation?: string };
          return `${f.manager ?? ''}/${f.operation ?? ''}`;
        });
      const method = async (name: string, v: number): Promise<string | undefined> =>
        secretToRelease(
          await h.client.get<SecretObject & { metadata: { name: string } }>(
            { apiVersion: 'v1', kind: 'Secret' },
            { namespace: NS, name: `sh.helm.release.v1.${name}.v${v}` },
          ),
        ).apply_method;
      for (const name of ['applied', 'merged'])
        await waitFor(name, 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      expect(await cmManagers('applied')).toEqual(['helm-controller/Apply']);
      expect(await method('applied', 1)).toBe('ssa');
      expect(await cmManagers('merged')).toEqual(['helm-controller/Update']);
      expect(await method('merged', 1)).toBe('csa');
      // upgrade.serverSideApply auto: each release keeps its method
      for (const name of ['applied', 'merged']) await h.patchSpec(NS, name, { values: { message: 'two' } });
      for (const name of ['applied', 'merged']) {
        const ready = `Helm upgrade succeeded for release ${NS}/${name}.v2 with chart web@1.0.0`;
        await waitFor(name, ready, (x) => cond(x, 'Ready')?.message === ready);
      }
      expect([await method('applied', 2), await method('merged', 2)]).toEqual(['ssa', 'csa']);
      expect(await cmManagers('applied')).toEqual(['helm-controller/Apply']);
    },
  );
});
