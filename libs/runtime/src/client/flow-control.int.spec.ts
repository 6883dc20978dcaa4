import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './client.ts';
import { startTestCluster, type TestCluster } from './testing.spec-helper.ts';

describe('client-side throttling and API Priority and Fairness', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.server.close();
  });

  it('sees Priority and Fairness on libs/apiserver, as on a kube-apiserver', async () => {
    expect(await t.client.flowControlEnabled()).toBe(true);
  });

  it('turns its limiter off before the first request when asked to detect flow control', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(t.server.kubeconfig);
    const client = KubeClient.fromKubeConfig(kc, { qps: 1, burst: 1, detectFlowControl: true });
    // With QPS 1 / burst 1, five reads would take four seconds; without a limiter they are immediate.
    for (let i = 0; i < 5; i++) await client.get({ apiVersion: 'v1', kind: 'Namespace' }, { name: 'default' });
    expect(client.rateLimiter.qps).toBeLessThanOrEqual(0);
  });

  it('keeps the configured QPS when not asked to detect, or when the server has no flow control', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(t.server.kubeconfig);
    const plain = KubeClient.fromKubeConfig(kc, { qps: 7, burst: 9 });
    await plain.get({ apiVersion: 'v1', kind: 'Namespace' }, { name: 'default' });
    expect(plain.rateLimiter.qps).toBe(7);

    const noApf = new KubeClient(
      {
        request: async () => ({ status: 200, headers: {}, body: 'ok' }),
        stream: async () => {
          throw new Error('not used');
        },
      },
      { qps: 7, burst: 9, detectFlowControl: true },
    );
    expect(await noApf.flowControlEnabled()).toBe(false);
  });
});
