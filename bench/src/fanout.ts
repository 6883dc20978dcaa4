// `bench kustomization`, `bench source` and `bench idle` (issue 10, scenarios 1 to 4) and `bench helmrelease`
// (issue 16): controller-level fan-out on the embedded cluster. Each run starts a fresh API server, git server and controller processes (cluster.ts),
// creates N objects at once and times them to Ready; then the passes that follow (upgrade, no-op, or a stretch of
// idle time with nothing changing) on the same cluster.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChartServer, writeChartRepo } from '@flux-ts/embedded';
import type { ChartServer } from '@flux-ts/embedded';
import { makeRepo } from '@flux-ts/testbed';
import { Cluster, controllerTotals, gitCommit, machineInfo, planPinning, readyOf, runPhase } from './cluster.ts';
import type { ControllerTotals, MachineInfo, Obj, PhaseResult, Pinning } from './cluster.ts';
import { median, table } from './measure.ts';

export type FanoutScenario = 'kustomization' | 'source' | 'idle' | 'helmrelease';

export interface FanoutOptions {
  n: number;
  /** Runs, each on a fresh cluster (default 3). */
  runs?: number;
  /** Injected latency per API request, ms (default 0). */
  latencyMs?: number;
  /**
   * `--concurrent` of the scenario's main controller (default: kustomize-controller 20, source-controller 10,
   * helm-controller 10, as in flux-benchmark).
   */
  concurrent?: number;
  /**
   * Client-side rate limit of both controllers (`--kube-api-qps`/`--kube-api-burst`); default: the flags' defaults
   * (50/300). `'off'` passes `--kube-api-qps=-1 --kube-api-burst=-1`, what Flux does when the API server has
   * Priority and Fairness.
   */
  qps?: 'off' | { qps: number; burst: number };
  /** Pin the peers and the controllers to different CPUs with taskset when possible (default true). */
  pin?: boolean;
  /** Timeout of each phase, ms (default 120 s + 1 s per object). */
  phaseTimeoutMs?: number;
  /** Emulated container memory limit of the controllers, MiB (see `ClusterOptions.memoryLimitMiB`); default none. */
  memoryLimitMiB?: number;
  /** `idle`: how long nothing changes after everything is Ready, ms (default 10 minutes). */
  idleMs?: number;
  /** Parent of the temporary directories (default os.tmpdir()). */
  tmpRoot?: string;
  log?: (line: string) => void;
}

/** One run: the phases and each controller's lifetime figures. */
export interface FanoutRun {
  /** 1, 5 and 15 minute load averages before and after the run (other work on the machine shows here). */
  loadavg: { before: number[]; after: number[] };
  phases: Record<string, PhaseResult>;
  controllers: Record<string, ControllerTotals>;
}

/** The flat figures of one run that the table shows and the median is taken of. */
export type Figures = Record<string, number | null>;

export interface FanoutResult {
  scenario: FanoutScenario;
  n: number;
  latencyMs: number;
  /** The controllers' client-side rate limit: 'default' (50/300), 'off', or `<qps>/<burst>`. */
  qps: string;
  runs: number;
  date: string;
  commit: string;
  /** The tree had uncommitted changes to tracked files. */
  dirty: boolean;
  /** sha256 of `git diff HEAD -- apps libs` (null when clean): the code measured when `dirty`. */
  diffSha256: string | null;
  machine: MachineInfo;
  pinning: Pinning | null;
  settings: {
    controllers: Record<string, string[]>;
    simulateReadyMs: number;
    /** The emulated container memory limit of the controllers (null: none, V8 sized by the machine's memory). */
    memoryLimitMiB: number | null;
    phaseTimeoutMs: number;
    /** After the last object is done, requests are still counted this long. */
    settleMs: number;
  };
  samples: FanoutRun[];
  /** Median over the runs of each figure (see {@link figures}). */
  median: Figures;
}

// ---- the flux-benchmark application ------------------------------------------------------------------------------

/**
 * The application each Kustomization applies, after fluxcd/flux-benchmark's podinfo manifests: a ServiceAccount, a
 * Service, a Deployment scaled to 0 and an Ingress, with `${INDEX}`, `${VERSION}`, `${MCPU}` and `${PODS:=0}`
 * substituted by postBuild. VERSION is on every object, so the upgrade pass changes all four.
 */
