import { describe, expect, it } from 'vitest';
import { conditions } from '../conditions/index.ts';
import { FakeClient } from './fake-client.spec-helper.ts';
import { createMergePatch } from './merge-patch.ts';
import { SerialPatcher } from './serial-patcher.ts';
import type { StatusObject } from './types.ts';

interface Repo extends StatusObject {
  spec: { url: string; interval: string; suspend?: boolean };
  status?: StatusObject['status'] & { artifact?: { revision: string } };
}

const gvk = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const key = { namespace: 'flux-system', name: 'podinfo' };

function seed(client: FakeClient): Repo {
  return client.add<Repo>({
    ...gvk,
    metadata: { name: key.name, namespace: key.namespace, generation: 2 },
    spec: { url: 'https://github.com/stefanprodan/podinfo', interval: '1m' },
    status: {},
  });
}

describe('createMergePatch', () => {
  it('recurses into objects, nulls removed keys and replaces lists', () => {
    expect(
      createMergePatch(
        { a: 1, b: { c: 2, d: 3 }, l: [1, 2], gone: 'x', same: { x: [1] } },
        { a: 1, b: { c: 5, d: 3 }, l: [1], same: { x: [1] }, added: { y: true } },
      ),
    ).toEqual({ b: { c: 5 }, l: [1], gone: null, added: { y: true } });
  });
});

describe('SerialPatcher', () => {
  it('reads the latest conditions through the reader until its own first write, then from the client', async () => {
    const client = new FakeClient();
    const obj = seed(client);
    const reads: string[] = [];
    const reader = { get: (...args: Parameters<FakeClient['get']>) => (reads.push('reader'), client.get(...args)) };
    const p = new SerialPatcher(obj, client, { reader });
    conditions.markUnknown(obj, 'Ready', 'Progressing', 'reconciliation in progress');
    await p.patch(obj);
    expect(reads).toEqual(['reader']);
    expect(client.callsOf('get')).toHaveLength(1);
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'stored artifact');
    await p.patch(obj);
    // After a write of its own the cache may lag: the second read goes to the API.
    expect(reads).toEqual(['reader']);
    expect(client.callsOf('get')).toHaveLength(2);
    expect(conditions.get(client.stored<Repo>(gvk.kind, key)!, 'Ready')).toMatchObject({ status: 'True' });
  });

  it('patches nothing when nothing changed', async () => {
    const client = new FakeClient();
    const obj = seed(client);
    const p = new SerialPatcher(obj, client);
    await p.patch(obj);
    expect(client.callsOf('patch')).toHaveLength(0);
  });

  it('sends metadata/spec to the main resource, status to the status subresource and conditions with a lock', async () => {
    const client = new FakeClient();
    const obj = seed(client);
    const p = new SerialPatcher(obj, client);
    obj.metadata.finalizers = ['finalizers.fluxcd.io'];
    obj.status = { ...obj.status, artifact: { revision: 'main@sha1:abc' } };
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'stored artifact');
    await p.patch(obj, { includeStatusObservedGeneration: true, fieldManager: 'source-controller' });

    const patches = client.callsOf('patch');
    expect(patches.map((c) => c.subresource ?? 'main')).toEqual(['status', 'main', 'status']);
    const condBody = patches[0]!.body as { metadata: { resourceVersion: string }; status: { conditions: unknown[] } };
    expect(condBody.metadata.resourceVersion).toBeDefined();
    expect(condBody.status.conditions).toHaveLength(1);
    expect(patches[1]!.body).toEqual({ metadata: { finalizers: ['finalizers.fluxcd.io'] } });
    expect(patches[2]!.body).toEqual({ status: { artifact: { revision: 'main@sha1:abc' }, observedGeneration: 2 } });

    const live = client.stored<Repo>('GitRepository', key)!;
    expect(live.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(live.status?.observedGeneration).toBe(2);
    expect(conditions.isTrue(live, 'Ready')).toBe(true);
    expect(obj.metadata.resourceVersion).toBe(live.metadata.resourceVersion);

    // Second patch only sends what changed since the first.
    client.calls.length = 0;
    conditions.markFalse(obj, 'Ready', 'Failed', 'boom');
    await p.patch(obj);
    expect(client.callsOf('patch').map((c) => c.subresource ?? 'main')).toEqual(['status']);
  });

  it('retries a 409 on the conditions patch by re-reading, and owned conditions win', async () => {
    const client = new FakeClient();
    const obj = seed(client);
    client.mutate('GitRepository', key, (o: Repo) => {
      conditions.markTrue(o, 'Ready', 'Succeeded', 'old');
    });
    const fetched = await client.get<Repo>(gvk, key);
    const p = new SerialPatcher(fetched, client, { conflictBackoffMs: 1 });

    conditions.markFalse(fetched, 'Ready', 'Failed', 'ours');
    conditions.markTrue(fetched, 'FetchFailed', 'AuthenticationFailed', 'auth');

    // Another writer changes Ready and adds its own condition between our read and our write, once.
    let interfered = false;
    client.before = (call, c) => {
      if (!interfered && call.verb === 'patch' && call.subresource === 'status') {
        interfered = true;
        c.mutate('GitRepository', key, (o: Repo) => {
          conditions.markUnknown(o, 'Ready', 'Progressing', 'theirs');
          conditions.markTrue(o, 'Foreign', 'Other', 'kept');
        });
      }
    };
    await p.patch(fetched, { ownedConditions: ['Ready', 'FetchFailed', 'Reconciling', 'Stalled'] });

    const condPatches = client
      .callsOf('patch')
      .filter((c) => (c.body as { metadata?: unknown }).metadata !== undefined);
    expect(condPatches).toHaveLength(2); // first attempt hit 409, second succeeded
    expect(client.callsOf('get')).toHaveLength(3); // test read + two re-reads
    const live = client.stored<Repo>('GitRepository', key)!;
    expect(conditions.get(live, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed', message: 'ours' });
    expect(conditions.get(live, 'FetchFailed')).toMatchObject({ status: 'True' });
    expect(conditions.get(live, 'Foreign')).toMatchObject({ status: 'True', message: 'kept' });
    expect(obj.metadata.name).toBe('podinfo');
  });

  it('fails on a conflicting change of a condition it does not own', async () => {
    const client = new FakeClient();
    const obj = seed(client);
    client.mutate('GitRepository', key, (o: Repo) => conditions.markTrue(o, 'Ready', 'Succeeded', 'old'));
    const fetched = await client.get<Repo>(gvk, key);
    const p = new SerialPatcher(fetched, client, { conflictBackoffMs: 1 });
    client.mutate('GitRepository', key, (o: Repo) => conditions.markUnknown(o, 'Ready', 'Progressing', 'theirs'));
    conditions.markFalse(fetched, 'Ready', 'Failed', 'ours');
    await expect(p.patch(fetched)).rejects.toThrow(/condition "Ready" was modified by a different process/);
    expect(obj.kind).toBe('GitRepository');
  });

  it('gives up after the configured number of conflicts', async () => {
    const client = new FakeClient();
    const obj = seed(client);
    const p = new SerialPatcher(obj, client, { conflictRetries: 3, conflictBackoffMs: 1 });
    client.before = (call, c) => {
      if (call.verb === 'patch')
        c.mutate('GitRepository', key, (o: Repo) => ((o.metadata.labels ??= {}).bump = String(Math.random())));
    };
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'ok');
    await expect(p.patch(obj, { ownedConditions: ['Ready'] })).rejects.toThrow(
      /failed to patch conditions after 3 conflicts/,
    );
    expect(client.callsOf('patch')).toHaveLength(3);
  });
});
