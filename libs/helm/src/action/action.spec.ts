import { describe, expect, it } from 'vitest';
import type { ReleaseHook } from '../release/storage.ts';
import { ActionRun, goTime, releaseHook, validateReleaseName } from './configuration.ts';
import type { ActionConfig } from './configuration.ts';
import { compareHooks } from './hooks.ts';
import { ownershipError, setOwnership, type HelmKubeClient, type KubeObject } from './kube.ts';
import { threeWayMergePatch } from './patch.ts';
import { multiErrorMessage, updateObjects } from './resources.ts';
import { resolveServerSideApply } from './install.ts';
import { releaseJson } from '../release/storage.ts';
import { hookStatus, objectStatus } from './status.ts';

const hook = (name: string, kind: string, weight?: number): ReleaseHook => ({
  name,
  kind,
  last_run: { phase: '' },
  ...(weight === undefined ? {} : { weight }),
});

const obj = (apiVersion: string, kind: string, rest: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', generation: 2 },
  ...rest,
});

describe('hook order (hookByWeight)', () => {
  it('sorts by weight, then kind in install order (unknown kinds last, by kind), then name', () => {
    const hs = [
      hook('z', 'Job', 1),
      hook('b', 'Widget'),
      hook('a', 'Job'),
      hook('c', 'ConfigMap'),
      hook('a', 'Gadget'),
      hook('b', 'ConfigMap'),
      hook('n', 'Namespace', -5),
      hook('a', 'Widget'),
    ];
    expect(hs.sort(compareHooks).map((h) => `${h.weight ?? 0}/${h.kind}/${h.name}`)).toEqual([
      '-5/Namespace/n',
      '0/ConfigMap/b',
      '0/ConfigMap/c',
      '0/Job/a',
      '0/Gadget/a',
      '0/Widget/a',
      '0/Widget/b',
      '1/Job/z',
    ]);
  });

  it('a rendered hook is stored with empty last_run and without zero weight or empty policies', () => {
    const r = releaseHook({
      name: 'h',
      kind: 'Job',
      path: 'c/templates/h.yaml',
      manifest: 'kind: Job',
      events: ['pre-install'],
      weight: 0,
      deletePolicies: [],
    });
    expect(JSON.stringify(r)).toBe(
      '{"name":"h","kind":"Job","path":"c/templates/h.yaml","manifest":"kind: Job","events":["pre-install"],"last_run":{"started_at":"","completed_at":"","phase":""}}',
    );
  });
});

describe('threeWayMergePatch', () => {
  it('deletes what the chart dropped, sets what differs from the live object, keeps fields only the cluster set', () => {
    const original = { data: { a: '1', b: '2' }, metadata: { name: 'x', labels: { l: '1' } } };
    const modified = { data: { a: '1', c: '3' }, metadata: { name: 'x' } };
    const current = {
      data: { a: 'edited', b: '2' },
      metadata: { name: 'x', labels: { l: '1' }, resourceVersion: '5', uid: 'u' },
    };
    expect(threeWayMergePatch(original, modified, current)).toEqual({
      data: { a: '1', b: null, c: '3' },
      metadata: { labels: null },
    });
  });

  it('is empty when the live object already matches', () => {
    const m = { spec: { replicas: 2, list: [1, 2] } };
    expect(threeWayMergePatch(m, m, { ...m, status: { x: 1 } })).toEqual({});
  });

  it('replaces a list whole', () => {
    expect(threeWayMergePatch({ l: [1, 2] }, { l: [1] }, { l: [1, 2] })).toEqual({ l: [1] });
  });
});

describe('ownership metadata', () => {
  it('sets the label and annotations helm sets, and checks them as checkOwnership', () => {
    const o = obj('v1', 'ConfigMap', {});
    o.metadata.labels = { keep: 'me' };
    expect(ownershipError(o, 'rel', 'ns')).toBe(
      'invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "rel"; annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "ns"',
    );
    setOwnership([o], 'rel', 'ns');
    expect(o.metadata.labels).toEqual({ keep: 'me', 'app.kubernetes.io/managed-by': 'Helm' });
    expect(ownershipError(o, 'rel', 'ns')).toBeUndefined();
    expect(ownershipError(o, 'other', 'ns')).toBe(
      'invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" must equal "other": current value is "rel"',
    );
  });
});