export const APP_FILES: Readonly<Record<string, string>> = {
  'app/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - serviceaccount.yaml',
    '  - service.yaml',
    '  - deployment.yaml',
    '  - ingress.yaml',
    '',
  ].join('\n'),
  'app/serviceaccount.yaml': [
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: "podinfo-${INDEX}"',
    '  labels:',
    '    app.kubernetes.io/name: "podinfo-${INDEX}"',
    '    app.kubernetes.io/version: "${VERSION}"',
    '',
  ].join('\n'),
  'app/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: "podinfo-${INDEX}"',
    '  labels:',
    '    app.kubernetes.io/name: "podinfo-${INDEX}"',
    '    app.kubernetes.io/version: "${VERSION}"',
    'spec:',
    '  type: ClusterIP',
    '  selector:',
    '    app.kubernetes.io/name: "podinfo-${INDEX}"',
    '  ports:',
    '    - name: http',
    '      port: 9898',
    '      targetPort: http',
    '      protocol: TCP',
    '    - name: grpc',
    '      port: 9999',
    '      targetPort: grpc',
    '      protocol: TCP',
    '',
  ].join('\n'),
  'app/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: "podinfo-${INDEX}"',
    '  labels:',
    '    app.kubernetes.io/name: "podinfo-${INDEX}"',
    '    app.kubernetes.io/version: "${VERSION}"',
    'spec:',
    '  replicas: ${PODS:=0}',
    '  selector:',
    '    matchLabels:',
    '      app.kubernetes.io/name: "podinfo-${INDEX}"',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app.kubernetes.io/name: "podinfo-${INDEX}"',
    '      annotations:',
    '        prometheus.io/scrape: "true"',
    '        prometheus.io/port: "9898"',
    '    spec:',
    '      serviceAccountName: "podinfo-${INDEX}"',
    '      containers:',
    '        - name: podinfo',
    '          image: "ghcr.io/stefanprodan/podinfo:6.5.3"',
    '          command: ["./podinfo", "--port=9898", "--port-metrics=9797", "--grpc-port=9999"]',
    '          ports:',
    '            - { name: http, containerPort: 9898, protocol: TCP }',
    '            - { name: http-metrics, containerPort: 9797, protocol: TCP }',
    '            - { name: grpc, containerPort: 9999, protocol: TCP }',
    '          resources:',
    '            requests:',
    '              cpu: "${MCPU}"',
    '              memory: 16Mi',
    '',
  ].join('\n'),
  'app/ingress.yaml': [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    '  name: "podinfo-${INDEX}"',
    '  labels:',
    '    app.kubernetes.io/name: "podinfo-${INDEX}"',
    '    app.kubernetes.io/version: "${VERSION}"',
    'spec:',
    '  ingressClassName: nginx',
    '  rules:',
    '    - host: "podinfo-${INDEX}.local"',
    '      http:',
    '        paths:',
    '          - path: /',
    '            pathType: ImplementationSpecific',
    '            backend:',
    '              service:',
    '                name: "podinfo-${INDEX}"',
    '                port:',
    '                  number: 9898',
    '',
  ].join('\n'),
};

/**
 * The chart each HelmRelease releases, after flux-benchmark's `flux-hr-bench` (podinfo with `replicaCount: 0`, its
 * ServiceAccount and Ingress enabled, a CPU request): the same four objects as {@link APP_FILES}, named after the
 * release, with `version` (a label of all four) and `mcpu` from values, so the upgrade pass changes every object.
 */
export const BENCH_CHART_FILES: Readonly<Record<string, string>> = {
  'Chart.yaml': 'apiVersion: v2\nname: podinfo\nversion: 6.5.3\nappVersion: 6.5.3\ntype: application\n',
  'values.yaml': 'replicaCount: 0\nversion: 1.0.0\nmcpu: 100m\n',
  ...Object.fromEntries(
    ['serviceaccount', 'service', 'deployment', 'ingress'].map((kind) => [
      `templates/${kind}.yaml`,
      (APP_FILES[`app/${kind}.yaml`] ?? '')
        .replaceAll('"podinfo-${INDEX}"', '{{ .Release.Name | quote }}')
        .replaceAll('"podinfo-${INDEX}.local"', '{{ printf "%s.local" .Release.Name | quote }}')
        .replaceAll('"${VERSION}"', '{{ .Values.version | quote }}')
        .replaceAll('${PODS:=0}', '{{ .Values.replicaCount }}')
        .replaceAll('"${MCPU}"', '{{ .Values.mcpu | quote }}'),
    ]),
  ),
};

const NS = 'flux-system';
const KS = ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'] as const;
const HR = ['helm.toolkit.fluxcd.io/v2', 'HelmRelease'] as const;
const HREPO = ['source.toolkit.fluxcd.io/v1', 'HelmRepository'] as const;
const GR = ['source.toolkit.fluxcd.io/v1', 'GitRepository'] as const;
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const SIMULATE_READY_MS = 0;
const SETTLE_MS = 1000;

const name = (i: number): string => `app-${i}`;

function substitute(i: number, version: string, mcpu: string): Record<string, string> {
  return { INDEX: `${i}app`, VERSION: version, MCPU: mcpu, PODS: '0' };
}

