import { describe, expect, it } from 'vitest';
import { conditions } from './index.ts';
import type { ConditionsObject } from './index.ts';
import type { KubeObject } from '../client/types.ts';

function clockAt(iso: string) {
  let t = new Date(iso);
  return {
    now: () => t,
    advance(s: number) {
      t = new Date(t.getTime() + s * 1000);
    },
  };
}

function obj(generation = 1): ConditionsObject & KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'a', namespace: 'ns', generation },
  };
}

describe('conditions.set', () => {
  it('stamps observedGeneration and keeps lastTransitionTime until status/reason/message change', () => {
    const clock = clockAt('2026-01-01T00:00:00.123Z');
    const o = obj(3);
    conditions.markTrue(o, 'Ready', 'Succeeded', 'ok', { clock });
    expect(conditions.get(o, 'Ready')).toEqual({
      type: 'Ready',
      status: 'True',
      observedGeneration: 3,
      lastTransitionTime: '2026-01-01T00:00:00Z',
      reason: 'Succeeded',
      message: 'ok',
    });

    clock.advance(60);
    o.metadata.generation = 4;
    conditions.markTrue(o, 'Ready', 'Succeeded', 'ok', { clock });
    expect(conditions.get(o, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(conditions.get(o, 'Ready')?.observedGeneration).toBe(4);

    clock.advance(60);
    conditions.markTrue(o, 'Ready', 'Succeeded', 'new message', { clock });
    expect(conditions.get(o, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:02:00Z');

    clock.advance(60);
    conditions.markFalse(o, 'Ready', 'Failed', 'new message', { clock });
    expect(conditions.get(o, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:03:00Z');
  });

  it('sorts Stalled, Reconciling, Ready first, then by highest observedGeneration, then by type', () => {
    const o = obj(1);
    conditions.markTrue(o, 'Zeta', 'R', '');
    conditions.markTrue(o, 'Ready', 'R', '');
    conditions.markTrue(o, 'Alpha', 'R', '');
    o.metadata.generation = 2;
    conditions.markTrue(o, 'Middle', 'R', '');
    conditions.markTrue(o, 'Stalled', 'R', '');
    conditions.markTrue(o, 'Reconciling', 'R', '');
    expect(conditions.getConditions(o).map((c) => c.type)).toEqual([
      'Stalled',
      'Reconciling',
      'Ready',
      'Middle',
      'Alpha',
      'Zeta',
    ]);
  });

  it('trims messages to 32768 bytes with a "..." suffix without splitting characters', () => {
    const o = obj();
    conditions.markFalse(o, 'Ready', 'Failed', 'x'.repeat(40000));
    const m = conditions.getMessage(o, 'Ready');
    expect(Buffer.byteLength(m)).toBe(32768);
    expect(m.endsWith('...')).toBe(true);

    conditions.markFalse(o, 'Ready', 'Failed', 'é'.repeat(20000)); // 40000 bytes
    const m2 = conditions.getMessage(o, 'Ready');
    expect(Buffer.byteLength(m2)).toBeLessThanOrEqual(32768);
    expect(m2).toBe('é'.repeat(16382) + '...');

    conditions.markFalse(o, 'Ready', 'Failed', 'short');
    expect(conditions.getMessage(o, 'Ready')).toBe('short');
  });

  it('keeps Reconciling and Stalled mutually exclusive', () => {
    const o = obj();
    conditions.markStalled(o, 'InvalidURL', 'bad url');
    expect(conditions.isStalled(o)).toBe(true);
    conditions.markReconciling(o, 'Progressing', 'working');
    expect(conditions.has(o, 'Stalled')).toBe(false);
    expect(conditions.isReconciling(o)).toBe(true);
    conditions.markStalled(o, 'InvalidURL', 'bad url');
    expect(conditions.has(o, 'Reconciling')).toBe(false);
  });

  it('getters handle absent conditions like fluxcd', () => {
    const o = obj();
    expect(conditions.isUnknown(o, 'Ready')).toBe(true);
    expect(conditions.isTrue(o, 'Ready')).toBe(false);
    expect(conditions.isFalse(o, 'Ready')).toBe(false);
    expect(conditions.getReason(o, 'Ready')).toBe('');
    conditions.markTrue(o, 'Ready', 'Succeeded', '');
    expect(conditions.isReady(o)).toBe(true);
    conditions.markReconciling(o, 'Progressing', '');
    expect(conditions.isReady(o)).toBe(false);
    conditions.delete(o, 'Reconciling');
    expect(conditions.isReady(o)).toBe(true);
    expect(conditions.hasAnyReason(o, 'Ready', 'Failed', 'Succeeded')).toBe(true);
  });
});

describe('conditions.setSummary', () => {
  const negativePolarity = ['Reconciling', 'Stalled', 'FetchFailed', 'ArtifactOutdated', 'StorageOperationFailed'];
  const scope = [
    'Stalled',
    'FetchFailed',
    'ArtifactOutdated',
    'ArtifactInStorage',
    'Reconciling',
    'StorageOperationFailed',
  ];

  it.each([
    {
      name: 'negative-polarity True wins and is inverted to Ready=False',
      set: [
        ['ArtifactInStorage', 'True', 'Succeeded', 'stored'],
        ['FetchFailed', 'True', 'AuthenticationFailed', 'auth failed'],
      ],
      want: ['False', 'AuthenticationFailed', 'auth failed'],
    },
    {
      name: 'Stalled has priority over other negative conditions by the scope order',
      set: [
        ['FetchFailed', 'True', 'AuthenticationFailed', 'auth failed'],
        ['Stalled', 'True', 'InvalidURL', 'bad url'],
      ],
      want: ['False', 'InvalidURL', 'bad url'],
    },
    {
      name: 'Reconciling=True gives Ready=False with its reason (kstatus in progress)',
      set: [
        ['ArtifactInStorage', 'True', 'Succeeded', 'stored'],
        ['Reconciling', 'True', 'Progressing', 'reconciliation in progress'],
      ],
      want: ['False', 'Progressing', 'reconciliation in progress'],
    },
    {
      name: 'positive False beats positive True',
      set: [
        ['ArtifactInStorage', 'False', 'Missing', 'gone'],
        ['FetchFailed', 'False', 'Succeeded', 'fine'],
      ],
      want: ['False', 'Missing', 'gone'],
    },
    {
      name: 'only positive True gives Ready=True',
      set: [['ArtifactInStorage', 'True', 'Succeeded', 'stored artifact']],
      want: ['True', 'Succeeded', 'stored artifact'],
    },
    {
      name: 'negative False alone gives Ready=True (inverted)',
      set: [['FetchFailed', 'False', 'Recovered', 'fetched']],
      want: ['True', 'Recovered', 'fetched'],
    },
    {
      name: 'Unknown only gives Unknown',
      set: [['ArtifactInStorage', 'Unknown', 'Progressing', 'checking']],
      want: ['Unknown', 'Progressing', 'checking'],
    },
  ])('$name', ({ set, want }) => {
    const o = obj();
    for (const [type, status, reason, message] of set) {
      conditions.set(o, {
        type: type!,
        status: status as 'True' | 'False' | 'Unknown',
        reason: reason!,
        message: message!,
      });
    }
    conditions.setSummary(o, 'Ready', { conditions: scope, negativePolarity });
    const r = conditions.get(o, 'Ready');
    expect([r?.status, r?.reason, r?.message]).toEqual(want);
  });

  it('ignores conditions outside the scope and sets nothing when none is in scope', () => {
    const o = obj();
    conditions.markTrue(o, 'Healthy', 'Succeeded', 'healthy');
    conditions.setSummary(o, 'Ready', { conditions: ['FetchFailed'], negativePolarity });
    expect(conditions.has(o, 'Ready')).toBe(false);
  });

  it('adds a step counter when asked', () => {
    const o = obj();
    conditions.markTrue(o, 'A', 'R', '');
    conditions.markTrue(o, 'B', 'R', '');
    conditions.markFalse(o, 'C', 'R', '');
    const c = conditions.summary(o, 'Ready', { conditions: ['A', 'B', 'C'], stepCounter: true });
    expect(c?.message).toBe('2 of 3 completed');
  });
});
