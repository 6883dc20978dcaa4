import { describe, expect, it } from 'vitest';
import { conditions } from '../conditions/index.ts';
import { newLogger } from '../observability/index.ts';
import { FakeClient } from '../patch/fake-client.spec-helper.ts';
import type { StatusObject } from '../patch/types.ts';
import { GenericError, StallingError } from './errors.ts';
import { Result } from './result.ts';
import { reconcileWith, runSteps, type ReconcilerShape, type ReconcileStep } from './skeleton.ts';
import type { ReconcileConditions } from './summarize.ts';

interface Thing extends StatusObject {
  spec: { suspend?: boolean };
}

const gvk = { apiVersion: 'example.fluxcd.io/v1', kind: 'Thing' };
const key = { namespace: 'ns', name: 'thing' };
const table: ReconcileConditions = {
  target: 'Ready',
  owned: ['Ready', 'Reconciling', 'Stalled', 'Done'],
  summarize: ['Stalled', 'Done', 'Reconciling'],
  negativePolarity: ['Stalled', 'Reconciling'],
};
const ctx = () => ({ signal: new AbortController().signal, log: newLogger({ level: 'silent' }), reconcileID: 'r' });

function shape(
  client: FakeClient,
  steps: ReconcileStep<Thing, string[]>[],
  over: Partial<ReconcilerShape<Thing, string[]>> = {},
): { shape: ReconcilerShape<Thing, string[]>; trail: string[] } {
  const trail: string[] = [];
  return {
    trail,
    shape: {
      gvk,
      reader: client as never,
      patchClient: client as never,
      conditions: table,
      fieldManager: 'test',
      finalizerMode: 'requeue',
      start: { inProgress: true, patchOnRequest: true },
      finalize: async () => void trail.push('finalize'),
      open: async () => (trail.push('open'), trail),
      steps,
      close: async () => void trail.push('close'),
      notify: (_old, _obj, _s, result, error) =>
        void trail.push(`notify ${result} ${error instanceof Error ? error.message : 'ok'}`),
      exit: () => ({ interval: 60_000 }),
      ...over,
    },
  };
}

const step = (name: string, fn: (o: Thing, s: string[]) => Promise<Result>): ReconcileStep<Thing, string[]> => ({
  name,
  run: fn,
});

function add(client: FakeClient, extra: Partial<Thing['metadata']> = {}, spec: Thing['spec'] = {}): void {
  client.add<Thing>({ ...gvk, metadata: { ...key, generation: 1, ...extra }, spec, status: {} });
}

