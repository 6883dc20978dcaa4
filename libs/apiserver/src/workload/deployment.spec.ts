import { describe, expect, it } from 'vitest';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  deploymentStatus,
  deploymentStatusDueAt,
  equalIgnoreHash,
  findNewReplicaSet,
  resolveFenceposts,
  syncDeployment,
} from './deployment.ts';
import { podTemplateHash } from './hash.ts';
import { kstatus } from './kstatus.spec-helper.ts';

type Obj = Record<string, unknown>;

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

const template = (image: string): Obj => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

const deployment = (
  image: string,
  extra: { spec?: Obj; annotations?: Record<string, string>; generation?: number } = {},
): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'apps',
    uid: 'd-uid',
    generation: extra.generation ?? 1,
    creationTimestamp: '2026-03-01T10:00:00Z',
    annotations: { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}', ...extra.annotations },
  },
  spec: {
    replicas: 3,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: template(image),
    ...extra.spec,
  },
});

/** What the server adds on create, and the status the ReplicaSet controller would report. */
let serial = 0;
const stored = (rs: Obj, createdAt: number, ready?: number): Obj => {
  const m = rs['metadata'] as Obj;
  const replicas = (rs['spec'] as Obj)['replicas'] as number;
  const r = ready ?? replicas;
  return {
    ...rs,
    metadata: { ...m, uid: `rs-${++serial}`, generation: 1, creationTimestamp: at(createdAt).toISOString() },
    status: { replicas, readyReplicas: r, availableReplicas: r, observedGeneration: 1 },
  };
};
const withReplicas = (rs: Obj, replicas: number): Obj => ({
  ...rs,
  spec: { ...(rs['spec'] as Obj), replicas },
  status: { replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
});
const annotations = (o: Obj | undefined): Record<string, string> =>
  ((o?.['metadata'] as Obj | undefined)?.['annotations'] as Record<string, string> | undefined) ?? {};
const nameOf = (o: Obj | undefined): string => String((o?.['metadata'] as Obj | undefined)?.['name']);

describe('syncDeployment', () => {
  it('creates the ReplicaSet of the pod template: hash label and selector, controller ref, revision annotations', () => {
    const d = deployment('nginx:1');
    const sync = syncDeployment(d, []);
    const hash = podTemplateHash(template('nginx:1'));
    expect(sync.update).toEqual([]);
    expect(sync.remove).toEqual([]);
    expect(sync.revision).toBe('1');
    expect(sync.create).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `web-${hash}`,
        namespace: 'apps',
        labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid: 'd-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        annotations: {
          team: 'a',
          [REVISION_ANNOTATION]: '1',
          [DESIRED_REPLICAS_ANNOTATION]: '3',
          [MAX_REPLICAS_ANNOTATION]: '4',
        },
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash } },
        template: {
          metadata: { labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash } },
          spec: { containers: [{ name: 'web', image: 'nginx:1' }] },
        },
      },
    });
    expect(d['spec']).toEqual(deployment('nginx:1')['spec']); // input untouched
  });

  it('is idle once the ReplicaSet exists and the Deployment carries its revision', () => {
    const d = deployment('nginx:1', { annotations: { [REVISION_ANNOTATION]: '1' } });
    const rs = stored(syncDeployment(d, []).create as Obj, 0);
    expect(syncDeployment(d, [rs])).toEqual({ update: [], remove: [] });
  });

  it('rolls a changed template out to a new ReplicaSet (next revision) and scales the old one to zero', () => {
    const d1 = deployment('nginx:1', { annotations: { [REVISION_ANNOTATION]: '1' } });
    const rs1 = stored(syncDeployment(d1, []).create as Obj, 0);
    const d2 = deployment('nginx:2', { annotations: { [REVISION_ANNOTATION]: '1' }, generation: 2 });
    const sync = syncDeployment(d2, [rs1]);
    expect(nameOf(sync.create)).toBe(`web-${podTemplateHash(template('nginx:2'))}`);
    expect(annotations(sync.create)[REVISION_ANNOTATION]).toBe('2');
    expect(sync.revision).toBe('2');
    expect(sync.update).toHaveLength(1);
    expect(nameOf(sync.update[0])).toBe(nameOf(rs1));
    expect((sync.update[0]?.['spec'] as Obj)['replicas']).toBe(0);
    expect(annotations(sync.update[0])[REVISION_ANNOTATION]).toBe('1');
  });

  it('a rollback reuses the old ReplicaSet with a new revision', () => {
    const d1 = deployment('nginx:1');
    const rs1 = withReplicas(stored(syncDeployment(d1, []).create as Obj, 0), 0);
    const rs2 = stored(syncDeployment(deployment('nginx:2'), [rs1]).create as Obj, 10);
    expect(annotations(rs2)[REVISION_ANNOTATION]).toBe('2');
    const back = deployment('nginx:1', { annotations: { [REVISION_ANNOTATION]: '2' }, generation: 3 });
    const sync = syncDeployment(back, [rs1, rs2]);
    expect(sync.create).toBeUndefined();
    expect(sync.revision).toBe('3');
    const reused = sync.update.find((r) => nameOf(r) === nameOf(rs1));
    expect((reused?.['spec'] as Obj)['replicas']).toBe(3);
    expect(annotations(reused)[REVISION_ANNOTATION]).toBe('3');
    expect((sync.update.find((r) => nameOf(r) === nameOf(rs2))?.['spec'] as Obj)['replicas']).toBe(0);
  });

  it('scaling updates the replicas and the desired/max-replicas annotations of the ReplicaSet', () => {
    const d = deployment('nginx:1', { annotations: { [REVISION_ANNOTATION]: '1' } });
    const rs = stored(syncDeployment(d, []).create as Obj, 0);
    const scaled = deployment('nginx:1', { annotations: { [REVISION_ANNOTATION]: '1' }, spec: { replicas: 8 } });
    const [next] = syncDeployment(scaled, [rs]).update;
    expect((next?.['spec'] as Obj)['replicas']).toBe(8);
    expect(annotations(next)[DESIRED_REPLICAS_ANNOTATION]).toBe('8');
    expect(annotations(next)[MAX_REPLICAS_ANNOTATION]).toBe('10');
  });

  it('deletes idle old ReplicaSets beyond revisionHistoryLimit, oldest revision first', () => {
    const olds = ['nginx:1', 'nginx:2', 'nginx:3'].map((image, i) => {
      const rs = withReplicas(stored(syncDeployment(deployment(image), []).create as Obj, i), 0);
      (rs['metadata'] as Obj)['annotations'] = { ...annotations(rs), [REVISION_ANNOTATION]: String(i + 1) };
      return rs;
    });
    const d = deployment('nginx:4', { spec: { revisionHistoryLimit: 1 } });
    const sync = syncDeployment(d, olds);
    expect(sync.remove).toEqual([nameOf(olds[0]), nameOf(olds[1])]);
    expect(annotations(sync.create)[REVISION_ANNOTATION]).toBe('4');
  });

  it('does nothing for a paused Deployment', () => {
    expect(syncDeployment(deployment('nginx:1', { spec: { paused: true } }), [])).toEqual({ update: [], remove: [] });
  });
});

