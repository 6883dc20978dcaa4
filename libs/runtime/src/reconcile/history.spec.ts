import { describe, expect, it } from 'vitest';
import { HISTORY_MAX_SIZE, upsertHistory } from './history.ts';

const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, s, 500));

describe('upsertHistory', () => {
  it('adds the first snapshot with Flux field formats', () => {
    expect(
      upsertHistory(undefined, {
        digest: 'sha256:aa',
        at: at(1),
        durationMs: 1500,
        status: 'ReconciliationSucceeded',
        metadata: { revision: 'main@sha1:1' },
      }),
    ).toEqual([
      {
        digest: 'sha256:aa',
        firstReconciled: '2026-12-03T10:00:01Z',
        lastReconciled: '2026-12-03T10:00:01Z',
        lastReconciledDuration: '1.5s',
        lastReconciledStatus: 'ReconciliationSucceeded',
        totalReconciliations: 1,
        metadata: { revision: 'main@sha1:1' },
      },
    ]);
  });

  it('updates the snapshot of the same digest and status, and moves it to the front', () => {
    let h = upsertHistory([], { digest: 'sha256:aa', at: at(1), durationMs: 10, status: 'ReconciliationSucceeded' });
    h = upsertHistory(h, { digest: 'sha256:bb', at: at(2), durationMs: 10, status: 'ReconciliationSucceeded' });
    const input = structuredClone(h);
    h = upsertHistory(h, { digest: 'sha256:aa', at: at(3), durationMs: 20, status: 'ReconciliationSucceeded' });
    expect(h.map((s) => [s.digest, s.totalReconciliations, s.firstReconciled, s.lastReconciled])).toEqual([
      ['sha256:aa', 2, '2026-12-03T10:00:01Z', '2026-12-03T10:00:03Z'],
      ['sha256:bb', 1, '2026-12-03T10:00:02Z', '2026-12-03T10:00:02Z'],
    ]);
    expect(input).toHaveLength(2); // not modified
    expect(input[1]!.totalReconciliations).toBe(1);
  });

  it('keeps a separate snapshot for another status of the same digest, and at most five', () => {
    let h = upsertHistory([], { digest: 'sha256:aa', at: at(1), durationMs: 10, status: 'ReconciliationSucceeded' });
    h = upsertHistory(h, { digest: 'sha256:aa', at: at(2), durationMs: 10, status: 'HealthCheckFailed' });
    expect(h.map((s) => s.lastReconciledStatus)).toEqual(['HealthCheckFailed', 'ReconciliationSucceeded']);
    for (let i = 0; i < 10; i++)
      h = upsertHistory(h, { digest: `sha256:${i}`, at: at(3 + i), durationMs: 1, status: 'ReconciliationSucceeded' });
    expect(h).toHaveLength(HISTORY_MAX_SIZE);
    expect(h[0]!.digest).toBe('sha256:9');
  });
});
