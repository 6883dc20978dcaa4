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
import { freePort, startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpServer } from '@flux-ts/testbed';
import { ensureDemoChartRepo, startChartServer } from './chart-repo.ts';
import { DEMO_IMAGE_LATEST_TAG, demoImageObjects, startDemoRegistry } from './demo-images.ts';
import type { DemoRegistry } from './demo-images.ts';
import type { ChartServer } from './chart-repo.ts';
import { startControllers, stopControllers } from './controllers.ts';
import type { ControllerProcess, ControllerSpec } from './controllers.ts';
import { bundledEntrypoint } from './process-runtime/bundled-entrypoint.ts';
import { startDeployedControllers } from './process-runtime/deployed-controllers.ts';
import type { DeployedControllers } from './process-runtime/deployed-controllers.ts';
import type { ProcessRuntime } from './process-runtime/process-runtime.ts';
import { ensureDemoRepo, pointDemoAtServer } from './demo-repo.ts';
import type { DemoRepo } from './demo-repo.ts';
import {
  SnapshotWriter,
  WriteAheadLog,
  loadSnapshot,
  persistentAdminToken,
  replayWriteAheadLog,
  stateLayout,
} from './state.ts';
import type { StateLayout } from './state.ts';
import {
  notificationFiles,
  notificationObjects,
  persistentWebhookToken,
  pointProviderAt,
  sendPushWebhook,
  startAlertsSink,
} from './notifications.ts';
import type { AlertsSink } from './notifications.ts';
import { installPostReceiveHook, isDeletion, startPushListener } from './push-hook.ts';

/**
 * The controllers whose reconcilers exist. The others' binaries say "not implemented" and exit, so they are not
 * started; add each here as it lands.
 */
export const IMPLEMENTED_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
  'source-watcher',
  'image-reflector-controller',
  'image-automation-controller',
] as const;

/** The Flux kinds those controllers reconcile today; objects of other kinds get no status in embedded mode. */
export const RECONCILED_KINDS: ReadonlySet<string> = new Set([
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmRepository',
  'HelmChart',
  'Kustomization',
  'HelmRelease',
  'Receiver',
  'ArtifactGenerator',
  'ExternalArtifact',
  'ImageRepository',
  'ImagePolicy',
  'ImageUpdateAutomation',
]);

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Workspace root: holds `deploy/crds` and `apps/`. */
  workspace: string;
  /** Hears a failed snapshot write (kept running; the next change retries). */
  onSnapshotError?: (err: Error) => void;
  /** With `deploy`: hears what the process runtime recovered from (a broken watch, a pod it could not create). */
  onRuntimeError?: (err: Error) => void;
  /** State directory (kubeconfig, API server snapshot, artifacts, git repositories, logs). */
  stateDir: string;
  /** API server port; 0 picks a free one (the kubeconfig is rewritten at every start). */
  apiPort?: number;
  /** Git server port (default 18080): GitRepository URLs name it, so it stays the same across restarts. */
  gitPort?: number;
  /** source-controller's artifact server port (default 19090): artifact URLs in status name it. */
  storagePort?: number;
  /** The demo chart repository's port (default 18081): the demo HelmRepository's URL names it. */
  chartPort?: number;
  /**
   * With the demo and image-reflector-controller: the demo image registry's port (Debian's docker-registry, tags in
   * `<state>/registry`; 0 picks one), with the demo ImageRepository, ImagePolicy and ImageUpdateAutomation (the demo
   * Deployment's image then names the registry). Unset: no demo registry.
   */
  registryPort?: number;
  /** Delay after which simulated Deployments, StatefulSets and Jobs become ready (default 2 s). */
  simulateReadyMs?: number;
  /** Controllers to start (default {@link IMPLEMENTED_CONTROLLERS}). */
  controllers?: readonly string[];
  /** Extra flags per controller, after the embedded defaults (e.g. `{ 'kustomize-controller': ['--requeue-dependency', '2s'] }`). */
  controllerArgs?: Readonly<Record<string, readonly string[]>>;
  /**
   * Create the demo: the git repository with its GitRepository and Kustomization, and the chart repository with its
   * HelmRepository and HelmRelease (default true).
   */
  demo?: boolean;
  /** Persist the API server's objects under the state directory (default true). */
  persist?: boolean;
  /**
   * Run deploy/install instead of hand-started controllers (issue 20): apply it, and let the process runtime run its
   * Deployments, each controller on its ServiceAccount (default false). deploy/install-extra when `controllers`
   * includes source-watcher (as `flux install --components-extra=source-watcher`); `controllerArgs` does not apply
   * then: deploy/ says what runs, with which flags.
   */
  deploy?: boolean;
  /**
   * With `deploy`: run each controller from its esbuild bundle, built once into `<state>/bundles` and rebuilt when
   * the sources change (default false: the first start bundles for several seconds; bench `idle-bundle`).
   */
  bundle?: boolean;
}