function kustomization(i: number, opts: { interval?: string; source?: string } = {}): Obj {
  return {
    apiVersion: KS[0],
    kind: KS[1],
    metadata: { name: name(i), namespace: NS },
    spec: {
      interval: opts.interval ?? '60m',
      retryInterval: '2m',
      timeout: '1m',
      sourceRef: { kind: 'GitRepository', name: opts.source ?? 'bench' },
      path: './app',
      prune: true,
      wait: true,
      targetNamespace: name(i),
      postBuild: { substitute: substitute(i, '1.0.0', '100m') },
    },
  };
}

/**
 * HelmRelease i as flux-benchmark writes it: its own HelmChart from the one HelmRepository, released as `app-<i>`
 * into its own namespace (also the storage namespace), CRDs Create/CreateReplace, Helm's wait on.
 */
function helmRelease(i: number): Obj {
  return {
    apiVersion: HR[0],
    kind: HR[1],
    metadata: { name: name(i), namespace: NS },
    spec: {
      interval: '60m',
      releaseName: name(i),
      targetNamespace: name(i),
      storageNamespace: name(i),
      chart: {
        spec: {
          chart: 'podinfo',
          version: '6.5.3',
          sourceRef: { kind: 'HelmRepository', name: 'bench' },
          interval: '600m',
        },
      },
      install: { crds: 'Create' },
      upgrade: { crds: 'CreateReplace' },
      values: { version: '1.0.0', mcpu: '100m' },
    },
  };
}

function gitRepository(objName: string, url: string, interval = '60m'): Obj {
  return {
    apiVersion: GR[0],
    kind: GR[1],
    metadata: { name: objName, namespace: NS },
    spec: { url, ref: { branch: 'main' }, interval, timeout: '60s' },
  };
}

/** `idle`: the interval of object i, 1 to 10 minutes. */
const idleInterval = (i: number): string => `${1 + (i % 10)}m`;
/** `idle`: N objects are ceil(N/2) GitRepositories, one repository each, and floor(N/2) Kustomizations, one per source. */
const idleSplit = (n: number): { sources: number; kustomizations: number } => ({
  sources: Math.ceil(n / 2),
  kustomizations: Math.floor(n / 2),
});

const statusOf = (o: Obj): Obj => (o['status'] as Obj | undefined) ?? {};
const generation = (o: Obj): unknown => (o['metadata'] as Obj)['generation'];
const objName = (o: Obj): string => String((o['metadata'] as Obj)['name']);

/** Names of the objects of a kind in flux-system that fail `done`. */
function pendingOf(c: Cluster, kind: readonly [string, string], done: (o: Obj) => boolean): string[] {
  return c
    .list(kind[0], kind[1], NS)
    .filter((o) => !done(o))
    .map(objName);
}

function describeOf(c: Cluster, kind: readonly [string, string]): (key: string) => string {
  return (key) => {
    const o = c.list(kind[0], kind[1], NS).find((x) => objName(x) === key);
    if (!o) return `${key}: missing`;
    const r = readyOf(o);
    const s = statusOf(o);
    return `${key}: Ready=${r.ready} ${r.reason} ${r.message.slice(0, 200)} (generation ${String(generation(o))}, observed ${String(s['observedGeneration'])})`;
  };
}

/** Ready at the current generation. */
const readyNow = (o: Obj): boolean => readyOf(o).ready && statusOf(o)['observedGeneration'] === generation(o);
/** A source Ready at its generation, with an artifact. */
const withArtifact = (o: Obj): boolean =>
  readyNow(o) && typeof (statusOf(o)['artifact'] as Obj | undefined)?.['digest'] === 'string';

// ---- scenarios -------------------------------------------------------------------------------------------------

function controllersOf(
  scenario: FanoutScenario,
  concurrent: number | undefined,
  qps: FanoutOptions['qps'],
): { name: string; args: string[] }[] {
  const limits =
    qps === undefined
      ? []
      : qps === 'off'
        ? ['--kube-api-qps=-1', '--kube-api-burst=-1']
        : [`--kube-api-qps=${qps.qps}`, `--kube-api-burst=${qps.burst}`];
  if (scenario === 'source')
    return [{ name: 'source-controller', args: ['--concurrent', String(concurrent ?? 10), ...limits] }];
  if (scenario === 'helmrelease')
    return [
      { name: 'source-controller', args: ['--concurrent', '10', ...limits] },
      { name: 'helm-controller', args: ['--concurrent', String(concurrent ?? 10), ...limits] },
    ];
  // idle, kustomization: flux-benchmark's flags.
  return [
    { name: 'source-controller', args: ['--concurrent', '10', ...limits] },
    { name: 'kustomize-controller', args: ['--concurrent', String(concurrent ?? 20), ...limits] },
  ];
}

