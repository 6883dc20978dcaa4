import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient, isAlreadyExists, isNotFound } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';

/** A manifest of any kind: fields beyond metadata free-form. */
export type Manifest = KubeObject & Record<string, unknown>;
import { startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpServer } from '@flux-ts/testbed';
import { startControllers, stopControllers } from './controllers.ts';
import type { ControllerProcess, ControllerSpec } from './controllers.ts';
import { ensureDemoRepo, pointDemoAtServer } from './demo-repo.ts';
import type { DemoRepo } from './demo-repo.ts';
import { SnapshotWriter, loadSnapshot, persistentAdminToken, stateLayout } from './state.ts';
import type { StateLayout } from './state.ts';

/**
 * The controllers whose reconcilers exist. The others' binaries say "not implemented" and exit, so they are not
 * started; add each here as it lands.
 */
export const IMPLEMENTED_CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller'] as const;

/** The Flux kinds those controllers reconcile today; objects of other kinds get no status in embedded mode. */
export const RECONCILED_KINDS: ReadonlySet<string> = new Set([
  'GitRepository',
  'HelmRepository',
  'HelmChart',
  'Kustomization',
  'HelmRelease',
]);

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Workspace root: holds `deploy/crds` and `apps/`. */
  workspace: string;
  /** Hears a failed snapshot write (kept running; the next change retries). */
  onSnapshotError?: (err: Error) => void;
  /** State directory (kubeconfig, API server snapshot, artifacts, git repositories, logs). */
  stateDir: string;
  /** API server port; 0 picks a free one (the kubeconfig is rewritten at every start). */
  apiPort?: number;
  /** Git server port (default 18080): GitRepository URLs name it, so it stays the same across restarts. */
  gitPort?: number;
  /** source-controller's artifact server port (default 19090): artifact URLs in status name it. */
  storagePort?: number;
  /** Delay after which simulated Deployments, StatefulSets and Jobs become ready (default 2 s). */
  simulateReadyMs?: number;
  /** Controllers to start (default {@link IMPLEMENTED_CONTROLLERS}). */
  controllers?: readonly string[];
  /** Extra flags per controller, after the embedded defaults (e.g. `{ 'kustomize-controller': ['--requeue-dependency', '2s'] }`). */
  controllerArgs?: Readonly<Record<string, readonly string[]>>;
  /** Create the demo repository and its GitRepository and Kustomization (default true). */
  demo?: boolean;
  /** Persist the API server's objects under the state directory (default true). */
  persist?: boolean;
}

/** A running embedded flux-ts. */
export interface Embedded {
  layout: StateLayout;
  server: ApiServer;
  client: KubeClient;
  git: GitHttpServer;
  storageUrl: string;
  demo: DemoRepo | undefined;
  controllers: ControllerProcess[];
  /** Stops the controllers (gracefully), writes the last snapshot, and closes the servers. */
  stop(): Promise<void>;
}

/** A start-up failure with one line for the user (a port in use, a missing tool). */
export class EmbeddedStartError extends Error {
  override readonly name = 'EmbeddedStartError';
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function assertPortFree(port: number, what: string, flag: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new EmbeddedStartError(
          err.code === 'EADDRINUSE'
            ? `port ${port} (${what}) is already in use: stop what holds it or pass ${flag} PORT`
            : `cannot listen on 127.0.0.1:${port} (${what}): ${err.message}`,
          { cause: err },
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** The demo's Flux objects, as in the getting-started guide: source and Kustomization in flux-system. */
export function demoObjects(gitUrl: string): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'demo', namespace: 'flux-system' },
      spec: { url: `${gitUrl}/demo.git`, ref: { branch: 'main' }, interval: '30s' },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'demo', namespace: 'flux-system' },
      spec: {
        interval: '5m',
        retryInterval: '10s',
        timeout: '1m',
        sourceRef: { kind: 'GitRepository', name: 'demo' },
        path: './apps/demo/overlays/dev',
        targetNamespace: 'default',
        prune: true,
        wait: true,
      },
    },
  ];
}

