import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Where {@link freePort} looks first: below the kernel's ephemeral range, which `listen(0)` draws from. */
const FIXED_RANGE = { low: 20_000, high: 32_768 } as const;

/** The low end of the kernel's ephemeral port range (Linux `ip_local_port_range`), or undefined where unknown. */
function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : undefined;
  } catch {
    return undefined;
  }
}

/** Listens on 127.0.0.1:`port` (0: the kernel's pick), closes, and resolves with the port, or undefined if taken. */
async function probe(port: number): Promise<number | undefined> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!bound) return undefined;
  const got = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return got;
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on now, for a server another process binds later. It is drawn at
 * random below the kernel's ephemeral range: a port from `listen(0)` is released before the child binds it, and in
 * that window any process's `listen(0)` or outgoing connection may take it (a controller then exits with
 * EADDRINUSE until the port is free again); ports below that range are handed out only on request. Where the
 * ephemeral range is unknown or starts too low, the kernel's pick.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low !== undefined && low >= FIXED_RANGE.high) {
    for (let i = 0; i < 64; i++) {
      const candidate = FIXED_RANGE.low + Math.floor(Math.random() * (FIXED_RANGE.high - FIXED_RANGE.low));
      const port = await probe(candidate);
      if (port !== undefined) return port;
    }
  }
  const port = await probe(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