type Measured = Omit<FanoutRun, 'loadavg'>;

async function kustomizationRun(
  c: Cluster,
  n: number,
  timeoutMs: number,
  log?: (l: string) => void,
): Promise<Measured> {
  // Setup, not timed: the source is Ready before the Kustomizations exist, so that none waits out
  // --requeue-dependency for it.
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  c.create(gitRepository('bench', `${c.git.url}/bench.git`));
  const setup = await runPhase(c, {
    objects: 1,
    start: () => undefined,
    pending: () => pendingOf(c, GR, readyNow),
    timeoutMs: 60_000,
    settleMs: 0,
    describe: describeOf(c, GR),
  });
  if (setup.timedOut) throw new Error(`the GitRepository did not become Ready: ${setup.timedOut.sample.join('; ')}`);

  const phases: Record<string, PhaseResult> = {};
  log?.(`install: ${n} Kustomizations`);
  phases['install'] = await runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++) c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: name(i) } });
      for (let i = 0; i < n; i++) c.create(kustomization(i));
    },
    pending: () => pendingOf(c, KS, readyNow),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c, KS),
  });
  if (stopped(phases, log)) return done(c, phases);
  checkApplied(c, n, '1.0.0', '100m');

  log?.('upgrade: VERSION and MCPU changed on every Kustomization');
  phases['upgrade'] = await runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++)
        c.mergePatch(KS[0], KS[1], NS, name(i), {
          spec: { postBuild: { substitute: substitute(i, '1.0.1', '200m') } },
        });
    },
    pending: () => pendingOf(c, KS, readyNow),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c, KS),
  });
  if (stopped(phases, log)) return done(c, phases);
  checkApplied(c, n, '1.0.1', '200m');

  log?.('no-op: requestedAt on every Kustomization');
  phases['noop'] = await noopPhase(c, KS, n, timeoutMs);
  if (stopped(phases, log)) return done(c, phases);
  checkApplied(c, n, '1.0.1', '200m');
  return done(c, phases);
}

/** The newest release of a HelmRelease (`status.history[0].version`). */
const releaseVersion = (o: Obj): unknown => ((statusOf(o)['history'] as Obj[] | undefined)?.[0] ?? {})['version'];

async function helmReleaseRun(
  c: Cluster,
  n: number,
  chartUrl: string,
  timeoutMs: number,
  log?: (l: string) => void,
): Promise<Measured> {
  // Setup, not timed: the HelmRepository has its index artifact before the HelmReleases exist.
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  c.create({
    apiVersion: HREPO[0],
    kind: HREPO[1],
    metadata: { name: 'bench', namespace: NS },
    spec: { url: chartUrl, interval: '12h', timeout: '2m' },
  });
  const setup = await runPhase(c, {
    objects: 1,
    start: () => undefined,
    pending: () => pendingOf(c, HREPO, withArtifact),
    timeoutMs: 60_000,
    settleMs: 0,
    describe: describeOf(c, HREPO),
  });
  if (setup.timedOut) throw new Error(`the HelmRepository did not become Ready: ${setup.timedOut.sample.join('; ')}`);

  const released = (version: number) => (o: Obj) => readyNow(o) && releaseVersion(o) === version;
  const phases: Record<string, PhaseResult> = {};
  log?.(`install: ${n} HelmReleases, one HelmChart each`);
  phases['install'] = await runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++) c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: name(i) } });
      for (let i = 0; i < n; i++) c.create(helmRelease(i));
    },
    pending: () => pendingOf(c, HR, released(1)),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c, HR),
  });
  if (stopped(phases, log)) return done(c, phases);
  checkApplied(c, n, '1.0.0', '100m', name);

  log?.("upgrade: version and mcpu changed in every HelmRelease's values");
  phases['upgrade'] = await runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++)
        c.mergePatch(HR[0], HR[1], NS, name(i), { spec: { values: { version: '1.0.1', mcpu: '200m' } } });
    },
    pending: () => pendingOf(c, HR, released(2)),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c, HR),
  });
  if (stopped(phases, log)) return done(c, phases);
  checkApplied(c, n, '1.0.1', '200m', name);

  log?.('no-op: requestedAt on every HelmRelease');
  phases['noop'] = await noopPhase(c, HR, n, timeoutMs);
  if (stopped(phases, log)) return done(c, phases);
  const moved = pendingOf(c, HR, released(2));
  if (moved.length > 0) throw new Error(`the no-op pass changed the release of ${moved.slice(0, 3).join(', ')}`);
  checkApplied(c, n, '1.0.1', '200m', name);
  return done(c, phases);
}

const done = (c: Cluster, phases: Record<string, PhaseResult>): Measured => ({
  phases,
  controllers: controllerTotals(c, Object.values(phases)),
});

