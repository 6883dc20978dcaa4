import { describe, it, expect } from 'vitest';
import { controllerBuilder } from '../controller/builder.ts';
import type { GroupVersionKind } from '../client/types.ts';
import type { EventSource } from '../controller/types.ts';
import type { KubeObject } from '../client/types.ts';
import { FakeEventSource, InMemoryLeaseClient } from '../testing/index.ts';
import { Manager } from './manager.ts';
import type { ManagerCache } from './manager.ts';
import type { Runnable } from './runnable.ts';

class FakeCache implements ManagerCache {
  readonly sources = new Map<string, FakeEventSource<KubeObject>>();
  synced = false;
  started = false;
  stopped = false;
  informerFor<T extends KubeObject>(gvk: GroupVersionKind): EventSource<T> {
    const key = `${gvk.apiVersion}/${gvk.kind}`;
    let s = this.sources.get(key);
    if (!s) {
      s = new FakeEventSource<KubeObject>({ synced: this.synced });
      this.sources.set(key, s);
    }
    return s as unknown as EventSource<T>;
  }
  async start(signal: AbortSignal): Promise<void> {
    this.started = true;
    signal.addEventListener('abort', () => (this.stopped = true), { once: true });
  }
  #waiters: Array<() => void> = [];
  markSynced(): void {
    this.synced = true;
    for (const s of this.sources.values()) s.markSynced();
    this.#waiters.splice(0).forEach((w) => w());
  }
  waitForCacheSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }
  hasSynced(): boolean {
    return this.synced;
  }
}

async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const kind = { apiVersion: 'demo.io/v1', kind: 'Demo' };

