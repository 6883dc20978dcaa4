import { describe, expect, it } from 'vitest';
import { conditions } from '../conditions/index.ts';
import type { ConditionsObject } from '../conditions/index.ts';
import { GenericError, StallingError, WaitingError } from './errors.ts';
import {
  Result,
  analyzeReconcileResult,
  computeReconcileResult,
  jitteredInterval,
  lowestRequeuingResult,
} from './result.ts';

const minute = 60_000;

function obj(): ConditionsObject {
  const o: ConditionsObject = { metadata: { generation: 2 } };
  conditions.markReconciling(o, 'Progressing', 'reconciliation in progress');
  conditions.markTrue(o, 'ArtifactInStorage', 'Succeeded', 'stored');
  return o;
}

describe('lowestRequeuingResult', () => {
  it.each([
    [Result.Empty, Result.Empty, Result.Empty],
    [Result.Empty, Result.Success, Result.Success],
    [Result.Success, Result.Empty, Result.Success],
    [Result.Success, Result.Requeue, Result.Requeue],
    [Result.Requeue, Result.Success, Result.Requeue],
    [Result.Success, Result.Success, Result.Success],
  ])('(%s, %s) → %s', (i, j, want) => {
    expect(lowestRequeuingResult(i, j)).toBe(want);
  });
});

describe('jitteredInterval', () => {
  it('stays within ±percent and is exact without jitter', () => {
    expect(jitteredInterval(minute, 0)).toBe(minute);
    expect(jitteredInterval(minute, 5, () => 0)).toBe(57_000);
    expect(jitteredInterval(minute, 5, () => 1)).toBe(63_000);
    expect(jitteredInterval(minute, 5, () => 0.5)).toBe(minute);
  });
});

describe('computeReconcileResult', () => {
  const opts = { interval: minute, jitterPercent: 5, random: () => 0.75 }; // +2.5%
  const jittered = 61_500;

  it.each([
    {
      name: 'success requeues after the jittered interval and clears Reconciling/Stalled',
      res: Result.Success,
      err: undefined,
      want: { requeueAfter: jittered },
      observed: true,
      reconciling: false,
      stalled: false,
    },
    {
      name: 'requeue result asks for an immediate requeue and keeps Reconciling',
      res: Result.Requeue,
      err: undefined,
      want: { requeue: true },
      observed: false,
      reconciling: true,
      stalled: false,
    },
    {
      name: 'empty result without error does not requeue',
      res: Result.Empty,
      err: undefined,
      want: {},
      observed: true,
      reconciling: true,
      stalled: false,
    },
    {
      name: 'waiting requeues after its own delay without error',
      res: Result.Empty,
      err: new WaitingError('dependency not ready', 'DependencyNotReady', 30_000),
      want: { requeueAfter: 30_000 },
      observed: false,
      reconciling: true,
      stalled: false,
    },
    {
      name: 'waiting without a delay falls back to the interval',
      res: Result.Empty,
      err: new WaitingError('wait', 'Waiting', 0),
      want: { requeueAfter: jittered },
      observed: false,
      reconciling: true,
      stalled: false,
    },
    {
      name: 'stalling stops requeuing without error and marks Stalled',
      res: Result.Empty,
      err: new StallingError('invalid url', 'URLInvalid'),
      want: {},
      observed: true,
      reconciling: false,
      stalled: true,
    },
    {
      name: 'ignored generic error is a no-op success',
      res: Result.Empty,
      err: new GenericError('nothing to do', 'NoOp', { ignore: true }),
      want: { requeueAfter: jittered },
      observed: true,
      reconciling: false,
      stalled: false,
    },
  ])('$name', ({ res, err, want, observed, reconciling, stalled }) => {
    const o = obj();
    const outcome = analyzeReconcileResult(o, res, err, opts);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toEqual(want);
    expect(outcome.observedGeneration).toBe(observed);
    expect(conditions.has(o, 'Reconciling')).toBe(reconciling);
    expect(conditions.has(o, 'Stalled')).toBe(stalled);
  });

  it('rethrows other errors (and non-ignored generic errors) for a backoff retry, removing Stalled', () => {
    for (const err of [new Error('connection refused'), new GenericError('build failed', 'BuildFailed')]) {
      const o = obj();
      conditions.markTrue(o, 'Stalled', 'Old', 'old');
      expect(() => computeReconcileResult(o, Result.Empty, err, opts)).toThrow(err);
      expect(conditions.has(o, 'Stalled')).toBe(false);
    }
  });

  it('stall reason and message come from the error', () => {
    const o = obj();
    computeReconcileResult(o, Result.Empty, new StallingError('spec.url is invalid', 'URLInvalid'), opts);
    expect(conditions.get(o, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'URLInvalid',
      message: 'spec.url is invalid',
    });
  });
});
