import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { newLogger } from '@flux-ts/runtime';
import { MaxRequestSizeBytes } from './event.ts';
import { alert, fixture, kustomizationEvent, provider } from './test-fixtures.spec-helper.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** mulberry32: a seeded PRNG, so a failing request can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'HEAD', 'OPTIONS'] as const;

function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('event server fuzz', () => {
  it('10,000 random or malformed requests: no crash, no 5xx, flat memory', { timeout: 300_000 }, async () => {
    // a silent logger: captured log lines would be retained memory of their own
    const f = fixture({ log: newLogger({ level: 'silent' }) });
    f.alerts.push(
      alert('all'),
      alert('labels', { eventSources: [{ kind: 'Kustomization', name: '*', matchLabels: { 'bad key!': 'x' } }] }),
      alert('regex', { inclusionList: ['(unclosed'], exclusionList: ['.*secret.*'] }),
    );
    f.providers.set('apps/sink', provider('sink'));
    const rand = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const randString = (n: number) =>
      Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0x2fff))).join('');
    const huge = `{"message":"${'x'.repeat(MaxRequestSizeBytes)}"}`;

    const body = (i: number): string => {
      const r = rand();
      if (r < 0.01) return huge;
      if (r < 0.2) return randString(Math.floor(rand() * 200));
      if (r < 0.3) return JSON.stringify(kustomizationEvent()).slice(0, Math.floor(rand() * 300));
      if (r < 0.4)
        return pick(['null', '[]', '{}', '1', '"x"', 'true', '{"involvedObject":null}', '{"__proto__":{"a":1}}']);
      const ev = kustomizationEvent({
        message: rand() < 0.5 ? `failure ${i % 50}` : randString(20),
        severity: pick(['info', 'error', 'trace', '']) as 'info',
      });
      const mutated: Record<string, unknown> = { ...ev };
      if (rand() < 0.2)
        mutated[pick(['message', 'reason', 'severity', 'metadata', 'involvedObject'])] = pick([1, null, [], {}, true]);
      if (rand() < 0.2) mutated['metadata'] = { __proto__: 'x', 'kustomize.toolkit.fluxcd.io/revision': randString(5) };
      return JSON.stringify(mutated);
    };

    const statuses = new Map<number, number>();
    const send = async (i: number) => {
      const method = pick(METHODS);
      const res = await f.server.app.inject({
        method,
        url: pick(['/', '/', '/x', '/%zz', '/?a=b']),
        headers: { 'content-type': pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']) },
        ...(method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? {} : { payload: body(i) }),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      return res.statusCode;
    };

    for (let i = 0; i < 1000; i++) await send(i);
    await f.server.dispatcher.idle();
    const before = heapUsedAfterGc();
    for (let i = 1000; i < 10_000; i++) await send(i);
    await f.server.dispatcher.idle();
    const after = heapUsedAfterGc();

    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([202, 400, 413]));
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    // loose: retained growth over 9,000 requests stays far below what leaking their bodies would cost
    expect(after - before).toBeLessThan(32 * 1024 * 1024);
    expect(f.posts.length).toBeGreaterThan(0);
    await f.server.app.close();
  });
});