describe('finding the new ReplicaSet', () => {
  it('ignores the hash label and empty versus absent fields', () => {
    const a = {
      metadata: { labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: 'x' } },
      spec: { containers: [{ name: 'c', env: [] }] },
    };
    const b = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'c' }] } };
    expect(equalIgnoreHash(a, b)).toBe(true);
    expect(equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'd' }] } })).toBe(false);
  });

  it('takes the oldest ReplicaSet with the template', () => {
    const d = deployment('nginx:1');
    const created = syncDeployment(d, []).create as Obj;
    const older = stored({ ...created, metadata: { ...(created['metadata'] as Obj), name: 'web-old' } }, 0);
    const newer = stored(created, 5);
    const other = stored(syncDeployment(deployment('nginx:2'), []).create as Obj, 1);
    expect(nameOf(findNewReplicaSet(d, [newer, other, older]))).toBe('web-old');
    expect(findNewReplicaSet(d, [other])).toBeUndefined();
  });

  it('resolves maxSurge up and maxUnavailable down, never both zero', () => {
    expect(resolveFenceposts(deployment('x', { spec: { replicas: 3 } }))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(resolveFenceposts(deployment('x', { spec: { replicas: 10 } }))).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    const zero = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } };
    expect(resolveFenceposts(deployment('x', { spec: { strategy: zero } }))).toEqual({
      maxSurge: 0,
      maxUnavailable: 1,
    });
    expect(resolveFenceposts(deployment('x', { spec: { strategy: { type: 'Recreate' } } }))).toEqual({
      maxSurge: 0,
      maxUnavailable: 0,
    });
  });
});

