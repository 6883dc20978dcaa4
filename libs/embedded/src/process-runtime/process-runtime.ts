/**
 * The process runtime (issue 20, part 3): a stand-in for the Deployment controller, the kubelet and kube-proxy that
 * runs the Deployments of one namespace (flux-system) as OS processes. It talks to the API server only over
 * Kubernetes HTTP, with its own (admin) kubeconfig as kube-controller-manager and the kubelet have theirs; each
 * process gets its pod's ServiceAccount token "mounted" and the in-cluster environment, so the API server enforces
 * the pod's RBAC. Differences from a cluster are listed in deploy/README.md ("The embedded cluster").
 */
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve as resolvePath } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, ParentPidEnv, ServiceAccountDirEnv } from '@flux-ts/runtime';
import type { GroupVersionKind, KubeObject } from '@flux-ts/runtime';
import { CONTROLLER_ENV_DEFAULTS, CONTROLLER_NODE_FLAGS } from '../controllers.ts';
import { PodProcess } from './pod-process.ts';
import { containerEnv, imageApp, podArgs, serviceRefs, templateHash } from './pod-spec.ts';
import type { ContainerSpec, PodTemplate } from './pod-spec.ts';
import { ServiceProxies } from './service-proxy.ts';

/**
 * The environment variable that tells a controller's `main` where its pod's ServiceAccount token is mounted
 * (default `/var/run/secrets/kubernetes.io/serviceaccount`, which a process on this machine cannot have).
 */
export const SERVICE_ACCOUNT_DIR_ENV = ServiceAccountDirEnv;

/** The executable (and leading arguments) of an image's entrypoint, or undefined when this machine has none. */
export type EntrypointResolver = (image: string, container: ContainerSpec) => readonly string[] | undefined;

/**
 * The default {@link EntrypointResolver}: an image `…/<app>[:tag]` runs the workspace's bin
 * `apps/<app>/bin/flux-ts-<app>.js` under this Node with {@link CONTROLLER_NODE_FLAGS}, as the image's entrypoint does.
 */
export function workspaceEntrypoint(workspace: string): EntrypointResolver {
  return (image) => {
    const app = imageApp(image);
    const bin = join(workspace, 'apps', app, 'bin', `flux-ts-${app}.js`);
    return existsSync(bin) ? [process.execPath, ...CONTROLLER_NODE_FLAGS, bin] : undefined;
  };
}

/** Options of {@link startProcessRuntime}. */
export interface ProcessRuntimeOptions {
  /** The runtime's own credentials (admin, as kube-controller-manager's). */
  kubeConfig: KubeConfig;
  /** Holds `pods/<pod>/` (token mount, emptyDirs) and `logs/<pod>.log`. */
  stateDir: string;
  /** The namespace whose Deployments run (default `flux-system`). */
  namespace?: string;
  /** Which executable runs an image (default: {@link workspaceEntrypoint} of the workspace holding this lib). */
  entrypoint?: EntrypointResolver;
  /** Probe period (default 1000 ms; Kubernetes' 10 s would make every start slow). */
  probeIntervalMs?: number;
  /** `namespace/service:port` → fixed loopback port of its proxy (e.g. the artifact server, whose URLs persist). */
  servicePorts?: Readonly<Record<string, number>>;
  /** Environment every process starts with (default {@link CONTROLLER_ENV_DEFAULTS}); the container's env wins. */
  baseEnv?: Readonly<Record<string, string>>;
  /** Hears failures the runtime recovers from (a watch that broke, a pod that could not be created). */
  onError?: (err: Error) => void;
}

/** A pod as the runtime reports it. */
export interface RuntimePodInfo {
  name: string;
  deployment: string;
  /** The template hash of the pod (changes on a rollout). */
  hash: string;
  pid: number | undefined;
  ready: boolean;
  restarts: number;
  /** Its ServiceAccount mount (token, ca.crt, namespace). */
  serviceAccountDir: string;
  logFile: string;
  /** Container port name → loopback port. */
  ports: Readonly<Record<string, number>>;
}

