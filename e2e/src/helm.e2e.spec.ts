/**
 * A HelmRelease end to end (issue 16's acceptance): a podinfo-like chart (`fixtures/charts/podinfo`: a Deployment,
 * a Service and a test hook) packaged and indexed by the real helm CLI into a local HTTP chart repository, a
 * HelmRepository and a HelmRelease applied with the real kubectl, source-controller and helm-controller running as
 * their own processes against libs/apiserver, and the real helm 3.18 CLI reading the releases they write.
 *
 * Drift correction (a manual edit of a rendered object reverted) is part of the same acceptance list and is not in
 * this suite: it comes with helm-controller's drift detection.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '@flux-ts/embedded';
import { isNotFound } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { helmEnv, installHelm, run, startChartRepoServer } from '@flux-ts/testbed';
import type { ChartRepoServer } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import { GVK as gvk, KUBECTL, startE2eStack } from './stack.ts';

const chartDir = join(import.meta.dirname, '..', 'fixtures', 'charts', 'podinfo');

const key = { namespace: 'apps', name: 'podinfo' };

interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Hr = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    conditions?: Cond[];
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    history?: { version: number; status: string; chartVersion: string }[];
  };
};
type Deployment = KubeObject & {
  spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } };
};
interface HelmHistory {
  revision: number;
  status: string;
  description: string;
}

const cond = (hr: Hr, type: string): Cond | undefined => hr.status?.conditions?.find((c) => c.type === type);
/** The last reconcile of the current generation has ended: observed, not Reconciling. */
const settled = (hr: Hr): boolean =>
  hr.status?.observedGeneration === hr.metadata.generation && cond(hr, 'Reconciling') === undefined;

const gone = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => false,
    (err: unknown) => {
      if (isNotFound(err)) return true;
      throw err;
    },
  );