/** A running embedded flux-ts. */
export interface Embedded {
  layout: StateLayout;
  server: ApiServer;
  client: KubeClient;
  git: GitHttpServer;
  /** The demo chart repository's server (with the demo only). */
  charts: ChartServer | undefined;
  /** The demo image registry, or the one line saying why it did not start (with `registryPort` only). */
  images: { registry?: DemoRegistry; notice?: string } | undefined;
  storageUrl: string;
  /** notification-controller's webhook receiver base URL and the demo Alert's log (with notification-controller). */
  notifications: { receiverUrl: string; alertsLog: string } | undefined;
  demo: DemoRepo | undefined;
  controllers: ControllerProcess[];
  /** With `deploy`: the process runtime running deploy/install's Deployments. */
  runtime: ProcessRuntime | undefined;
  /** Stops the controllers (gracefully), writes the last snapshot, and closes the servers. */
  stop(): Promise<void>;
}

/** A start-up failure with one line for the user (a port in use, a missing tool). */
export class EmbeddedStartError extends Error {
  override readonly name = 'EmbeddedStartError';
}

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

/** The demo HelmRelease: its name, the release's name and where the release's objects go. */
export const DEMO_HELM_RELEASE = { namespace: 'flux-system', name: 'hello', targetNamespace: 'default' } as const;

/**
 * The demo's Flux objects in flux-system: as in the getting-started guide, a GitRepository and a Kustomization that
 * deploys the demo app into `default`; and a HelmRepository of the local chart repository with a HelmRelease of its
 * `hello` chart, released as `hello` into `default` (the release's records stay in flux-system).
 */
