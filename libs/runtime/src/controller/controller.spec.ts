import { describe, it, expect } from 'vitest';
import { pino } from 'pino';
import { Metrics } from '../observability/metrics.ts';
import { newLogger } from '../observability/logger.ts';
import { Controller, reconcileErrorFields } from './controller.ts';
import { TerminalError } from './errors.ts';
import { enqueueForObject, enqueueForOwner } from './handlers.ts';
import { predicates } from './predicates.ts';
import { FakeClock, FakeEventSource } from '../testing/index.ts';
import type { ReconcileContext, Reconciler, Request } from './types.ts';
import type { KubeObject } from '../client/types.ts';

const kind = { apiVersion: 'demo.fluxcd.io/v1', kind: 'Demo' };

function obj(name: string, extra: Partial<KubeObject['metadata']> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace, generation: 1, ...extra } };
}

/** Yields to the event loop until `cond` holds (bounded by a generous number of turns). */
async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Harness {
  ctrl: Controller;
  source: FakeEventSource<KubeObject>;
  clock: FakeClock;
  metrics: Metrics;
  calls: Array<{ req: Request; ctx: ReconcileContext }>;
  stop: AbortController;
  done: Promise<void>;
}

function harness(
  reconciler: Reconciler,
  opts: { concurrent?: number; preds?: (typeof predicates.generationChanged)[]; start?: boolean } = {},
): Harness {
  const clock = new FakeClock();
  const metrics = new Metrics();
  const source = new FakeEventSource<KubeObject>();
  const calls: Harness['calls'] = [];
  const ctrl = new Controller({
    name: 'demo',
    forKind: kind,
    concurrent: opts.concurrent ?? 1,
    clock,
    metrics,
    logger: pino({ level: 'silent' }),
    reconciler: async (req, ctx) => {
      calls.push({ req, ctx });
      return reconciler(req, ctx);
    },
  });
  ctrl.watch(source, enqueueForObject(), opts.preds ?? []);
  const stop = new AbortController();
  const done = opts.start === false ? Promise.resolve() : ctrl.start(stop.signal);
  return { ctrl, source, clock, metrics, calls, stop, done };
}

