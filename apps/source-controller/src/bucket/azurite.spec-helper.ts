/**
 * Test peer: Azurite (npm `azurite`, Microsoft's Azure Storage emulator), its blob service in its own Node process
 * in memory, behind a small counting front so tests can tell listings from downloads.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { until } from '@flux-ts/testing';

/** Azurite's well-known development account. */
export const AzuriteAccount = 'devstoreaccount1';
/** Azurite's well-known development account key (public, documented by Microsoft). */
export const AzuriteKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite blob service with request counts by `<METHOD> <list|container|blob>`. */
export interface AzuriteServer {
  /** `http://127.0.0.1:<port>/devstoreaccount1` of the counting front (the Bucket `endpoint`). */
  endpoint: string;
  counts(): Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Starts `azurite-blob` in memory on a free port. */
export async function startAzurite(): Promise<AzuriteServer> {
  const port = await freePort();
  const pkg = createRequire(import.meta.url).resolve('azurite/package.json');
  const bin = join(dirname(pkg), 'dist', 'src', 'blob', 'main.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await until(
    () => `azurite-blob on ${port} (stderr: ${stderr})`,
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    30_000,
  );
  let counts: Record<string, number> = {};
  const front: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const parts = u.pathname.split('/').filter(Boolean);
    const kind = u.searchParams.get('comp') === 'list' ? 'list' : parts.length <= 2 ? 'container' : 'blob';
    const key = `${req.method} ${kind}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}/${AzuriteAccount}`,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    close: async () => {
      front.closeAllConnections();
      await new Promise<void>((r) => front.close(() => r()));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
