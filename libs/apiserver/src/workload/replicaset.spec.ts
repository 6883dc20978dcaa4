import { describe, expect, it } from 'vitest';
import { kstatus } from './kstatus.spec-helper.ts';
import {
  podFor,
  podReadyAt,
  podSettled,
  podStatus,
  replicaSetStatusDueAt,
  replicaSetStatusFromPods,
  syncReplicaSet,
} from './replicaset.ts';
import { SIMULATE_ANNOTATION } from './simulate.ts';

type Obj = Record<string, unknown>;

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

const replicaSet = (
  replicas: number,
  extra: { annotations?: Record<string, string>; minReadySeconds?: number } = {},
): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-5d4f8', namespace: 'apps', uid: 'rs-uid', generation: 2 },
  spec: {
    replicas,
    ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
    selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f8' } },
    template: {
      metadata: {
        labels: { app: 'web', 'pod-template-hash': '5d4f8' },
        ...(extra.annotations ? { annotations: extra.annotations } : {}),
      },
      spec: { containers: [{ name: 'web', image: 'nginx:1' }] },
    },
  },
});

/** A Pod as stored (uid, creationTimestamp) with the status the kubelet simulation gives it at `now`. */
const running = (pod: Obj, createdAt: number, now: number, uid: string): Obj => {
  const p = { ...pod, metadata: { ...(pod['metadata'] as Obj), uid, creationTimestamp: at(createdAt).toISOString() } };
  return { ...p, status: podStatus(p, { now: at(now), startedAt: at(createdAt), readyAfterMs: 2000 }) };
};
const nameOf = (o: Obj | undefined): string => String((o?.['metadata'] as Obj | undefined)?.['name']);