/** True (and logged) when the last phase timed out: the run stops there, its figures are kept. */
function stopped(phases: Record<string, PhaseResult>, log?: (l: string) => void): boolean {
  const [name, last] = Object.entries(phases).at(-1) ?? [];
  if (!last?.timedOut) return false;
  log?.(
    `${name} timed out with ${last.timedOut.pending} objects not done, e.g.:\n  ${last.timedOut.sample.join('\n  ')}`,
  );
  return true;
}

/**
 * The four objects of every Kustomization (named `podinfo-<i>app`) or HelmRelease (named after the release, `app-<i>`)
 * exist in its namespace at the expected version (else the run is void).
 */
function checkApplied(
  c: Cluster,
  n: number,
  version: string,
  mcpu: string,
  appName: (i: number) => string = (i) => `podinfo-${i}app`,
): void {
  const kinds: [string, string][] = [
    ['v1', 'ServiceAccount'],
    ['v1', 'Service'],
    ['apps/v1', 'Deployment'],
    ['networking.k8s.io/v1', 'Ingress'],
  ];
  for (const [apiVersion, kind] of kinds) {
    const byKey = new Map<string, Obj>();
    for (const o of c.list(apiVersion, kind)) {
      const md = o['metadata'] as Obj;
      byKey.set(`${String(md['namespace'])}/${String(md['name'])}`, o);
    }
    for (let i = 0; i < n; i++) {
      const o = byKey.get(`${name(i)}/${appName(i)}`);
      const labels = ((o?.['metadata'] as Obj | undefined)?.['labels'] ?? {}) as Record<string, string>;
      if (!o || labels['app.kubernetes.io/version'] !== version)
        throw new Error(
          `${kind} in ${name(i)}: ${o ? `version ${labels['app.kubernetes.io/version']}` : 'missing'}, want ${version}`,
        );
      if (kind === 'Deployment') {
        const spec = o['spec'] as { replicas?: number; template: { spec: { containers: { resources?: Obj }[] } } };
        const cpu = (spec.template.spec.containers[0]?.resources?.['requests'] as Obj | undefined)?.['cpu'];
        if (cpu !== mcpu || spec.replicas !== 0)
          throw new Error(`Deployment in ${name(i)}: cpu ${String(cpu)} replicas ${spec.replicas}, want ${mcpu} and 0`);
      }
    }
  }
}

/** The no-op pass: `requestedAt` on each of the n objects; done when each has handled it and is Ready. */
function noopPhase(c: Cluster, kind: readonly [string, string], n: number, timeoutMs: number): Promise<PhaseResult> {
  const token = new Date().toISOString();
  return runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++)
        c.mergePatch(kind[0], kind[1], NS, name(i), { metadata: { annotations: { [REQUESTED_AT]: token } } });
    },
    pending: () => pendingOf(c, kind, (o) => readyNow(o) && statusOf(o)['lastHandledReconcileAt'] === token),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c, kind),
  });
}

async function sourceRun(c: Cluster, n: number, timeoutMs: number, log?: (l: string) => void): Promise<Measured> {
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const phases: Record<string, PhaseResult> = {};
  log?.(`install: ${n} GitRepositories, one repository each`);
  phases['install'] = await runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < n; i++) c.create(gitRepository(name(i), `${c.git.url}/${name(i)}.git`));
    },
    pending: () => pendingOf(c, GR, withArtifact),
    timeoutMs,
    settleMs: SETTLE_MS,
    describe: describeOf(c, GR),
  });
  if (stopped(phases, log)) return done(c, phases);
  log?.('no-op: requestedAt on every GitRepository');
  phases['noop'] = await noopPhase(c, GR, n, timeoutMs);
  stopped(phases, log);
  return done(c, phases);
}

/**
 * `idle` (scenario 3): N objects of the kinds that exist (GitRepositories and Kustomizations, see {@link idleSplit})
 * with intervals of 1 to 10 minutes, brought to Ready (`install`), then `idleMs` with nothing changing (`idle`):
 * what the controllers cost while they only re-check on their intervals.
 */
