/**
 * deploy/install run by the process runtime (issue 20, part 3): the six Deployments become Available from their
 * probes; the getting-started flow works with each controller on its own ServiceAccount token; source-controller's
 * token may not create a Deployment; a second source-controller replica takes over when the leader is killed and
 * artifacts keep being served; a changed `--concurrent` restarts only kustomize-controller.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeClient, loadKubeConfig } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { makeRepo, startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpServer, Repo } from '@flux-ts/testbed';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { SERVICE_ACCOUNT_DIR_ENV, startProcessRuntime } from './process-runtime/process-runtime.ts';
import type { ProcessRuntime, RuntimePodInfo } from './process-runtime/process-runtime.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const NS = 'flux-system';
const CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
  'image-reflector-controller',
  'image-automation-controller',
];
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };
/** Fast leader election for source-controller, so that a takeover fits in a test (Flux: 35s/30s/5s). */
const FAST_ELECTION = [
  '--leader-election-lease-duration=6s',
  '--leader-election-renew-deadline=4s',
  '--leader-election-retry-period=1s',
];

interface DeploymentObj extends KubeObject {
  spec: { replicas?: number; template: { spec: { containers: { args: string[] }[] } } };
  status?: { availableReplicas?: number; conditions?: { type: string; status: string }[] };
}

