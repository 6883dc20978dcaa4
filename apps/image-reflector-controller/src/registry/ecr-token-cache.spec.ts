import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrTokenCache } from './ecr-token-cache.ts';

// The real SDK against a loopback ECR endpoint: tokens with a given lifetime, counted calls.
let server: Server;
let endpoint = '';
let calls = 0;
let lifetimeS = 3600;
let now = 1_800_000_000_000;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:token-${calls}`).toString('base64'),
              expiresAt: now / 1000 + lifetimeS,
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const REGISTRY = '123456789012.dkr.ecr.eu-west-3.amazonaws.com';

describe('EcrTokenCache', () => {
  it('keeps a token until shortly before it expires, then fetches a new one', async () => {
    calls = 0;
    lifetimeS = 3600;
    const cache = new EcrTokenCache({
      clientConfig: { endpoint, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } },
      now: () => now,
    });
    const signal = AbortSignal.timeout(10_000);
    const [a, b] = await Promise.all([cache.get(REGISTRY, signal), cache.get(REGISTRY, signal)]);
    expect(a).toEqual({ username: 'AWS', password: 'token-1' });
    expect(b).toEqual(a);
    expect(calls).toBe(1);
    now += 50 * 60 * 1000; // 10 minutes left: still fresh
    expect(await cache.get(REGISTRY, signal)).toEqual({ username: 'AWS', password: 'token-1' });
    now += 6 * 60 * 1000; // 4 minutes left: within the 5 minute margin
    expect(await cache.get(REGISTRY, signal)).toEqual({ username: 'AWS', password: 'token-2' });
    expect(calls).toBe(2);
    cache.invalidate(REGISTRY);
    expect(await cache.get(REGISTRY, signal)).toEqual({ username: 'AWS', password: 'token-3' });
    expect(cache.fetches).toBe(3);
  });
});
