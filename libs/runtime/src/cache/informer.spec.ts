import { describe, expect, it } from 'vitest';
import { ApiError } from '../client/errors.ts';
import type { GroupVersionKind, KubeObject, ListResult, WatchEvent, WatchOptions } from '../client/types.ts';
import { Informer, type ListWatchClient } from './informer.ts';

type Ev = WatchEvent<KubeObject>;

/** A scripted list/watch source: a store with a resourceVersion counter and an event history. */
class FakeApi implements ListWatchClient {
  rv = 0;
  objects = new Map<string, KubeObject>();
  history: { rv: number; ev: Ev }[] = [];
  compactedRv = 0;
  lists = 0;
  watches: (string | undefined)[] = [];
  /** Next watch calls fail with these errors first. */
  failWatches: Error[] = [];
  /** Replay this many already-delivered events again on the next watch (a misbehaving server). */
  replayExtra = 0;
  #live = new Set<{ push(ev: Ev | undefined): void }>();

  write(type: 'ADDED' | 'MODIFIED' | 'DELETED', name: string, v: string): void {
    this.rv++;
    const obj: KubeObject & { data: unknown } = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: 'ns',
        uid: `uid-${name}`,
        resourceVersion: String(this.rv),
        managedFields: [{ manager: 'x' }],
      },
      data: { v },
    };
    if (type === 'DELETED') this.objects.delete(name);
    else this.objects.set(name, obj);
    const ev: Ev = { type, object: obj };
    this.history.push({ rv: this.rv, ev });
    for (const w of this.#live) w.push(structuredClone(ev));
  }

  disconnect(): void {
    for (const w of this.#live) w.push(undefined);
  }

  async list(_gvk: GroupVersionKind, opts: { continue?: string; limit?: number }): Promise<ListResult<KubeObject>> {
    this.lists++;
    const all = [...this.objects.values()].map((o) => structuredClone(o));
    const start = Number(opts.continue ?? '0');
    const end = opts.limit ? start + opts.limit : all.length;
    return {
      items: all.slice(start, end),
      resourceVersion: String(this.rv),
      ...(end < all.length ? { continue: String(end) } : {}),
    };
  }

  async *watch(_gvk: GroupVersionKind, opts: WatchOptions): AsyncGenerator<Ev> {
    this.watches.push(opts.resourceVersion);
    const fail = this.failWatches.shift();
    if (fail) throw fail;
    const from = Number(opts.resourceVersion ?? '0');
    if (from < this.compactedRv) {
      yield {
        type: 'ERROR',
        object: {
          apiVersion: 'v1',
          kind: 'Status',
          metadata: { name: '' },
          code: 410,
          reason: 'Expired',
          message: 'too old resource version',
        } as KubeObject,
      };
      return;
    }
    const queue: (Ev | undefined)[] = [];
    let wake: (() => void) | undefined;
    const sub = {
      push: (ev: Ev | undefined) => {
        queue.push(ev);
        wake?.();
      },
    };
    const replay = this.history.filter((h) => h.rv > from);
    const extra = this.replayExtra > 0 ? this.history.filter((h) => h.rv <= from).slice(-this.replayExtra) : [];
    this.replayExtra = 0;
    for (const h of [...extra, ...replay]) queue.push(structuredClone(h.ev));
    this.#live.add(sub);
    const onAbort = (): void => sub.push(undefined);
    opts.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const ev = queue.shift();
        if (ev === undefined) return;
        yield ev;
      }
    } finally {
      this.#live.delete(sub);
      opts.signal.removeEventListener('abort', onAbort);
    }
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const gvk = { apiVersion: 'v1', kind: 'ConfigMap' };

function setup(api: FakeApi): {
  inf: Informer<KubeObject & { data?: { v?: string } }>;
  log: string[];
  ac: AbortController;
} {
  const inf = new Informer<KubeObject & { data?: { v?: string } }>(api, gvk, {
    pageSize: 2,
    backoff: { initialMs: 1, maxMs: 5 },
  });
  const log: string[] = [];
  inf.onEvent((e) =>
    log.push(`${e.type} ${e.object.metadata.name}@${e.object.data?.v}${e.old ? ` (was ${e.old.data?.v})` : ''}`),
  );
  const ac = new AbortController();
  inf.start(ac.signal);
  return { inf, log, ac };
}

