import { describe, expect, it } from 'vitest';
import { conditions } from '../conditions/index.ts';
import type { EventObject, RecordEvent } from '../events/index.ts';
import { FakeClient } from '../patch/fake-client.spec-helper.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import type { StatusObject } from '../patch/types.ts';
import { GenericError, StallingError, WaitingError } from './errors.ts';
import {
  addFinalizer,
  ensureFinalizer,
  progressiveStatus,
  reconcileNewGeneration,
  removeFinalizer,
  skipIfSuspended,
} from './helpers.ts';
import { Result } from './result.ts';
import { summarizeAndPatch, type ReconcileConditions } from './summarize.ts';

interface Repo extends StatusObject {
  spec: { url: string; suspend?: boolean };
}

const gvk = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const key = { namespace: 'flux-system', name: 'podinfo' };

const readyConditions: ReconcileConditions = {
  target: 'Ready',
  owned: ['Ready', 'Reconciling', 'Stalled', 'FetchFailed', 'ArtifactInStorage'],
  summarize: ['Stalled', 'FetchFailed', 'ArtifactInStorage', 'Reconciling'],
  negativePolarity: ['Stalled', 'FetchFailed', 'Reconciling'],
};

class Events {
  readonly got: { obj: EventObject; ev: RecordEvent }[] = [];
  async event(obj: EventObject, ev: RecordEvent): Promise<void> {
    this.got.push({ obj, ev });
  }
}

async function setup(annotations?: Record<string, string>) {
  const client = new FakeClient();
  client.add<Repo>({
    ...gvk,
    metadata: { ...key, generation: 3, ...(annotations ? { annotations } : {}) },
    spec: { url: 'https://x' },
    status: {},
  });
  const obj = await client.get<Repo>(gvk, key);
  const patcher = new SerialPatcher(obj, client, { conflictBackoffMs: 1 });
  const events = new Events();
  return { client, obj, patcher, events };
}

const base = { conditions: [readyConditions], interval: 60_000 };

describe('summarizeAndPatch', () => {
  it('on success: Ready=True from owned conditions, observedGeneration, lastHandledReconcileAt, success event, jittered requeue', async () => {
    const { client, obj, patcher, events } = await setup({ 'reconcile.fluxcd.io/requestedAt': '2026-08-01T10:00:00Z' });
    progressiveStatus(obj);
    conditions.markTrue(obj, 'ArtifactInStorage', 'Succeeded', "stored artifact for revision 'main@sha1:abc'");
    const res = await summarizeAndPatch(obj, {
      ...base,
      patcher,
      result: Result.Success,
      jitterPercent: 5,
      random: () => 0.5,
      recorder: events,
      successEvent: { reason: 'NewArtifact', message: "stored artifact for commit 'abc'" },
    });
    expect(res).toEqual({ requeueAfter: 60_000 });
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(live.status?.observedGeneration).toBe(3);
    expect(live.status?.lastHandledReconcileAt).toBe('2026-08-01T10:00:00Z');
    expect(conditions.getConditions(live).map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Succeeded'],
      ['ArtifactInStorage', 'True', 'Succeeded'],
    ]);
    expect(conditions.getMessage(live, 'Ready')).toBe("stored artifact for revision 'main@sha1:abc'");
    expect(events.got.map((e) => [e.ev.type, e.ev.reason])).toEqual([['Normal', 'NewArtifact']]);
  });

  it('on a stall: Stalled=True, Ready=False with the stall reason, no requeue, no error, observedGeneration set', async () => {
    const { client, obj, patcher, events } = await setup();
    progressiveStatus(obj);
    const res = await summarizeAndPatch(obj, {
      ...base,
      patcher,
      result: Result.Empty,
      error: new StallingError('invalid url', 'URLInvalid'),
      recorder: events,
    });
    expect(res).toEqual({});
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(conditions.isStalled(live)).toBe(true);
    expect(conditions.has(live, 'Reconciling')).toBe(false);
    expect(conditions.get(live, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'URLInvalid',
      message: 'invalid url',
    });
    expect(live.status?.observedGeneration).toBe(3);
    expect(events.got.map((e) => [e.ev.type, e.ev.reason])).toEqual([['Warning', 'URLInvalid']]);
  });

  it('on waiting: Ready=False with the wait reason, requeueAfter, no observedGeneration', async () => {
    const { client, obj, patcher } = await setup();
    progressiveStatus(obj);
    const res = await summarizeAndPatch(obj, {
      ...base,
      patcher,
      result: Result.Empty,
      error: new WaitingError("dependency 'flux-system/infra' is not ready", 'DependencyNotReady', 30_000),
    });
    expect(res).toEqual({ requeueAfter: 30_000 });
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(conditions.get(live, 'Ready')).toMatchObject({ status: 'False', reason: 'DependencyNotReady' });
    expect(live.status?.observedGeneration).toBeUndefined();
  });

  it('on a transient error: patches Ready=False, records a Warning event and throws for backoff', async () => {
    const { client, obj, patcher, events } = await setup();
    conditions.markTrue(obj, 'FetchFailed', 'GitOperationFailed', 'failed to checkout: auth required');
    const err = new GenericError('failed to checkout: auth required', 'GitOperationFailed');
    await expect(
      summarizeAndPatch(obj, { ...base, patcher, result: Result.Empty, error: err, recorder: events }),
    ).rejects.toBe(err);
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(conditions.get(live, 'Ready')).toMatchObject({ status: 'False', reason: 'GitOperationFailed' });
    expect(live.status?.observedGeneration).toBeUndefined();
    expect(events.got.map((e) => [e.ev.type, e.ev.reason, e.ev.message])).toEqual([
      ['Warning', 'GitOperationFailed', 'failed to checkout: auth required'],
    ]);
  });

  it('a success that is not Ready becomes an error for retry', async () => {
    const { obj, patcher } = await setup();
    conditions.markFalse(obj, 'ArtifactInStorage', 'NoArtifact', 'no artifact yet');
    await expect(summarizeAndPatch(obj, { ...base, patcher, result: Result.Success })).rejects.toThrow(
      'no artifact yet',
    );
  });

  it('ignores NotFound from the patch when the object is being deleted', async () => {
    const { client, obj, patcher } = await setup();
    obj.metadata.deletionTimestamp = '2026-08-01T10:00:00Z';
    removeFinalizer(obj);
    conditions.markTrue(obj, 'ArtifactInStorage', 'Succeeded', 'ok');
    client.objects.clear();
    await expect(
      summarizeAndPatch(obj, { ...base, patcher, result: Result.Empty, ignoreNotFound: true }),
    ).resolves.toEqual({});
    await expect(summarizeAndPatch(obj, { ...base, patcher, result: Result.Empty })).rejects.toThrow(/not found/);
  });
});