describe('the process runtime runs deploy/install', () => {
  let env: TestEnv;
  let runtime: ProcessRuntime;
  let git: GitHttpServer;
  let repo: Repo;
  const errors: Error[] = [];

  const podsOf = (deployment: string): RuntimePodInfo[] => runtime.pods().filter((p) => p.deployment === deployment);
  const available = async (name: string): Promise<boolean> => {
    const d = await env.client.get<DeploymentObj>(DEPLOYMENT, { namespace: NS, name });
    return d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true;
  };

  beforeAll(async () => {
    env = await startTestEnv({ dirPrefix: 'flux-ts-process-runtime-' });
    const built = await run(KUBECTL, ['kustomize', resolve(REPO, 'deploy/install')], { maxBuffer: 64 << 20 });
    const docs = parseAllDocuments(built.stdout).map((d) => d.toJS() as DeploymentObj);
    const source = docs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'source-controller')!;
    source.spec.template.spec.containers[0]!.args.push(...FAST_ELECTION);
    const file = join(env.dir, 'install.yaml');
    writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    await run(KUBECTL, ['--kubeconfig', env.kubeconfigPath, 'apply', '--server-side', '-f', file]);

    git = await startGitHttpServer({ root: join(env.dir, 'git') });
    repo = await makeRepo({
      root: join(env.dir, 'git'),
      name: 'fleet',
      commits: [
        {
          files: {
            'apps/hello.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: hi\n',
          },
        },
      ],
    });
    runtime = await startProcessRuntime({
      kubeConfig: env.kubeConfig,
      stateDir: join(env.dir, 'state'),
      onError: (err) => errors.push(err),
    });
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await repo?.close();
    await git?.close();
    await env?.close();
  }, 60_000);

  it('makes all six Deployments Available from their readiness probes', { timeout: 120_000 }, async () => {
    let seen = '';
    await until(
      () =>
        `all six Deployments Available (pods: ${seen}; errors: ${errors.map((e) => `${e.message}: ${String(e.cause)}`).join('; ')})`,
      async () => {
        seen = runtime
          .pods()
          .map(
            (p) =>
              `${p.name} pid=${p.pid} ready=${p.ready} restarts=${p.restarts}` +
              (p.restarts > 0 ? ` log: ${readFileSync(p.logFile, 'utf8').slice(-600)}` : ''),
          )
          .join(', ');
        return (await Promise.all(CONTROLLERS.map(available))).every(Boolean);
      },
      110_000,
    );
    for (const name of CONTROLLERS) expect(podsOf(name)).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('runs the getting-started flow through them', { timeout: 90_000 }, async () => {
    await env.client.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'fleet', namespace: NS },
      spec: { url: `${git.url}/fleet.git`, ref: { branch: 'main' }, interval: '1m' },
    });
    await env.client.create({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'fleet', namespace: NS },
      spec: {
        interval: '10m',
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        path: './apps',
        targetNamespace: 'default',
        prune: true,
      },
    });
    const cm = await until(
      'the ConfigMap applied by kustomize-controller',
      () =>
        env.client
          .get<KubeObject & { data?: Record<string, string> }>(
            { apiVersion: 'v1', kind: 'ConfigMap' },
            {
              namespace: 'default',
              name: 'hello',
            },
          )
          .catch(() => undefined),
      80_000,
    );
    expect(cm.data).toEqual({ greeting: 'hi' });
    // the artifact URL names the source-controller Service, reached through the runtime's proxy
    const gr = await env.client.get<KubeObject & { status?: { artifact?: { url: string } } }>(
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
      { namespace: NS, name: 'fleet' },
    );
    expect(gr.status?.artifact?.url).toMatch(
      new RegExp(`^http://${(await runtime.serviceAddress('source-controller')).replace('.', '\\.')}/gitrepository/`),
    );
  });

  it("forbids source-controller's own token to create a Deployment", { timeout: 30_000 }, async () => {
    const [pod] = podsOf('source-controller');
    const server = new URL(env.kubeConfig.getCurrentCluster()!.server);
    // the in-cluster configuration the controller itself loads
    const kc = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port },
      serviceAccountDir: pod!.serviceAccountDir,
    });
    const asSource = KubeClient.fromKubeConfig(kc);
    const err = await asSource
      .create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'intruder', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'x' } },
          template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x' }] } },
        },
      })
      .catch((e: unknown) => e as { status?: number; message?: string });
    expect((err as { status?: number }).status).toBe(403);
    expect((err as { message?: string }).message).toContain(
      'User "system:serviceaccount:flux-system:source-controller" cannot create resource "deployments"',
    );
    expect(readFileSync(join(pod!.serviceAccountDir, 'namespace'), 'utf8')).toBe(NS);
    // every controller runs on its own ServiceAccount's token (and no process was given a kubeconfig)
    for (const p of runtime.pods()) {
      const jwt = readFileSync(join(p.serviceAccountDir, 'token'), 'utf8');
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string };
      expect(claims.sub).toBe(`system:serviceaccount:${NS}:${p.deployment}`);
    }
    expect(SERVICE_ACCOUNT_DIR_ENV).toBe('FLUX_TS_SERVICE_ACCOUNT_DIR');
  });

  it(
    'scales source-controller to 2; a killed leader is replaced by the standby and artifacts stay served',
    {
      timeout: 120_000,
    },
    async () => {
      await env.client.patch(
        DEPLOYMENT,
        { namespace: NS, name: 'source-controller' },
        { spec: { replicas: 2 } },
        {
          type: 'merge',
        },
      );
      await until(
        'two source-controller pods, one of them the Ready leader',
        () => {
          const pods = podsOf('source-controller');
          return (
            pods.length === 2 && pods.every((p) => p.pid !== undefined) && pods.filter((p) => p.ready).length === 1
          );
        },
        60_000,
      );
      const leader = podsOf('source-controller').find((p) => p.ready)!;
      const standby = podsOf('source-controller').find((p) => !p.ready)!;
      process.kill(leader.pid!, 'SIGKILL');
      await until(
        'the standby to lead and serve',
        () => podsOf('source-controller').find((p) => p.name === standby.name)?.ready,
        60_000,
      );
      // the new leader's storage is its own emptyDir: it rebuilds the artifact, then the Service serves it again
      const gr = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
      await until(
        'the artifact to be served through the Service',
        async () => {
          const obj = await env.client.get<KubeObject & { status?: { artifact?: { url: string } } }>(gr, {
            namespace: NS,
            name: 'fleet',
          });
          const url = obj.status?.artifact?.url;
          if (!url) return false;
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
          return res?.status === 200;
        },
        60_000,
      );
      expect(podsOf('source-controller').find((p) => p.name === leader.name)?.restarts).toBeGreaterThanOrEqual(1);
    },
  );

  it("changing kustomize-controller's --concurrent restarts only it", { timeout: 90_000 }, async () => {
    const before = new Map(runtime.pods().map((p) => [p.name, p.pid]));
    const [oldPod] = podsOf('kustomize-controller');
    await env.client.patch(
      DEPLOYMENT,
      { namespace: NS, name: 'kustomize-controller' },
      [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--concurrent=7' }],
      { type: 'json' },
    );
    await until(
      'a new kustomize-controller pod, Ready',
      () => {
        const [pod, ...more] = podsOf('kustomize-controller');
        return more.length === 0 && pod !== undefined && pod.name !== oldPod!.name && pod.ready;
      },
      80_000,
    );
    await until('kustomize-controller Available again', () => available('kustomize-controller'), 30_000);
    const [newPod] = podsOf('kustomize-controller');
    expect(readFileSync(`/proc/${newPod!.pid}/cmdline`, 'utf8').split('\0')).toContain('--concurrent=7');
    for (const p of runtime.pods()) {
      if (p.deployment === 'kustomize-controller') continue;
      expect(before.get(p.name), p.name).toBe(p.pid);
    }
  });
});