describe('e2e: a HelmRelease of the podinfo chart from a local chart repository', () => {
  let e: Embedded;
  let tmp: string;
  let kubeconfig: string;
  let helmBin: string;
  let helmHome: NodeJS.ProcessEnv;
  let charts: ChartRepoServer;

  const kubectl = (...args: string[]): Promise<string> => run(KUBECTL, ['--kubeconfig', kubeconfig, ...args]);
  const helm = (...args: string[]): Promise<string> =>
    run(helmBin, ['--kubeconfig', kubeconfig, ...args], { env: helmHome });
  const helmJson = async <T>(...args: string[]): Promise<T> => JSON.parse(await helm(...args, '-o', 'json')) as T;
  const getHr = (): Promise<Hr> => e.client.get<Hr>(gvk.hr, key);
  const patchHr = async (patch: Record<string, unknown>): Promise<void> => {
    await kubectl('-n', 'apps', 'patch', 'helmrelease', 'podinfo', '--type', 'merge', '-p', JSON.stringify(patch));
  };
  /** Waits until the current generation is reconciled and the newest release has `version`. */
  const releasedAt = (version: number, what: string): Promise<Hr> =>
    until(
      what,
      async () => {
        const hr = await getHr();
        return settled(hr) && cond(hr, 'Ready')?.status === 'True' && hr.status?.history?.[0]?.version === version
          ? hr
          : undefined;
      },
      120_000,
    );
  const releaseSecrets = async (): Promise<string[]> =>
    (await e.client.list(gvk.secret, { namespace: 'apps', labelSelector: 'owner=helm,name=podinfo' })).items
      .map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`)
      .sort();

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flux-ts-e2e-helm-'));
    helmBin = await installHelm();
    helmHome = helmEnv(join(tmp, 'helm-home'));
    // The chart repository as a user publishes one: `helm package`, then `helm repo index` with the served URL.
    const repoDir = join(tmp, 'charts');
    mkdirSync(repoDir);
    await run(helmBin, ['package', chartDir, '--destination', repoDir], { env: helmHome });
    charts = await startChartRepoServer({ dir: repoDir });
    await run(helmBin, ['repo', 'index', repoDir, '--url', charts.url], { env: helmHome });
    e = await startE2eStack(tmp);
    kubeconfig = e.layout.kubeconfig;
  }, 120_000);

  afterAll(async () => {
    await e?.stop();
    await charts?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it(
    'installs with kubectl apply: Ready, the test hook passed, the release deployed and its objects applied',
    { timeout: 180_000 },
    async () => {
      await kubectl('create', 'namespace', 'flux-system');
      await kubectl('create', 'namespace', 'apps');
      const manifests = join(tmp, 'podinfo.yaml');
      writeFileSync(
        manifests,
        `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 10m
  url: ${charts.url}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 10m
  timeout: 5s
  chart:
    spec:
      chart: podinfo
      version: 6.x
      sourceRef:
        kind: HelmRepository
        name: podinfo
        namespace: flux-system
  install:
    remediation:
      retries: 1
  upgrade:
    remediation:
      retries: 0
      remediateLastFailure: true
      strategy: rollback
  test:
    enable: true
  values:
    ui:
      message: hello from flux-ts
`,
      );
      const out = await kubectl('apply', '-f', manifests);
      expect(out).toContain('helmrepository.source.toolkit.fluxcd.io/podinfo created');
      expect(out).toContain('helmrelease.helm.toolkit.fluxcd.io/podinfo created');

      const hr = await releasedAt(1, 'podinfo installed');
      expect(cond(hr, 'Released')).toMatchObject({
        status: 'True',
        reason: 'InstallSucceeded',
        message: 'Helm install succeeded for release apps/podinfo.v1 with chart podinfo@6.7.1',
      });
      expect(cond(hr, 'TestSuccess')).toMatchObject({ status: 'True', reason: 'TestSucceeded' });
      expect(hr.status?.history?.[0]).toMatchObject({ version: 1, status: 'deployed', chartVersion: '6.7.1' });
      expect(
        cond(await e.client.get<Hr>(gvk.chart, { namespace: 'flux-system', name: 'apps-podinfo' }), 'Ready'),
      ).toMatchObject({ status: 'True' });

      // helm sees the release flux-ts wrote.
      const list = await helmJson<Record<string, unknown>[]>('list', '-n', 'apps');
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        name: 'podinfo',
        namespace: 'apps',
        revision: '1',
        status: 'deployed',
        chart: 'podinfo-6.7.1',
        app_version: '6.7.1',
      });
      const status = await helmJson<{ info: { status: string; description: string } }>(
        'status',
        'podinfo',
        '-n',
        'apps',
      );
      expect(status.info).toMatchObject({ status: 'deployed', description: 'Install complete' });
      const manifest = await helm('get', 'manifest', 'podinfo', '-n', 'apps');
      expect(manifest).toContain('# Source: podinfo/templates/deployment.yaml');
      expect(manifest).toContain('# Source: podinfo/templates/service.yaml');
      const hooks = await helm('get', 'hooks', 'podinfo', '-n', 'apps');
      expect(hooks).toContain('# Source: podinfo/templates/tests/service.yaml');

      // The objects are applied, labelled as Helm labels them, and the test hook Pod ran to completion.
      const dep = await e.client.get<Deployment>(gvk.deployment, key);
      expect(dep.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': 'podinfo-6.7.1',
        'helm.toolkit.fluxcd.io/name': 'podinfo',
        'helm.toolkit.fluxcd.io/namespace': 'apps',
      });
      expect(dep.metadata.annotations).toMatchObject({
        'meta.helm.sh/release-name': 'podinfo',
        'meta.helm.sh/release-namespace': 'apps',
      });
      expect(dep.spec.template.spec.containers[0]?.env).toContainEqual({
        name: 'PODINFO_UI_MESSAGE',
        value: 'hello from flux-ts',
      });
      await e.client.get(gvk.service, key);
      const testPod = await e.client.get<KubeObject & { status?: { phase?: string } }>(gvk.pod, {
        namespace: 'apps',
        name: 'podinfo-service-test',
      });
      expect(testPod.status?.phase).toBe('Succeeded');
    },
  );

  it('upgrades to revision 2 on a values change, and helm get values shows it', { timeout: 180_000 }, async () => {
    await patchHr({ spec: { values: { ui: { message: 'upgraded by flux-ts' }, replicaCount: 2 } } });
    const hr = await releasedAt(2, 'podinfo upgraded to revision 2');
    expect(cond(hr, 'Released')).toMatchObject({
      reason: 'UpgradeSucceeded',
      message: 'Helm upgrade succeeded for release apps/podinfo.v2 with chart podinfo@6.7.1',
    });
    expect(hr.status?.history?.map((s) => [s.version, s.status])).toEqual([
      [2, 'deployed'],
      [1, 'superseded'],
    ]);
    expect(await helmJson('get', 'values', 'podinfo', '-n', 'apps')).toEqual({
      replicaCount: 2,
      ui: { message: 'upgraded by flux-ts' },
    });
    const history = await helmJson<HelmHistory[]>('history', 'podinfo', '-n', 'apps');
    expect(history.map((r) => [r.revision, r.status, r.description])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'deployed', 'Upgrade complete'],
    ]);
    const dep = await e.client.get<Deployment & { spec: { replicas: number } }>(gvk.deployment, key);
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'PODINFO_UI_MESSAGE',
      value: 'upgraded by flux-ts',
    });
  });

  it('writes no release and applies nothing on a reconcile with nothing changed', { timeout: 120_000 }, async () => {
    const secretsBefore = await releaseSecrets();
    const objectsBefore = await Promise.all([e.client.get(gvk.deployment, key), e.client.get(gvk.service, key)]);
    e.server.counters.reset();
    const at = new Date().toISOString();
    await kubectl(
      '-n',
      'apps',
      'annotate',
      '--overwrite',
      'helmrelease',
      'podinfo',
      `reconcile.fluxcd.io/requestedAt=${at}`,
    );
    const hr = await until('the requested reconcile', async () => {
      const x = await getHr();
      return x.status?.lastHandledReconcileAt === at && settled(x) ? x : undefined;
    });
    expect(hr.status?.history?.[0]).toMatchObject({ version: 2, status: 'deployed' });
    // libs/apiserver's request counters: no write to a release Secret or to any object of the chart (server-side
    // dry-runs, if any, are counted apart as `dryrun-<verb>`).
    const writes = Object.entries(e.server.counters.snapshot()).filter(
      ([k, n]) =>
        n > 0 && /^(create|update|patch|delete|deletecollection) (secrets|deployments\.apps|services|pods)$/.test(k),
    );
    expect(writes).toEqual([]);
    expect(await releaseSecrets()).toEqual(secretsBefore);
    expect(await Promise.all([e.client.get(gvk.deployment, key), e.client.get(gvk.service, key)])).toEqual(
      objectsBefore,
    );
  });

  it(
    'remediates an upgrade that fails its wait by rollback, and helm history shows the rollback',
    { timeout: 180_000 },
    async () => {
      // The workload simulation never makes these pods ready: the upgrade's wait times out (spec.timeout 5s).
      await patchHr({ spec: { values: { podAnnotations: { 'flux-ts.dev/simulate': 'fail' } } } });
      const hr = await until(
        'podinfo remediated',
        async () => {
          const x = await getHr();
          return settled(x) && cond(x, 'Stalled')?.status === 'True' ? x : undefined;
        },
        120_000,
      );
      expect(cond(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'RetriesExceeded' });
      expect(cond(hr, 'Released')?.reason).toBe('UpgradeFailed');
      expect(cond(hr, 'Remediated')).toMatchObject({
        status: 'True',
        reason: 'RollbackSucceeded',
        message: 'Helm rollback to previous release apps/podinfo.v2 with chart podinfo@6.7.1 succeeded',
      });
      const history = await helmJson<HelmHistory[]>('history', 'podinfo', '-n', 'apps');
      expect(history.map((r) => [r.revision, r.status])).toEqual([
        [1, 'superseded'],
        [2, 'superseded'],
        [3, 'failed'],
        [4, 'deployed'],
      ]);
      expect(history[3]?.description).toBe('Rollback to 2');
      expect(history[2]?.description).toMatch(/^Upgrade "podinfo" failed: /);
      expect(await helmJson('get', 'values', 'podinfo', '-n', 'apps')).toEqual({
        replicaCount: 2,
        ui: { message: 'upgraded by flux-ts' },
      });

      // A fixed spec is a new generation: the failure counters reset and the upgrade goes through.
      await patchHr({ spec: { values: { podAnnotations: null, ui: { message: 'fixed' } } } });
      const fixed = await releasedAt(5, 'podinfo upgraded after the fix');
      expect(cond(fixed, 'Stalled')).toBeUndefined();
      expect(cond(fixed, 'Released')?.reason).toBe('UpgradeSucceeded');
    },
  );

  it('stops reconciling on suspend, and upgrades once resumed', { timeout: 180_000 }, async () => {
    const log = e.controllers.find((c) => c.name === 'helm-controller')!.logFile;
    const from = statSync(log).size;
    await patchHr({ spec: { suspend: true } });
    const changedAt = new Date().toISOString();
    await patchHr({ spec: { values: { ui: { message: 'while suspended' } } } });
    // The change reaches helm-controller, which logs that the object is suspended and does nothing else.
    await until('helm-controller skips the suspended HelmRelease after the values change', () =>
      readFileSync(log, 'utf8')
        .slice(from)
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; name?: string; ts?: string })
        .some(
          (l) =>
            l.msg === 'reconciliation is suspended for this object' && l.name === 'podinfo' && (l.ts ?? '') > changedAt,
        ),
    );
    const suspended = await getHr();
    expect(suspended.status?.history?.[0]?.version).toBe(5);
    expect(suspended.status?.observedGeneration).toBeLessThan(suspended.metadata.generation ?? 0);
    expect((await helmJson<HelmHistory[]>('history', 'podinfo', '-n', 'apps')).map((r) => r.revision)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(await helmJson('get', 'values', 'podinfo', '-n', 'apps')).toEqual({
      replicaCount: 2,
      ui: { message: 'fixed' },
    });

    await patchHr({ spec: { suspend: false } });
    await releasedAt(6, 'podinfo upgraded after resume');
    expect(await helmJson('get', 'values', 'podinfo', '-n', 'apps')).toEqual({
      replicaCount: 2,
      ui: { message: 'while suspended' },
    });
  });

  it(
    'uninstalls when the HelmRelease is deleted: helm list is empty and the objects are gone',
    { timeout: 120_000 },
    async () => {
      await kubectl('-n', 'apps', 'delete', 'helmrelease', 'podinfo', '--wait=true');
      expect(await helmJson('list', '-a', '-n', 'apps')).toEqual([]);
      expect(await releaseSecrets()).toEqual([]);
      for (const [what, g] of [
        ['Deployment', gvk.deployment],
        ['Service', gvk.service],
      ] as const)
        await until(`${what} apps/podinfo deleted`, () => gone(e.client.get(g, key)));
      await until('the HelmChart flux-system/apps-podinfo deleted', () =>
        gone(e.client.get(gvk.chart, { namespace: 'flux-system', name: 'apps-podinfo' })),
      );
    },
  );
});