async function idleRun(
  c: Cluster,
  n: number,
  idleMs: number,
  timeoutMs: number,
  log?: (l: string) => void,
): Promise<Measured> {
  const { sources, kustomizations } = idleSplit(n);
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const phases: Record<string, PhaseResult> = {};
  // Sources and Kustomizations share their names: pending keys carry the kind.
  const allReady = (): string[] => [
    ...pendingOf(c, GR, withArtifact).map((k) => `gr:${k}`),
    ...pendingOf(c, KS, readyNow).map((k) => `ks:${k}`),
  ];
  const describe = (k: string): string =>
    k.startsWith('gr:')
      ? `GitRepository ${describeOf(c, GR)(k.slice(3))}`
      : `Kustomization ${describeOf(c, KS)(k.slice(3))}`;
  log?.(`install: ${sources} GitRepositories and ${kustomizations} Kustomizations, intervals 1m to 10m`);
  phases['install'] = await runPhase(c, {
    objects: n,
    start: () => {
      for (let i = 0; i < kustomizations; i++)
        c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: name(i) } });
      for (let i = 0; i < sources; i++)
        c.create(gitRepository(name(i), `${c.git.url}/${name(i)}.git`, idleInterval(i)));
      for (let i = 0; i < kustomizations; i++)
        c.create(kustomization(i, { interval: idleInterval(i + 3), source: name(i) }));
    },
    pending: allReady,
    timeoutMs,
    settleMs: SETTLE_MS,
    describe,
  });
  if (stopped(phases, log)) return done(c, phases);
  checkApplied(c, kustomizations, '1.0.0', '100m');
  log?.(`idle: ${(idleMs / 60_000).toFixed(1)} minutes with nothing changing`);
  let end = 0;
  phases['idle'] = await runPhase(c, {
    objects: n,
    start: () => void (end = performance.now() + idleMs),
    pending: () => (performance.now() < end ? ['idle'] : []),
    timeoutMs: idleMs + 60_000,
    // Intervals keep requests coming: the phase is exactly its duration.
    settleMs: 0,
  });
  const notReady = allReady();
  if (notReady.length > 0)
    throw new Error(
      `after the idle phase ${notReady.length} objects are not Ready, e.g. ${notReady.slice(0, 3).map(describe).join('; ')}`,
    );
  checkApplied(c, kustomizations, '1.0.0', '100m');
  return done(c, phases);
}

/** Creates the git repositories of a scenario under the cluster's git root (before the controllers start). */
async function makeRepos(scenario: FanoutScenario, gitRoot: string, n: number): Promise<void> {
  const own = scenario !== 'kustomization';
  const files = own ? { 'README.md': '# bench source\n', ...APP_FILES } : APP_FILES;
  const first = own ? name(0) : 'bench';
  const repo = await makeRepo({ root: gitRoot, name: first, commits: [{ files, message: 'bench app' }] });
  const count = scenario === 'idle' ? idleSplit(n).sources : n;
  if (own) for (let i = 1; i < count; i++) cpSync(repo.path, join(gitRoot, `${name(i)}.git`), { recursive: true });
}

/** Runs a fan-out scenario `runs` times, each on a fresh cluster, and returns every run and the medians. */
export async function runFanout(scenario: FanoutScenario, opts: FanoutOptions): Promise<FanoutResult> {
  const n = opts.n;
  const runs = opts.runs ?? 3;
  const latencyMs = opts.latencyMs ?? 0;
  const timeoutMs = opts.phaseTimeoutMs ?? 120_000 + 1000 * n;
  const pinning = planPinning(opts.pin ?? true);
  const controllers = controllersOf(scenario, opts.concurrent, opts.qps);
  const tmpRoot = opts.tmpRoot ?? tmpdir();
  mkdirSync(tmpRoot, { recursive: true });
  const samples: FanoutRun[] = [];
  const { commit, dirty, diffSha256 } = gitCommit();
  const date = new Date().toISOString();
  for (let r = 0; r < runs; r++) {
    opts.log?.(`${scenario} n=${n} latency=${latencyMs}ms: run ${r + 1} of ${runs}`);
    const loadBefore = loadavg();
    const dir = mkdtempSync(join(tmpRoot, `flux-ts-bench-${scenario}-`));
    let charts: ChartServer | undefined;
    if (scenario === 'helmrelease') {
      // The chart repository is served from this process, like the git server (CPU of the peers).
      await writeChartRepo(join(dir, 'charts'), [{ files: BENCH_CHART_FILES }]);
      charts = await startChartServer({ dir: join(dir, 'charts') });
    } else await makeRepos(scenario, join(dir, 'git'), n);
    const cluster = await Cluster.start({
      dir,
      controllers,
      latencyMs,
      simulateReadyMs: SIMULATE_READY_MS,
      memoryLimitMiB: opts.memoryLimitMiB,
      pinning,
      log: opts.log,
    }).catch(async (err: unknown) => {
      await charts?.close();
      throw err;
    });
    try {
      const measured =
        scenario === 'kustomization'
          ? await kustomizationRun(cluster, n, timeoutMs, opts.log)
          : scenario === 'idle'
            ? await idleRun(cluster, n, opts.idleMs ?? 600_000, timeoutMs, opts.log)
            : scenario === 'helmrelease'
              ? await helmReleaseRun(cluster, n, charts!.url, timeoutMs, opts.log)
              : await sourceRun(cluster, n, timeoutMs, opts.log);
      const run: FanoutRun = { loadavg: { before: loadBefore, after: loadavg() }, ...measured };
      samples.push(run);
      opts.log?.(
        Object.entries(run.phases)
          .map(([p, x]) => `${p} ${(x.wallMs / 1000).toFixed(1)} s`)
          .join(', ') + `; load average ${run.loadavg.before[0]?.toFixed(2)} -> ${run.loadavg.after[0]?.toFixed(2)}`,
      );
    } finally {
      await cluster.stop();
      await charts?.close();
    }
  }
  const figs = samples.map((s) => figures(scenario, s));
  const med: Figures = {};
  for (const key of Object.keys(figs[0] ?? {})) {
    const xs = figs.map((f) => f[key]).filter((x): x is number => typeof x === 'number');
    med[key] = xs.length ? median(xs) : null;
  }
  return {
    scenario,
    n,
    latencyMs,
    qps: opts.qps === undefined ? 'default' : opts.qps === 'off' ? 'off' : `${opts.qps.qps}/${opts.qps.burst}`,
    runs,
    date,
    commit,
    dirty,
    diffSha256,
    machine: machineInfo(),
    pinning,
    settings: {
      controllers: Object.fromEntries(controllers.map((c) => [c.name, c.args])),
      simulateReadyMs: SIMULATE_READY_MS,
      memoryLimitMiB: opts.memoryLimitMiB ?? null,
      phaseTimeoutMs: timeoutMs,
      settleMs: SETTLE_MS,
    },
    samples,
    median: med,
  };
}

