import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Storage } from '@flux-ts/artifact';
import { ApiError, newLogger } from '@flux-ts/runtime';
import type { KubeObject, PatchClient, ReconcileContext } from '@flux-ts/runtime';
import { GitRepositoryReconciler } from './reconciler.ts';

const ctx = (): ReconcileContext => ({
  signal: new AbortController().signal,
  log: newLogger({ level: 'silent' }),
  reconcileID: 'r',
});

function gitRepo(extra: { spec?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'r', namespace: 'default', generation: 1, ...extra.metadata },
    spec: { url: 'http://127.0.0.1:1/x.git', interval: '1m', ...extra.spec },
  } as KubeObject;
}

describe('GitRepositoryReconciler (unit)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup(obj: KubeObject | undefined): { reconciler: GitRepositoryReconciler; patches: unknown[] } {
    const dir = mkdtempSync(join(tmpdir(), 'flux-ts-gitrepo-unit-'));
    dirs.push(dir);
    const patches: unknown[] = [];
    const reader = {
      get: async <T extends KubeObject>(): Promise<T> => {
        if (!obj) throw new ApiError('gitrepositories "r" not found', { status: 404, reason: 'NotFound' });
        return structuredClone(obj) as T;
      },
    };
    const patchClient: PatchClient = {
      get: async () => structuredClone(obj!),
      patch: async (_gvk, _key, patch) => {
        patches.push(patch);
        return structuredClone(obj!);
      },
    };
    const reconciler = new GitRepositoryReconciler({
      reader,
      secretReader: reader,
      patchClient,
      storage: new Storage({ basePath: join(dir, 'storage'), hostname: 'localhost' }),
      tmpDir: dir,
    });
    return { reconciler, patches };
  }

  it('does nothing for a deleted object', async () => {
    const { reconciler, patches } = setup(undefined);
    expect(await reconciler.reconcile({ namespace: 'default', name: 'r' }, ctx())).toEqual({});
    expect(patches).toEqual([]);
  });

  it('leaves a suspended object untouched once it has the finalizer (fluxcd order: deletion, finalizer, suspend)', async () => {
    const { reconciler, patches } = setup(
      gitRepo({ spec: { suspend: true }, metadata: { finalizers: ['finalizers.fluxcd.io'] } }),
    );
    expect(await reconciler.reconcile({ namespace: 'default', name: 'r' }, ctx())).toEqual({});
    expect(patches).toEqual([]);
    const fresh = setup(gitRepo({ spec: { suspend: true } }));
    expect(await fresh.reconciler.reconcile({ namespace: 'default', name: 'r' }, ctx())).toEqual({ requeue: true });
    expect(JSON.stringify(fresh.patches)).toContain('finalizers.fluxcd.io');
  });

  it('adds the finalizer first and requeues', async () => {
    const { reconciler, patches } = setup(gitRepo());
    expect(await reconciler.reconcile({ namespace: 'default', name: 'r' }, ctx())).toEqual({ requeue: true });
    expect(JSON.stringify(patches)).toContain('finalizers.fluxcd.io');
  });

  it('publishes a new generation as "0 -> 1" (not "-1 -> 1") before the steps', async () => {
    const { reconciler, patches } = setup(gitRepo({ metadata: { finalizers: ['finalizers.fluxcd.io'] } }));
    await reconciler.reconcile({ namespace: 'default', name: 'r' }, ctx()).catch(() => undefined);
    expect(JSON.stringify(patches[0])).toContain('processing object: new generation 0 -> 1');
  });

  it('removes the finalizer on deletion', async () => {
    const { reconciler, patches } = setup(
      gitRepo({ metadata: { finalizers: ['finalizers.fluxcd.io'], deletionTimestamp: '2026-01-01T00:00:00Z' } }),
    );
    expect(await reconciler.reconcile({ namespace: 'default', name: 'r' }, ctx())).toEqual({});
    expect(
      patches.some(
        (p) => JSON.stringify(p).includes('"finalizers":[]') || JSON.stringify(p).includes('"finalizers":null'),
      ),
    ).toBe(true);
  });
});