describe('reconcileWith', () => {
  it('adds the finalizer first and requeues (requeue mode), without running the steps', async () => {
    const client = new FakeClient();
    add(client);
    const { shape: s, trail } = shape(client, [step('a', async () => Result.Success)]);
    expect(await reconcileWith(s)(key, ctx())).toEqual({ requeue: true });
    expect(trail).toEqual([]);
    expect(client.stored<Thing>('Thing', key)?.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
  });

  it('finalizes a deleted object even when it is suspended, then removes the finalizer', async () => {
    const client = new FakeClient();
    add(client, { finalizers: ['finalizers.fluxcd.io'], deletionTimestamp: '2026-01-01T00:00:00Z' }, { suspend: true });
    const { shape: s, trail } = shape(client, [step('a', async () => Result.Success)]);
    await reconcileWith(s)(key, ctx());
    expect(trail).toEqual(['finalize']);
    expect(client.stored<Thing>('Thing', key)?.metadata.finalizers ?? []).toEqual([]);
  });

  it('stops on suspend without a write', async () => {
    const client = new FakeClient();
    add(client, { finalizers: ['finalizers.fluxcd.io'] }, { suspend: true });
    const { shape: s, trail } = shape(client, [step('a', async () => Result.Success)]);
    expect(await reconcileWith(s)(key, ctx())).toEqual({});
    expect(trail).toEqual([]);
    expect(client.calls.filter((c) => c.verb === 'patch')).toEqual([]);
  });

  it('publishes a new generation as 0 -> 1, runs the steps in order, notifies, closes and summarizes Ready', async () => {
    const client = new FakeClient();
    add(client, { finalizers: ['finalizers.fluxcd.io'] });
    const seen: string[] = [];
    const { shape: s, trail } = shape(client, [
      step('first', async (o) => {
        seen.push(conditions.getMessage(o, 'Reconciling'));
        return Result.Success;
      }),
      step('second', async (o) => {
        conditions.markTrue(o, 'Done', 'Succeeded', 'all done');
        return Result.Success;
      }),
    ]);
    expect(await reconcileWith(s)(key, ctx())).toMatchObject({ requeueAfter: expect.any(Number) });
    expect(seen).toEqual(['processing object: new generation 0 -> 1']);
    expect(trail).toEqual(['open', 'notify Success ok', 'close']);
    const stored = client.stored<Thing>('Thing', key);
    expect(conditions.get(stored!, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
      message: 'all done',
    });
    expect(stored?.status?.observedGeneration).toBe(1);
  });

  it('stops at the first error, still notifies (an ignored no-op error too) and closes', async () => {
    const client = new FakeClient();
    add(client, { finalizers: ['finalizers.fluxcd.io'] });
    const noop = new GenericError('no changes', 'Unchanged', { ignore: true });
    const { shape: s, trail } = shape(client, [
      step('a', async (o) => {
        conditions.markTrue(o, 'Done', 'Succeeded', 'unchanged');
        throw noop;
      }),
      step('never', async () => {
        throw new Error('must not run');
      }),
    ]);
    expect(await reconcileWith(s)(key, ctx())).toMatchObject({ requeueAfter: expect.any(Number) });
    expect(trail).toEqual(['open', 'notify Empty no changes', 'close']);
    expect(conditions.get(client.stored<Thing>('Thing', key)!, 'Ready')).toMatchObject({ status: 'True' });
  });

  it('stalls on a StallingError: Stalled and Ready=False with its reason, no requeue', async () => {
    const client = new FakeClient();
    add(client, { finalizers: ['finalizers.fluxcd.io'] });
    const { shape: s } = shape(client, [
      step('a', async () => {
        throw new StallingError('the spec is wrong', 'InvalidSpec');
      }),
    ]);
    expect(await reconcileWith(s)(key, ctx())).toEqual({});
    const stored = client.stored<Thing>('Thing', key)!;
    expect(conditions.get(stored, 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(conditions.get(stored, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });

  it('patch mode: the finalizer is patched at once and the run goes on; onExitError turns a failure into a requeue', async () => {
    const client = new FakeClient();
    add(client);
    const { shape: s, trail } = shape(
      client,
      [
        step('a', async () => {
          throw new Error('boom');
        }),
      ],
      {
        finalizerMode: 'patch',
        exit: () => ({ interval: 60_000, readyFromError: true, failureReason: 'ReconciliationFailed' }),
        onExitError: () => ({ requeueAfter: 1234 }),
      },
    );
    expect(await reconcileWith(s)(key, ctx())).toEqual({ requeueAfter: 1234 });
    expect(trail).toEqual(['open', 'notify Empty boom', 'close']);
    const stored = client.stored<Thing>('Thing', key)!;
    expect(stored.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(conditions.get(stored, 'Ready')).toMatchObject({ status: 'False', reason: 'ReconciliationFailed' });
    expect(conditions.get(stored, 'Reconciling')).toMatchObject({ reason: 'ProgressingWithRetry', message: 'boom' });
  });
});

describe('runSteps', () => {
  it('keeps the lowest requeuing result, and a Requeue ends the run', async () => {
    const obj = {} as Thing;
    const ran: string[] = [];
    const mk = (n: string, r: Result) => step(n, async () => (ran.push(n), r));
    expect(await runSteps([mk('a', Result.Success), mk('b', Result.Empty)], obj, [])).toEqual({
      result: Result.Success,
      error: undefined,
    });
    expect(await runSteps([mk('c', Result.Requeue), mk('d', Result.Success)], obj, [])).toEqual({
      result: Result.Requeue,
      error: undefined,
    });
    expect(ran).toEqual(['a', 'b', 'c']);
  });
});
