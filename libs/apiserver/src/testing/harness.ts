/** Helpers for the integration suites: real kubectl with a private HOME/KUBECONFIG, and raw HTTPS requests. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../server.ts';

/** The kubectl binary the suites drive (the image's version dispatcher). */
export const KUBECTL = process.env['FLUX_TS_KUBECTL'] ?? '/usr/bin/kubectl';

/** True when a kubectl binary is available. */
export const hasKubectl = (): boolean => existsSync(KUBECTL);

/** Result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A server plus a private kubectl environment. */
export interface Cluster {
  server: ApiServer;
  dir: string;
  env: NodeJS.ProcessEnv;
  kubectl(args: string[], opts?: { stdin?: string; bin?: string }): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  ok(args: string[], opts?: { stdin?: string; bin?: string }): Promise<string>;
  spawn(args: string[]): ChildProcess;
  stop(): Promise<void>;
}

/** Start a server and a temp HOME/KUBECONFIG for kubectl. */
export const startCluster = async (opts: ApiServerOptions = {}): Promise<Cluster> => {
  const dir = await mkdtemp(join(tmpdir(), 'flux-ts-apiserver-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const server = await startApiServer({ ...opts, kubeconfigPath });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    KUBECONFIG: kubeconfigPath,
  };
  const kubectl = (args: string[], o: { stdin?: string; bin?: string } = {}): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        o.bin ?? KUBECTL,
        args,
        { env, timeout: 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (o.stdin !== undefined) child.stdin?.end(o.stdin);
    });
  return {
    server,
    dir,
    env,
    kubectl,
    ok: async (args, o) => {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    spawn: (args) => spawn(KUBECTL, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    stop: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** A raw HTTPS response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): Record<string, unknown>;
}

/** Send one request to the server with the admin token (or the given headers). */
export const raw = (
  server: ApiServer,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const u = new URL(path, server.url);
    const req = request(
      {
        method,
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        ca: server.caPem,
        headers: {
          Authorization: `Bearer ${server.adminToken}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });

/** Write a manifest into the cluster's temp dir and return its path. */
export const manifest = async (c: Cluster, name: string, yaml: string): Promise<string> => {
  const p = join(c.dir, name);
  await writeFile(p, yaml);
  return p;
};

/** Poll until `fn` returns a truthy value (or throw after `timeoutMs`). */
export const eventually = async <T>(fn: () => Promise<T> | T, timeoutMs = 10_000, stepMs = 50): Promise<T> => {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, stepMs));
  }
};
