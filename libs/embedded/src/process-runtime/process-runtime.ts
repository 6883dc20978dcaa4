/**
 * The process runtime (issue 20, part 3): a stand-in for the Deployment controller, the kubelet and kube-proxy that
 * runs the Deployments of one namespace (flux-system) as OS processes, writing the ReplicaSets and Pods (with the
 * kubelet's status) a cluster would show, and serving their logs. It talks to the API server only over Kubernetes HTTP, with its own (admin) kubeconfig as kube-controller-manager and the kubelet have theirs; each
 * process gets its pod's ServiceAccount token "mounted" and the in-cluster environment, so the API server enforces
 * the pod's RBAC. Differences from a cluster are listed in deploy/README.md ("The embedded cluster").
 */
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Readable } from 'node:stream';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  deploymentStatus,
  findNewReplicaSet,
  isControlledBy,
  resolveFenceposts,
  syncDeployment as deploymentSync,
  withoutTimes,
} from '@flux-ts/apiserver';
import type { PodLogOptions } from '@flux-ts/apiserver';
import {
  KubeClient,
  ParentPidEnv,
  ServiceAccountDirEnv,
  isAlreadyExists,
  isConflict,
  isNotFound,
} from '@flux-ts/runtime';
import type { GroupVersionKind, KubeObject } from '@flux-ts/runtime';
import { freePort } from '@flux-ts/testbed';
import { CONTROLLER_ENV_DEFAULTS, CONTROLLER_NODE_FLAGS } from '../controllers.ts';
import { podName, podObject, podStatus, replicaSetStatus, rolloutStep } from './pod-objects.ts';
import { logStream } from './pod-logs.ts';
import { PodProcess } from './pod-process.ts';
import { containerEnv, imageApp, podArgs, serviceRefs } from './pod-spec.ts';
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
  /** Its ReplicaSet, `<deployment>-<hash>`. */
  replicaSet: string;
  /** The `pod-template-hash` of the pod (changes on a rollout). */
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
  /** The kubelet's side of `pods/log` (libs/apiserver's `podLogs` option): the container's log file, or undefined. */
  podLogs(namespace: string, pod: string, opts: PodLogOptions): Readable | undefined;
  /** The loopback address (`127.0.0.1:<port>`) that reaches a Service port (its proxy is started on first use). */
  serviceAddress(service: string, port?: number): Promise<string>;
  /** Stops every pod (gracefully) and the Service proxies. */
  stop(): Promise<void>;
}

interface Pod {
  name: string;
  deployment: string;
  /** Its ReplicaSet and that ReplicaSet's `pod-template-hash`. */
  replicaSet: string;
  hash: string;
  /** The Pod object's uid. */
  uid: string;
  container: string;
  image: string;
  admittedAt: Date;
  labels: Record<string, string>;
  /** Container port name → loopback port; and container port number → name. */
  ports: Record<string, number>;
  portNames: Map<number, string>;
  dir: string;
  saDir: string;
  logFile: string;
  proc: PodProcess;
  /** The status last written (its conditions keep their transition times), and its time-free key. */
  status?: Record<string, unknown>;
  statusKey?: unknown;
}

interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    template: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  };
  status?: Record<string, unknown>;
}

interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; template?: PodTemplate };
  status?: Record<string, unknown>;
}

interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    ports?: { port: number; targetPort?: number | string }[];
  };
}

const DEPLOYMENT: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'Deployment' };
const REPLICASET: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const POD: GroupVersionKind = { apiVersion: 'v1', kind: 'Pod' };
const SERVICE: GroupVersionKind = { apiVersion: 'v1', kind: 'Service' };
/** Long enough for any run here; the kubelet refreshes tokens, this runtime requests one per pod start. */
const TOKEN_SECONDS = 7 * 24 * 3600;