describe('readiness', () => {
  it('Deployments by replicas, Jobs by conditions, generation first', () => {
    const dep = (status: Record<string, unknown>): KubeObject =>
      obj('apps/v1', 'Deployment', { spec: { replicas: 2 }, status: { observedGeneration: 2, ...status } });
    expect(objectStatus(dep({ updatedReplicas: 1 })).status).toBe('InProgress');
    expect(objectStatus(dep({ replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 })).status).toBe(
      'Current',
    );
    expect(objectStatus(obj('apps/v1', 'Deployment', { status: { observedGeneration: 1 } })).status).toBe('InProgress');
    const failed = obj('batch/v1', 'Job', {
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    });
    expect(objectStatus(failed)).toEqual({ status: 'Failed', message: 'BackoffLimitExceeded' });
    expect(hookStatus(failed)).toEqual({ status: 'Failed', message: 'job x failed: BackoffLimitExceeded' });
    expect(hookStatus(obj('v1', 'Pod', { status: { phase: 'Running' } })).status).toBe('InProgress');
    expect(hookStatus(obj('v1', 'ConfigMap')).status).toBe('Current');
    expect(objectStatus(undefined).status).toBe('NotFound');
    expect(
      objectStatus(obj('example.com/v1', 'Widget', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }))
        .status,
    ).toBe('InProgress');
  });
});

describe('formats', () => {
  it('Go time, release names and multierrors as helm writes them', () => {
    expect(goTime(new Date('2024-05-01T10:00:00.000Z'))).toBe('2024-05-01T10:00:00Z');
    expect(goTime(new Date('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01T10:00:00.12Z');
    expect(() => validateReleaseName('Bad_Name')).toThrow(/^release name "Bad_Name": invalid release name/);
    expect(() => validateReleaseName('a'.repeat(54))).toThrow(/longer than 53/);
    expect(() => validateReleaseName('ok-1.x')).not.toThrow();
    expect(multiErrorMessage(['a'])).toBe('1 error occurred:\n\t* a\n\n');
    expect(multiErrorMessage(['a', 'b'])).toBe('2 errors occurred:\n\t* a\n\t* b\n\n');
  });
});

describe('ActionRun.record', () => {
  it('records the outcome of a cancelled action (pending → failed) although its signal has aborted', async () => {
    const stored: KubeObject[] = [];
    const refuseAborted = (signal?: AbortSignal): void => signal?.throwIfAborted();
    const kube = {
      replace: async (o: KubeObject, signal?: AbortSignal) => {
        refuseAborted(signal);
        stored.push(o);
        return o;
      },
    } as unknown as HelmKubeClient;
    const cancelled = new AbortController();
    cancelled.abort(new Error('near OOM'));
    const logged: string[] = [];
    const run = new ActionRun(
      { kube, storageNamespace: 'apps', log: (l: string) => logged.push(l) } as unknown as ActionConfig,
      cancelled.signal,
    );
    await run.record({ name: 'web', version: 1, namespace: 'apps', info: { status: 'failed', deleted: '' } });
    expect(logged).toEqual([]);
    expect(stored.map((o) => [o.metadata.name, o.metadata.labels?.['status']])).toEqual([
      ['sh.helm.release.v1.web.v1', 'failed'],
    ]);
  });
});

describe('server-side apply options (helm 4)', () => {
  it('auto follows the recorded apply method; unset is csa', () => {
    expect(resolveServerSideApply('auto', { apply_method: 'ssa' })).toBe(true);
    expect(resolveServerSideApply('auto', { apply_method: 'csa' })).toBe(false);
    expect(resolveServerSideApply('auto', {})).toBe(false);
    expect(resolveServerSideApply(true, { apply_method: 'csa' })).toBe(true);
    expect(resolveServerSideApply(false, { apply_method: 'ssa' })).toBe(false);
  });

  it('refuses the combinations helm 4 refuses, before touching the cluster', async () => {
    const kube = {} as HelmKubeClient;
    await expect(updateObjects(kube, [], [], { forceConflicts: true })).rejects.toThrow(
      'invalid client update option(s): forceConflicts enabled when serverSideApply disabled',
    );
    await expect(
      updateObjects(kube, [], [], { serverSideApply: true, forceConflicts: true, force: true }),
    ).rejects.toThrow('invalid operation: cannot use force conflicts and force replace together');
    await expect(updateObjects(kube, [], [], { serverSideApply: true, force: true })).rejects.toThrow(
      'invalid operation: cannot use server-side apply and force replace together',
    );
  });

  it('writes apply_method last in the record JSON, as helm 4 (omitted when unset)', () => {
    expect(releaseJson({ name: 'a', version: 1, namespace: 'ns', apply_method: 'ssa' })).toBe(
      '{"name":"a","version":1,"namespace":"ns","apply_method":"ssa"}',
    );
    expect(releaseJson({ name: 'a', version: 1 })).toBe('{"name":"a","version":1}');
  });
});
