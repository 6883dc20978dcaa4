import { describe, expect, it } from 'vitest';
import { formatIdleInformerResult, runIdleInformer } from './idle-informer.ts';
import { formatIdleLeanResult, runIdleLean } from './idle-lean.ts';

// Smoke runs of the issue-22 scenarios at a tiny size: they check the harness, never the figures' values.
describe('bench idle-lean', () => {
  it(
    'starts one controller with client-node put back and as it is, and reads its memory',
    { timeout: 60_000 },
    async () => {
      const r = await runIdleLean({ apps: ['source-watcher'], variants: ['client-node', 'sources'], idleMs: 100 });
      const a = r.apps[0]!;
      expect(a.app).toBe('source-watcher');
      for (const v of ['client-node', 'sources'] as const) {
        const f = a.medians[v]!;
        for (const x of [f.readyMs, f.rssReady, f.rssIdle, f.heapUsedIdle ?? 0]) expect(x).toBeGreaterThan(0);
      }
      expect(formatIdleLeanResult(r)).toContain('client-node / sources');
    },
  );
});

describe('bench idle-informer', () => {
  it('syncs one informer of 5 Kustomizations with managedFields stripped and kept', { timeout: 60_000 }, async () => {
    const r = await runIdleInformer({ n: 5, runs: 1 });
    expect(r.managedFieldsBytes).toBeGreaterThan(0);
    expect(r.stripped.runs[0]!.objects).toBe(5);
    expect(r.kept.runs[0]!.objects).toBe(5);
    expect(formatIdleInformerResult(r)).toContain('stripped (default)');
  });
});
