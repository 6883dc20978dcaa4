/**
 * Test peer: s3rver 3.7.1 (npm; Debian has no S3 server) in its own Node process with `--openssl-legacy-provider`
 * (its listing tokens use DES), behind a small counting front so tests can tell listings from downloads.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { until } from '@flux-ts/testing';

/** A running s3rver with request counts by `<METHOD> <bucket|object|list>`. */
export interface S3Server {
  /** `127.0.0.1:<port>` of the counting front (the Bucket `endpoint`). */
  endpoint: string;
  counts(): Record<string, number>;
  resetCounts(): void;
  /** The `x-amz-security-token` headers seen (temporary credentials from an STS). */
  sessionTokens(): string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Starts s3rver storing under `dir` with the given buckets. */
export async function startS3(dir: string, buckets: string[]): Promise<S3Server> {
  const port = await freePort();
  const main = createRequire(import.meta.url).resolve('s3rver');
  const script = `const S3rver = require(${JSON.stringify(main)}); new S3rver({ address: '127.0.0.1', port: ${port}, directory: ${JSON.stringify(dir)}, silent: true, configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} }).run();`;
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await until(
    () => `s3rver on ${port} (stderr: ${stderr})`,
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
  const tokens: string[] = [];
  const front: Server = createServer((req, res) => {
    const token = req.headers['x-amz-security-token'];
    if (typeof token === 'string') tokens.push(token);
    const u = new URL(req.url ?? '/', 'http://x');
    const parts = u.pathname.split('/').filter(Boolean);
    const kind = parts.length <= 1 ? (u.searchParams.has('list-type') ? 'list' : 'bucket') : 'object';
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
    endpoint: `127.0.0.1:${(front.address() as AddressInfo).port}`,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    sessionTokens: () => [...tokens],
    close: async () => {
      front.closeAllConnections();
      await new Promise<void>((r) => front.close(() => r()));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
