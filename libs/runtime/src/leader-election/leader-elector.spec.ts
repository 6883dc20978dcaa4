import { describe, it, expect } from 'vitest';
import { LeaderElector, leaderElectionID, microTime } from './leader-elector.ts';
import { FakeClock, InMemoryLeaseClient } from '../testing/index.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

async function advanceUntil(clock: FakeClock, cond: () => boolean, stepMs = 100, maxMs = 600_000): Promise<number> {
  const start = clock.now();
  await settle();
  while (!cond()) {
    if (clock.now() - start > maxMs) throw new Error('condition not reached');
    clock.advance(stepMs);
    await settle();
  }
  return clock.now() - start;
}

const opts = { namespace: 'flux-system', name: 'source-controller-leader-election' };

describe('leaderElectionID', () => {
  it('matches fluxcd/pkg GenerateID', () => {
    expect(leaderElectionID('foo')).toBe('foo');
    expect(leaderElectionID('foo', 'bar')).toBe('foo-fcde2b2e');
    expect(leaderElectionID('foo', 'bar', 'baz')).toBe('foo-c8f8b724');
    expect(leaderElectionID('foo', 'bar', '', 'baz')).toBe('foo-c8f8b724');
    expect(leaderElectionID('', 'bar', 'baz')).toBe('');
  });

  it('formats MicroTime with microseconds', () => {
    expect(microTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
  });
});

describe('LeaderElector', () => {
  it('elects exactly one of two candidates; the other takes over after the lease expires', async () => {
    const clock = new FakeClock();
    const store = new InMemoryLeaseClient();
    let lastWriteByA = 0;
    const update = store.update.bind(store);
    store.update = async (lease) => {
      const out = await update(lease);
      if (lease.spec?.holderIdentity === 'a') lastWriteByA = clock.now();
      return out;
    };
    const epoch = Date.parse('2026-01-01T00:00:00Z');
    const wallClock = () => new Date(epoch + clock.now());
    const a = new LeaderElector({ ...opts, client: store, clock, wallClock, identity: 'a', releaseOnCancel: false });
    const b = new LeaderElector({ ...opts, client: store, clock, wallClock, identity: 'b', releaseOnCancel: false });
    const stopA = new AbortController();
    const stopB = new AbortController();
    const runA = a.run(stopA.signal);
    await settle();
    const runB = b.run(stopB.signal);
    await advanceUntil(clock, () => a.isLeader() || b.isLeader());
    // Let both run for a few lease durations: leadership never splits.
    for (let i = 0; i < 100; i++) {
      clock.advance(1000);
      await settle();
      expect(a.isLeader() && b.isLeader()).toBe(false);
    }
    expect(a.isLeader()).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe('a');
    expect(store.lease?.spec?.leaseDurationSeconds).toBe(35);
    stopA.abort();
    expect(await runA).toBe('stopped');
    expect(store.lease?.spec?.holderIdentity).toBe('a'); // not released
    await advanceUntil(clock, () => b.isLeader());
    // b waited a full lease duration since it last saw the record change.
    expect(clock.now() - lastWriteByA).toBeGreaterThanOrEqual(35_000);
    expect(store.lease?.spec?.holderIdentity).toBe('b');
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    expect(store.lease?.spec?.acquireTime).toBe(microTime(wallClock()));
    expect(store.lease?.spec?.renewTime).toBe(microTime(wallClock()));
    stopB.abort();
    await runB;
  });

  it('releases the lease on cancel so a candidate takes over without waiting the lease duration', async () => {
    const clock = new FakeClock();
    const store = new InMemoryLeaseClient();
    const a = new LeaderElector({ ...opts, client: store, clock, identity: 'a' });
    const stopA = new AbortController();
    const runA = a.run(stopA.signal);
    await a.elected();
    stopA.abort();
    await runA;
    expect(store.lease?.spec?.holderIdentity).toBe('');
    expect(store.lease?.spec?.leaseDurationSeconds).toBe(1);
    const b = new LeaderElector({ ...opts, client: store, clock, identity: 'b' });
    const stopB = new AbortController();
    const runB = b.run(stopB.signal);
    const waited = await advanceUntil(clock, () => b.isLeader());
    expect(waited).toBe(0);
    stopB.abort();
    await runB;
  });

  it('loses leadership when renewals fail past the renew deadline', async () => {
    const clock = new FakeClock();
    const store = new InMemoryLeaseClient();
    const a = new LeaderElector({ ...opts, client: store, clock, identity: 'a' });
    const stop = new AbortController();
    const run = a.run(stop.signal);
    await a.elected();
    store.failAll = true;
    let outcome: string | undefined;
    // observed by polling `outcome` while the fake clock advances; awaiting here would deadlock
    void run.then((o) => (outcome = o));
    const waited = await advanceUntil(clock, () => outcome !== undefined, 500);
    expect(outcome).toBe('lost');
    expect(a.isLeader()).toBe(false);
    expect(waited).toBeGreaterThanOrEqual(30_000);
  });

  it('rejects inconsistent durations', () => {
    const store = new InMemoryLeaseClient();
    expect(
      () => new LeaderElector({ ...opts, client: store, leaseDurationMs: 10_000, renewDeadlineMs: 20_000 }),
    ).toThrow(/lease duration/);
    expect(() => new LeaderElector({ ...opts, client: store, renewDeadlineMs: 5_000, retryPeriodMs: 5_000 })).toThrow(
      /renew deadline/,
    );
  });

  it('defaults the identity to <hostname>_<uuid>', () => {
    const e = new LeaderElector({ ...opts, client: new InMemoryLeaseClient() });
    expect(e.identity).toMatch(/^.+_[0-9a-f-]{36}$/);
  });
});