describe('Controller', () => {
  it('reconciles pre-existing and new objects with a fresh reconcile ID per run', async () => {
    const source = new FakeEventSource<KubeObject>();
    source.set(obj('a'));
    const seen: Array<{ req: Request; id: string }> = [];
    const ctrl = new Controller({
      name: 'demo',
      forKind: kind,
      reconciler: async (req, ctx) => {
        seen.push({ req, id: ctx.reconcileID });
      },
    });
    ctrl.watch(source, enqueueForObject());
    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    await until(() => seen.length === 1);
    source.set(obj('b', {}, 'other'));
    await until(() => seen.length === 2);
    expect(seen.map((s) => s.req)).toEqual([
      { namespace: 'default', name: 'a' },
      { namespace: 'other', name: 'b' },
    ]);
    expect(seen[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]!.id).not.toBe(seen[1]!.id);
    stop.abort();
    await done;
  });

  it('waits for the source to sync before starting workers', async () => {
    const source = new FakeEventSource<KubeObject>({ synced: false });
    const seen: string[] = [];
    const ctrl = new Controller({ name: 'demo', forKind: kind, reconciler: async (r) => void seen.push(r.name) });
    ctrl.watch(source, enqueueForObject());
    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    source.set(obj('a'));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    expect(ctrl.queue.len()).toBe(1);
    source.markSynced();
    await until(() => seen.length === 1);
    stop.abort();
    await done;
  });

  it('filters updates through predicates (generation or reconcile request changes only)', async () => {
    const h = harness(async () => {}, {
      preds: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)],
    });
    h.source.set(obj('a'));
    await until(() => h.calls.length === 1);
    h.source.set(obj('a', { labels: { x: 'y' } })); // metadata-only change: filtered
    h.source.set(obj('a', { generation: 2 }));
    await until(() => h.calls.length === 2);
    h.source.set(obj('a', { generation: 2, annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' } }));
    await until(() => h.calls.length === 3);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(h.calls).toHaveLength(3);
    h.stop.abort();
    await h.done;
  });

  it('retries errors with growing per-key backoff and resets it after a success', async () => {
    let failures = 3;
    const h = harness(async () => {
      if (failures-- > 0) throw new Error('failed to fetch: boom');
    });
    h.source.set(obj('a'));
    await until(() => h.calls.length === 1);
    const retryAt: number[] = [];
    for (let n = 2; n <= 4; n++) {
      const before = h.clock.now();
      await until(() => h.ctrl.queue.delayed() === 1, 'retry scheduled');
      while (h.calls.length < n) {
        h.clock.advance(250);
        await new Promise((r) => setImmediate(r));
      }
      retryAt.push(h.clock.now() - before);
    }
    expect(retryAt).toEqual([750, 1500, 3000]);
    await until(() => h.ctrl.queue.numRequeues('default/a') === 0, 'backoff reset');
    const text = await h.metrics.text();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="demo"} 3');
    expect(text).toContain('controller_runtime_reconcile_total{controller="demo",result="error"} 3');
    expect(text).toContain('controller_runtime_reconcile_total{controller="demo",result="success"} 1');
    expect(text).toContain('workqueue_retries_total{name="demo",controller="demo"} 3');
    expect(text).toMatch(/gotk_reconcile_duration_seconds_count\{kind="Demo",name="a",namespace="default"\} 4/);
    h.stop.abort();
    await h.done;
  });

  it('does not requeue a TerminalError', async () => {
    const h = harness(async () => {
      throw new Error('wrapped', { cause: new TerminalError('invalid spec') });
    });
    h.source.set(obj('a'));
    await until(() => h.calls.length === 1);
    await until(() => h.ctrl.queue.processing() === 0);
    h.clock.advance(60 * 60_000);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(h.calls).toHaveLength(1);
    expect(h.ctrl.queue.delayed()).toBe(0);
    expect(await h.metrics.text()).toContain('controller_runtime_terminal_reconcile_errors_total{controller="demo"} 1');
    h.stop.abort();
    await h.done;
  });

  it('honours requeueAfter and recovers from non-Error throws', async () => {
    let run = 0;
    const h = harness(async () => {
      run++;
      if (run === 1) return { requeueAfter: 60_000 };
      if (run === 2) throw 'a string, not an Error';
      return undefined;
    });
    h.source.set(obj('a'));
    await until(() => h.calls.length === 1);
    await until(() => h.ctrl.queue.delayed() === 1);
    h.clock.advance(59_999);
    await new Promise((r) => setImmediate(r));
    expect(h.calls).toHaveLength(1);
    h.clock.advance(1);
    await until(() => h.calls.length === 2);
    await until(() => h.ctrl.queue.delayed() === 1, 'panic retried');
    h.clock.advance(750);
    await until(() => h.calls.length === 3);
    expect(await h.metrics.text()).toContain(
      'controller_runtime_reconcile_total{controller="demo",result="requeue_after"} 1',
    );
    h.stop.abort();
    await h.done;
  });

  it('runs a key updated during its reconcile exactly once more, never concurrently with itself', async () => {
    const releases: Array<() => void> = [];
    let active = 0;
    let maxActive = 0;
    const h = harness(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      },
      { concurrent: 4 },
    );
    h.source.set(obj('a'));
    await until(() => h.calls.length === 1);
    h.source.set(obj('a', { generation: 2 }));
    h.source.set(obj('a', { generation: 3 }));
    h.source.set(obj('a', { generation: 4 }));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(h.calls).toHaveLength(1);
    releases.shift()!();
    await until(() => h.calls.length === 2);
    releases.shift()!();
    await until(() => h.ctrl.queue.processing() === 0);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(h.calls).toHaveLength(2);
    expect(maxActive).toBe(1);
    h.stop.abort();
    await h.done;
  });

  it('limits parallel reconciles to --concurrent', async () => {
    const releases: Array<() => void> = [];
    let active = 0;
    let maxActive = 0;
    const h = harness(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      },
      { concurrent: 2 },
    );
    for (const n of ['a', 'b', 'c', 'd', 'e']) h.source.set(obj(n));
    while (h.calls.length < 5 || active > 0) {
      await new Promise((r) => setImmediate(r));
      expect(active).toBeLessThanOrEqual(2);
      releases.shift()?.();
    }
    expect(maxActive).toBe(2);
    expect(new Set(h.calls.map((c) => c.req.name))).toEqual(new Set(['a', 'b', 'c', 'd', 'e']));
    h.stop.abort();
    await h.done;
  });

  it('stops intake on abort, lets in-flight reconciles finish, and aborts them on hard stop', async () => {
    const source = new FakeEventSource<KubeObject>();
    let inflight: ReconcileContext | undefined;
    let finished = 0;
    const ctrl = new Controller({
      name: 'demo',
      forKind: kind,
      concurrent: 1,
      reconciler: async (_req, ctx) => {
        inflight = ctx;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        finished++;
      },
    });
    ctrl.watch(source, enqueueForObject());
    source.set(obj('a'));
    source.set(obj('b'));
    const stop = new AbortController();
    const hard = new AbortController();
    let returned = false;
    const done = ctrl.start(stop.signal, { hardStop: hard.signal }).then(() => {
      returned = true;
    });
    await until(() => inflight !== undefined);
    stop.abort();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(returned).toBe(false);
    expect(inflight!.signal.aborted).toBe(false);
    source.set(obj('c'));
    expect(ctrl.queue.len()).toBe(0);
    hard.abort();
    await done;
    expect(finished).toBe(1); // 'b' was never started
  });
});

