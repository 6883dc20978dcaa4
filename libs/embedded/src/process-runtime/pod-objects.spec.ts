import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { podName, podStatus, rolloutStep } from './pod-objects.ts';
import type { PodFacts } from './pod-objects.ts';
import { logStream } from './pod-logs.ts';

const R = { ready: true };
const N = { ready: false };
const rolling = { strategy: 'RollingUpdate' as const, replicas: 1, maxSurge: 1, maxUnavailable: 0 };

describe('rolloutStep', () => {
  it('rolls one replica by 25%/25%: new pod first, the old one only once it is Ready', () => {
    expect(rolloutStep({ ...rolling, current: [], old: [R] })).toEqual({ create: 1, removeCurrent: [], removeOld: [] });
    expect(rolloutStep({ ...rolling, current: [N], old: [R] })).toEqual({
      create: 0,
      removeCurrent: [],
      removeOld: [],
    });
    expect(rolloutStep({ ...rolling, current: [R], old: [R] })).toEqual({
      create: 0,
      removeCurrent: [],
      removeOld: [0],
    });
  });

  it('stops not-ready old pods first and keeps replicas − maxUnavailable available', () => {
    // 4 replicas, maxSurge 1, maxUnavailable 1: one more pod, and one old pod may go at once
    const step = rolloutStep({
      ...rolling,
      replicas: 4,
      maxSurge: 1,
      maxUnavailable: 1,
      current: [],
      old: [R, N, R, R],
    });
    expect(step).toEqual({ create: 1, removeCurrent: [], removeOld: [1] });
  });

  it('Recreate stops every old pod before the new ones start; surplus current pods go newest and not-ready first', () => {
    const recreate = { ...rolling, strategy: 'Recreate' as const, replicas: 2 };
    expect(rolloutStep({ ...recreate, current: [], old: [R, R] })).toEqual({
      create: 0,
      removeCurrent: [],
      removeOld: [0, 1],
    });
    expect(rolloutStep({ ...recreate, current: [], old: [] }).create).toBe(2);
    expect(rolloutStep({ ...rolling, current: [R, R, N], old: [] }).removeCurrent.sort()).toEqual([1, 2]);
  });
});

describe('podStatus', () => {
  const facts: PodFacts = {
    uid: 'u1',
    name: 'sc-abc-xyzwv',
    namespace: 'flux-system',
    container: 'manager',
    image: 'ghcr.io/flux-ts/source-controller:v1',
    startedAt: new Date('2026-01-01T00:00:00Z'),
    ready: false,
    restarts: 2,
    pid: undefined,
    state: { kind: 'waiting', reason: 'CrashLoopBackOff', backoffMs: 4000 },
    lastTermination: {
      exitCode: 1,
      signal: undefined,
      startedAt: new Date('2026-01-01T00:00:01Z'),
      finishedAt: new Date('2026-01-01T00:00:02Z'),
    },
  };

  it('reports a crash-looping container as the kubelet does', () => {
    const s = podStatus(facts, undefined, new Date('2026-01-01T00:00:03Z'));
    expect(s['phase']).toBe('Running');
    expect(s['containerStatuses']).toEqual([
      {
        image: facts.image,
        imageID: '',
        lastState: {
          terminated: {
            exitCode: 1,
            finishedAt: '2026-01-01T00:00:02Z',
            reason: 'Error',
            startedAt: '2026-01-01T00:00:01Z',
          },
        },
        name: 'manager',
        ready: false,
        restartCount: 2,
        started: false,
        state: {
          waiting: {
            message: 'back-off 4s restarting failed container=manager pod=sc-abc-xyzwv_flux-system(u1)',
            reason: 'CrashLoopBackOff',
          },
        },
      },
    ]);
  });

  it('turns Ready from the probe, keeping transition times of unchanged conditions', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const pending = podStatus(
      { ...facts, restarts: 0, lastTermination: undefined, state: { kind: 'waiting', reason: 'ContainerCreating' } },
      undefined,
      t0,
    );
    expect(pending['phase']).toBe('Pending');
    const t1 = new Date('2026-01-01T00:00:05Z');
    const ready = podStatus(
      { ...facts, ready: true, restarts: 0, pid: 42, state: { kind: 'running', startedAt: t0 } },
      pending,
      t1,
    );
    const conditions = ready['conditions'] as { type: string; status: string; lastTransitionTime: string }[];
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-01-01T00:00:05Z',
    });
    expect(conditions.find((c) => c.type === 'PodScheduled')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(ready['phase']).toBe('Running');
  });

  it('names pods as generateName does', () => {
    expect(podName('source-controller-5d8f9', () => 0)).toBe('source-controller-5d8f9-bbbbb');
  });
});

describe('logStream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-pod-logs-'));
  const file = join(dir, 'pod.log');
  writeFileSync(file, 'old 1\nold 2\nnew 1\nnew 2\nnew 3\n');

  it('reads a container range, its last lines, and nothing for a missing file', async () => {
    expect(await text(logStream(file, { start: 12 })!)).toBe('new 1\nnew 2\nnew 3\n');
    expect(await text(logStream(file, { start: 12, tailLines: 2 })!)).toBe('new 2\nnew 3\n');
    expect(await text(logStream(file, { start: 0, end: 12, tailLines: 5 })!)).toBe('old 1\nold 2\n');
    expect(await text(logStream(file, { start: 12, tailLines: 0 })!)).toBe('');
    expect(logStream(join(dir, 'none.log'), { start: 0 })).toBeUndefined();
  });

  it('follows what the container appends until it stops', async () => {
    const live = join(dir, 'live.log');
    writeFileSync(live, 'a\n');
    let running = true;
    const stream = logStream(live, { start: 0, follow: () => running, pollMs: 10 })!;
    let out = '';
    stream.on('data', (b: Buffer) => {
      out += b.toString();
      if (out === 'a\n') {
        appendFileSync(live, 'b\n');
        running = false; // the last poll still reads what came before the stop
      }
    });
    await new Promise((resolve) => stream.once('end', resolve));
    expect(out).toBe('a\nb\n');
  });
});
