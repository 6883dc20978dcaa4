import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './port.ts';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', () => {
  it('gives a port below the ephemeral range that a server can then bind', async () => {
    const port = await freePort();
    if (ephemeralLow >= 32_768) expect(port).toBeLessThan(ephemeralLow);
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never gives a port that is being listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    const servers = await Promise.all(
      ports.map(
        (port) =>
          new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
            const s = createServer();
            s.once('error', () => resolve(undefined));
            s.listen(port, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    const bound = servers.filter((s) => s !== undefined);
    const held = new Set(bound.map((s) => (s.address() as { port: number }).port));
    for (let i = 0; i < 20; i++) expect(held.has(await freePort())).toBe(false);
    await Promise.all(bound.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });
});