type Obj = Record<string, unknown>;
const asObj = (o: KubeObject): Obj => o as unknown as Obj;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Starts the runtime: it watches the namespace's Deployments, ReplicaSets, Pods and Services, and plays the
 * Deployment and ReplicaSet controllers (one ReplicaSet `<deployment>-<pod-template-hash>` per template, one Pod
 * `<replicaset>-<5 chars>` per replica, RollingUpdate or Recreate) and the kubelet (one process per Pod, its status
 * from the process and its readiness probe, `pods/log` from its log file; see the module comment).
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
  const replicaSets = new Map<string, ReplicaSet>();
  const podObjects = new Map<string, KubeObject>();
  const services = new Map<string, Service>();
  /** The pods this runtime runs, in creation order. */
  const running = new Set<Pod>();
  /** Pods whose object exists but whose process is being prepared (not orphans). */
  const preparing = new Set<string>();
  /** The status last written per Deployment (its resourceVersion moves with each write). */
  const written = new Map<string, unknown>();
  /** The last failure reported per Deployment. */
  const failing = new Map<string, string>();

  const podsOfDeployment = (name: string): Pod[] => [...running].filter((p) => p.deployment === name);

  const readyEndpoint = (service: string, port: number): number | undefined => {
    const svc = services.get(service);
    const sp = svc?.spec?.ports?.find((p) => p.port === port);
    const selector = svc?.spec?.selector;
    if (!sp || !selector || Object.keys(selector).length === 0) return undefined;
    const target = sp.targetPort ?? sp.port;
    for (const p of running) {
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
  let busy = false;
  /** Runs one sync at a time; a request during a sync runs one more after it. */
  const requestSync = (): void => {
    if (stop.signal.aborted) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    syncing = (async () => {
      do {
        again = false;
        await syncAll().catch((err: unknown) => onError(asError(err)));
      } while (again && !stop.signal.aborted);
      busy = false;
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

  /** The ReplicaSet controller creates the Pod object; the kubelet then prepares and starts its process. */
  async function createPod(d: Deployment, rs: ReplicaSet): Promise<void> {
    let name = podName(rs.metadata.name);
    while (podObjects.has(name) || preparing.has(name)) name = podName(rs.metadata.name);
    preparing.add(name);
    try {
      const created = await client.create<KubeObject>(podObject(asObj(rs), name) as unknown as KubeObject);
      podObjects.set(name, created);
      try {
        running.add(await preparePod(d, rs, created));
      } catch (err) {
        rmSync(join(podsDir, name), { recursive: true, force: true }); // a failed TokenRequest leaves no mount behind
        await client.delete(POD, { namespace, name }).catch(() => undefined);
        throw err;
      }
    } finally {
      preparing.delete(name);
    }
  }

  async function preparePod(d: Deployment, rs: ReplicaSet, obj: KubeObject): Promise<Pod> {
    const name = obj.metadata.name;
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
    const labels = { ...(obj.metadata.labels ?? {}) };
    const pod: Pod = {
      name,
      deployment: d.metadata.name,
      replicaSet: rs.metadata.name,
      hash: labels[POD_TEMPLATE_HASH_LABEL] ?? '',
      uid: obj.metadata.uid ?? '',
      container: container.name,
      image: container.image,
      admittedAt: new Date(),
      labels,
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

  /** Stops pods (gracefully), then deletes their objects (a pod the user deleted is already gone). */
  async function removePods(victims: readonly Pod[]): Promise<void> {
    for (const p of victims) running.delete(p);
    await Promise.all(victims.map((p) => p.proc.stop()));
    for (const p of victims) {
      rmSync(p.dir, { recursive: true, force: true }); // emptyDirs go with their pod
      // on stop the objects stay, as a node's pods do when its kubelet stops; the next start replaces them
      if (stop.signal.aborted) continue;
      await client.delete(POD, { namespace, name: p.name }).catch((err: unknown) => {
        if (!isNotFound(err))
          onError(new Error(`process runtime: deleting Pod ${namespace}/${p.name}`, { cause: err }));
      });
      podObjects.delete(p.name);
    }
  }

  /** Creates the new ReplicaSet (or finds it when it exists but the watch has not brought it yet). */
  async function ensureReplicaSet(create: Obj): Promise<void> {
    const rs = create as unknown as ReplicaSet;
    rs.spec = { ...rs.spec, replicas: 0 }; // the rollout step gives it its pods
    try {
      const made = await client.create<ReplicaSet>(rs);
      replicaSets.set(made.metadata.name, made);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      replicaSets.set(
        rs.metadata.name,
        await client.get<ReplicaSet>(REPLICASET, { namespace, name: rs.metadata.name }),
      );
    }
  }

  async function syncDeployment(d: Deployment): Promise<void> {
    const name = d.metadata.name;
    const ownedRs = (): ReplicaSet[] =>
      [...replicaSets.values()].filter((rs) => isControlledBy(asObj(rs), d.metadata.uid ?? ''));
    const plan = deploymentSync(asObj(d), ownedRs().map(asObj));
    if (plan.create) await ensureReplicaSet(plan.create);
    const current = findNewReplicaSet(asObj(d), ownedRs().map(asObj)) as unknown as ReplicaSet | undefined;
    if (!current) throw new Error(`no ReplicaSet for the pod template of Deployment ${namespace}/${name}`);

    // the kubelet reports first (a new pod's readiness), then the controllers act on it
    for (const p of podsOfDeployment(name)) await writePodStatus(p);
    // one rollout step over pods
    const replicas = d.spec.replicas ?? 1;
    const mine = podsOfDeployment(name);
    const currentPods = mine.filter((p) => p.replicaSet === current.metadata.name);
    const oldPods = mine.filter((p) => p.replicaSet !== current.metadata.name);
    const fence = resolveFenceposts(asObj(d));
    const step = rolloutStep({
      strategy: d.spec.strategy?.type === 'Recreate' ? 'Recreate' : 'RollingUpdate',
      replicas,
      maxSurge: fence.maxSurge,
      maxUnavailable: fence.maxUnavailable,
      current: currentPods.map((p) => ({ ready: p.proc.ready })),
      old: oldPods.map((p) => ({ ready: p.proc.ready })),
    });
    const victims = [...step.removeCurrent.map((i) => currentPods[i]!), ...step.removeOld.map((i) => oldPods[i]!)];
    if (victims.length > 0) {
      await removePods(victims);
      again = true; // the next step may follow at once (Recreate: the new pods, once the old ones are gone)
    }
    for (let i = 0; i < step.create && !stop.signal.aborted; i++) await createPod(d, current);

    // the ReplicaSets' sizes, annotations and status; the history beyond revisionHistoryLimit
    const updates = new Map(plan.update.map((u) => [String((u['metadata'] as Obj)['name']), u]));
    for (const rs of ownedRs()) {
      const pods = podsOfDeployment(name).filter((p) => p.replicaSet === rs.metadata.name);
      const next = (updates.get(rs.metadata.name) ?? structuredClone(asObj(rs))) as unknown as ReplicaSet;
      next.spec = { ...next.spec, replicas: pods.length };
      let live = rs;
      if (!isDeepStrictEqual(asObj(next), asObj(rs))) {
        try {
          live = await client.update(next);
        } catch (err) {
          if (!isConflict(err)) throw err;
          // the watch has not brought the latest yet: read it, and go again
          replicaSets.set(
            rs.metadata.name,
            await client.get<ReplicaSet>(REPLICASET, { namespace, name: rs.metadata.name }),
          );
          again = true;
          continue;
        }
        replicaSets.set(live.metadata.name, live);
      }
      const status = replicaSetStatus(
        pods.map((p) => ({ ready: p.proc.ready })),
        live.metadata.generation ?? 1,
      );
      if (!isDeepStrictEqual(live.status ?? {}, status)) {
        const after = await client.patch<ReplicaSet>(
          REPLICASET,
          { namespace, name: live.metadata.name },
          { status: { ...Object.fromEntries(Object.keys(live.status ?? {}).map((k) => [k, null])), ...status } },
          { type: 'merge', subresource: 'status' },
        );
        replicaSets.set(after.metadata.name, after);
      }
    }
    for (const rsName of plan.remove)
      if (!podsOfDeployment(name).some((p) => p.replicaSet === rsName)) {
        await client.delete(REPLICASET, { namespace, name: rsName }).catch(() => undefined);
        replicaSets.delete(rsName);
      }
    if (plan.revision !== undefined)
      await client.patch(
        DEPLOYMENT,
        { namespace, name },
        { metadata: { annotations: { [REVISION_ANNOTATION]: plan.revision } } },
        { type: 'merge' },
      );

    for (const p of podsOfDeployment(name)) await writePodStatus(p);
    await writeStatus(d, ownedRs());
  }

  /** The kubelet's status of one pod (written when it changed apart from times). */
  async function writePodStatus(p: Pod): Promise<void> {
    const status = podStatus(
      {
        uid: p.uid,
        name: p.name,
        namespace,
        container: p.container,
        image: p.image,
        startedAt: p.admittedAt,
        ready: p.proc.ready,
        restarts: p.proc.restarts,
        pid: p.proc.pid,
        state: p.proc.state,
        lastTermination: p.proc.lastTermination,
      },
      p.status,
      new Date(),
    );
    const key = withoutTimes(status);
    if (isDeepStrictEqual(p.statusKey, key)) return;
    try {
      await client.patch(POD, { namespace, name: p.name }, { status }, { type: 'merge', subresource: 'status' });
      p.status = status;
      p.statusKey = key;
    } catch (err) {
      if (!isNotFound(err)) throw err; // deleted meanwhile: the Pod watch stops it
    }
  }

  /** The Deployment controller's status, from the ReplicaSets as this runtime counts their pods. */
  async function writeStatus(d: Deployment, owned: readonly ReplicaSet[]): Promise<void> {
    const name = d.metadata.name;
    const views = owned.map((rs) => {
      const pods = podsOfDeployment(name).filter((p) => p.replicaSet === rs.metadata.name);
      return {
        ...asObj(rs),
        spec: { ...rs.spec, replicas: pods.length },
        status: replicaSetStatus(
          pods.map((p) => ({ ready: p.proc.ready })),
          rs.metadata.generation ?? 1,
        ),
      };
    });
    const status = deploymentStatus(asObj(d), views, new Date());
    const key = withoutTimes(status);
    if (isDeepStrictEqual(withoutTimes(d.status), key) || isDeepStrictEqual(written.get(name), key)) return;
    const cleared = Object.fromEntries(Object.keys(d.status ?? {}).map((k) => [k, null]));
    await client.patch(
      DEPLOYMENT,
      { namespace, name },
      { status: { ...cleared, ...status } },
      { type: 'merge', subresource: 'status' },
    );
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
    const gone = [...running].filter((p) => !deployments.has(p.deployment));
    if (gone.length > 0) await removePods(gone);
    for (const name of written.keys()) if (!deployments.has(name)) written.delete(name);
    // Pods of our ReplicaSets that no process stands for (left by an earlier run): a kubelet would run them; the
    // ReplicaSet's own pods replace them here
    const ours = new Set([...running].map((p) => p.name));
    const uids = new Set([...deployments.values()].map((d) => d.metadata.uid ?? ''));
    const rsUids = new Set(
      [...replicaSets.values()]
        .filter((rs) => [...uids].some((uid) => isControlledBy(asObj(rs), uid)))
        .map((rs) => rs.metadata.uid ?? ''),
    );
    for (const pod of podObjects.values()) {
      const name = pod.metadata.name;
      if (ours.has(name) || preparing.has(name) || ![...rsUids].some((uid) => isControlledBy(asObj(pod), uid)))
        continue;
      podObjects.delete(name);
      await client.delete(POD, { namespace, name }).catch(() => undefined);
    }
  }

  /** A Pod deleted through the API (`kubectl delete pod`, garbage collection): its process stops. */
  const podGone = (name: string): void => {
    const pod = [...running].find((p) => p.name === name);
    if (!pod) return;
    running.delete(pod);
    void removePods([pod]).then(requestSync); // removePods reports its own failures
  };

  /**
   * List, then watch from the list's resourceVersion; on any break, list again (an informer in a few lines).
   * `relevant` says which events need a sync (the runtime's own writes come back as events too).
   */
  async function watchLoop<T extends KubeObject>(
    gvk: GroupVersionKind,
    into: Map<string, T>,
    relevant: (type: string, obj: T) => boolean,
  ): Promise<void> {
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
          if (relevant(ev.type, ev.object)) requestSync();
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
    for (const p of running) p.proc.killNow();
  };
  process.on('exit', orphanGuard);
  const loops = [
    watchLoop(SERVICE, services, () => true),
    watchLoop(DEPLOYMENT, deployments, (_, d) => (written.delete(d.metadata.name), true)),
    watchLoop(REPLICASET, replicaSets, (type) => type === 'DELETED'),
    watchLoop(POD, podObjects, (type, pod) => {
      if (type === 'DELETED') podGone(pod.metadata.name);
      return false;
    }),
  ];
  // readiness changes request a sync themselves; this tick only catches what a lost status write left behind
  const tick = setInterval(requestSync, 5000);
  tick.unref();

  return {
    pods: () =>
      [...running].map((p) => ({
        name: p.name,
        deployment: p.deployment,
        replicaSet: p.replicaSet,
        hash: p.hash,
        pid: p.proc.pid,
        ready: p.proc.ready,
        restarts: p.proc.restarts,
        serviceAccountDir: p.saDir,
        logFile: p.logFile,
        ports: { ...p.ports },
      })),
    podLogs: (ns, name, o) => {
      const pod = ns === namespace ? [...running].find((p) => p.name === name) : undefined;
      if (!pod || o.container !== pod.container) return undefined;
      const { current, previous } = pod.proc.logOffsets;
      if (o.previous)
        return previous === undefined
          ? undefined
          : logStream(pod.logFile, { start: previous, end: current, tailLines: o.tailLines });
      if (pod.proc.state.kind === 'waiting' && pod.proc.restarts === 0) return undefined;
      return logStream(pod.logFile, {
        start: current,
        tailLines: o.tailLines,
        // a follow ends with the container, as the kubelet's: its process exits (the pod stops, or it crashed)
        ...(o.follow
          ? {
              follow: () => pod.proc.state.kind === 'running' && pod.proc.logOffsets.current === current,
            }
          : {}),
      });
    },
    serviceAddress: async (service, port = 80) => `127.0.0.1:${await proxies.portOf(namespace, service, port)}`,
    stop: async () => {
      stop.abort();
      clearInterval(tick);
      await Promise.all(loops);
      await syncing;
      await removePods([...running]);
      process.off('exit', orphanGuard);
      await proxies.close();
    },
  };
}