/** A running process runtime. */
export interface ProcessRuntime {
  /** The pods now running (or restarting). */
  pods(): RuntimePodInfo[];
  /** The loopback address (`127.0.0.1:<port>`) that reaches a Service port (its proxy is started on first use). */
  serviceAddress(service: string, port?: number): Promise<string>;
  /** Stops every pod (gracefully) and the Service proxies. */
  stop(): Promise<void>;
}

interface Pod {
  name: string;
  deployment: string;
  hash: string;
  labels: Record<string, string>;
  /** Container port name → loopback port; and container port number → name. */
  ports: Record<string, number>;
  portNames: Map<number, string>;
  dir: string;
  saDir: string;
  logFile: string;
  proc: PodProcess;
}

interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    template: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
  };
  status?: Record<string, unknown>;
}

interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    ports?: { port: number; targetPort?: number | string }[];
  };
}

const DEPLOYMENT: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'Deployment' };
const SERVICE: GroupVersionKind = { apiVersion: 'v1', kind: 'Service' };
/** Long enough for any run here; the kubelet refreshes tokens, this runtime requests one per pod start. */
const TOKEN_SECONDS = 7 * 24 * 3600;
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** A Deployment's `maxUnavailable` as an absolute count (Recreate: 0; RollingUpdate: default 25%, rounded down). */
function maxUnavailable(d: Deployment, replicas: number): number {
  if (d.spec.strategy?.type === 'Recreate') return 0;
  const v = d.spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof v === 'number') return Math.min(v, replicas);
  const pct = /^(\d+)%$/.exec(v);
  return pct ? Math.floor((replicas * Number(pct[1])) / 100) : Number(v) || 0;
}

const withoutTimes = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutTimes)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => !/Time$/.test(k))
            .map(([k, x]) => [k, withoutTimes(x)]),
        )
      : v;

/**
 * Starts the runtime: it watches the namespace's Deployments and Services and runs one process per replica from
 * each Deployment's pod template (see the module comment); the Deployment's status follows the readiness probes.
 */