describe('Controller logging and timeouts', () => {
  it('logs each run with controller, kind, namespace, name and reconcileID', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = newLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const source = new FakeEventSource<KubeObject>();
    let id = '';
    const ctrl = new Controller({
      name: 'demo',
      forKind: kind,
      logger,
      reconciler: async (_req, ctx) => {
        id = ctx.reconcileID;
        ctx.log.info('inside');
        throw new Error('failed to fetch artifact');
      },
    });
    ctrl.watch(source, enqueueForObject());
    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    source.set(obj('a', {}, 'apps'));
    await until(() => lines.some((l) => l.msg === 'Reconciler error'));
    stop.abort();
    await done;
    const inside = lines.find((l) => l.msg === 'inside')!;
    expect(inside).toMatchObject({ controller: 'demo', kind: 'Demo', namespace: 'apps', name: 'a', reconcileID: id });
    const failed = lines.find((l) => l.msg === 'Reconciler error')!;
    expect(failed).toMatchObject({ level: 'error', reconcileID: id, name: 'a' });
    expect(JSON.stringify(failed.err)).toContain('failed to fetch artifact');
  });

  it('logs an ordinary failure once, without a stack, above debug level (issue 26)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = newLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const source = new FakeEventSource<KubeObject>();
    const ctrl = new Controller({
      name: 'demo',
      forKind: kind,
      logger,
      reconciler: async () => {
        throw new Error("couldn't find remote ref 'refs/heads/nope'", { cause: new Error('ref listing') });
      },
    });
    ctrl.watch(source, enqueueForObject());
    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    source.set(obj('a', {}, 'apps'));
    await until(() => lines.some((l) => l.msg === 'Reconciler error'));
    stop.abort();
    await done;
    const failed = lines.find((l) => l.msg === 'Reconciler error')!;
    expect(failed['error']).toBe("couldn't find remote ref 'refs/heads/nope'");
    expect(failed['err']).toBeUndefined();
    expect(JSON.stringify(failed)).not.toContain('    at ');
  });

  it('keeps the stack of an unexpected error', () => {
    const logger = newLogger({ level: 'info', destination: { write: () => undefined } });
    expect(
      reconcileErrorFields(new TypeError("Cannot read properties of undefined (reading 'x')"), logger).err,
    ).toBeInstanceOf(TypeError);
    expect(reconcileErrorFields(new Error('transient'), logger)).toEqual({ error: 'transient' });
  });

  it('aborts the reconcile signal after reconcileTimeout and retries the key', async () => {
    const source = new FakeEventSource<KubeObject>();
    const metrics = new Metrics();
    let aborted = 0;
    const ctrl = new Controller({
      name: 'demo',
      forKind: kind,
      metrics,
      reconcileTimeout: 20,
      maxRetryDelay: 10_000,
      reconciler: async (_req, ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted++;
        throw new Error('failed to reconcile: timed out', { cause: ctx.signal.reason });
      },
    });
    ctrl.watch(source, enqueueForObject());
    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    source.set(obj('a'));
    for (let i = 0; i < 500 && aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(aborted).toBe(1);
    await until(() => ctrl.queue.numRequeues('default/a') === 1);
    stop.abort();
    await done;
    expect(await metrics.text()).toContain('controller_runtime_reconcile_errors_total{controller="demo"} 1');
  });
});

describe('handlers', () => {
  it('enqueueForOwner maps controlled objects to their owner of the right group and kind', () => {
    const map = enqueueForOwner({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' });
    const child: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'child',
        namespace: 'ns',
        ownerReferences: [
          {
            apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
            kind: 'GitRepository',
            name: 'repo',
            uid: 'u1',
            controller: true,
          },
          { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'not-controller', uid: 'u2' },
          { apiVersion: 'other.io/v1', kind: 'GitRepository', name: 'other-group', uid: 'u3', controller: true },
        ],
      },
    };
    expect(map(child)).toEqual([{ namespace: 'ns', name: 'repo' }]);
    expect(map(obj('orphan'))).toEqual([]);
  });

  it('owned and mapped watches enqueue the owner and mapped requests, old and new on update', async () => {
    const owned = new FakeEventSource<KubeObject>();
    const other = new FakeEventSource<KubeObject>();
    const seen: string[] = [];
    const ctrl = new Controller({
      name: 'demo',
      forKind: kind,
      reconciler: async (r) => void seen.push(`${r.namespace}/${r.name}`),
    });
    ctrl.watch(owned, enqueueForOwner(kind));
    ctrl.watch(other, (o) => [{ namespace: 'default', name: o.metadata.labels?.target ?? 'none' }]);
    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    owned.set({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm',
        namespace: 'default',
        ownerReferences: [{ ...kind, name: 'parent', uid: 'u', controller: true }],
      },
    });
    await until(() => seen.length === 1);
    other.set({ ...kind, metadata: { name: 'x', namespace: 'default', labels: { target: 't1' } } });
    await until(() => seen.length === 2);
    other.set({ ...kind, metadata: { name: 'x', namespace: 'default', labels: { target: 't2' } } });
    await until(() => seen.length === 4);
    expect(seen.slice(0, 2)).toEqual(['default/parent', 'default/t1']);
    expect(new Set(seen.slice(2))).toEqual(new Set(['default/t1', 'default/t2']));
    stop.abort();
    await done;
  });
});