export function demoObjects(gitUrl: string, chartUrl: string): Manifest[] {
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
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'demo', namespace: 'flux-system' },
      spec: { url: `${chartUrl}/`, interval: '10m' },
    },
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: DEMO_HELM_RELEASE.name, namespace: DEMO_HELM_RELEASE.namespace },
      spec: {
        interval: '10m',
        timeout: '1m',
        chart: {
          spec: { chart: 'hello', version: '0.1.x', sourceRef: { kind: 'HelmRepository', name: 'demo' } },
        },
        releaseName: DEMO_HELM_RELEASE.name,
        targetNamespace: DEMO_HELM_RELEASE.targetNamespace,
        values: { message: 'hello from flux-ts' },
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

/** Where the controllers' servers listen in embedded mode (loopback ports chosen at start). */
interface Ports {
  storage: number;
  /** notification-controller's event server (`--events-addr`). */
  events: number;
  /** notification-controller's webhook receiver (`--receiverAddr`). */
  receiver: number;
  /** source-watcher's artifact server. */
  watcher: number;
}

/**
 * Plays GitHub for the demo repository: its post-receive hook hands each push to this process, which sends the
 * Receiver GitHub's signed push webhook for a moved `main`, and notification-controller annotates the GitRepository,
 * which reconciles at once.
 */
async function watchPushes(
  demo: DemoRepo,
  client: KubeClient,
  receiverUrl: string,
  token: string,
): Promise<() => Promise<void>> {
  const listener = await startPushListener((updates) => {
    for (const u of updates) {
      if (u.ref !== 'refs/heads/main' || isDeletion(u)) continue;
      // a Receiver not Ready yet, or a failed call: the GitRepository's interval picks the commit up anyway
      void sendPushWebhook(client, receiverUrl, token, u.after).catch(() => undefined);
    }
  });
  try {
    installPostReceiveHook(demo.bare, listener.url);
  } catch (err) {
    await listener.close();
    throw err;
  }
  return () => listener.close();
}

function controllerSpecs(
  names: readonly string[],
  layout: StateLayout,
  ports: Ports,
  extra: Readonly<Record<string, readonly string[]>> = {},
): ControllerSpec[] {
  const probes = ['--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0'];
  // the others post their events to notification-controller, as Flux's Deployments do
  const events = names.includes('notification-controller')
    ? ['--events-addr', `http://127.0.0.1:${ports.events}/`]
    : [];
  // ExternalArtifacts are consumed once source-watcher runs (flux install --components-extra sets the same gate)
  const external = names.includes('source-watcher') ? ['--feature-gates=ExternalArtifact=true'] : [];
  return names.map((name) => {
    const more = extra[name] ?? [];
    if (name === 'notification-controller') {
      return {
        name,
        args: [
          '--events-addr',
          `127.0.0.1:${ports.events}`,
          '--receiverAddr',
          `127.0.0.1:${ports.receiver}`,
          ...probes,
          ...more,
        ],
      };
    }
    if (name === 'source-watcher') {
      const addr = `127.0.0.1:${ports.watcher}`;
      const storage = join(layout.root, 'storage-watcher');
      return {
        name,
        args: [
          '--storage-path',
          storage,
          '--storage-addr',
          addr,
          '--storage-adv-addr',
          addr,
          ...events,
          ...probes,
          ...more,
        ],
      };
    }
    if (name === 'image-reflector-controller') {
      return { name, args: ['--storage-path', join(layout.root, 'image-reflector'), ...events, ...probes, ...more] };
    }
    if (name === 'kustomize-controller' || name === 'helm-controller') {
      return { name, args: [...events, ...external, ...probes, ...more] };
    }
    if (name === 'source-controller') {
      const addr = `127.0.0.1:${ports.storage}`;
      return {
        name,
        args: [
          '--storage-path',
          layout.storage,
          '--storage-addr',
          addr,
          '--storage-adv-addr',
          addr,
          ...events,
          ...probes,
          ...more,
        ],
      };
    }
    return { name, args: [...events, ...probes, ...more] };
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
  const chartPort = opts.chartPort ?? 18081;
  const withDemo = opts.demo !== false;
  const names = opts.controllers ?? IMPLEMENTED_CONTROLLERS;
  await assertPortFree(opts.apiPort ?? 0, 'API server', '--api-port');
  await assertPortFree(gitPort, 'git server', '--git-port');
  if (withDemo) await assertPortFree(chartPort, 'chart repository', '--chart-port');
  if (names.includes('source-controller')) await assertPortFree(storagePort, 'artifact server', '--storage-port');

  const persist = opts.persist ?? true;
  // the last snapshot and the acknowledged writes after it (a kill -9 loses none of them)
  const snapshot = persist ? replayWriteAheadLog(layout.wal, loadSnapshot(layout.snapshot)) : undefined;
  let writer: SnapshotWriter | undefined;
  const wal = persist ? new WriteAheadLog(layout.wal, () => writer?.markDirty()) : undefined;
  // `kubectl logs` of flux-system's pods: the process runtime's log files, once it runs
  let podLogsFrom: ProcessRuntime | undefined;
  const server = await startApiServer({
    port: opts.apiPort ?? 0,
    crdsDir: join(opts.workspace, 'deploy', 'crds'),
    kubeconfigPath: layout.kubeconfig,
    adminToken: persistentAdminToken(layout.adminToken),
    simulation: {
      readyAfterMs: opts.simulateReadyMs ?? 2000,
      // with deploy/, flux-system's Deployments are run (and their status written) by the process runtime
      ...(opts.deploy ? { skipDeploymentsIn: ['flux-system'] } : {}),
    },
    ...(snapshot ? { snapshot } : {}),
    ...(wal ? { journal: wal } : {}),
    podLogs: (ns, pod, o) => podLogsFrom?.podLogs(ns, pod, o),
  });
  if (persist) {
    writer = new SnapshotWriter(
      layout.snapshot,
      () => server.snapshot(),
      opts.onSnapshotError,
      () => wal?.reset(),
    );
    writer.markDirty();
    writer.start();
  }
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(layout.kubeconfig, 'utf8'));
  const client = KubeClient.fromKubeConfig(kc);

  const ports: Ports = {
    storage: storagePort,
    events: await freePort(),
    receiver: await freePort(),
    watcher: await freePort(),
  };
  const withNotifications = names.includes('notification-controller');
  let alerts: AlertsSink | undefined;
  let git: GitHttpServer | undefined;
  let charts: ChartServer | undefined;
  let images: { registry?: DemoRegistry; notice?: string } | undefined;
  let controllers: ControllerProcess[] = [];
  let deployed: DeployedControllers | undefined;
  try {
    if (withDemo && opts.registryPort !== undefined && names.includes('image-reflector-controller')) {
      await assertPortFree(opts.registryPort, 'demo image registry', '--registry-port');
      images = await startDemoRegistry({ dir: join(layout.root, 'registry'), port: opts.registryPort });
    }
    // with the registry, a new demo repository's Deployment runs its image, under an $imagepolicy marker
    const demoImage = images?.registry && `${images.registry.image}:${DEMO_IMAGE_LATEST_TAG}`;
    const demo = withDemo ? await ensureDemoRepo(layout.root, demoImage) : undefined;
    git = await startGitHttpServer({ root: layout.git, port: gitPort });
    if (demo) {
      await ensureDemoChartRepo(layout.charts);
      charts = await startChartServer({ dir: layout.charts, port: chartPort });
      await pointDemoAtServer(demo, git.url);
      await createMissing(client, demoObjects(git.url, charts.url));
      if (images?.registry) await createMissing(client, demoImageObjects(images.registry.image));
    }
    const files = notificationFiles(layout.root, layout.logs);
    const token = withNotifications && demo ? persistentWebhookToken(files.token) : '';
    if (withNotifications && demo) {
      alerts = await startAlertsSink(files.alerts);
      await createMissing(client, notificationObjects(token, alerts.url));
      await pointProviderAt(client, alerts.url);
    }
    if (opts.deploy) {
      deployed = await startDeployedControllers({
        workspace: opts.workspace,
        kubeConfig: kc,
        client,
        stateDir: layout.root,
        dir: names.includes('source-watcher') ? 'install-extra' : 'install',
        storagePort,
        ...(opts.onRuntimeError ? { onError: opts.onRuntimeError } : {}),
        ...(opts.bundle
          ? {
              entrypoint: (
                await bundledEntrypoint({ workspace: opts.workspace, cacheDir: join(layout.root, 'bundles') })
              ).entrypoint,
            }
          : {}),
      });
      podLogsFrom = deployed.runtime;
    } else {
      controllers = startControllers({
        workspace: opts.workspace,
        kubeconfig: layout.kubeconfig,
        logsDir: layout.logs,
        controllers: controllerSpecs(names, layout, ports, opts.controllerArgs),
      });
    }
    const runningDeploy = deployed;
    const gitServer = git;
    const chartServer = charts;
    const demoImages = images;
    const receiverUrl = deployed?.receiverUrl ?? `http://127.0.0.1:${ports.receiver}`;
    const stopPushWatch =
      demo && withNotifications ? await watchPushes(demo, client, receiverUrl, token) : async () => undefined;
    const alertsSink = alerts;
    return {
      layout,
      server,
      client,
      git: gitServer,
      charts: chartServer,
      images: demoImages,
      storageUrl: `http://127.0.0.1:${storagePort}/`,
      notifications: withNotifications ? { receiverUrl, alertsLog: files.alerts } : undefined,
      demo,
      controllers,
      runtime: runningDeploy?.runtime,
      stop: async () => {
        await stopPushWatch();
        await stopControllers(controllers);
        await runningDeploy?.stop();
        writer?.stop();
        await gitServer.close();
        await chartServer?.close();
        await demoImages?.registry?.close();
        await alertsSink?.close();
        await server.close();
        wal?.close(); // after the server: a late write still reaches the log
      },
    };
  } catch (err) {
    await stopControllers(controllers);
    await deployed?.stop();
    writer?.stop();
    await git?.close();
    await charts?.close();
    await images?.registry?.close();
    await alerts?.close();
    await server.close();
    wal?.close();
    throw err;
  }
}