describe('helpers', () => {
  it('adds and removes the Flux finalizer; ensureFinalizer patches it once', async () => {
    const { client, obj, patcher } = await setup();
    expect(await ensureFinalizer(obj, patcher)).toBe(true);
    expect(client.stored<Repo>('GitRepository', key)!.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(await ensureFinalizer(obj, patcher)).toBe(false);
    expect(client.callsOf('patch')).toHaveLength(1);
    expect(addFinalizer(obj)).toBe(false);
    expect(removeFinalizer(obj)).toBe(true);
    expect(obj.metadata.finalizers).toEqual([]);
  });

  it('skips suspended objects', () => {
    const logged: string[] = [];
    const log = { info: (m: string) => logged.push(m) } as never;
    expect(skipIfSuspended({ spec: { suspend: true } }, log)).toBe(true);
    expect(skipIfSuspended({ spec: { suspend: false } }, log)).toBe(false);
    expect(logged).toEqual(['reconciliation is suspended for this object']);
  });

  it('publishes a new generation as Reconciling/Ready=Unknown', async () => {
    const { client, obj, patcher } = await setup();
    expect(await reconcileNewGeneration(obj, patcher)).toBe(true);
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(conditions.get(live, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Progressing',
      message: 'processing object: new generation 0 -> 3',
    });
    expect(conditions.get(live, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Progressing' });
  });
});

describe('summarizeAndPatch with plain errors', () => {
  it('keeps Reconciling, marks Ready=False/Failed and names the event Failed when nothing else explains the error', async () => {
    const { client, obj, patcher, events } = await setup();
    progressiveStatus(obj);
    const err = new Error('failed to reach storage');
    await expect(
      summarizeAndPatch(obj, { ...base, patcher, result: Result.Empty, error: err, recorder: events }),
    ).rejects.toBe(err);
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(conditions.isReconciling(live)).toBe(true);
    expect(conditions.get(live, 'Ready')).toMatchObject({ status: 'False' });
    expect(events.got.map((e) => [e.ev.type, e.ev.reason, e.ev.message])).toEqual([
      ['Warning', 'Failed', 'failed to reach storage'],
    ]);
  });
});
