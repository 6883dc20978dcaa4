import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ProviderType } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { expect } from 'vitest';
import type { ProviderSettings } from '../types.ts';

/** Upstream's `testEvent()` (notifier client_test.go), at the fixed time its HMAC test uses. */
export function testEvent(over: Partial<FluxEvent> = {}): FluxEvent {
  return {
    involvedObject: { kind: 'GitRepository', namespace: 'gitops-system', name: 'webapp', apiVersion: '' },
    severity: 'info',
    timestamp: '2022-09-30T06:40:29Z',
    message: 'message',
    reason: 'reason',
    metadata: { test: 'metadata' },
    reportingController: 'source-controller',
    reportingInstance: 'source-controller-xyz',
    ...over,
  };
}

/** Provider settings with empty secrets and a 5 s timeout. */
export function settingsFor(type: ProviderType, over: Partial<ProviderSettings> = {}): ProviderSettings {
  return {
    type,
    address: '',
    channel: '',
    username: '',
    token: '',
    password: '',
    headers: {},
    timeoutMs: 5000,
    provider: { name: 'p', namespace: 'default', uid: '6d0cdc51-ddcf-4743-b223-83ca5c699632' },
    ...over,
  };
}

/** A signal for one test send. */
export const signal = (): AbortSignal => AbortSignal.timeout(5000);

/** Awaits a rejection and returns it as an Error. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** Asserts that no secret appears in an error's message, nor in its causes' messages. */
export function expectNoSecret(err: unknown, ...secrets: string[]): void {
  for (let e = err as { message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const text = String(e.message ?? '');
    for (const s of secrets) expect(text).not.toContain(s);
  }
}

/** A CONNECT proxy that tunnels every request to one loopback port and records the targets asked for. */
export interface Tunnel {
  url: string;
  targets: string[];
  close(): Promise<void>;
}

/**
 * Starts a {@link Tunnel} to `port` on 127.0.0.1: a fixed-host type (a `.webhook.office.com` address) then
 * reaches a loopback sink through the Provider's proxy.
 */
export async function startTunnel(port: number): Promise<Tunnel> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
