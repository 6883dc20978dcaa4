/**
 * deploy/install run by the process runtime (issue 20, part 3): the six Deployments become Available from their
 * probes; the getting-started flow works with each controller on its own ServiceAccount token; source-controller's
 * token may not create a Deployment; a second source-controller replica takes over when the leader is killed and
 * artifacts keep being served; a changed `--concurrent` restarts only kustomize-controller. The cluster view:
 * ReplicaSets and Pods owned as a cluster owns them, `kubectl logs` and `rollout status`, a deleted Pod replaced,
 * a rolling update that stops the old pod only once the new one is Ready.
 */
import { execFile, spawn } from 'node:child_process';
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
import { FLUX_CONTROLLERS } from './controller-names.ts';
import { NODE_NAME } from './process-runtime/pod-objects.ts';
import type { ProcessRuntime, RuntimePodInfo } from './process-runtime/process-runtime.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const NS = 'flux-system';
const CONTROLLERS = FLUX_CONTROLLERS;
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };
/** Fast leader election for source-controller, so that a takeover fits in a test (Flux: 35s/30s/5s). */
const FAST_ELECTION = [
  '--leader-election-lease-duration=6s',
  '--leader-election-renew-deadline=4s',
  '--leader-election-retry-period=1s',
];

interface PodObj extends KubeObject {
  spec: { nodeName?: string; serviceAccountName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    startTime?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      ready: boolean;
      started?: boolean;
      restartCount: number;
      state?: Record<string, unknown>;
      lastState?: { terminated?: { exitCode: number } };
    }[];
  };
}

