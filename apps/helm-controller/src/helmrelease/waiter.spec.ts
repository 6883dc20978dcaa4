import { describe, expect, it } from 'vitest';
import { WaitError } from '@flux-ts/helm';
import type { HelmKubeClient, KubeObject, ObjectRef } from '@flux-ts/helm';
import { BackoffWaiter } from './waiter.ts';

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'a' } });
const job = (name: string, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'a' },
  status,
});

/** A client whose object `name` appears (or, for deletes, disappears) at its `after`-th read. */
function client(objects: Record<string, { obj: KubeObject; after: number; gone?: boolean }>) {
  const reads: string[] = [];
  const c = {
    reads,
    get: async (ref: ObjectRef) => {
      reads.push(ref.name);
      const o = objects[ref.name];
      if (o === undefined) return undefined;
      const n = reads.filter((r) => r === ref.name).length;
      if (o.gone) return n >= o.after ? undefined : o.obj;
      return n >= o.after ? o.obj : undefined;
    },
  };
  return c as unknown as HelmKubeClient & { reads: string[] };
}

describe('BackoffWaiter (Helm waits with a backing-off poll)', () => {
  it('reads again only the objects not ready yet, until all are', async () => {
    const c = client({ one: { obj: cm('one'), after: 1 }, two: { obj: cm('two'), after: 3 } });
    const w = new BackoffWaiter(c, { firstIntervalMs: 1, maxIntervalMs: 4 });
    await w.wait([cm('one'), cm('two')], { timeoutMs: 10_000 });
    expect(c.reads).toEqual(['one', 'two', 'two', 'two']);
  });

  it('counts a Job as ready once created in wait, and only once complete in waitWithJobs', async () => {
    const done = job('j', { conditions: [{ type: 'Complete', status: 'True' }] });
    const w = new BackoffWaiter(client({ j: { obj: job('j'), after: 1 } }), { firstIntervalMs: 1 });
    await w.wait([job('j')], { timeoutMs: 10_000 });
    const c = client({ j: { obj: done, after: 2 } });
    await new BackoffWaiter(c, { firstIntervalMs: 1 }).waitWithJobs([job('j')], { timeoutMs: 10_000 });
    expect(c.reads).toEqual(['j', 'j']);
  });

  it('waits for deletion, fails fast on a failed object and at the deadline with Helm messages', async () => {
    const gone = client({ one: { obj: cm('one'), after: 2, gone: true } });
    await new BackoffWaiter(gone, { firstIntervalMs: 1 }).waitForDelete([cm('one')], { timeoutMs: 10_000 });
    expect(gone.reads).toEqual(['one', 'one']);

    const failed = job('j', { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] });
    const w = new BackoffWaiter(client({ j: { obj: failed, after: 1 } }), { firstIntervalMs: 1 });
    await expect(w.waitWithJobs([job('j')], { timeoutMs: 10_000 })).rejects.toBeInstanceOf(WaitError);

    const never = new BackoffWaiter(client({}), { firstIntervalMs: 1, maxIntervalMs: 1 });
    await expect(never.wait([cm('late')], { timeoutMs: 0 })).rejects.toThrow(
      /^resource not ready, name: late, kind: ConfigMap, status: NotFound: .*: context deadline exceeded$/,
    );
  });
});