describe('syncReplicaSet', () => {
  it('creates the missing Pods from the template, controlled by the ReplicaSet, with stable names', () => {
    const rs = replicaSet(3);
    const sync = syncReplicaSet(rs, []);
    expect(sync.remove).toEqual([]);
    expect(sync.create).toHaveLength(3);
    expect(syncReplicaSet(rs, [])).toEqual(sync);
    expect(new Set(sync.create.map(nameOf)).size).toBe(3);
    for (const pod of sync.create) expect(nameOf(pod)).toMatch(/^web-5d4f8-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(sync.create[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: nameOf(sync.create[0]),
        generateName: 'web-5d4f8-',
        namespace: 'apps',
        labels: { app: 'web', 'pod-template-hash': '5d4f8' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-5d4f8',
            uid: 'rs-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { containers: [{ name: 'web', image: 'nginx:1' }] },
    });
  });

  it('creates only what is missing, under names not taken', () => {
    const [first] = syncReplicaSet(replicaSet(1), []).create as [Obj];
    const sync = syncReplicaSet(replicaSet(2), [running(first, 0, 5, 'p1')]);
    expect(sync.create.map(nameOf)).toHaveLength(1);
    expect(sync.create.map(nameOf)).not.toContain(nameOf(first));
  });

  it('deletes the surplus: Pods not ready first, then the newest', () => {
    const pods = syncReplicaSet(replicaSet(3), []).create;
    const stored = [
      running(pods[0] as Obj, 0, 10, 'a'),
      running(pods[1] as Obj, 5, 10, 'b'),
      running(pods[2] as Obj, 9, 10, 'c'),
    ];
    // c (created at 9 s) is not ready at 10 s; b is the newest ready one
    expect(syncReplicaSet(replicaSet(1), stored).remove).toEqual([nameOf(stored[2]), nameOf(stored[1])]);
    expect(syncReplicaSet(replicaSet(3), stored)).toEqual({ create: [], remove: [] });
  });
});

describe('podStatus', () => {
  const pod = { ...podFor(replicaSet(1), 'web-5d4f8-abcde'), metadata: { name: 'web-5d4f8-abcde', uid: 'p1' } };
  const opts = (now: number) => ({ now: at(now), startedAt: at(0), readyAfterMs: 2000 });
  const cond = (s: Obj, type: string): Obj | undefined => (s['conditions'] as Obj[]).find((c) => c['type'] === type);

  it('is Pending with its containers being created until readyAfterMs have passed', () => {
    const s = podStatus(pod, opts(1));
    expect(s['phase']).toBe('Pending');
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(cond(s, 'PodScheduled')?.['status']).toBe('True');
    expect(s['containerStatuses']).toEqual([
      {
        image: 'nginx:1',
        imageID: '',
        lastState: {},
        name: 'web',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      },
    ]);
    expect(podReadyAt(opts(1))).toBe(T0 + 2000);
  });

  it('is Running and Ready after, every container running', () => {
    const s = podStatus(pod, opts(2));
    expect(s['phase']).toBe('Running');
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'])
      expect(cond(s, t)?.['status']).toBe('True');
    expect(cond(s, 'Ready')?.['lastTransitionTime']).toBe('2026-03-01T10:00:02Z');
    expect(s).toMatchObject({ qosClass: 'BestEffort', startTime: '2026-03-01T10:00:00Z' });
    expect(s['podIP']).toMatch(/^10\.244\.\d+\.\d+$/);
    const [cs] = s['containerStatuses'] as Obj[];
    expect(cs).toMatchObject({ ready: true, started: true, state: { running: { startedAt: '2026-03-01T10:00:02Z' } } });
  });

  it(`stays Pending in ImagePullBackOff with ${SIMULATE_ANNOTATION}: fail`, () => {
    const failing = podFor(replicaSet(1, { annotations: { [SIMULATE_ANNOTATION]: 'fail' } }), 'x');
    const s = podStatus(failing, opts(60));
    expect(s['phase']).toBe('Pending');
    expect(cond(s, 'Ready')?.['status']).toBe('False');
    expect((s['containerStatuses'] as Obj[])[0]?.['state']).toEqual({
      waiting: { message: 'Back-off pulling image "nginx:1"', reason: 'ImagePullBackOff' },
    });
  });

  it('runs a Pod with restartPolicy Never to completion: Succeeded, or Failed when annotated to fail', () => {
    const job = (annotations: Record<string, string>): Obj => ({
      metadata: { name: 'hook', uid: 'h1', annotations },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
    });
    expect(podStatus(job({}), opts(1))['phase']).toBe('Pending');
    const ok = podStatus(job({}), opts(2));
    expect(ok['phase']).toBe('Succeeded');
    expect(cond(ok, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect((ok['containerStatuses'] as Obj[])[0]?.['state']).toMatchObject({
      terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-03-01T10:00:02Z' },
    });
    const failed = podStatus(job({ [SIMULATE_ANNOTATION]: 'fail' }), opts(2));
    expect(failed['phase']).toBe('Failed');
    expect((failed['containerStatuses'] as Obj[])[0]?.['state']).toMatchObject({
      terminated: { exitCode: 1, reason: 'Error' },
    });
    expect(podSettled({ status: ok })).toBe(true);
    expect(podSettled({ status: failed })).toBe(true);
    expect(podSettled({ status: podStatus(pod, opts(2)) })).toBe(true);
    expect(podSettled({ status: podStatus(pod, opts(1)) })).toBe(false);
  });

  it('derives the QoS class from the resources', () => {
    const withResources = (resources: Obj): Obj => ({ spec: { containers: [{ name: 'c', resources }] } });
    expect(podStatus(withResources({ requests: { cpu: '1' } }), opts(3))['qosClass']).toBe('Burstable');
    expect(podStatus(withResources({ limits: { cpu: '1', memory: '1Gi' } }), opts(3))['qosClass']).toBe('Guaranteed');
  });
});

describe('replicaSetStatusFromPods', () => {
  it('counts the Pods as the ReplicaSet controller does: kstatus InProgress, then Current', () => {
    const rs = replicaSet(2);
    const pods = syncReplicaSet(rs, []).create;
    const early = pods.map((p, i) => running(p, 0, 1, `p${i}`));
    const s1 = { ...rs, status: replicaSetStatusFromPods(rs, early, at(1)) };
    expect(s1.status).toEqual({ replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 2 });
    expect(kstatus(s1).status).toBe('InProgress');
    const late = pods.map((p, i) => running(p, 0, 3, `p${i}`));
    const s2 = { ...rs, status: replicaSetStatusFromPods(rs, late, at(3)) };
    expect(s2.status).toEqual({
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      observedGeneration: 2,
    });
    expect(kstatus(s2)).toEqual({ status: 'Current', reason: '' });
  });

  it('counts a ready Pod as available after minReadySeconds', () => {
    const rs = replicaSet(1, { minReadySeconds: 10 });
    const pods = [running(syncReplicaSet(rs, []).create[0] as Obj, 0, 3, 'p')];
    expect(replicaSetStatusFromPods(rs, pods, at(5))).toEqual({
      replicas: 1,
      fullyLabeledReplicas: 1,
      readyReplicas: 1,
      observedGeneration: 2,
    });
    expect(replicaSetStatusDueAt(rs, pods)).toBe(T0 + 12_000);
    expect(replicaSetStatusFromPods(rs, pods, at(12))['availableReplicas']).toBe(1);
  });
});