/** Creates each object unless it exists (a restart keeps what the user changed). */
export async function createMissing(client: KubeClient, objects: readonly Manifest[]): Promise<void> {
  for (const obj of objects) {
    // Read first: a resumed cluster already has them, and then nothing is sent that would count as a write.
    const key = {
      name: obj.metadata.name ?? '',
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    };
    try {
      await client.get(obj, key);
      continue;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await client.create(obj);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}

/**
 * Stands in for a Receiver until notification-controller exists: when a push moves the demo repository's
 * `main`, the GitRepository gets a `reconcile.fluxcd.io/requestedAt` annotation, as `flux reconcile` sets it.
 */
function watchPushes(demo: DemoRepo, client: KubeClient): () => void {
  const refFile = join(demo.bare, 'refs', 'heads', 'main');
  const read = (): string => {
    try {
      return readFileSync(refFile, 'utf8').trim();
    } catch {
      return '';
    }
  };
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    if (now === '' || now === last) return;
    last = now;
    const requestedAt = new Date().toISOString();
    void client
      .patch(
        { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
        { namespace: 'flux-system', name: 'demo' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } },
        { type: 'merge' },
      )
      .catch(() => undefined); // the interval picks the commit up anyway
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

function controllerSpecs(
  names: readonly string[],
  layout: StateLayout,
  storagePort: number,
  extra: Readonly<Record<string, readonly string[]>> = {},
): ControllerSpec[] {
  const probes = ['--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0'];
  return names.map((name) => {
    const more = extra[name] ?? [];
    if (name === 'source-controller') {
      const addr = `127.0.0.1:${storagePort}`;
      return {
        name,
        args: [
          '--storage-path',
          layout.storage,
          '--storage-addr',
          addr,
          '--storage-adv-addr',
          addr,
          ...probes,
          ...more,
        ],
      };
    }
    return { name, args: [...probes, ...more] };
  });
}

/**
 * Starts flux-ts on the embedded cluster: libs/apiserver with the CRDs and the workload simulation (resumed from
 * the state directory's snapshot), the git server with the demo repository, and each controller in its own
 * process talking HTTPS to the API server.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<Embedded> {
  const layout = stateLayout(opts.stateDir);
  const gitPort = opts.gitPort ?? 18080;
  const storagePort = opts.storagePort ?? 19090;
  const names = opts.controllers ?? IMPLEMENTED_CONTROLLERS;
  await assertPortFree(opts.apiPort ?? 0, 'API server', '--api-port');
  await assertPortFree(gitPort, 'git server', '--git-port');
  if (names.includes('source-controller')) await assertPortFree(storagePort, 'artifact server', '--storage-port');

  const persist = opts.persist ?? true;
  const snapshot = persist ? loadSnapshot(layout.snapshot) : undefined;
  let writer: SnapshotWriter | undefined;
  const server = await startApiServer({
    port: opts.apiPort ?? 0,
    crdsDir: join(opts.workspace, 'deploy', 'crds'),
    kubeconfigPath: layout.kubeconfig,
    adminToken: persistentAdminToken(layout.adminToken),
    simulation: { readyAfterMs: opts.simulateReadyMs ?? 2000 },
    ...(snapshot ? { snapshot } : {}),
    onRequest: (e) => {
      if (WRITE_METHODS.has(e.method) && e.status < 400) writer?.markDirty();
    },
  });
  if (persist) {
    writer = new SnapshotWriter(layout.snapshot, () => server.snapshot(), opts.onSnapshotError);
    writer.markDirty();
    writer.start();
  }
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(layout.kubeconfig, 'utf8'));
  const client = KubeClient.fromKubeConfig(kc);

  let git: GitHttpServer | undefined;
  let controllers: ControllerProcess[] = [];
  try {
    const demo = opts.demo === false ? undefined : await ensureDemoRepo(layout.root);
    git = await startGitHttpServer({ root: layout.git, port: gitPort });
    if (demo) {
      await pointDemoAtServer(demo, git.url);
      await createMissing(client, demoObjects(git.url));
    }
    controllers = startControllers({
      workspace: opts.workspace,
      kubeconfig: layout.kubeconfig,
      logsDir: layout.logs,
      controllers: controllerSpecs(names, layout, storagePort, opts.controllerArgs),
    });
    const gitServer = git;
    const stopPushWatch = demo ? watchPushes(demo, client) : () => undefined;
    return {
      layout,
      server,
      client,
      git: gitServer,
      storageUrl: `http://127.0.0.1:${storagePort}/`,
      demo,
      controllers,
      stop: async () => {
        stopPushWatch();
        await stopControllers(controllers);
        writer?.stop();
        await gitServer.close();
        await server.close();
      },
    };
  } catch (err) {
    await stopControllers(controllers);
    writer?.stop();
    await git?.close();
    await server.close();
    throw err;
  }
}
