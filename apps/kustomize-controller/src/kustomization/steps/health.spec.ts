// The health wait's wake-up alone, against watches the test drives.
import { describe, expect, it } from 'vitest';
import { ApiError } from '@flux-ts/runtime';
import type { GroupVersionKind, KubeObject, WatchEvent, WatchOptions } from '@flux-ts/runtime';
import type { HealthRef, PendingObject } from '@flux-ts/ssa';
import { PendingWatches } from './health.ts';

const dep = (name: string, rv: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', resourceVersion: rv },
});
const ref = (name: string): HealthRef => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
});
const pending = (name: string, resourceVersion: string): PendingObject => ({ ref: ref(name), resourceVersion });

/** One driven watch stream: `send` an event, `end` it, or `fail` it; `signal` is the one the watch got. */
interface Stream {
  opts: Omit<WatchOptions, 'signal'>;
  signal: AbortSignal;
  send(ev: WatchEvent<KubeObject>): void;
  end(): void;
}

/** A client whose watches the test drives; `refuse` names objects whose watch fails at once. */
function driven(refuse: Record<string, Error> = {}) {
  const streams: Stream[] = [];
  return {
    streams,
    async *watch<T extends KubeObject>(_gvk: GroupVersionKind, opts: WatchOptions): AsyncGenerator<WatchEvent<T>> {
      const name = opts.fieldSelector!.replace('metadata.name=', '');
      const refused = refuse[name];
      if (refused) throw refused;
      const queue: (WatchEvent<KubeObject> | 'end')[] = [];
      let notify: (() => void) | undefined;
      const { signal, ...rest } = opts;
      const push = (x: WatchEvent<KubeObject> | 'end'): void => {
        queue.push(x);
        notify?.();
      };
      streams.push({ opts: rest, signal, send: push, end: () => push('end') });
      signal.addEventListener('abort', () => push('end'));
      for (;;) {
        if (queue.length === 0) await new Promise<void>((r) => (notify = r));
        const next = queue.shift()!;
        if (next === 'end') return;
        yield next as WatchEvent<T>;
      }
    },
  };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('PendingWatches', () => {
  it('watches each pending object once, from its resourceVersion, and reports what changed', async () => {
    const client = driven();
    const w = new PendingWatches(client);
    const pause = new AbortController();
    const first = w.changed([pending('a', '5'), pending('b', '')], pause.signal);
    await flush();
    expect(client.streams.map((s) => s.opts)).toEqual([
      { namespace: 'default', fieldSelector: 'metadata.name=a', resourceVersion: '5', timeoutSeconds: 300 },
      // not found when last read: watched from now on
      { namespace: 'default', fieldSelector: 'metadata.name=b', timeoutSeconds: 300 },
    ]);
    client.streams[1]!.send({ type: 'ADDED', object: dep('b', '6') });
    expect(await first).toEqual([ref('b')]);

    // the next pause keeps both watches open; an event that came in between is reported at once
    client.streams[0]!.send({ type: 'BOOKMARK', object: dep('a', '7') });
    client.streams[0]!.send({ type: 'MODIFIED', object: dep('a', '8') });
    await flush();
    expect(await w.changed([pending('a', '5'), pending('b', '6')], pause.signal)).toEqual([ref('a')]);
    expect(client.streams).toHaveLength(2);

    // an object no longer pending loses its watch; a watch the server ended is opened again from the last read
    client.streams[1]!.end();
    await flush();
    const third = w.changed([pending('b', '9')], pause.signal);
    await flush();
    expect(client.streams[0]!.signal.aborted).toBe(true);
    expect(client.streams[2]!.opts).toMatchObject({ fieldSelector: 'metadata.name=b', resourceVersion: '9' });
    client.streams[2]!.send({ type: 'DELETED', object: dep('b', '10') });
    expect(await third).toEqual([ref('b')]);

    w.close();
    expect(client.streams[2]!.signal.aborted).toBe(true);
  });

  it('ends a call with its pause, and leaves a refused or failed watch to the poll', async () => {
    const forbidden = new ApiError('deployments.apps is forbidden', { status: 403, reason: 'Forbidden' });
    const client = driven({ a: forbidden });
    const w = new PendingWatches(client);
    const pause = new AbortController();
    const call = w.changed([pending('a', '5'), pending('b', '6')], pause.signal);
    pause.abort(new Error('pause over'));
    await expect(call).rejects.toThrow('pause over');

    // b's watch fails with an ERROR event (e.g. 410 Gone); a is not watched again: nothing is left to watch
    client.streams[0]!.send({ type: 'ERROR', object: dep('b', '0') });
    await flush();
    await expect(w.changed([pending('a', '5'), pending('b', '6')], new AbortController().signal)).rejects.toThrow(
      'no watch open',
    );
    expect(client.streams).toHaveLength(1);
    w.close();
  });
});
