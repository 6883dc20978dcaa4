import { describe, expect, it } from 'vitest';
import { get, kstatus, type KStatus } from './kstatus.spec-helper.ts';
import { SIMULATE_ANNOTATION, isSimulatedWorkload, simulateWorkloadStatus, simulationReadyAt } from './simulate.ts';

type Obj = Record<string, unknown>;
// --- fixtures

const T0 = new Date('2026-03-01T10:00:00Z');
const DELAY = 5_000;
const before = new Date(T0.getTime() + DELAY - 1);
const after = new Date(T0.getTime() + DELAY);

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
const workload = (apiVersion: string, kind: string, spec: Obj, generation = 1, status?: Obj): Obj => {
  const o: Obj = {
    apiVersion,
    kind,
    metadata: { name: 'web', namespace: 'apps', generation, creationTimestamp: '2026-03-01T09:00:00Z' },
    spec,
  };
  if (status) o['status'] = status;
  return o;
};
const withStatus = (o: Obj, now: Date, changedAt = T0): Obj => ({
  ...o,
  status: simulateWorkloadStatus(o, { now, readyAfterMs: DELAY, changedAt }),
});

const kinds: Array<{ name: string; obj: Obj; progressing: string; done: KStatus }> = [
  {
    name: 'Deployment',
    obj: workload('apps/v1', 'Deployment', { replicas: 3, template }, 2),
    progressing: 'LessAvailable',
    done: 'Current',
  },
  {
    name: 'Deployment with progressDeadlineSeconds',
    obj: workload('apps/v1', 'Deployment', { replicas: 2, progressDeadlineSeconds: 600, template }),
    progressing: 'LessAvailable',
    done: 'Current',
  },
  {
    name: 'Deployment with default replicas',
    obj: workload('apps/v1', 'Deployment', { template }),
    progressing: 'LessAvailable',
    done: 'Current',
  },
  {
    name: 'StatefulSet',
    obj: workload('apps/v1', 'StatefulSet', { replicas: 2, template }),
    progressing: 'LessReady',
    done: 'Current',
  },
  {
    name: 'DaemonSet',
    obj: workload('apps/v1', 'DaemonSet', { template }, 3),
    progressing: 'LessAvailable',
    done: 'Current',
  },
  {
    name: 'ReplicaSet',
    obj: workload('apps/v1', 'ReplicaSet', { replicas: 2, template }),
    progressing: 'LessAvailable',
    done: 'Current',
  },
  { name: 'Job', obj: workload('batch/v1', 'Job', { template }), progressing: 'JobNotStarted', done: 'Current' },
  {
    name: 'failing Job',
    obj: workload('batch/v1', 'Job', {
      backoffLimit: 2,
      template: { ...template, metadata: { annotations: { [SIMULATE_ANNOTATION]: 'fail' } } },
    }),
    progressing: 'JobNotStarted',
    done: 'Failed',
  },
];

describe('simulateWorkloadStatus against kstatus', () => {
  it.each(kinds)('$name is InProgress before the delay and $done after', ({ obj, progressing, done }) => {
    const early = withStatus(obj, before);
    expect(kstatus(early)).toEqual({ status: 'InProgress', reason: progressing });
    const late = withStatus(obj, after);
    expect(kstatus(late).status).toBe(done);
  });

  it.each(kinds.filter((k) => k.obj['kind'] !== 'Job'))(
    '$name reports the current observedGeneration while progressing',
    ({ obj }) => {
      const status = simulateWorkloadStatus(obj, { now: before, readyAfterMs: DELAY, changedAt: T0 });
      expect(status?.['observedGeneration']).toBe(get(obj, 'metadata.generation'));
      expect(status?.['readyReplicas'] ?? status?.['numberReady'] ?? 0).toBe(0);
    },
  );

  it('a stale status (older observedGeneration) is InProgress by the generic rule', () => {
    const d = withStatus(workload('apps/v1', 'Deployment', { replicas: 1, template }, 1), after);
    const bumped = { ...d, metadata: { ...(d['metadata'] as Obj), generation: 2 } };
    expect(kstatus(bumped)).toEqual({ status: 'InProgress', reason: 'LatestGenerationNotObserved' });
  });
});

