// kubeConfig.configMapRef with the generic provider: the release is made in a second API server that trusts the
// first one's ServiceAccount tokens; a cloud provider this build does not implement stalls with RESTClientError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@flux-ts/testbed';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient } from '@flux-ts/runtime';
import { WEB_CHART, cond, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { HrHarness } from './harness.spec-helper.ts';

const NS = 'team';
const chartRef = { kind: 'HelmChart', name: 'shared', namespace: 'flux-system' };

describe('HelmRelease kubeConfig.configMapRef (workload identity)', () => {
  let h: HrHarness;
  let remote: ApiServer;
  let remoteClient: KubeClient;
  const cm = (name: string, data: Record<string, string>) =>
    h.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data } as never);

  beforeAll(async () => {
    h = await startHrHarness([NS], { workloadIdentity: { objectLevelWorkloadIdentity: true } });
    await h.serveChart('flux-system', 'shared', WEB_CHART, true);
    await h.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: NS } });
    const { issuer, keys } = h.server.serviceAccountIssuer();
    const port = await freePort();
    remote = await startApiServer({
      port,
      simulation: { readyAfterMs: 100, intervalMs: 50 },
      trustedIssuers: [{ issuer, audiences: [`https://127.0.0.1:${port}`], keys, usernamePrefix: 'local:' }],
    });
    remoteClient = KubeClient.fromKubeconfigSecret({ stringData: { value: remote.kubeconfig } });
    await remoteClient.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await remoteClient.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'local-deployer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `local:system:serviceaccount:${NS}:deployer` },
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await remote?.close();
  }, 60_000);

  it('releases into the remote cluster with a ServiceAccount token', { timeout: 90_000 }, async () => {
    await cm('remote-wi', {
      provider: 'generic',
      address: remote.url,
      'ca.crt': remote.caPem,
      serviceAccountName: 'deployer',
    });
    await h.createHr(NS, 'web', { chartRef, kubeConfig: { configMapRef: { name: 'remote-wi' } }, timeout: '30s' });
    const hr = await until('web Ready', async () => {
      const r = await h.getHr(NS, 'web');
      return cond(r, 'Ready')?.status === 'True' && settled(r) ? r : undefined;
    });
    expect(cond(hr, 'Ready')?.reason).toBe('InstallSucceeded');
    const secrets = await remoteClient.list(
      { apiVersion: 'v1', kind: 'Secret' },
      { namespace: NS, labelSelector: 'owner=helm' },
    );
    expect(secrets.items.map((s) => s.metadata.name)).toEqual(['sh.helm.release.v1.web.v1']);
    await remoteClient.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: NS, name: 'web-cm' });
  });

  it('stalls with RESTClientError on a cloud provider', { timeout: 60_000 }, async () => {
    await cm('on-aws', { provider: 'aws', cluster: 'arn:aws:eks:eu-west-1:000000000000:cluster/c' });
    await h.createHr(NS, 'aws', { chartRef, kubeConfig: { configMapRef: { name: 'on-aws' } } });
    const hr = await until('aws Stalled', async () => {
      const r = await h.getHr(NS, 'aws');
      return cond(r, 'Stalled')?.status === 'True' ? r : undefined;
    });
    expect(cond(hr, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'RESTClientError',
      message:
        "provider 'aws' is not supported by this build of flux-ts: only the 'generic' provider (Kubernetes ServiceAccount tokens) is implemented",
    });
  });
});