describe('Informer (scripted API)', () => {
  it('lists in pages, watches from the list resourceVersion, and strips managedFields', async () => {
    const api = new FakeApi();
    for (const n of ['a', 'b', 'c']) api.write('ADDED', n, '1');
    const { inf, log, ac } = setup(api);
    await inf.waitForSync(ac.signal);
    expect(api.lists).toBe(2);
    expect(log).toEqual(['ADDED a@1', 'ADDED b@1', 'ADDED c@1']);
    await until(() => api.watches.length === 1, 'watch');
    expect(api.watches).toEqual(['3']);
    expect(inf.get({ namespace: 'ns', name: 'a' })?.metadata.managedFields).toBeUndefined();
    api.write('MODIFIED', 'a', '2');
    await until(() => log.length === 4, 'modify');
    expect(log[3]).toBe('MODIFIED a@2 (was 1)');
    expect(inf.lastSyncResourceVersion()).toBe('4');
    ac.abort();
  });

  it('resumes after a dropped watch and skips events it already holds', async () => {
    const api = new FakeApi();
    api.write('ADDED', 'a', '1');
    const { inf, log, ac } = setup(api);
    await inf.waitForSync(ac.signal);
    await until(() => api.watches.length === 1, 'watch');
    api.write('MODIFIED', 'a', '2');
    await until(() => log.length === 2, 'first change');
    api.replayExtra = 1; // the server re-sends `MODIFIED a@2` on the next watch
    api.disconnect();
    api.write('ADDED', 'b', '1');
    await until(() => log.length === 3, 'second change');
    await until(() => api.watches.length === 2, 'rewatch');
    expect(api.watches).toEqual(['1', '2']);
    expect(log).toEqual(['ADDED a@1', 'MODIFIED a@2 (was 1)', 'ADDED b@1']);
    expect(api.lists).toBe(1);
    ac.abort();
  });

  it('relists on a 410 ERROR event and emits only the differences', async () => {
    const api = new FakeApi();
    for (const n of ['keep', 'change', 'gone']) api.write('ADDED', n, '1');
    const { inf, log, ac } = setup(api);
    await inf.waitForSync(ac.signal);
    await until(() => api.watches.length === 1, 'watch');
    log.length = 0;
    api.failWatches.push(new Error('connection reset'));
    api.disconnect();
    // changes while disconnected, then the history is compacted
    api.write('MODIFIED', 'change', '2');
    api.write('DELETED', 'gone', '1');
    api.write('ADDED', 'new', '1');
    api.compactedRv = api.rv;
    await until(() => inf.listCount() === 2 && log.length === 3, 'relist');
    expect(log.sort()).toEqual(['ADDED new@1', 'DELETED gone@1', 'MODIFIED change@2 (was 1)']);
    expect(
      inf
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['change', 'keep', 'new']);
    ac.abort();
  });

  it('relists when the watch call itself answers 410, and reconnects after other errors', async () => {
    const api = new FakeApi();
    api.write('ADDED', 'a', '1');
    api.failWatches.push(
      new ApiError('boom', { status: 500 }),
      new ApiError('too old', { status: 410, reason: 'Expired' }),
    );
    const { inf, ac } = setup(api);
    await inf.waitForSync(ac.signal);
    await until(() => api.watches.length === 3, 'three watches');
    expect(inf.listCount()).toBe(2);
    ac.abort();
  });

  it('keeps delivering when a handler throws', async () => {
    const api = new FakeApi();
    const { inf, log, ac } = setup(api);
    inf.onEvent(() => {
      throw new Error('handler bug');
    });
    await inf.waitForSync(ac.signal);
    api.write('ADDED', 'x', '1');
    api.write('ADDED', 'y', '1');
    await until(() => log.length === 2, 'both events');
    expect(log).toEqual(['ADDED x@1', 'ADDED y@1']);
    ac.abort();
  });

  it('fails fast on a malformed label selector and filters cached lists by one', async () => {
    const api = new FakeApi();
    expect(() => new Informer(api, gvk, { labelSelector: 'a=b=c' })).toThrow(
      "found '=', expected: ',' or 'end of string'",
    );
    api.write('ADDED', 'a', '1');
    const { inf, ac } = setup(api);
    await inf.waitForSync(ac.signal);
    expect(inf.list({ labelSelector: '!app' }).map((o) => o.metadata.name)).toEqual(['a']);
    expect(inf.list({ labelSelector: 'app notin (web)' })).toHaveLength(1);
    expect(inf.list({ labelSelector: 'app' })).toEqual([]);
    ac.abort();
  });
});
