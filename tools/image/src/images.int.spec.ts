/**
 * The seven controller images, built and run here for real (issue 20): `flux-ts-image build --push` makes them on one
 * shared base with buildah and pushes them to the docker-registry peer; a second, empty container store (a "node")
 * pulls them from there; each entrypoint prints `--help` as user 65534 on a read-only root file system; then
 * source-controller and kustomize-controller run as containers (host network, read-only, user 65534, the kubeconfig
 * mounted) against the test API server and take Flux's getting-started flow to Ready.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '@flux-ts/runtime';
import { freePort, makeRepo, run, startGitHttpServer, startRegistry } from '@flux-ts/testbed';
import type { GitHttpServer, Registry } from '@flux-ts/testbed';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { APPS } from './bundle.ts';
import { inspectImage, storageFlags } from './image.ts';
import type { ImageInfo, Storage } from './image.ts';
import { main } from './main.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const TAG = 'v0.0.0-test';
// overlay is native on this machine's ext4 and several times faster than vfs (which copies the base per container).
const DRIVER = process.env['FLUX_TS_IMAGE_STORAGE_DRIVER'] ?? 'overlay';

type Flux = KubeObject & {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};
const ready = (o: Flux | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');

describe('controller images', () => {
  let tmp: string;
  let registry: Registry;
  let build: Storage;
  let node: Storage;
  let conf: string;
  let repo: string;
  const built: string[] = [];
  const infos = new Map<string, ImageInfo>();

  /** podman on the "node" store, with the sandbox's containers.conf (ulimits it may not raise, runc). */
  const podman = (...args: string[]): Promise<string> =>
    run('podman', [...storageFlags(node), ...args], { env: { ...process.env, CONTAINERS_CONF: conf } });
  const ref = (app: string): string => `${repo}/${app}:${TAG}`;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flux-ts-images-'));
    const store = (name: string): Storage => ({
      root: join(tmp, name, 'root'),
      runroot: join(tmp, name, 'run'),
      driver: DRIVER,
    });
    build = store('build');
    node = store('node');
    conf = join(tmp, 'containers.conf');
    writeFileSync(
      conf,
      '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n',
    );
    mkdirSync(join(tmp, 'registry'));
    registry = await startRegistry({ dir: join(tmp, 'registry') });
    repo = `${registry.host}/flux-ts`;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      [
        'build',
        '--registry',
        repo,
        '--tag',
        TAG,
        '--push',
        '--tls-verify=false',
        '--out',
        join(tmp, 'bundles'),
        ...storageFlags(build),
      ],
      workspace,
      { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    );
    expect(code, err.join('')).toBe(0);
    built.push(...out.join('').trim().split('\n'));
    console.log(err.join('') + out.join(''));
    for (const app of APPS) infos.set(app, await inspectImage(build, ref(app)));
  }, 240_000);

  afterAll(async () => {
    await registry?.close();
    // The stores are private to this test: remove their containers (and so their mounts) and images, then the files.
    // (Not `podman system reset`: it also touches machine-wide state, such as the network configuration.)
    await podman('rm', '--all', '--force').catch(() => undefined);
    await podman('rmi', '--all', '--force').catch(() => undefined);
    await run('buildah', [...storageFlags(build), 'rm', '--all']).catch(() => undefined);
    await run('buildah', [...storageFlags(build), 'rmi', '--all', '--force']).catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('builds the seven images on one shared Node base, user 65534, Node flags and env set, and pushes them', async () => {
    expect(built.map((line) => line.split('\t')[0])).toEqual(APPS.map(ref));
    const bases = new Set<string>();
    for (const app of APPS) {
      const { config, layers } = infos.get(app)!;
      expect(config.User).toBe('65534:65534');
      expect(config.Entrypoint).toEqual(['/usr/local/bin/node', '--max-semi-space-size=2', '/app/main.mjs']);
      expect(config.Env).toContain('MALLOC_ARENA_MAX=2');
      expect(config.Labels?.['org.opencontainers.image.title']).toBe(app);
      expect(layers).toHaveLength(2);
      bases.add(layers[0]!.digest);
    }
    expect(bases.size).toBe(1);
    // The registry holds each image: its manifest, with the same base layer blob.
    const pushedBases = new Set<string>();
    for (const app of APPS) {
      const res = await fetch(`${registry.url}/v2/flux-ts/${app}/manifests/${TAG}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect(res.status).toBe(200);
      const manifest = (await res.json()) as { layers: { digest: string }[] };
      expect(manifest.layers).toHaveLength(2);
      pushedBases.add(manifest.layers[0]!.digest);
    }
    expect(pushedBases.size).toBe(1);
  });

  it("prints each entrypoint's --help from the registry's image as user 65534 on a read-only root file system", async () => {
    await podman('pull', '--quiet', '--tls-verify=false', ...APPS.map(ref));
    const helps = await Promise.all(
      APPS.map((app) =>
        podman('run', '--rm', '--read-only', '--user', '65534:65534', '--network', 'none', ref(app), '--help'),
      ),
    );
    APPS.forEach((app, i) => {
      expect(helps[i], app).toContain(`Usage of ${app}:`);
      expect(helps[i], app).toContain('--enable-leader-election');
    });
  }, 120_000);

  describe('the getting-started flow with the controllers as containers', () => {
    let env: TestEnv;
    let git: GitHttpServer;
    const containers: string[] = [];
    const healthPorts = new Map<string, number>();

    beforeAll(async () => {
      env = await startTestEnv({ namespaces: ['flux-system', 'apps'], dirPrefix: 'flux-ts-images-env-' });
      mkdirSync(join(tmp, 'git'));
      await makeRepo({
        root: join(tmp, 'git'),
        name: 'podinfo',
        commits: [
          {
            files: {
              'kustomize/kustomization.yaml': 'resources: [config.yaml]\n',
              'kustomize/config.yaml':
                'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-config\ndata:\n  greeting: hello from a container\n',
            },
          },
        ],
      });
      git = await startGitHttpServer({ root: join(tmp, 'git') });
    }, 60_000);

    afterAll(async () => {
      for (const name of containers) {
        // The logs help when a step above failed; `podman stop` sends SIGTERM (graceful shutdown), then removes.
        if (process.env['FLUX_TS_IMAGE_LOGS']) console.log(await podman('logs', name).catch(String));
        await podman('rm', '--force', '--time', '10', name).catch(() => undefined);
      }
      await git?.close();
      await env?.close();
    }, 60_000);

    const emptyDir = (app: string): string => {
      const dir = join(tmp, 'volumes', app);
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      return dir;
    };

    /** Runs a controller as a Deployment's pod would: read-only, user 65534, /tmp and /data empty, its args Flux's. */
    async function runController(app: string, args: string[]): Promise<void> {
      const name = `${app}-${process.pid}`;
      const health = await freePort();
      healthPorts.set(app, health);
      containers.push(name);
      await podman(
        'run',
        '--detach',
        '--name',
        name,
        '--network',
        'host',
        '--read-only',
        '--user',
        '65534:65534',
        // /tmp: podman's tmpfs of --read-only (1777); /data: a world-writable directory, as a pod's emptyDir is.
        '--volume',
        `${emptyDir(app)}:/data`,
        '--env',
        'RUNTIME_NAMESPACE=flux-system',
        '--volume',
        `${env.kubeconfigPath}:/etc/flux-ts/kubeconfig:ro`,
        ref(app),
        '--kubeconfig=/etc/flux-ts/kubeconfig',
        '--watch-all-namespaces',
        '--log-level=info',
        '--log-encoding=json',
        `--metrics-addr=127.0.0.1:${await freePort()}`,
        `--health-addr=127.0.0.1:${health}`,
        ...args,
      );
    }

    it('reconciles a GitRepository and a Kustomization that applies a ConfigMap to Ready; all seven start and stop gracefully', async () => {
      const storage = `127.0.0.1:${await freePort()}`;
      await runController('source-controller', [
        '--storage-path=/data',
        `--storage-addr=${storage}`,
        `--storage-adv-addr=${storage}`,
      ]);
      await runController('kustomize-controller', []);
      // The other five start for real too (their readiness is checked below), each on its own free ports.
      const addr = async (): Promise<string> => `127.0.0.1:${await freePort()}`;
      await runController('helm-controller', []);
      await runController('notification-controller', [
        `--events-addr=${await addr()}`,
        `--receiverAddr=${await addr()}`,
      ]);
      await runController('image-reflector-controller', ['--storage-path=/data']);
      await runController('image-automation-controller', []);
      const watcherStorage = await addr();
      await runController('source-watcher', [
        `--storage-addr=${watcherStorage}`,
        `--storage-adv-addr=${watcherStorage}`,
      ]);

      await env.client.create({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { namespace: 'flux-system', name: 'podinfo' },
        spec: { url: `${git.url}/podinfo.git`, interval: '1m', ref: { branch: 'main' } },
      });
      await env.client.create({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { namespace: 'flux-system', name: 'podinfo' },
        spec: {
          interval: '1m',
          path: './kustomize',
          prune: true,
          targetNamespace: 'apps',
          sourceRef: { kind: 'GitRepository', name: 'podinfo' },
        },
      });

      const key = { namespace: 'flux-system', name: 'podinfo' };
      const gvk = (apiVersion: string, kind: string) => ({ apiVersion, kind });
      let last: Flux | undefined;
      const gitReady = await until(
        () => `GitRepository Ready (last: ${JSON.stringify(ready(last))})`,
        async () => {
          last = await env.client.get<Flux>(gvk('source.toolkit.fluxcd.io/v1', 'GitRepository'), key);
          return ready(last)?.status === 'True' && ready(last);
        },
      );
      expect(gitReady.reason).toBe('Succeeded');
      const ksReady = await until(
        () => `Kustomization Ready (last: ${JSON.stringify(ready(last))})`,
        async () => {
          last = await env.client.get<Flux>(gvk('kustomize.toolkit.fluxcd.io/v1', 'Kustomization'), key);
          return ready(last)?.status === 'True' && ready(last);
        },
      );
      expect(ksReady.reason).toBe('ReconciliationSucceeded');
      const cm = await env.client.get<KubeObject & { data?: Record<string, string> }>(gvk('v1', 'ConfigMap'), {
        namespace: 'apps',
        name: 'podinfo-config',
      });
      expect(cm.data).toEqual({ greeting: 'hello from a container' });

      // Every controller's container is up and Ready (its caches synced through its kubeconfig).
      for (const app of APPS) {
        const status = await until(`${app} /readyz`, async () => {
          const res = await fetch(`http://127.0.0.1:${healthPorts.get(app)}/readyz`);
          return res.status === 200 && res.status;
        });
        expect(status, app).toBe(200);
      }

      // Node is PID 1 (no tini, unlike Flux's Alpine images): SIGTERM still ends each controller gracefully, exit 0.
      await Promise.all(containers.map((name) => podman('stop', '--time', '30', name)));
      for (const name of containers)
        expect(await podman('inspect', '--format', '{{.State.ExitCode}}', name), name).toBe('0\n');
    }, 120_000);
  });
});