const POD = { apiVersion: 'v1', kind: 'Pod' };
const isReady = (p: PodObj): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

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
  const kubectl = async (...args: string[]): Promise<string> =>
    (await run(KUBECTL, ['--kubeconfig', env.kubeconfigPath, '-n', NS, ...args], { maxBuffer: 16 << 20 })).stdout;
  const podObjects = async (): Promise<PodObj[]> => (await env.client.list<PodObj>(POD, { namespace: NS })).items;

  const podsOf = (deployment: string): RuntimePodInfo[] => runtime.pods().filter((p) => p.deployment === deployment);
  const available = async (name: string): Promise<boolean> => {
    const d = await env.client.get<DeploymentObj>(DEPLOYMENT, { namespace: NS, name });
    return d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true;
  };

  beforeAll(async () => {
    env = await startTestEnv({
      dirPrefix: 'flux-ts-process-runtime-',
      podLogs: (ns, pod, o) => runtime?.podLogs(ns, pod, o),
    });
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

  it(
    'writes a ReplicaSet and a Running, Ready Pod per replica, owned as a cluster owns them',
    { timeout: 30_000 },
    async () => {
      const pods = JSON.parse(await kubectl('get', 'pods', '-o', 'json')) as { items: PodObj[] };
      const rsList = JSON.parse(await kubectl('get', 'replicasets', '-o', 'json')) as { items: KubeObject[] };
      expect(pods.items.map((p) => p.metadata.name).sort()).toEqual(
        runtime
          .pods()
          .map((p) => p.name)
          .sort(),
      );
      for (const name of CONTROLLERS) {
        const d = await env.client.get<DeploymentObj>(DEPLOYMENT, { namespace: NS, name });
        const [pod, ...more] = pods.items.filter((p) => p.metadata.labels?.['app'] === name);
        expect(more, name).toEqual([]);
        const hash = pod!.metadata.labels!['pod-template-hash']!;
        expect(pod!.metadata.name).toMatch(new RegExp(`^${name}-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
        const rs = rsList.items.find((r) => r.metadata.name === `${name}-${hash}`)!;
        expect(pod!.metadata.ownerReferences).toEqual([
          expect.objectContaining({
            kind: 'ReplicaSet',
            name: rs.metadata.name,
            uid: rs.metadata.uid,
            controller: true,
          }),
        ]);
        expect(rs.metadata.ownerReferences).toEqual([
          expect.objectContaining({ kind: 'Deployment', name, uid: d.metadata.uid, controller: true }),
        ]);
        expect(pod!.spec).toMatchObject({ nodeName: NODE_NAME, serviceAccountName: name });
        expect(pod!.status).toMatchObject({ phase: 'Running', podIP: '127.0.0.1' });
        expect(isReady(pod!)).toBe(true);
        // a restart names the pod and shows its log's end: why it exited is in there
        const info = runtime.pods().find((p) => p.name === pod!.metadata.name);
        expect(
          pod!.status?.containerStatuses?.[0],
          `${name} ${JSON.stringify(pod!.status?.containerStatuses?.[0]?.lastState)}: ${info ? readFileSync(info.logFile, 'utf8').slice(-2000) : ''}`,
        ).toMatchObject({ ready: true, started: true, restartCount: 0 });
        expect(d.status).toMatchObject({
          observedGeneration: d.metadata.generation,
          replicas: 1,
          updatedReplicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
        });
        expect(d.status?.conditions).toEqual([
          expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
          expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }),
        ]);
      }
      expect(await kubectl('rollout', 'status', 'deploy/source-controller', '--timeout=20s')).toContain(
        'successfully rolled out',
      );
    },
  );

  it("serves kubectl logs from the pod's log file", { timeout: 30_000 }, async () => {
    const lines = (await kubectl('logs', 'deploy/source-controller', '--tail=3')).trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('msg');
    const [pod] = podsOf('source-controller');
    expect(await kubectl('logs', pod!.name)).toBe(readFileSync(pod!.logFile, 'utf8'));
  });

  it("replaces a deleted Pod: its process stops and the ReplicaSet's new pod starts", { timeout: 60_000 }, async () => {
    const [old] = podsOf('image-reflector-controller');
    await kubectl('delete', 'pod', old!.name);
    await until(
      "the deleted pod's process to end",
      () => {
        try {
          process.kill(old!.pid!, 0);
          return false;
        } catch {
          return true;
        }
      },
      20_000,
    );
    const fresh = await until(
      'a new image-reflector-controller pod, Ready',
      async () => {
        const pods = (await podObjects()).filter((p) => p.metadata.labels?.['app'] === 'image-reflector-controller');
        return pods.length === 1 && pods[0]!.metadata.name !== old!.name && isReady(pods[0]!) ? pods[0] : undefined;
      },
      40_000,
    );
    expect(fresh.metadata.ownerReferences?.[0]?.name).toBe(old!.replicaSet);
    await until('image-reflector-controller Available', () => available('image-reflector-controller'), 20_000);
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

  it(
    "limits a tenant's Kustomization to what its ServiceAccount may do (impersonation)",
    { timeout: 90_000 },
    async () => {
      const tenant = 'tenant-a';
      await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: tenant } });
      await env.client.create({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'tenant', namespace: tenant },
      });
      await env.client.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'configmaps', namespace: tenant },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }],
      });
      await env.client.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'tenant', namespace: tenant },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: tenant }],
      });
      const ks = (name: string, targetNamespace: string): KubeObject & { spec: unknown } => ({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: tenant },
        spec: {
          interval: '10m',
          sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: NS },
          path: './apps',
          targetNamespace,
          serviceAccountName: 'tenant',
          prune: false,
        },
      });
      await env.client.create(ks('own', tenant));
      await env.client.create(ks('elsewhere', 'kube-public'));
      type Ks = KubeObject & { status?: { conditions?: { type: string; status: string; message: string }[] } };
      const readyOf = async (name: string): Promise<{ status: string; message: string } | undefined> => {
        const k = await env.client.get<Ks>(
          { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
          { namespace: tenant, name },
        );
        const c = k.status?.conditions?.find((x) => x.type === 'Ready');
        return c && c.status !== 'Unknown' ? c : undefined;
      };
      const own = await until('the tenant Kustomization in its own namespace', () => readyOf('own'), 80_000);
      expect(own.status).toBe('True');
      const cm = await env.client.get<KubeObject & { data?: Record<string, string> }>(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { namespace: tenant, name: 'hello' },
      );
      expect(cm.data).toEqual({ greeting: 'hi' });
      const elsewhere = await until(
        'the tenant Kustomization outside its namespace',
        () => readyOf('elsewhere'),
        80_000,
      );
      expect(elsewhere.status).toBe('False');
      expect(elsewhere.message).toContain('system:serviceaccount:tenant-a:tenant');
      expect(elsewhere.message).toContain('forbidden');
      const leaked = await env.client
        .get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'kube-public', name: 'hello' })
        .catch(() => undefined);
      expect(leaked).toBeUndefined();
    },
  );

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
    'scales source-controller to 2; a killed leader is replaced and artifacts stay served',
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
      process.kill(leader.pid!, 'SIGKILL');
      // a new leader: the standby, unless the killed pod, restarted with a new identity, wins the race for the
      // expired lease (both retry every second once it expires)
      await until(
        () => `a new Ready leader (pods: ${JSON.stringify(podsOf('source-controller'))})`,
        () => podsOf('source-controller').some((p) => p.ready && p.pid !== leader.pid),
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
      // the kubelet's view of the crash: a restart, and the killed container's exit code (128 + SIGKILL)
      const killed = await until(
        'the killed pod to report its restart',
        async () => {
          const p = await env.client.get<PodObj>(POD, { namespace: NS, name: leader.name });
          return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
        },
        20_000,
      );
      expect(killed.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
    },
  );

  it("changing kustomize-controller's --concurrent restarts only it", { timeout: 90_000 }, async () => {
    const before = new Map(runtime.pods().map((p) => [p.name, p.pid]));
    const [oldPod] = podsOf('kustomize-controller');
    // `kubectl logs -f` of the old pod streams until that pod stops
    const follow = spawn(KUBECTL, ['--kubeconfig', env.kubeconfigPath, '-n', NS, 'logs', '-f', oldPod!.name]);
    let followed = '';
    follow.stdout.on('data', (b: Buffer) => (followed += b.toString()));
    const followEnded = new Promise<number | null>((done) => follow.once('exit', done));
    // the pod events of the rollout, in the order the API server saw them
    const events: { type: string; pod: PodObj }[] = [];
    const watching = new AbortController();
    const { resourceVersion } = await env.client.list(POD, { namespace: NS, limit: 1 });
    const watched = (async () => {
      for await (const ev of env.client.watch<PodObj>(POD, { namespace: NS, resourceVersion, signal: watching.signal }))
        if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') events.push({ type: ev.type, pod: ev.object });
    })().catch(() => undefined);
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
    // RollingUpdate (1 replica, maxSurge 25% → 1, maxUnavailable 25% → 0): the old pod went only once the new was Ready
    await until(
      'the old pod deleted',
      () => events.some((e) => e.type === 'DELETED' && e.pod.metadata.name === oldPod!.name),
      20_000,
    );
    watching.abort();
    await watched;
    const newReady = events.findIndex((e) => e.pod.metadata.name === newPod!.name && isReady(e.pod));
    const oldDeleted = events.findIndex((e) => e.type === 'DELETED' && e.pod.metadata.name === oldPod!.name);
    expect(newReady).toBeGreaterThanOrEqual(0);
    expect(newReady).toBeLessThan(oldDeleted);
    expect(newPod!.replicaSet).not.toBe(oldPod!.replicaSet);
    expect(await kubectl('rollout', 'status', 'deploy/kustomize-controller', '--timeout=20s')).toContain(
      'successfully rolled out',
    );
    expect(await followEnded).toBe(0);
    expect(followed).toBe(readFileSync(oldPod!.logFile, 'utf8'));
    for (const p of runtime.pods()) {
      if (p.deployment === 'kustomize-controller') continue;
      expect(before.get(p.name), p.name).toBe(p.pid);
    }
  });
});
