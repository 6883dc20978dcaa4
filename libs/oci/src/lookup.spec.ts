import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.ts';

// A registry name that does not resolve, mapped to a loopback server by the `lookup` option.
let server: Server;
let port = 0;
const hosts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ name: 'app', tags: ['1.0.0'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('RegistryClient lookup option', () => {
  it('connects where the lookup says and keeps the registry name in Host', async () => {
    const looked: string[] = [];
    const lookup = ((hostname: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
      looked.push(hostname);
      // net asks for all addresses (happy eyeballs) or for one
      if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    const registry = `123456789012.dkr.ecr.eu-west-3.amazonaws.com:${port}`;
    const client = new RegistryClient({ insecure: true, lookup });
    expect(await client.listTags(registry, 'app', AbortSignal.timeout(5000))).toEqual(['1.0.0']);
    expect(looked).toEqual(['123456789012.dkr.ecr.eu-west-3.amazonaws.com']);
    expect(hosts).toEqual([registry]);
  });
});