// ---- figures, table, file --------------------------------------------------------------------------------------

const MAIN: Record<FanoutScenario, string> = {
  kustomization: 'kustomize-controller',
  source: 'source-controller',
  idle: 'kustomize-controller',
  helmrelease: 'helm-controller',
};

/**
 * The flat figures of a run: `<phase>.<figure>` for each phase, `<controller>.<figure>` for each controller's
 * lifetime. CPU and reconcile latency are the scenario's main controller's.
 */
export function figures(scenario: FanoutScenario, run: FanoutRun): Figures {
  const f: Figures = {};
  const main = MAIN[scenario];
  for (const [p, x] of Object.entries(run.phases)) {
    const ctl = x.controllers[main];
    f[`${p}.wallS`] = x.wallMs / 1000;
    f[`${p}.timedOutPending`] = x.timedOut?.pending ?? 0;
    f[`${p}.objectsPerS`] = x.objectsPerSecond;
    f[`${p}.cpuSPerObject`] = ctl?.cpuSecondsPerObject ?? null;
    f[`${p}.peersCpuSPerObject`] = x.peersCpuSeconds / x.objects;
    f[`${p}.requestsPerObject`] = x.requestsPerObject.total;
    for (const [v, k] of Object.entries(x.requestsPerObject.byVerb)) f[`${p}.perObject.${v}`] = k;
    f[`${p}.writes.applied`] = x.requests.writes.applied;
    f[`${p}.writes.fluxStatus`] = x.requests.writes.fluxStatus;
    f[`${p}.writes.fluxObject`] = x.requests.writes.fluxObject;
    f[`${p}.writes.events`] = x.requests.writes.events;
    f[`${p}.writes.other`] = x.requests.writes.other;
    f[`${p}.dryRuns`] = x.requests.dryRuns;
    f[`${p}.reconcileP50S`] = ctl?.reconcileP50 ?? null;
    f[`${p}.reconcileP99S`] = ctl?.reconcileP99 ?? null;
    f[`${p}.reconciles`] = ctl?.reconciles ?? null;
    f[`${p}.git.infoRefs`] = x.git.infoRefs;
    f[`${p}.git.uploadPack`] = x.git.uploadPack;
    for (const [c, cp] of Object.entries(x.controllers)) {
      f[`${p}.${c}.cpuS`] = cp.cpuSeconds;
      f[`${p}.${c}.reconciles`] = cp.reconciles;
    }
  }
  for (const [c, t] of Object.entries(run.controllers)) {
    f[`${c}.startRssMiB`] = t.startRss === null ? null : t.startRss / 2 ** 20;
    f[`${c}.startHeapUsedMiB`] = t.startHeapUsed === null ? null : t.startHeapUsed / 2 ** 20;
    f[`${c}.peakRssMiB`] = t.peakRss / 2 ** 20;
    f[`${c}.heapUsedPeakMiB`] = t.heapUsedPeak === null ? null : t.heapUsedPeak / 2 ** 20;
    f[`${c}.cpuS`] = t.cpuSeconds;
  }
  return f;
}

const fx = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined ? '-' : x.toFixed(digits);