describe('Manager', () => {
  it('serves readyz only after cache sync, runs controllers after election and reconciles', async () => {
    const cache = new FakeCache();
    const leases = new InMemoryLeaseClient();
    const mgr = new Manager({
      cache,
      client: leases,
      leaderElection: { namespace: 'flux-system', name: 'demo-leader-election', identity: 'me' },
      healthAddr: { host: '127.0.0.1', port: 0 },
      metricsAddr: { host: '127.0.0.1', port: 0 },
    });
    const seen: string[] = [];
    controllerBuilder(mgr)
      .for(kind)
      .complete(async (req) => void seen.push(req.name));
    let plainStarted = false;
    mgr.add({
      start: async (signal) => {
        plainStarted = true;
        await new Promise((r) => signal.addEventListener('abort', r));
      },
    });
    const stop = new AbortController();
    const run = mgr.start(stop.signal);
    await until(() => mgr.healthAddress !== undefined && cache.started);
    const ready = () => fetch(new URL('readyz', mgr.healthAddress!.url)).then((r) => r.status);
    expect(await ready()).toBe(500);
    expect((await fetch(new URL('healthz', mgr.healthAddress!.url))).status).toBe(200);
    expect(plainStarted).toBe(false); // waits for the cache sync
    cache.sources
      .get('demo.io/v1/Demo')!
      .set({ apiVersion: 'demo.io/v1', kind: 'Demo', metadata: { name: 'x', namespace: 'default' } });
    cache.markSynced();
    await mgr.elected();
    expect(plainStarted).toBe(true);
    expect(await ready()).toBe(200);
    await until(() => seen.length === 1, 'reconcile');
    expect(leases.lease?.spec?.holderIdentity).toBe('me');
    const metrics = await fetch(new URL('metrics', mgr.metricsAddress!.url)).then((r) => r.text());
    expect(metrics).toMatch(/gotk_reconcile_duration_seconds_count\{kind="Demo",name="x",namespace="default"\} 1/);
    stop.abort();
    await run;
    expect(leases.lease?.spec?.holderIdentity).toBe('');
    expect(cache.stopped).toBe(true);
  });

  it('does not start leader-only runnables while another instance holds the lease', async () => {
    const cache = new FakeCache();
    cache.markSynced();
    const leases = new InMemoryLeaseClient();
    await leases.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: 'ns' },
      spec: { holderIdentity: 'other', leaseDurationSeconds: 35, renewTime: new Date().toISOString() },
    });
    const mgr = new Manager({
      cache,
      client: leases,
      leaderElection: { namespace: 'ns', name: 'l', retryPeriodMs: 20, renewDeadlineMs: 100, leaseDurationMs: 35_000 },
    });
    let leaderStarted = false;
    let plainStarted = false;
    mgr.add({ needLeaderElection: true, start: async () => void (leaderStarted = true) });
    mgr.add({ start: async () => void (plainStarted = true) });
    const stop = new AbortController();
    const run = mgr.start(stop.signal);
    await until(() => plainStarted);
    await until(() => leases.writes >= 1 && mgr.identity !== undefined);
    // Several retry periods pass without taking the lease.
    const writes = leases.writes;
    await new Promise((r) => setTimeout(r, 100));
    expect(leases.writes).toBe(writes);
    expect(leaderStarted).toBe(false);
    expect(mgr.isLeader()).toBe(false);
    stop.abort();
    await run;
    expect(leases.lease?.spec?.holderIdentity).toBe('other');
  });

  it('lets in-flight work finish within the grace period, then aborts it', async () => {
    const cache = new FakeCache();
    cache.markSynced();
    const mgr = new Manager({ cache, gracefulShutdownMs: 50 });
    const events: string[] = [];
    const polite: Runnable = {
      needLeaderElection: true,
      async start(signal) {
        await new Promise((r) => signal.addEventListener('abort', r));
        events.push('polite-stopped');
      },
    };
    const stubborn: Runnable = {
      async start(signal, ctx) {
        await new Promise((r) => signal.addEventListener('abort', r));
        events.push('stubborn-draining');
        await new Promise((r) => ctx!.hardStop.addEventListener('abort', r));
        events.push('stubborn-hard-stopped');
      },
    };
    mgr.add(polite);
    mgr.add(stubborn);
    const stop = new AbortController();
    const run = mgr.start(stop.signal);
    await mgr.elected();
    stop.abort();
    await run;
    expect(events).toContain('polite-stopped');
    expect(events.indexOf('stubborn-draining')).toBeLessThan(events.indexOf('stubborn-hard-stopped'));
  });

  it('aborts in-flight work at once when opts.hardStop aborts (no grace period)', async () => {
    const cache = new FakeCache();
    cache.markSynced();
    // a grace period no test would wait for: only hardStop can end this run
    const mgr = new Manager({ cache, gracefulShutdownMs: 3_600_000 });
    const events: string[] = [];
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    mgr.add({
      async start(signal, ctx) {
        started();
        await new Promise((r) => ctx!.hardStop.addEventListener('abort', r));
        events.push(`hard-stopped (intake stopped: ${signal.aborted})`);
      },
    });
    const oom = new AbortController();
    const run = mgr.start(oom.signal, { hardStop: oom.signal });
    await running;
    oom.abort();
    await run;
    expect(events).toEqual(['hard-stopped (intake stopped: true)']);
  });

  it('stops its controllers and rejects when leadership is lost', async () => {
    const cache = new FakeCache();
    cache.markSynced();
    const leases = new InMemoryLeaseClient();
    const mgr = new Manager({
      cache,
      client: leases,
      leaderElection: { namespace: 'ns', name: 'l', leaseDurationMs: 400, renewDeadlineMs: 200, retryPeriodMs: 20 },
    });
    let leaderStopped = false;
    mgr.add({
      needLeaderElection: true,
      async start(signal) {
        await new Promise((r) => signal.addEventListener('abort', r));
        leaderStopped = true;
      },
    });
    const run = mgr.start(new AbortController().signal);
    await mgr.elected();
    leases.failAll = true; // the API server becomes unreachable: renewals fail past the renew deadline
    await expect(run).rejects.toThrow(/leader election lost/);
    expect(leaderStopped).toBe(true);
    expect(mgr.isLeader()).toBe(false);
  });

  it('rejects start when a runnable fails and stops the others', async () => {
    const cache = new FakeCache();
    cache.markSynced();
    const mgr = new Manager({ cache });
    let otherStopped = false;
    mgr.add({ start: async () => Promise.reject(new Error('port in use')) });
    mgr.add({
      start: async (signal) => {
        await new Promise((r) => signal.addEventListener('abort', r));
        otherStopped = true;
      },
    });
    await expect(mgr.start(new AbortController().signal)).rejects.toThrow(/runnable failed: port in use/);
    expect(otherStopped).toBe(true);
  });
});
