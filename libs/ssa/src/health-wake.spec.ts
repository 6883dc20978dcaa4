import { describe, expect, it } from 'vitest';
import type { GroupVersionKind, KubeObject, ObjectKey, ObjectReader } from '@flux-ts/runtime';
import { HealthChecker } from './health.ts';
import type { HealthRef, PendingObject } from './health.ts';

/** A ConfigMap whose kstatus follows `status.observedGeneration` against `metadata.generation` (2). */
const cm = (name: string, rv: string, observed: number): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', resourceVersion: rv, generation: 2 },
    status: { observedGeneration: observed },
  }) as KubeObject;
const ref = (name: string): HealthRef => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } });

/** Serves each object's `versions` one GET after the other (the last one from then on), counting GETs by name. */
function reader(versions: Record<string, KubeObject[]>): ObjectReader & { gets: Record<string, number> } {
  const gets: Record<string, number> = {};
  return {
    gets,
    get: <T extends KubeObject>(_gvk: GroupVersionKind, key: ObjectKey): Promise<T> => {
      const n = (gets[key.name] = (gets[key.name] ?? 0) + 1);
      const list = versions[key.name]!;
      return Promise.resolve(list[Math.min(n - 1, list.length - 1)] as T);
    },
  };
}

describe('HealthChecker.waitForSet with `changed`', () => {
  it('starts the next round when `changed` resolves and reads again only what changed', async () => {
    const client = reader({ a: [cm('a', '1', 1), cm('a', '3', 2)], b: [cm('b', '2', 1), cm('b', '4', 2)] });
    const calls: PendingObject[][] = [];
    const script = [[ref('a')], [ref('b')]];
    await new HealthChecker({ client }).waitForSet([ref('a'), ref('b')], {
      // an interval the test would time out on: only the wake-ups can end this wait
      interval: 600_000,
      timeout: 1_200_000,
      changed: (pending) => {
        calls.push([...pending]);
        return Promise.resolve(script[calls.length - 1]!);
      },
    });
    expect(calls).toEqual([
      [
        { ref: ref('a'), resourceVersion: '1' },
        { ref: ref('b'), resourceVersion: '2' },
      ],
      [{ ref: ref('b'), resourceVersion: '2' }],
    ]);
    // a: first round, then its wake-up; b: first round, then its own wake-up (not re-read when only a changed)
    expect(client.gets).toEqual({ a: 2, b: 2 });
  });

  it('falls back to the interval when `changed` fails or reports nothing, and then reads everything again', async () => {
    const client = reader({ a: [cm('a', '1', 1), cm('a', '1', 1), cm('a', '2', 2)] });
    let calls = 0;
    await new HealthChecker({ client }).waitForSet([ref('a')], {
      interval: 10,
      timeout: 600_000,
      changed: () => (++calls === 1 ? Promise.reject(new Error('watch refused')) : Promise.resolve([])),
    });
    expect(calls).toBe(2);
    expect(client.gets).toEqual({ a: 3 });
  });

  it('ends the pending `changed` when the pause ends, and stops on abort', async () => {
    const client = reader({ a: [cm('a', '1', 1)] });
    const ended: boolean[] = [];
    const ctl = new AbortController();
    let rounds = 0;
    const wait = new HealthChecker({ client }).waitForSet([ref('a')], {
      interval: 10,
      timeout: 600_000,
      signal: ctl.signal,
      changed: (_pending, signal) => {
        const pending = new Promise<readonly HealthRef[]>((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            ended.push(true);
            reject(new Error('ended'));
          }),
        );
        if (++rounds === 3) ctl.abort(new Error('reconcile cancelled'));
        return pending;
      },
    });
    await expect(wait).rejects.toThrow('reconcile cancelled');
    expect(ended).toEqual([true, true, true]);
  });
});
