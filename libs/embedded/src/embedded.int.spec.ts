import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { main } from './cli.ts';
import { captured } from './cli.spec-helper.ts';
import { startEmbedded } from './embedded.ts';
import type { Embedded } from './embedded.ts';
import { allReady, fluxRows } from './status.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('npm start: bad input ends in one line and a non-zero exit', () => {
  const ctx = (argv: string[], io: ReturnType<typeof captured>['io']) => ({
    argv,
    workspace,
    cwd: tmp('embedded-cwd-'),
    io,
    signal: new AbortController().signal,
  });

  it('a port in use', async () => {
    const { server, port } = await listen();
    try {
      const c = captured();
      const code = await main(ctx(['--git-port', String(port), '--state-dir', tmp('embedded-state-')], c.io));
      expect(code).toBe(1);
      expect(c.err()).toBe(
        `flux-ts: port ${port} (git server) is already in use: stop what holds it or pass --git-port PORT\n`,
      );
    } finally {
      server.close();
    }
  });

  it('an unknown flag, a bad port and an unknown verb', async () => {
    const a = captured();
    expect(await main(ctx(['--frobnicate'], a.io))).toBe(1);
    expect(a.err()).toMatch(/^flux-ts: Unknown option '--frobnicate'/);
    expect(a.err().trim().split('\n')).toHaveLength(1);
    const b = captured();
    expect(await main(ctx(['--api-port', '99999'], b.io))).toBe(1);
    expect(b.err()).toBe('flux-ts: --api-port: not a port: 99999\n');
    const c = captured();
    expect(await main(ctx(['deploy'], c.io))).toBe(2);
    expect(c.err()).toMatch(/^flux-ts: unknown command "deploy"/);
  });

  it('validate: a repository that does not exist, a path without manifests, a bad timeout', async () => {
    const a = captured();
    expect(await main(ctx(['validate', '--repo', '/nonexistent/fleet', '--path', 'clusters/x'], a.io))).toBe(1);
    expect(a.err()).toBe('flux-ts: repository /nonexistent/fleet does not exist\n');
    const repo = tmp('embedded-fleet-');
    mkdirSync(join(repo, 'clusters', 'empty'), { recursive: true });
    writeFileSync(join(repo, 'clusters', 'empty', 'README.md'), 'nothing here\n');
    const b = captured();
    expect(await main(ctx(['validate', '--repo', repo, '--path', 'clusters/empty'], b.io))).toBe(1);
    expect(b.err()).toBe(`flux-ts: path clusters/empty in ${repo} holds no manifests\n`);
    const c = captured();
    expect(await main(ctx(['validate', '--repo', repo, '--path', 'clusters/empty', '--timeout', 'soon'], c.io))).toBe(
      1,
    );
    expect(c.err()).toBe('flux-ts: --timeout: time: invalid duration "soon"\n');
  });
});

const gvk = {
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  service: { apiVersion: 'v1', kind: 'Service' },
};

describe('npm start: the demo end to end, with the real controllers as processes', () => {
  it(
    'reaches all Ready, follows a push, and resumes after a restart without rewriting anything',
    { timeout: 300_000 },
    async () => {
      const stateDir = join(tmp('embedded-e2e-'), '.flux-ts');
      const opts = {
        workspace,
        stateDir,
        gitPort: await freePort(),
        storagePort: await freePort(),
        simulateReadyMs: 500,
      };
      let e: Embedded | undefined = await startEmbedded(opts);
      try {
        const first = e;
        await until('all Ready', async () => (allReady(await fluxRows(first.client)) ? true : undefined));
        const dep = await first.client.get<KubeObject & { spec: { replicas: number } }>(gvk.deployment, {
          namespace: 'default',
          name: 'demo',
        });
        expect(dep.spec.replicas).toBe(2);
        expect(dep.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('demo');

        // A push to the demo repository (over smart HTTP, as a user does) reaches the cluster.
        const work = first.demo!.workTree;
        const kfile = join(work, 'apps/demo/overlays/dev/kustomization.yaml');
        const { readFileSync } = await import('node:fs');
        writeFileSync(kfile, readFileSync(kfile, 'utf8').replace('count: 2', 'count: 3'));
        await run('git', ['-C', work, 'commit', '-qam', 'scale demo to 3']);
        await run('git', ['-C', work, 'push', '-q']); // as the banner prints it
        await until('replicas 3', async () => {
          const d = await first.client.get<KubeObject & { spec: { replicas: number } }>(gvk.deployment, {
            namespace: 'default',
            name: 'demo',
          });
          return d.spec.replicas === 3 ? true : undefined;
        });
        // Let the simulated rollout finish, so that the only writer left would be a controller.
        await until('the rollout of 3 replicas', async () => {
          const d = await first.client.get<
            KubeObject & { status?: { availableReplicas?: number; observedGeneration?: number } }
          >(gvk.deployment, { namespace: 'default', name: 'demo' });
          return d.status?.availableReplicas === 3 && d.status.observedGeneration === d.metadata.generation
            ? true
            : undefined;
        });
        await until('all Ready after the push', async () =>
          allReady(await fluxRows(first.client)) ? true : undefined,
        );
        const before = await Promise.all([
          first.client.get(gvk.deployment, { namespace: 'default', name: 'demo' }),
          first.client.get(gvk.service, { namespace: 'default', name: 'demo' }),
        ]);
        await first.stop();
        e = undefined;

        // Restart from the same state directory: the objects are there, nothing applied is written again.
        e = await startEmbedded(opts);
        const second = e;
        const rows = await fluxRows(second.client);
        expect(rows.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(['GitRepository/demo', 'Kustomization/demo']);
        // Ask the new kustomize-controller process for a full reconcile and wait until it has handled it.
        const ksGvk = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
        const ksKey = { namespace: 'flux-system', name: 'demo' };
        const requestedAt = new Date().toISOString();
        await second.client.patch(
          ksGvk,
          ksKey,
          { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } },
          { type: 'merge' },
        );
        await until('the requested reconcile after the restart', async () => {
          const ks = await second.client.get<KubeObject & { status?: { lastHandledReconcileAt?: string } }>(
            ksGvk,
            ksKey,
          );
          return ks.status?.lastHandledReconcileAt === requestedAt && allReady(await fluxRows(second.client))
            ? true
            : undefined;
        });
        const after = await Promise.all([
          second.client.get(gvk.deployment, { namespace: 'default', name: 'demo' }),
          second.client.get(gvk.service, { namespace: 'default', name: 'demo' }),
        ]);
        expect(after).toEqual(before);
        // The request counters agree: the new processes wrote none of the applied objects (dry-runs are counted apart).
        const writes = Object.entries(second.server.counters.snapshot()).filter(
          ([k, n]) =>
            n > 0 && /^(create|update|patch|delete) (deployments\.apps|services|configmaps|namespaces)$/.test(k),
        );
        expect(writes).toEqual([]);
      } finally {
        await e?.stop();
      }
    },
  );
});