export async function startProcessRuntime(opts: ProcessRuntimeOptions): Promise<ProcessRuntime> {
  const namespace = opts.namespace ?? 'flux-system';
  const client = KubeClient.fromKubeConfig(opts.kubeConfig);
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const entrypoint = opts.entrypoint ?? workspaceEntrypoint(resolvePath(import.meta.dirname, '../../../..'));
  const probeIntervalMs = opts.probeIntervalMs ?? 1000;
  const onError = opts.onError ?? (() => undefined);
  const logsDir = join(opts.stateDir, 'logs');
  const podsDir = join(opts.stateDir, 'pods');
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(podsDir, { recursive: true });

  const cluster = opts.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('process runtime: the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  const caPem = cluster.caData
    ? Buffer.from(cluster.caData, 'base64').toString('utf8')
    : cluster.caFile
      ? readFileSync(cluster.caFile, 'utf8')
      : '';

  const stop = new AbortController();
  const deployments = new Map<string, Deployment>();
  const services = new Map<string, Service>();
  const pods = new Map<string, Pod[]>();
  /** The status last written per Deployment (its resourceVersion moves with each write). */
  const written = new Map<string, unknown>();
  /** The last failure reported per Deployment. */
  const failing = new Map<string, string>();

  const readyEndpoint = (service: string, port: number): number | undefined => {
    const svc = services.get(service);
    const sp = svc?.spec?.ports?.find((p) => p.port === port);
    const selector = svc?.spec?.selector;
    if (!sp || !selector || Object.keys(selector).length === 0) return undefined;
    const target = sp.targetPort ?? sp.port;
    for (const list of pods.values())
      for (const p of list) {
        if (!p.proc.ready || !Object.entries(selector).every(([k, v]) => p.labels[k] === v)) continue;
        const name = typeof target === 'string' ? target : p.portNames.get(target);
        const hostPort = name === undefined ? undefined : p.ports[name];
        if (hostPort !== undefined) return hostPort;
      }
    return undefined;
  };
  const proxies = new ServiceProxies(
    (ns, svc, port) => (ns === namespace ? readyEndpoint(svc, port) : undefined),
    opts.servicePorts ?? {},
  );

  let syncing: Promise<void> = Promise.resolve();
  let again = false;
  let running = false;
  /** Runs one sync at a time; a request during a sync runs one more after it. */
  const requestSync = (): void => {
    if (stop.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    syncing = (async () => {
      do {
        again = false;
        await syncAll().catch((err: unknown) => onError(asError(err)));
      } while (again && !stop.signal.aborted);
      running = false;
    })();
  };

  async function requestToken(sa: string): Promise<string> {
    const res = await core.createNamespacedServiceAccountToken({
      name: sa,
      namespace,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [], expirationSeconds: TOKEN_SECONDS },
      },
    });
    const token = res.status?.token;
    if (!token) throw new Error(`TokenRequest for ServiceAccount ${namespace}/${sa} returned no token`);
    return token;
  }

  async function createPod(d: Deployment, hash: string): Promise<Pod> {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += SUFFIX_CHARS[Math.floor(Math.random() * SUFFIX_CHARS.length)];
    const name = `${d.metadata.name}-${hash}-${suffix}`;
    try {
      return await preparePod(d, hash, name);
    } catch (err) {
      rmSync(join(podsDir, name), { recursive: true, force: true }); // a failed TokenRequest leaves no mount behind
      throw err;
    }
  }

  async function preparePod(d: Deployment, hash: string, name: string): Promise<Pod> {
    const template = d.spec.template;
    const [container, ...sidecars] = template.spec.containers;
    if (!container || sidecars.length > 0)
      throw new Error(`Deployment ${namespace}/${d.metadata.name}: the process runtime runs exactly one container`);
    const command = entrypoint(container.image, container);
    if (!command)
      throw new Error(`Deployment ${namespace}/${d.metadata.name}: no entrypoint for image ${container.image}`);
    const dir = join(podsDir, name);
    const saDir = join(dir, 'serviceaccount');
    mkdirSync(saDir, { recursive: true });
    const sa = template.spec.serviceAccountName || 'default';
    writeFileSync(join(saDir, 'token'), await requestToken(sa), { mode: 0o600 });
    writeFileSync(join(saDir, 'ca.crt'), caPem);
    writeFileSync(join(saDir, 'namespace'), namespace);

    const emptyDirs = new Set((template.spec.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
    const mounts: Record<string, string> = {};
    for (const m of container.volumeMounts ?? []) {
      if (!emptyDirs.has(m.name)) continue;
      const hostDir = join(dir, 'volumes', m.name);
      mkdirSync(hostDir, { recursive: true });
      mounts[m.mountPath] = hostDir;
    }
    const ports: Record<string, number> = {};
    const portNames = new Map<number, string>();
    for (const p of container.ports ?? []) {
      if (!p.name) continue;
      ports[p.name] = await freePort();
      portNames.set(p.containerPort, p.name);
    }
    const env = containerEnv(container, { name, namespace, serviceAccountName: sa });
    const svcAddr = new Map<string, string>();
    for (const ref of serviceRefs(container.args ?? [], env)) {
      if (ref.namespace !== namespace) continue;
      const port = await proxies.portOf(namespace, ref.service, ref.port);
      svcAddr.set(`${ref.service}.${ref.namespace}:${ref.port}`, `127.0.0.1:${port}`);
    }
    const args = podArgs(container.args ?? [], {
      app: imageApp(container.image),
      env,
      ports,
      mounts,
      serviceAddress: (service, ns, port) => svcAddr.get(`${service}.${ns}:${port}`),
    });
    const logFile = join(logsDir, `${name}.log`);
    const proc = new PodProcess(name, {
      command,
      args,
      env: {
        ...(process.env['PATH'] ? { PATH: process.env['PATH'] } : {}),
        ...(process.env['TMPDIR'] ? { TMPDIR: process.env['TMPDIR'] } : {}),
        ...(opts.baseEnv ?? CONTROLLER_ENV_DEFAULTS),
        ...env,
        HOSTNAME: name,
        KUBERNETES_SERVICE_HOST: server.hostname.replace(/^\[|\]$/g, ''),
        KUBERNETES_SERVICE_PORT: server.port || '443',
        [SERVICE_ACCOUNT_DIR_ENV]: saDir,
        // the controller exits by itself when this process dies, however it dies
        [ParentPidEnv]: String(process.pid),
      },
      logFile,
      ports,
      readinessProbe: container.readinessProbe,
      livenessProbe: container.livenessProbe,
      gracePeriodMs: (template.spec.terminationGracePeriodSeconds ?? 30) * 1000,
      probeIntervalMs,
      onChange: requestSync,
    });
    const pod: Pod = {
      name,
      deployment: d.metadata.name,
      hash,
      labels: { ...(template.metadata?.labels ?? {}) },
      ports,
      portNames,
      dir,
      saDir,
      logFile,
      proc,
    };
    proc.start();
    return pod;
  }

  async function removePods(victims: readonly Pod[]): Promise<void> {
    await Promise.all(victims.map((p) => p.proc.stop()));
    for (const p of victims) rmSync(p.dir, { recursive: true, force: true }); // emptyDirs go with their pod
  }

  async function syncDeployment(d: Deployment): Promise<void> {
    const name = d.metadata.name;
    const hash = templateHash(d.spec.template);
    const replicas = d.spec.replicas ?? 1;
    let list = pods.get(name) ?? [];
    // a changed template replaces this Deployment's pods (stop first, as strategy Recreate does)
    const old = list.filter((p) => p.hash !== hash);
    if (old.length > 0) {
      await removePods(old);
      list = list.filter((p) => p.hash === hash);
      pods.set(name, list);
    }
    if (list.length > replicas) {
      // scale down as the ReplicaSet controller ranks: not-ready pods first, then the newest
      const ranked = [...list].sort(
        (a, b) => Number(a.proc.ready) - Number(b.proc.ready) || list.indexOf(b) - list.indexOf(a),
      );
      const victims = ranked.slice(0, list.length - replicas);
      await removePods(victims);
      list = list.filter((p) => !victims.includes(p));
      pods.set(name, list);
    }
    while (list.length < replicas && !stop.signal.aborted) {
      list = [...list, await createPod(d, hash)];
      pods.set(name, list);
    }
    await writeStatus(d, list, hash, replicas);
  }

  async function writeStatus(d: Deployment, list: readonly Pod[], hash: string, replicas: number): Promise<void> {
    const name = d.metadata.name;
    const current = list.filter((p) => p.hash === hash);
    const ready = list.filter((p) => p.proc.ready).length;
    const available = ready; // minReadySeconds 0
    const isAvailable = available >= replicas - maxUnavailable(d, replicas);
    const complete = current.length === replicas && list.length === replicas && available === replicas;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prev = (d.status?.['conditions'] as Record<string, unknown>[] | undefined) ?? [];
    const condition = (type: string, status: string, reason: string, message: string): Record<string, unknown> => {
      const before = prev.find((c) => c['type'] === type);
      const same = before?.['status'] === status;
      return {
        type,
        status,
        lastUpdateTime: same && before['reason'] === reason ? before['lastUpdateTime'] : now,
        lastTransitionTime: same ? before['lastTransitionTime'] : now,
        reason,
        message,
      };
    };
    const rs = `${name}-${hash}`;
    const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1 };
    const counts = {
      replicas: list.length,
      updatedReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
    };
    for (const [k, v] of Object.entries(counts)) if (v !== 0) status[k] = v;
    status['conditions'] = [
      isAvailable
        ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : condition(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          ),
      complete
        ? condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`)
        : condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`),
    ];
    const key = withoutTimes(status);
    if (isDeepStrictEqual(withoutTimes(d.status), key) || isDeepStrictEqual(written.get(name), key)) return;
    await client.patch(DEPLOYMENT, { namespace, name }, { status }, { type: 'merge', subresource: 'status' });
    written.set(name, key);
  }

  async function syncAll(): Promise<void> {
    for (const d of deployments.values()) {
      if (stop.signal.aborted) return;
      try {
        await syncDeployment(d);
        failing.delete(d.metadata.name);
      } catch (err) {
        // said once per distinct failure, not at every retry
        const msg = asError(err).message;
        if (failing.get(d.metadata.name) === msg) continue;
        failing.set(d.metadata.name, msg);
        onError(new Error(`process runtime: Deployment ${namespace}/${d.metadata.name}`, { cause: err }));
      }
    }
    for (const [name, list] of pods) {
      if (deployments.has(name)) continue;
      await removePods(list);
      pods.delete(name);
      written.delete(name);
    }
  }

  /** List, then watch from the list's resourceVersion; on any break, list again (an informer in a few lines). */
  async function watchLoop<T extends KubeObject>(gvk: GroupVersionKind, into: Map<string, T>): Promise<void> {
    while (!stop.signal.aborted) {
      try {
        const list = await client.list<T>(gvk, { namespace, signal: stop.signal });
        into.clear();
        for (const o of list.items) into.set(o.metadata.name, o);
        requestSync();
        for await (const ev of client.watch<T>(gvk, {
          namespace,
          resourceVersion: list.resourceVersion,
          timeoutSeconds: 300,
          signal: stop.signal,
        })) {
          if (ev.type === 'ERROR') break;
          if (ev.type === 'BOOKMARK') continue;
          if (ev.type === 'DELETED') into.delete(ev.object.metadata.name);
          else into.set(ev.object.metadata.name, ev.object);
          if (gvk === DEPLOYMENT) written.delete(ev.object.metadata.name);
          requestSync();
        }
      } catch (err) {
        if (stop.signal.aborted) return;
        onError(
          new Error(`process runtime: watch of ${gvk.kind}s in ${namespace} broke; listing again`, { cause: err }),
        );
      }
      await sleep(1000, stop.signal);
    }
  }

  // Should this process die without stopping the runtime (an uncaught error), the pods die with it; a kill -9 is
  // covered by FLUX_TS_PARENT_PID in each pod.
  const orphanGuard = (): void => {
    for (const list of pods.values()) for (const p of list) p.proc.killNow();
  };
  process.on('exit', orphanGuard);
  const loops = [watchLoop(SERVICE, services), watchLoop(DEPLOYMENT, deployments)];
  // readiness changes request a sync themselves; this tick only catches what a lost status write left behind
  const tick = setInterval(requestSync, 5000);
  tick.unref();

  return {
    pods: () =>
      [...pods.values()].flat().map((p) => ({
        name: p.name,
        deployment: p.deployment,
        hash: p.hash,
        pid: p.proc.pid,
        ready: p.proc.ready,
        restarts: p.proc.restarts,
        serviceAccountDir: p.saDir,
        logFile: p.logFile,
        ports: { ...p.ports },
      })),
    serviceAddress: async (service, port = 80) => `127.0.0.1:${await proxies.portOf(namespace, service, port)}`,
    stop: async () => {
      stop.abort();
      clearInterval(tick);
      await Promise.all(loops);
      await syncing;
      await removePods([...pods.values()].flat());
      pods.clear();
      process.off('exit', orphanGuard);
      await proxies.close();
    },
  };
}
