import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@flux-ts/runtime';
import { kstatusViolations } from '@flux-ts/testing';
import { WEB_CHART, cond, hcGVK, hrGVK, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Hr, HrHarness } from './harness.spec-helper.ts';

const gone = async (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => false,
    (err: unknown) => {
      if (isNotFound(err)) return true;
      throw err;
    },
  );

describe('HelmRelease reconciler against the API server, with the helm CLI as judge', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness(['apps', 'shop']);
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  const readyOf = async (ns: string, name: string, status: string, reason?: string): Promise<Hr> =>
    until(`${ns}/${name} Ready=${status}${reason ? `/${reason}` : ''}`, async () => {
      const hr = await h.getHr(ns, name);
      const r = cond(hr, 'Ready');
      return r?.status === status &&
        (reason === undefined || r.reason === reason) &&
        (status === 'False' || settled(hr))
        ? hr
        : undefined;
    });

  describe('a chart template release through its lifecycle', () => {
    it(
      'creates the HelmChart apps-web in the source namespace and waits for its artifact (SourceNotReady)',
      { timeout: 60_000 },
      async () => {
        await h.createHr('apps', 'web', {
          chart: {
            spec: {
              chart: 'web',
              version: '1.x',
              sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' },
            },
            metadata: { labels: { team: 'shop' } },
          },
          values: { message: 'hi' },
          timeout: '30s',
        });
        await readyOf('apps', 'web', 'False', 'SourceNotReady');
        // the exit patches the conditions, then the rest of the status (status.helmChart)
        const hr = await until('apps/web status.helmChart', async () => {
          const x = await h.getHr('apps', 'web');
          return x.status?.helmChart !== undefined ? x : undefined;
        });
        expect(cond(hr, 'Ready')?.message).toBe(
          "HelmChart 'flux-system/apps-web' is not ready: latest generation of object has not been reconciled",
        );
        expect(hr.status?.helmChart).toBe('flux-system/apps-web');
        const hc = await h.client.get<
          { metadata: { labels?: Record<string, string> }; spec: Record<string, unknown> } & Hr
        >(hcGVK, { namespace: 'flux-system', name: 'apps-web' });
        expect(hc.metadata.labels).toEqual({
          team: 'shop',
          'helm.toolkit.fluxcd.io/name': 'web',
          'helm.toolkit.fluxcd.io/namespace': 'apps',
        });
        expect(hc.spec).toMatchObject({
          chart: 'web',
          version: '1.x',
          sourceRef: { kind: 'HelmRepository', name: 'charts' },
          interval: '10m',
          reconcileStrategy: 'ChartVersion',
        });
      },
    );

    it(
      'installs once the chart is served: Ready, history, status, events, and helm list/status/get agree',
      { timeout: 90_000 },
      async () => {
        await h.serveChart('flux-system', 'apps-web', WEB_CHART);
        const hr = await readyOf('apps', 'web', 'True');
        expect(cond(hr, 'Ready')).toMatchObject({
          reason: 'InstallSucceeded',
          message: 'Helm install succeeded for release apps/web.v1 with chart web@1.0.0',
        });
        expect(cond(hr, 'Released')?.reason).toBe('InstallSucceeded');
        expect(cond(hr, 'Reconciling')).toBeUndefined();
        expect(kstatusViolations(hr as never)).toEqual([]);
        expect(hr.status).toMatchObject({
          lastAttemptedRevision: '1.0.0',
          lastAttemptedReleaseAction: 'install',
          lastAttemptedGeneration: 1,
          storageNamespace: 'apps',
          observedGeneration: 1,
        });
        expect(hr.status?.lastAttemptedConfigDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(hr.status?.history).toHaveLength(1);
        expect(hr.status?.history?.[0]).toMatchObject({
          name: 'web',
          namespace: 'apps',
          version: 1,
          status: 'deployed',
          chartName: 'web',
          chartVersion: '1.0.0',
          appVersion: '1.0',
          configDigest: hr.status?.lastAttemptedConfigDigest,
        });
        expect(h.events.filter((e) => e.obj === 'web').map((e) => e.ev.reason)).toContain('InstallSucceeded');

        const list = JSON.parse(await h.helm(['list', '-n', 'apps', '-o', 'json'])) as Record<string, unknown>[];
        expect(list).toHaveLength(1);
        expect(list[0]).toMatchObject({
          name: 'web',
          namespace: 'apps',
          revision: '1',
          status: 'deployed',
          chart: 'web-1.0.0',
        });
        const status = JSON.parse(await h.helm(['status', 'web', '-n', 'apps', '-o', 'json'])) as {
          info: { status: string; description: string };
        };
        expect(status.info).toMatchObject({ status: 'deployed', description: 'Install complete' });
        expect(JSON.parse(await h.helm(['get', 'values', 'web', '-n', 'apps', '-o', 'json']))).toEqual({
          message: 'hi',
        });
        const manifest = await h.helm(['get', 'manifest', 'web', '-n', 'apps']);
        expect(manifest).toContain('name: web-cm');
        // the manifest is what the post-renderers (origin labels at least) wrote: kustomize leaves the quotes out
        expect(manifest).toContain('message: hi');
        const cm = await h.client.get<{ data: Record<string, string> } & Hr>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { namespace: 'apps', name: 'web-cm' },
        );
        expect(cm.data).toEqual({ message: 'hi' });
        expect(cm.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
      },
    );

    it('upgrades to revision 2 when the values change', { timeout: 90_000 }, async () => {
      await h.patchSpec('apps', 'web', { values: { message: 'hello again' } });
      const hr = await until('upgrade of apps/web', async () => {
        const x = await h.getHr('apps', 'web');
        return cond(x, 'Ready')?.reason === 'UpgradeSucceeded' && settled(x) ? x : undefined;
      });
      expect(cond(hr, 'Ready')?.message).toBe('Helm upgrade succeeded for release apps/web.v2 with chart web@1.0.0');
      expect(hr.status?.lastAttemptedReleaseAction).toBe('upgrade');
      expect(hr.status?.history?.map((s) => [s['version'], s['status']])).toEqual([
        [2, 'deployed'],
        [1, 'superseded'],
      ]);
      expect(JSON.parse(await h.helm(['get', 'values', 'web', '-n', 'apps', '-o', 'json']))).toEqual({
        message: 'hello again',
      });
      const history = JSON.parse(await h.helm(['history', 'web', '-n', 'apps', '-o', 'json'])) as Record<
        string,
        unknown
      >[];
      expect(history.map((r) => [r['revision'], r['status'], r['description']])).toEqual([
        [1, 'superseded', 'Install complete'],
        [2, 'deployed', 'Upgrade complete'],
      ]);
      expect(h.events.filter((e) => e.obj === 'web').map((e) => e.ev.reason)).toContain('UpgradeSucceeded');
    });

    it('writes no release and applies nothing on a reconcile with nothing changed', { timeout: 60_000 }, async () => {
      const secretsBefore = h.server.counters.snapshot();
      const from = h.writes.length;
      await h.requestReconcile('apps', 'web');
      const writes = h.writes.slice(from);
      // only the HelmRelease itself is written (the handled request); no release Secret, ConfigMap or Deployment
      expect(writes.filter((w) => !w.includes('/helmreleases/'))).toEqual([]);
      const after = h.server.counters.snapshot();
      for (const verb of ['create', 'update', 'patch', 'delete'])
        for (const res of ['secrets', 'configmaps', 'deployments.apps'])
          expect(after[`${verb} ${res}`] ?? 0).toBe(secretsBefore[`${verb} ${res}`] ?? 0);
      // the HelmChart comes from the informer cache, the chart archive from the digest cache; the release storage
      // is listed once (the state check)
      const delta = (key: string): number => (after[key] ?? 0) - (secretsBefore[key] ?? 0);
      expect(delta('get helmcharts.source.toolkit.fluxcd.io')).toBe(0);
      expect(delta('list secrets')).toBe(1);
      const hr = await h.getHr('apps', 'web');
      expect(cond(hr, 'Ready')?.reason).toBe('UpgradeSucceeded');
    });

    it('does nothing while suspended, and upgrades once resumed', { timeout: 90_000 }, async () => {
      await h.patchSpec('apps', 'web', { suspend: true });
      await h.patchSpec('apps', 'web', { values: { message: 'while suspended' } });
      const from = h.writes.length;
      await h.reconcileOnce('apps', 'web');
      expect(h.writes.slice(from)).toEqual([]);
      const suspended = await h.getHr('apps', 'web');
      expect(suspended.status?.lastAttemptedGeneration).toBe(2);
      expect(JSON.parse(await h.helm(['get', 'values', 'web', '-n', 'apps', '-o', 'json']))).toEqual({
        message: 'hello again',
      });

      await h.patchSpec('apps', 'web', { suspend: false });
      const hr = await until('upgrade of apps/web after resume', async () => {
        const x = await h.getHr('apps', 'web');
        return cond(x, 'Ready')?.message === 'Helm upgrade succeeded for release apps/web.v3 with chart web@1.0.0' &&
          settled(x)
          ? x
          : undefined;
      });
      expect(hr.status?.lastAttemptedGeneration).toBe(5);
      expect(JSON.parse(await h.helm(['get', 'values', 'web', '-n', 'apps', '-o', 'json']))).toEqual({
        message: 'while suspended',
      });
    });

    it(
      'uninstalls on deletion: helm list is empty, the objects and the HelmChart are gone',
      { timeout: 90_000 },
      async () => {
        await h.client.delete(hrGVK, { namespace: 'apps', name: 'web' });
        await until('HelmRelease apps/web gone', () => gone(h.getHr('apps', 'web')));
        expect(JSON.parse(await h.helm(['list', '-a', '-n', 'apps', '-o', 'json']))).toEqual([]);
        expect(
          await gone(h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'apps', name: 'web-cm' })),
        ).toBe(true);
        await until('Deployment apps/web gone', () =>
          gone(h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment' }, { namespace: 'apps', name: 'web' })),
        );
        expect(await gone(h.client.get(hcGVK, { namespace: 'flux-system', name: 'apps-web' }))).toBe(true);
        const secrets = await h.client.list(
          { apiVersion: 'v1', kind: 'Secret' },
          { namespace: 'apps', labelSelector: 'owner=helm' },
        );
        expect(secrets.items).toEqual([]);
      },
    );
  });

  it(
    'remediates an upgrade that fails its wait by rollback, then stalls with RetriesExceeded',
    { timeout: 120_000 },
    async () => {
      await h.serveChart('flux-system', 'shared', WEB_CHART, true);
      await h.createHr('shop', 'cart', {
        chartRef: { kind: 'HelmChart', name: 'shared', namespace: 'flux-system' },
        upgrade: { remediation: { retries: 0, remediateLastFailure: true } },
        timeout: '2s',
      });
      await readyOf('shop', 'cart', 'True', 'InstallSucceeded');
      await h.patchSpec('shop', 'cart', { values: { simulate: 'fail' } });
      const hr = await until('cart stalled', async () => {
        const x = await h.getHr('shop', 'cart');
        return cond(x, 'Stalled')?.status === 'True' && settled(x) ? x : undefined;
      });
      expect(cond(hr, 'Stalled')).toMatchObject({
        reason: 'RetriesExceeded',
        message: 'Failed to upgrade after 1 attempt(s)',
      });
      expect(cond(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'RetriesExceeded' });
      expect(cond(hr, 'Released')?.reason).toBe('UpgradeFailed');
      expect(cond(hr, 'Released')?.message).toMatch(
        /^Helm upgrade failed for release shop\/cart with chart web@1\.0\.0: /,
      );
      expect(cond(hr, 'Remediated')).toMatchObject({
        status: 'True',
        reason: 'RollbackSucceeded',
        message: 'Helm rollback to previous release shop/cart.v1 with chart web@1.0.0 succeeded',
      });
      expect(hr.status).toMatchObject({ upgradeFailures: 1, failures: 1 });
      expect(hr.status?.history?.map((s) => [s['version'], s['status']])).toEqual([
        [3, 'deployed'],
        [2, 'failed'],
        [1, 'superseded'],
      ]);
      const history = JSON.parse(await h.helm(['history', 'cart', '-n', 'shop', '-o', 'json'])) as Record<
        string,
        unknown
      >[];
      expect(history.map((r) => [r['revision'], r['status'], r['description']])).toEqual([
        [1, 'superseded', 'Install complete'],
        [2, 'failed', expect.stringMatching(/^Upgrade "cart" failed: /)],
        [3, 'deployed', 'Rollback to 1'],
      ]);
      const reasons = h.events.filter((e) => e.obj === 'cart').map((e) => e.ev.reason);
      expect(reasons).toEqual(expect.arrayContaining(['InstallSucceeded', 'UpgradeFailed', 'RollbackSucceeded']));

      // back to the values rolled back to: in sync, Remediated gives way to Released, the stall and counters go
      await h.patchSpec('shop', 'cart', { values: null });
      const back = await readyOf('shop', 'cart', 'True');
      expect(cond(back, 'Ready')).toMatchObject({
        reason: 'UpgradeSucceeded',
        message: 'Helm upgrade succeeded for release shop/cart.v3 with chart web@1.0.0',
      });
      expect(cond(back, 'Remediated')).toBeUndefined();
      expect(cond(back, 'Stalled')).toBeUndefined();
      expect(back.status?.upgradeFailures).toBeUndefined();
      expect(JSON.parse(await h.helm(['list', '-n', 'shop', '-o', 'json']))).toMatchObject([
        { name: 'cart', revision: '3' },
      ]);
    },
  );
});