describe('deploymentStatus', () => {
  const rollout = (ready: number): { d: Obj; rs: Obj } => {
    const d = deployment('nginx:1', { annotations: { [REVISION_ANNOTATION]: '1' } });
    return { d, rs: stored(syncDeployment(d, []).create as Obj, 0, ready) };
  };
  const condition = (s: Obj, type: string): Obj | undefined =>
    (s['conditions'] as Obj[]).find((c) => c['type'] === type);

  it('is InProgress for kstatus and Helm while Pods are not ready, Current once they are', () => {
    const { d, rs } = rollout(0);
    const early = {
      ...d,
      status: deploymentStatus(d, [{ ...rs, status: { replicas: 3, observedGeneration: 1 } }], at(1)),
    };
    expect(kstatus(early)).toEqual({ status: 'InProgress', reason: 'LessAvailable' });
    expect(early.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      unavailableReplicas: 3,
    });
    expect(condition(early.status, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(condition(early.status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${nameOf(rs)}" is progressing.`,
    });
    const done = { ...early, status: deploymentStatus(early, [withReplicas(rs, 3)], at(2)) };
    expect(kstatus(done)).toEqual({ status: 'Current', reason: '' });
    expect(done.status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: '2026-03-01T10:00:02Z',
          lastTransitionTime: '2026-03-01T10:00:02Z',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: '2026-03-01T10:00:02Z',
          lastTransitionTime: '2026-03-01T10:00:01Z',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${nameOf(rs)}" has successfully progressed.`,
        },
      ],
    });
    // written again later with nothing changed: the same status, times included
    expect(deploymentStatus(done, [withReplicas(rs, 3)], at(60))).toEqual(done.status);
  });

  it('counts old ReplicaSets until they are scaled down, and names the new one in Progressing', () => {
    const { d, rs } = rollout(3);
    const done = { ...d, status: deploymentStatus(d, [rs], at(1)) };
    const d2 = { ...deployment('nginx:2', { generation: 2 }), status: done.status };
    const rs2 = stored(syncDeployment(d2, [rs]).create as Obj, 5, 0);
    const mid = { ...d2, status: deploymentStatus(d2, [rs, rs2], at(6)) };
    expect(mid.status).toMatchObject({ replicas: 6, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(kstatus(mid)).toEqual({ status: 'InProgress', reason: 'ExtraPods' });
    expect(condition(mid.status, 'Progressing')?.['message']).toBe(`ReplicaSet "${nameOf(rs2)}" is progressing.`);
    const after = { ...mid, status: deploymentStatus(mid, [withReplicas(rs, 0), withReplicas(rs2, 3)], at(7)) };
    expect(kstatus(after)).toEqual({ status: 'Current', reason: '' });
    expect(condition(after.status, 'Progressing')?.['message']).toBe(
      `ReplicaSet "${nameOf(rs2)}" has successfully progressed.`,
    );
  });

  it('a rollout without progress exceeds its deadline: kstatus Failed', () => {
    const { d, rs } = rollout(0);
    const d0 = { ...d, spec: { ...(d['spec'] as Obj), progressDeadlineSeconds: 30 } };
    const stuck = { ...d0, status: deploymentStatus(d0, [rs], at(0)) };
    expect(deploymentStatusDueAt(stuck)).toBe(T0 + 31_000);
    expect(deploymentStatus(stuck, [rs], at(30))).toEqual(stuck.status);
    const failed = { ...stuck, status: deploymentStatus(stuck, [rs], at(31)) };
    expect(condition(failed.status, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${nameOf(rs)}" has timed out progressing.`,
    });
    expect(kstatus(failed)).toEqual({ status: 'Failed', reason: 'ProgressDeadlineExceeded' });
  });

  it('a Deployment scaled to zero is available at once', () => {
    const d = deployment('nginx:1', { spec: { replicas: 0 } });
    const rs = withReplicas(stored(syncDeployment(d, []).create as Obj, 0), 0);
    const s = { ...d, status: deploymentStatus(d, [rs], at(1)) };
    expect(kstatus(s)).toEqual({ status: 'Current', reason: '' });
    expect(s.status).not.toHaveProperty('replicas');
  });
});
