/**
 * What the process runtime makes of a Deployment's pod template: the container's environment
 * (literal values, the downward API, `$(VAR)` expansion as the kubelet does it), and its args with the three
 * deliberate rewrites a process on this machine needs (bind addresses, Service hostnames, emptyDir paths).
 */

/** The container fields the runtime reads. */
export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath?: string } };
  }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
}

/** An httpGet probe (the only kind Flux's Deployments use). */
export interface Probe {
  httpGet?: { path?: string; port: string | number };
  initialDelaySeconds?: number;
  failureThreshold?: number;
}

/** The pod template fields the runtime reads. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    terminationGracePeriodSeconds?: number;
    containers: ContainerSpec[];
    volumes?: { name: string; emptyDir?: object }[];
  };
}

/**
 * Kubelet's `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion): `$(NAME)` becomes the
 * variable's value when it is defined, stays as written when it is not; `$$` is an escaped `$`.
 */
export function expandVars(s: string, lookup: (name: string) => string | undefined): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : (lookup(name ?? '') ?? m),
  );
}

/** What the downward API answers for a pod. */
export interface PodFields {
  name: string;
  namespace: string;
  serviceAccountName: string;
}

/**
 * The container's environment as the kubelet builds it: each entry in order, a literal `value` expanded against the
 * entries before it, `valueFrom.fieldRef` from the pod (`metadata.name`, `metadata.namespace`,
 * `spec.serviceAccountName`, `status.podIP` = 127.0.0.1). Other sources (Secrets, ConfigMaps) throw: Flux's
 * Deployments use none, and a silently missing variable would be worse.
 */
export function containerEnv(container: ContainerSpec, pod: PodFields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      out[e.name] = expandVars(e.value, (n) => out[n]);
      continue;
    }
    const path = e.valueFrom?.fieldRef?.fieldPath;
    const fields: Record<string, string> = {
      'metadata.name': pod.name,
      'metadata.namespace': pod.namespace,
      'spec.serviceAccountName': pod.serviceAccountName,
      'status.podIP': '127.0.0.1',
    };
    if (path !== undefined && fields[path] !== undefined) {
      out[e.name] = fields[path];
      continue;
    }
    if (e.valueFrom === undefined) {
      out[e.name] = '';
      continue;
    }
    throw new Error(
      `env ${e.name}: only fieldRef ${Object.keys(fields).join(', ')} is supported by the process runtime`,
    );
  }
  return out;
}

/**
 * The bind-address flag of each named container port, per controller (the app the image runs): the runtime maps
 * each port to a free loopback port and sets this flag so that the process listens there. `*` applies to all.
 */
export const BIND_FLAGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '*': { healthz: 'health-addr', 'http-prom': 'metrics-addr' },
  'source-controller': { http: 'storage-addr' },
  'source-watcher': { http: 'storage-addr' },
  'notification-controller': { http: 'events-addr', 'http-webhook': 'receiverAddr' },
};

/** Removes every `--flag=v` and `--flag v` (and the single-dash forms) from `args`. */
function dropFlag(args: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${flag}` || a === `-${flag}`) {
      i++; // its value
      continue;
    }
    if (a.startsWith(`--${flag}=`) || a.startsWith(`-${flag}=`)) continue;
    out.push(a);
  }
  return out;
}

/** Inputs of {@link podArgs}. */
export interface PodArgsOptions {
  /** The controller the image runs (selects {@link BIND_FLAGS}). */
  app: string;
  /** The pod's environment (for `$(VAR)`). */
  env: Readonly<Record<string, string>>;
  /** Container port name → the loopback port it is mapped to. */
  ports: Readonly<Record<string, number>>;
  /** Resolves `<service>.<namespace>` and a port to the loopback address that reaches it, or undefined. */
  serviceAddress: (service: string, namespace: string, port: number) => string | undefined;
  /** Volume mount path → the host directory that stands for it (emptyDirs). */
  mounts: Readonly<Record<string, string>>;
}

const SERVICE_HOST =
  /\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local\.?)?(?::(\d+))?/g;

/** The Service ports the args name (after `$(VAR)` expansion): `<svc>.<ns>.svc…[:port]`, port 80 when absent. */
export function serviceRefs(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): { service: string; namespace: string; port: number }[] {
  const out: { service: string; namespace: string; port: number }[] = [];
  for (const a of args)
    for (const m of expandVars(a, (n) => env[n]).matchAll(SERVICE_HOST))
      out.push({ service: m[1]!, namespace: m[2]!, port: m[3] ? Number(m[3]) : 80 });
  return out;
}

/**
 * The process's argv after the container's: `$(VAR)` expanded; every `<svc>.<ns>.svc[.cluster.local[.]][:port]`
 * replaced by the loopback address of that Service port (a deliberate difference: no DNS here); a value that is an
 * emptyDir's mount path (or under it) moved to the host directory standing for it; and, for each mapped container
 * port with a known bind flag ({@link BIND_FLAGS}), that flag set to the loopback port (earlier occurrences dropped).
 */
export function podArgs(args: readonly string[], opts: PodArgsOptions): string[] {
  let out = args.map((a) => {
    let s = expandVars(a, (n) => opts.env[n]);
    s = s.replace(SERVICE_HOST, (m, svc: string, ns: string, port: string | undefined) => {
      return opts.serviceAddress(svc, ns, port ? Number(port) : 80) ?? m;
    });
    const eq = s.startsWith('-') ? s.indexOf('=') : -1;
    const [head, value] = eq < 0 ? ['', s] : [s.slice(0, eq + 1), s.slice(eq + 1)];
    for (const [mount, dir] of Object.entries(opts.mounts)) {
      if (value === mount || value.startsWith(`${mount}/`)) return `${head}${dir}${value.slice(mount.length)}`;
    }
    return s;
  });
  const flags = { ...BIND_FLAGS['*'], ...BIND_FLAGS[opts.app] };
  for (const [portName, hostPort] of Object.entries(opts.ports)) {
    const flag = flags[portName];
    if (!flag) continue;
    out = [...dropFlag(out, flag), `--${flag}=127.0.0.1:${hostPort}`];
  }
  return out;
}

/** The app an image runs: the last path segment of its repository (`ghcr.io/flux-ts/source-controller:v1` → `source-controller`). */
export function imageApp(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}