/** The table of the medians: one row per phase, then one per controller. */
export function formatFanoutResult(r: FanoutResult): string {
  const m = r.median;
  const phases =
    r.scenario === 'kustomization' || r.scenario === 'helmrelease'
      ? ['install', 'upgrade', 'noop']
      : r.scenario === 'idle'
        ? ['install', 'idle']
        : ['install', 'noop'];
  const verbs = (p: string): string =>
    Object.keys(m)
      .filter((k) => k.startsWith(`${p}.perObject.`))
      .map((k) => [k.slice(`${p}.perObject.`.length), m[k]] as const)
      .filter(([, v]) => (v ?? 0) > 0)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([v, x]) => `${v} ${fx(x, 2)}`)
      .join(', ');
  const head = [
    `bench ${r.scenario}: n=${r.n}, latency ${r.latencyMs} ms, client QPS ${r.qps}, median of ${r.runs} run(s); ${r.machine.nproc} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}`,
    r.pinning
      ? `pinned: API server + git server + driver on CPU ${r.pinning.peers}, controllers on CPU ${r.pinning.controllers}`
      : 'not pinned',
    `controllers: ${Object.entries(r.settings.controllers)
      .map(([c, a]) => `${c} ${a.join(' ')}`)
      .join('; ')}${r.settings.memoryLimitMiB ? `; emulated memory limit ${r.settings.memoryLimitMiB} MiB` : ''}`,
    '',
  ].join('\n');
  const rows = phases.map((p) => [
    p,
    (m[`${p}.timedOutPending`] ?? 0) > 0
      ? `>${fx(m[`${p}.wallS`])} (${m[`${p}.timedOutPending`]} not done)`
      : fx(m[`${p}.wallS`]),
    fx(m[`${p}.objectsPerS`]),
    fx(m[`${p}.cpuSPerObject`], 3),
    fx(m[`${p}.peersCpuSPerObject`], 3),
    fx(m[`${p}.requestsPerObject`]),
    fx(m[`${p}.writes.applied`], 0),
    `${fx(m[`${p}.writes.fluxStatus`], 0)}/${fx(m[`${p}.writes.fluxObject`], 0)}/${fx(m[`${p}.writes.events`], 0)}`,
    fx(m[`${p}.dryRuns`], 0),
    `${fx(m[`${p}.git.infoRefs`], 0)}/${fx(m[`${p}.git.uploadPack`], 0)}`,
    fx(m[`${p}.reconcileP50S`], 2),
    fx(m[`${p}.reconcileP99S`], 2),
  ]);
  const t1 = table(
    [
      'phase',
      'wall s',
      'obj/s',
      'CPU-s/obj',
      'API CPU-s/obj',
      'req/obj',
      'applied writes',
      'status/flux/event writes',
      'dry-runs',
      'git refs/packs',
      'p50 s',
      'p99 s',
    ],
    rows,
  );
  const verbLines = phases.map((p) => `  ${p}: ${verbs(p)}`).join('\n');
  const ctl = Object.keys(r.settings.controllers).map((c) => [
    c,
    fx(m[`${c}.startRssMiB`]),
    fx(m[`${c}.startHeapUsedMiB`]),
    fx(m[`${c}.peakRssMiB`]),
    fx(m[`${c}.heapUsedPeakMiB`]),
    fx(m[`${c}.cpuS`]),
  ]);
  const t2 = table(
    ['controller', 'idle RSS MiB', 'idle heapUsed MiB', 'peak RSS MiB', 'peak heapUsed MiB', 'CPU-s total'],
    ctl,
  );
  let idle = '';
  if (r.scenario === 'idle') {
    const minutes = (m['idle.wallS'] ?? 0) / 60;
    const perMin = (x: number | null | undefined): string => fx(x === null || x === undefined ? x : x / minutes, 2);
    idle =
      `\nidle phase (${fx(minutes)} min, ${r.n} objects): ${perMin((m['idle.requestsPerObject'] ?? 0) * r.n)} API requests/min` +
      `, ${perMin(m['idle.git.infoRefs'])} ref listings/min, ${perMin(m['idle.git.uploadPack'])} clones/min\n` +
      Object.keys(r.settings.controllers)
        .map(
          (c) =>
            `  ${c}: ${perMin(m[`idle.${c}.reconciles`])} reconciles/min, CPU ${fx(((m[`idle.${c}.cpuS`] ?? 0) / (minutes * 60)) * 100)} %`,
        )
        .join('\n') +
      '\n';
  }
  return `${head}\n${t1}\nrequests per object by verb:\n${verbLines}\n${idle}\n${t2}`;
}

/** Writes `<dir>/<scenario>-<n>-<date>.json` and returns its path. */
export function writeFanoutResult(r: FanoutResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = r.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `${r.scenario}-${r.n}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}
