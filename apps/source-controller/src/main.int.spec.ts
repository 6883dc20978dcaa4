import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceGroupVersion } from '@flux-ts/api';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient, loadKubeConfig } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { makeRepo, startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpServer, Repo } from '@flux-ts/testbed';
import { captureIO } from '@flux-ts/testing';
import { freePort, until } from './gitrepository/harness.spec-helper.ts';
import type { GitRepo } from './gitrepository/harness.spec-helper.ts';
import { main } from './index.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const gitGVK = { apiVersion: SourceGroupVersion, kind: 'GitRepository' };

describe('source-controller main runs the GitRepository controller', () => {
  let dir: string;
  let server: ApiServer;
  let client: KubeClient;
  let kubeconfig: string;
  let http: GitHttpServer;
  let repo: Repo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-source-main-'));
    server = await startApiServer({ port: 0, crdsDir: join(repoRoot, 'deploy', 'crds') });
    kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, server.kubeconfig);
    client = KubeClient.fromKubeConfig(loadKubeConfig({ kubeconfig, env: {} }));
    repo = await makeRepo({ root: join(dir, 'git'), name: 'app', commits: [{ files: { 'a.txt': 'a\n' } }] });
    http = await startGitHttpServer({ root: join(dir, 'git') });
  }, 120_000);

  afterAll(async () => {
    await http?.close();
    await repo?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function readyRevision(name: string): Promise<string> {
    return until(`${name} Ready`, async () => {
      const obj = await client.get<GitRepo>(gitGVK, { namespace: 'default', name });
      const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' ? obj.status?.artifact?.revision : undefined;
    });
  }

  function args(storage: string, port: number, metricsPort: number): string[] {
    return [
      '--kubeconfig',
      kubeconfig,
      '--storage-path',
      storage,
      '--storage-addr',
      `127.0.0.1:${port}`,
      '--storage-adv-addr',
      `127.0.0.1:${port}`,
      '--metrics-addr',
      `127.0.0.1:${metricsPort}`,
      '--health-addr',
      '127.0.0.1:0',
      '--log-level=error',
    ];
  }

  it('in-process: reconciles, serves artifacts and metrics, exits 0 on shutdown', { timeout: 120_000 }, async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    await client.create({
      ...gitGVK,
      metadata: { name: 'in-process', namespace: 'default' },
      spec: { url: `${http.url}/app.git`, interval: '5m', ref: { branch: 'main' } },
    } as KubeObject);
    const stop = new AbortController();
    const c = captureIO();
    const exit = main(args(join(dir, 'storage-1'), port, metricsPort), {}, c.io, stop.signal);
    expect(await readyRevision('in-process')).toBe(`main@sha1:${await repo.revParse('main')}`);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /gotk_reconcile_duration_seconds_count\{kind="GitRepository",name="in-process",namespace="default"\} [1-9]/,
    );
    expect(metrics).toMatch(/controller_runtime_max_concurrent_reconciles\{controller="gitrepository"\} 2/);
    // the series Flux's dashboards and alerts read from a controller (issue 29)
    expect(metrics).toMatch(/^controller_runtime_reconcile_errors_total\{controller="gitrepository"\} \d+$/m);
    expect(metrics).toMatch(/^controller_runtime_reconcile_panics_total\{controller="gitrepository"\} 0$/m);
    expect(metrics).toMatch(/^rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:\d+"\} [1-9]/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total [0-9.e+-]+$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes [1-9]/m);
    expect(metrics).toMatch(/^go_info\{version="node24\.[0-9.]+"\} 1$/m);
    expect(metrics).toMatch(/^go_memstats_alloc_bytes [1-9]/m);
    expect(metrics).toMatch(/^nodejs_heap_size_used_bytes [1-9]/m);
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('with --enable-leader-election: takes the Lease, then serves artifacts', { timeout: 120_000 }, async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    await client.create({
      ...gitGVK,
      metadata: { name: 'elected', namespace: 'default' },
      spec: { url: `${http.url}/app.git`, interval: '5m', ref: { branch: 'main' } },
    } as KubeObject);
    const stop = new AbortController();
    const c = captureIO();
    const exit = main(
      [...args(join(dir, 'storage-le'), port, metricsPort), '--enable-leader-election'],
      { RUNTIME_NAMESPACE: 'default', HOSTNAME: 'source-controller-0' },
      c.io,
      stop.signal,
    );
    expect(await readyRevision('elected')).toBe(`main@sha1:${await repo.revParse('main')}`);
    const lease = await client.get<KubeObject & { spec?: { holderIdentity?: string } }>(
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
      { namespace: 'default', name: 'source-controller-leader-election' },
    );
    expect(lease.spec?.holderIdentity).toBeTruthy();
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('with --enable-leader-election and no namespace: exits 1 at start, as Flux does (issue 26)', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const c = captureIO();
    const code = await main(
      [...args(join(dir, 'storage-no-ns'), port, metricsPort), '--enable-leader-election'],
      { HOSTNAME: 'source-controller-0' },
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err()).toContain(
      'unable to find leader election namespace: not running in-cluster, please specify LeaderElectionNamespace',
    );
  });

  it('`npx flux-ts-source-controller` runs the controller and stops on SIGTERM', { timeout: 180_000 }, async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    await client.create({
      ...gitGVK,
      metadata: { name: 'from-bin', namespace: 'default' },
      spec: { url: `${http.url}/app.git`, interval: '5m', ref: { branch: 'main' } },
    } as KubeObject);
    const child = spawn('npx', ['flux-ts-source-controller', ...args(join(dir, 'storage-2'), port, metricsPort)], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PATH: [join(repoRoot, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    try {
      expect(await readyRevision('from-bin')).toBe(`main@sha1:${await repo.revParse('main')}`);
      const obj = await client.get<GitRepo>(gitGVK, { namespace: 'default', name: 'from-bin' });
      const res = await fetch(obj.status!.artifact!.url);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    } finally {
      // SIGTERM to the process group, as a container runtime does: npx and the controller's node process.
      process.kill(-child.pid!, 'SIGTERM');
    }
    await exited;
    // The controller shut down: its artifact server no longer accepts connections.
    await until(`artifact server on ${port} closed (stderr: ${stderr})`, async () => {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        return false;
      } catch {
        return true;
      }
    });
  });
});
