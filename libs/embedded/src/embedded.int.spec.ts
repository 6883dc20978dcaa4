import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, run } from '@flux-ts/testbed';
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
  secret: { apiVersion: 'v1', kind: 'Secret' },
  helmRelease: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
};
type Container = { image: string; env?: { name: string; value: string }[] };
type Deployment = KubeObject & { spec: { replicas: number; template: { spec: { containers: Container[] } } } };
type Flux = KubeObject & {
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    lastHandledReconcileAt?: string;
    observedGeneration?: number;
    history?: { version: number; status: string }[];
  };
};
const hello = { namespace: 'default', name: 'hello' };
const helloHr = { namespace: 'flux-system', name: 'hello' };
const helloRelease = { namespace: 'flux-system', name: 'sh.helm.release.v1.hello.v1' };

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
        chartPort: await freePort(),
        simulateReadyMs: 500,
      };
      let e: Embedded | undefined = await startEmbedded(opts);
      try {
        const first = e;
        // The first start builds the chart's HelmChart and installs the release besides the Kustomization.
        await until('all Ready', async () => (allReady(await fluxRows(first.client)) ? true : undefined), 180_000);
        const dep = await first.client.get<KubeObject & { spec: { replicas: number } }>(gvk.deployment, {
          namespace: 'default',
          name: 'demo',
        });
        expect(dep.spec.replicas).toBe(2);
        expect(dep.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe('demo');

        // The HelmRelease of the demo chart, served by the local chart repository, is released into default.
        const hr = await until('the HelmRelease settled', async () => {
          const x = await first.client.get<Flux>(gvk.helmRelease, helloHr);
          const settled =
            x.status?.observedGeneration === x.metadata.generation &&
            !x.status?.conditions?.some((c) => c.type === 'Reconciling');
          return settled ? x : undefined;
        });
        expect(hr.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
          status: 'True',
          reason: 'InstallSucceeded',
          message: 'Helm install succeeded for release default/hello.v1 with chart hello@0.1.0',
        });
        const helloDep = await first.client.get<Deployment>(gvk.deployment, hello);
        expect(helloDep.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
        expect(helloDep.spec.template.spec.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.7.0');
        expect(helloDep.spec.template.spec.containers[0]?.env).toEqual([
          { name: 'PODINFO_UI_MESSAGE', value: 'hello from flux-ts' },
        ]);
        await first.client.get(gvk.service, hello);
        const release = await first.client.get(gvk.secret, helloRelease);
        expect(release.metadata.labels).toMatchObject({
          owner: 'helm',
          name: 'hello',
          status: 'deployed',
          version: '1',
        });

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
        // The push reached the GitRepository through the Receiver (GitHub's signed webhook): notification-controller
        // writes requestedAt as Go's time.Time prints it; and the demo Alert logged the events to alerts.log.
        const gitRepo = await first.client.get<KubeObject>(
          { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
          { namespace: 'flux-system', name: 'demo' },
        );
        expect(gitRepo.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toMatch(/ \+0000 UTC$/);
        const alerts = await until('the Alert logged a Kustomization event', async () => {
          const lines = readFileSync(first.notifications!.alertsLog, 'utf8').trim().split('\n');
          const events = lines.map((l) => JSON.parse(l) as { involvedObject: { kind: string }; reason: string });
          return events.some((ev) => ev.involvedObject.kind === 'Kustomization') ? events : undefined;
        });
        expect(alerts.every((ev) => typeof ev.reason === 'string' && ev.reason !== '')).toBe(true);
        const before = await Promise.all([
          first.client.get(gvk.deployment, { namespace: 'default', name: 'demo' }),
          first.client.get(gvk.service, { namespace: 'default', name: 'demo' }),
          first.client.get(gvk.deployment, hello),
          first.client.get(gvk.service, hello),
          first.client.get(gvk.secret, helloRelease),
        ]);
        await first.stop();
        e = undefined;

        // Restart from the same state directory: the objects are there, nothing applied is written again.
        e = await startEmbedded(opts);
        const second = e;
        const rows = await fluxRows(second.client);
        expect(rows.map((r) => `${r.kind}/${r.name}`).sort()).toEqual([
          'GitRepository/demo',
          'HelmChart/flux-system-hello',
          'HelmRelease/hello',
          'HelmRepository/demo',
          'Kustomization/demo',
          'Receiver/demo',
        ]);
        // Ask the new kustomize-controller and helm-controller processes for a full reconcile and wait until both
        // have handled it.
        const ksGvk = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
        const ksKey = { namespace: 'flux-system', name: 'demo' };
        const requestedAt = new Date().toISOString();
        const request = { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } };
        await second.client.patch(ksGvk, ksKey, request, { type: 'merge' });
        await second.client.patch(gvk.helmRelease, helloHr, request, { type: 'merge' });
        await until('the requested reconciles after the restart', async () => {
          const ks = await second.client.get<Flux>(ksGvk, ksKey);
          const hr = await second.client.get<Flux>(gvk.helmRelease, helloHr);
          return ks.status?.lastHandledReconcileAt === requestedAt &&
            hr.status?.lastHandledReconcileAt === requestedAt &&
            allReady(await fluxRows(second.client))
            ? true
            : undefined;
        });
        const after = await Promise.all([
          second.client.get(gvk.deployment, { namespace: 'default', name: 'demo' }),
          second.client.get(gvk.service, { namespace: 'default', name: 'demo' }),
          second.client.get(gvk.deployment, hello),
          second.client.get(gvk.service, hello),
          second.client.get(gvk.secret, helloRelease),
        ]);
        expect(after).toEqual(before);
        const hrAfter = await second.client.get<Flux>(gvk.helmRelease, helloHr);
        expect(hrAfter.status?.history?.map((h) => [h.version, h.status])).toEqual([[1, 'deployed']]);
        // The request counters agree: the new processes wrote none of the applied objects and no release record
        // (dry-runs are counted apart).
        const writes = Object.entries(second.server.counters.snapshot()).filter(
          ([k, n]) =>
            n > 0 &&
            /^(create|update|patch|delete) (deployments\.apps|services|configmaps|namespaces|secrets)$/.test(k),
        );
        expect(writes).toEqual([]);
      } finally {
        await e?.stop();
      }
    },
  );
});
