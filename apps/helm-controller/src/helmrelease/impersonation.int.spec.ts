// serviceAccountName impersonation, --default-service-account and kubeConfig.secretRef against libs/apiserver's RBAC:
// every read and write of a release (objects, waits, the storage Secrets) is made as the service account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@flux-ts/runtime';
import { WEB_CHART, cond, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Cond, Hr, HrHarness } from './harness.spec-helper.ts';

const NS = 'team';
const chartRef = { kind: 'HelmChart', name: 'shared', namespace: 'flux-system' };
const rbac = 'rbac.authorization.k8s.io/v1';

describe('HelmRelease impersonation and remote kubeConfig', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS], { defaultServiceAccount: 'fallback' });
    await h.serveChart('flux-system', 'shared', WEB_CHART, true);
    for (const name of ['deployer', 'storage-only', 'nobody', 'fallback'])
      await h.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS } });
    const role = (name: string, rules: unknown[]) =>
      h.client.create({ apiVersion: rbac, kind: 'Role', metadata: { name, namespace: NS }, rules } as never);
    await role('everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    await role('secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }]);
    await bind('deployer', 'everything');
    await bind('storage-only', 'secrets');
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  const bind = (sa: string, role: string) =>
    h.client.create({
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: `${sa}-${role}`, namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NS }],
    } as never);
  const readyFalse = (name: string, reason: string): Promise<Cond> =>
    until(`${NS}/${name} Ready=False/${reason}`, async () => {
      const r = cond(await h.getHr(NS, name), 'Ready');
      return r?.status === 'False' && r.reason === reason ? r : undefined;
    });
  const readyTrue = (name: string): Promise<Hr> =>
    until(`${NS}/${name} Ready=True`, async () => {
      const hr = await h.getHr(NS, name);
      return cond(hr, 'Ready')?.status === 'True' && settled(hr) ? hr : undefined;
    });
  const releases = async (): Promise<{ name: string; status: string }[]> =>
    JSON.parse(await h.helm(['list', '-a', '-n', NS, '-o', 'json'])) as { name: string; status: string }[];

  it('installs as a service account with rights in the namespace', { timeout: 90_000 }, async () => {
    await h.createHr(NS, 'web', { chartRef, serviceAccountName: 'deployer', timeout: '30s' });
    const hr = await readyTrue('web');
    expect(cond(hr, 'Ready')).toMatchObject({
      reason: 'InstallSucceeded',
      message: 'Helm install succeeded for release team/web.v1 with chart web@1.0.0',
    });
    expect(await releases()).toContainEqual(expect.objectContaining({ name: 'web', status: 'deployed' }));
    const cm = await h.client.get<{ data: Record<string, string> } & Hr>(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { namespace: NS, name: 'web-cm' },
    );
    expect(cm.data).toEqual({ message: 'hello' });
  });

  it(
    'a service account that may not create the objects: InstallFailed with the API forbidden message, then recovers',
    { timeout: 90_000 },
    async () => {
      await h.createHr(NS, 'limited', { chartRef, serviceAccountName: 'storage-only', timeout: '30s' });
      const ready = await readyFalse('limited', 'InstallFailed');
      expect(ready.message).toMatch(/^Helm install failed for release team\/limited with chart web@1\.0\.0: /);
      expect(ready.message).toContain('forbidden: User "system:serviceaccount:team:storage-only" cannot');
      const hr = await h.getHr(NS, 'limited');
      expect(cond(hr, 'Released')).toMatchObject({ status: 'False', reason: 'InstallFailed' });
      expect(cond(hr, 'Stalled')).toBeUndefined();
      // nothing of the chart was made by the controller's own identity
      await expect(
        h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: NS, name: 'limited-cm' }),
      ).rejects.toSatisfy(isNotFound);

      await bind('storage-only', 'everything');
      await h.requestReconcile(NS, 'limited');
      await readyTrue('limited');
    },
  );

  it(
    'a service account that may not read the release storage: StateError, and no release',
    { timeout: 60_000 },
    async () => {
      await h.createHr(NS, 'locked-out', { chartRef, serviceAccountName: 'nobody' });
      const ready = await readyFalse('locked-out', 'StateError');
      expect(ready.message).toMatch(
        /^Could not determine release state: failed to retrieve last release from storage: .*secrets is forbidden: User "system:serviceaccount:team:nobody" cannot list resource "secrets" in API group "" in the namespace "team"/,
      );
      expect((await releases()).map((r) => r.name)).not.toContain('locked-out');
    },
  );

  it('impersonates --default-service-account when the HelmRelease names none', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'defaulted', { chartRef });
    const ready = await readyFalse('defaulted', 'StateError');
    expect(ready.message).toContain('User "system:serviceaccount:team:fallback" cannot list resource "secrets"');
  });

  it('kubeConfig.secretRef: a missing Secret is RESTClientError', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'remote-missing', {
      chartRef,
      serviceAccountName: 'deployer',
      kubeConfig: { secretRef: { name: 'missing' } },
    });
    const ready = await readyFalse('remote-missing', 'RESTClientError');
    expect(ready.message).toBe(`could not get KubeConfig secret '${NS}/missing': secrets "missing" not found`);
  });

  it(
    'kubeConfig.secretRef: releases into the cluster of the Secret (key value.yaml), with the service account',
    { timeout: 90_000 },
    async () => {
      await h.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'remote', namespace: NS },
        stringData: { 'value.yaml': h.server.kubeconfig },
      } as never);
      await h.createHr(NS, 'remote', {
        chartRef,
        serviceAccountName: 'deployer',
        kubeConfig: { secretRef: { name: 'remote' } },
        timeout: '30s',
      });
      const hr = await readyTrue('remote');
      expect(cond(hr, 'Ready')?.reason).toBe('InstallSucceeded');
      expect(await releases()).toContainEqual(expect.objectContaining({ name: 'remote', status: 'deployed' }));
    },
  );

  it("renders with the cluster's capabilities, discovered as the service account", { timeout: 90_000 }, async () => {
    await h.serveChart(
      'flux-system',
      'caps',
      {
        'Chart.yaml': 'apiVersion: v2\nname: caps\nversion: 0.1.0\n',
        'templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-caps
data:
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  helmRelease: {{ .Capabilities.APIVersions.Has "helm.toolkit.fluxcd.io/v2/HelmRelease" | quote }}
  helmReleaseGroup: {{ .Capabilities.APIVersions.Has "helm.toolkit.fluxcd.io/v2" | quote }}
  unknown: {{ .Capabilities.APIVersions.Has "example.com/v1" | quote }}
`,
      },
      true,
    );
    await h.createHr(NS, 'caps', {
      chartRef: { kind: 'HelmChart', name: 'caps', namespace: 'flux-system' },
      serviceAccountName: 'deployer',
    });
    await readyTrue('caps');
    const cm = await h.client.get<{ data: Record<string, string> } & Hr>(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { namespace: NS, name: 'caps-caps' },
    );
    // Helm's default set knows no Flux kinds: these come from the API server's discovery
    expect(cm.data).toEqual({ kube: 'v1.33.0', helmRelease: 'true', helmReleaseGroup: 'true', unknown: 'false' });
  });

  it('uninstalls as the service account on deletion', { timeout: 60_000 }, async () => {
    await h.client.delete(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
      { namespace: NS, name: 'web' },
    );
    await until('team/web gone', async () =>
      h.getHr(NS, 'web').then(
        () => false,
        (err: unknown) => isNotFound(err),
      ),
    );
    expect((await releases()).map((r) => r.name)).not.toContain('web');
    await expect(
      h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: NS, name: 'web-cm' }),
    ).rejects.toSatisfy(isNotFound);
  });
});
