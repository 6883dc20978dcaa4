import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient } from '../client/index.ts';
import { Manager } from '../manager/manager.ts';
import type { ManagerCache } from '../manager/manager.ts';
import type { EventSource } from '../controller/types.ts';
import type { KubeObject } from '../client/types.ts';
import { FakeEventSource } from '../testing/index.ts';
import type { Lease } from './leader-elector.ts';

/** A cache with nothing to watch: these tests are about the Lease only. */
function emptyCache(): ManagerCache {
  return {
    informerFor: <T extends KubeObject>() => new FakeEventSource<KubeObject>() as unknown as EventSource<T>,
    start: async () => {},
    waitForCacheSync: async () => {},
    hasSynced: () => true,
  };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const leaseGVK = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
const leaseName = 'demo-controller-leader-election';
// Short durations so the test runs in seconds; same algorithm as the 35s/30s/5s defaults. The renew deadline
// leaves room for a loaded CI machine: a leader that misses it stops its manager, which would fail the test.
const timing = { leaseDurationMs: 6_000, renewDeadlineMs: 5_000, retryPeriodMs: 250 };

describe('leader election against the API server', () => {
  let server: ApiServer;
  let client: KubeClient;

  beforeAll(async () => {
    server = await startApiServer({ port: 0 });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    client = KubeClient.fromKubeConfig(kc);
  });

  afterAll(async () => {
    await server?.close();
  });

  function manager(identity: string, releaseOnCancel: boolean) {
    const mgr = new Manager({
      cache: emptyCache(),
      client,
      leaderElection: { namespace: 'default', name: leaseName, identity, releaseOnCancel, ...timing },
      gracefulShutdownMs: 1_000,
    });
    let running = 0;
    mgr.add({
      needLeaderElection: true,
      async start(signal) {
        running++;
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        running--;
      },
    });
    const stop = new AbortController();
    const done = mgr.start(stop.signal);
    return { mgr, stop, done, running: () => running };
  }

  const holder = async () =>
    (await client.get<Lease>(leaseGVK, { namespace: 'default', name: leaseName })).spec?.holderIdentity;

  it(
    'elects exactly one of two managers; the other takes over after the leader stops',
    { timeout: 60_000 },
    async () => {
      const a = manager('manager-a', false);
      const b = manager('manager-b', false);
      await until(() => a.mgr.isLeader() || b.mgr.isLeader(), 'a leader');
      // Watch both over several lease durations: never two leaders. (Safety only: on a loaded machine a renewal
      // can miss its deadline, and then for a moment nobody leads, which is what client-go does too.)
      const end = Date.now() + 2 * timing.leaseDurationMs;
      let samplesWithLeader = 0;
      while (Date.now() < end) {
        const runningNow = a.running() + b.running();
        expect(runningNow).toBeLessThanOrEqual(1);
        samplesWithLeader += runningNow;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(samplesWithLeader).toBeGreaterThan(0);
      await until(() => a.mgr.isLeader() || b.mgr.isLeader(), 'a leader after the watch');
      const [leader, follower] = a.mgr.isLeader() ? [a, b] : [b, a];
      expect(await holder()).toBe(leader.mgr.identity);
      leader.stop.abort();
      await leader.done;
      expect(await holder()).toBe(leader.mgr.identity); // not released: the follower must wait for expiry
      await until(() => follower.mgr.isLeader(), 'takeover');
      expect(await holder()).toBe(follower.mgr.identity);
      const lease = await client.get<Lease>(leaseGVK, { namespace: 'default', name: leaseName });
      expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
      expect(lease.spec?.leaseDurationSeconds).toBe(6);
      expect(lease.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      follower.stop.abort();
      await follower.done;
      expect(await holder()).toBe(follower.mgr.identity);
    },
  );

  it('releases the lease on shutdown so the standby takes over promptly', { timeout: 60_000 }, async () => {
    // Previous test left a lease held by a stopped holder: wait until it can be taken.
    const a = manager('release-a', true);
    await until(() => a.mgr.isLeader(), 'a leads');
    const b = manager('release-b', true);
    await new Promise((r) => setTimeout(r, 3 * timing.retryPeriodMs));
    expect(b.mgr.isLeader()).toBe(false);
    a.stop.abort();
    await a.done;
    expect(await holder()).toBe('');
    await until(() => b.mgr.isLeader(), 'b takes over');
    b.stop.abort();
    await b.done;
    expect(await holder()).toBe('');
  });
});