describe('simulated statuses', () => {
  it('Deployment conditions carry the real reasons', () => {
    const d = workload('apps/v1', 'Deployment', { replicas: 3, template });
    const early = simulateWorkloadStatus(d, { now: before, readyAfterMs: DELAY, changedAt: T0 });
    expect(early).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, unavailableReplicas: 3 });
    expect(early?.['conditions']).toMatchObject([
      { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
      { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
    ]);
    const late = simulateWorkloadStatus(d, { now: after, readyAfterMs: DELAY, changedAt: T0 });
    expect(late).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    const conds = late?.['conditions'] as Obj[];
    expect(conds).toMatchObject([
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ]);
    expect(String(conds[1]?.['message'])).toMatch(
      /^ReplicaSet "web-[bcdfghjklmnpqrstvwxz2456789]{1,10}" has successfully progressed\.$/,
    );
    expect(conds[0]?.['lastTransitionTime']).toBe('2026-03-01T10:00:05Z');
  });

  it('a Deployment scaled to zero is Current once observed', () => {
    const d = workload('apps/v1', 'Deployment', { replicas: 0, template });
    expect(kstatus(withStatus(d, after)).status).toBe('Current');
  });

  it('StatefulSet keeps the previous revision current during a rollout', () => {
    const v1 = workload('apps/v1', 'StatefulSet', { replicas: 2, template });
    const rolledOut = withStatus(v1, after);
    const s1 = rolledOut['status'] as Obj;
    expect(s1['currentRevision']).toBe(s1['updateRevision']);
    expect(s1).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });

    const t2 = new Date(T0.getTime() + 60_000);
    const newTemplate = { ...template, spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } };
    const v2 = {
      ...rolledOut,
      metadata: { ...(rolledOut['metadata'] as Obj), generation: 2 },
      spec: { replicas: 2, template: newTemplate },
    };
    const rolling = simulateWorkloadStatus(v2, {
      now: new Date(t2.getTime() + 1000),
      readyAfterMs: DELAY,
      changedAt: t2,
    }) as Obj;
    expect(rolling['currentRevision']).toBe(s1['currentRevision']);
    expect(rolling['updateRevision']).not.toBe(s1['updateRevision']);
    expect(rolling['observedGeneration']).toBe(2);
    // written back and evaluated again later in the rollout, the old revision is still the current one
    const again = simulateWorkloadStatus(
      { ...v2, status: rolling },
      { now: new Date(t2.getTime() + 2000), readyAfterMs: DELAY, changedAt: t2 },
    ) as Obj;
    expect(again['currentRevision']).toBe(s1['currentRevision']);
    const done = simulateWorkloadStatus(
      { ...v2, status: again },
      { now: new Date(t2.getTime() + DELAY), readyAfterMs: DELAY, changedAt: t2 },
    ) as Obj;
    expect(done['currentRevision']).toBe(done['updateRevision']);
    expect(kstatus({ ...v2, status: done }).status).toBe('Current');
  });

  it('DaemonSet pretends one node', () => {
    const s = simulateWorkloadStatus(workload('apps/v1', 'DaemonSet', { template }), {
      now: after,
      readyAfterMs: DELAY,
      changedAt: T0,
    });
    expect(s).toEqual({
      currentNumberScheduled: 1,
      desiredNumberScheduled: 1,
      numberMisscheduled: 0,
      numberReady: 1,
      observedGeneration: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
    });
  });

  it('Job completes with succeeded, completionTime and the Complete condition', () => {
    const s = simulateWorkloadStatus(workload('batch/v1', 'Job', { completions: 3, parallelism: 2, template }), {
      now: after,
      readyAfterMs: DELAY,
      changedAt: T0,
    });
    expect(s).toMatchObject({
      succeeded: 3,
      startTime: '2026-03-01T10:00:00Z',
      completionTime: '2026-03-01T10:00:05Z',
    });
    expect(s?.['conditions']).toMatchObject([
      { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached' },
      { type: 'Complete', status: 'True', reason: 'CompletionsReached' },
    ]);
    const running = simulateWorkloadStatus(workload('batch/v1', 'Job', { completions: 3, parallelism: 2, template }), {
      now: before,
      readyAfterMs: DELAY,
      changedAt: T0,
    });
    expect(running).toMatchObject({ active: 2 });
    expect(running?.['startTime']).toBeUndefined();
  });

  it('a Job annotated to fail ends with BackoffLimitExceeded', () => {
    const job = workload('batch/v1', 'Job', {
      template: { ...template, metadata: { annotations: { [SIMULATE_ANNOTATION]: 'fail' } } },
    });
    const s = simulateWorkloadStatus(job, { now: after, readyAfterMs: DELAY, changedAt: T0 });
    expect(s).toMatchObject({ failed: 7 });
    expect(s?.['completionTime']).toBeUndefined();
    expect(s?.['conditions']).toMatchObject([
      { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' },
      {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
    ]);
  });

  it('a suspended Job is Current', () => {
    const s = withStatus(workload('batch/v1', 'Job', { suspend: true, template }), before);
    expect(kstatus(s).status).toBe('Current');
  });

  it('readyAfterMs 0 is ready at once; changedAt defaults to the creationTimestamp', () => {
    const d = workload('apps/v1', 'Deployment', { replicas: 1, template });
    expect(
      kstatus({ ...d, status: simulateWorkloadStatus(d, { now: T0, readyAfterMs: 0, changedAt: T0 }) }).status,
    ).toBe('Current');
    // created at 09:00, so at 10:00 a 5s delay is long over
    expect(kstatus({ ...d, status: simulateWorkloadStatus(d, { now: T0, readyAfterMs: DELAY }) }).status).toBe(
      'Current',
    );
    expect(simulationReadyAt(d, { now: T0, readyAfterMs: DELAY })?.toISOString()).toBe('2026-03-01T09:00:05.000Z');
    expect(simulationReadyAt(d, { now: T0, readyAfterMs: DELAY, changedAt: T0 })?.toISOString()).toBe(
      '2026-03-01T10:00:05.000Z',
    );
  });

  it('ignores kinds it does not simulate', () => {
    for (const o of [
      workload('v1', 'Pod', {}),
      workload('batch/v1', 'CronJob', {}),
      workload('example.com/v1', 'Deployment', {}),
      { kind: 'Deployment' },
    ]) {
      expect(isSimulatedWorkload(o)).toBe(false);
      expect(simulateWorkloadStatus(o, { now: after, readyAfterMs: DELAY })).toBeUndefined();
      expect(simulationReadyAt(o, { now: after, readyAfterMs: DELAY })).toBeUndefined();
    }
  });
});
