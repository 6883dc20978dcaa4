/**
 * deploy/monitoring against the real controllers (issue 29): every series that Flux's dashboards and the
 * PrometheusRule query exists on the `/metrics` of the controller that owns it, after the demo's objects reconcile;
 * and the kube-state-metrics custom-resource-state config is well formed and its paths resolve on real objects of
 * every Flux kind read back from the API server. (No kube-state-metrics binary installs here: it is neither a Debian
 * nor an npm package, so its config is checked against its documented format instead of run.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { until } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { freePort } from '@flux-ts/testbed';
import { ALL_CONTROLLERS } from './controller-names.ts';
import { startEmbedded } from './embedded.ts';
import type { Embedded } from './embedded.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const monitoring = join(workspace, 'deploy', 'monitoring');
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------------
// The queries: every PromQL expression of the dashboards (panels and variables) and of the PrometheusRule.

interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}
interface Selector {
  metric: string;
  matchers: Matcher[];
}
interface Query {
  where: string;
  expr: string;
}

const unquote = (s: string): string => JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1)}"` : s) as string;

/** The vector selectors of one PromQL expression, parsed with Prometheus' own lezer grammar. */
function selectors(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const out: Selector[] = [];
  let errors = 0;
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors++;
      if (node.name !== 'VectorSelector') return;
      const sel: Selector = { metric: '', matchers: [] };
      const c = node.node.cursor();
      c.firstChild();
      do {
        if (c.name === 'Identifier') sel.metric = expr.slice(c.from, c.to);
        if (c.name !== 'LabelMatchers') continue;
        for (const m of c.node.getChildren('UnquotedLabelMatcher')) {
          const label = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (!label || !op || !value) continue;
          sel.matchers.push({
            label: expr.slice(label.from, label.to),
            op: expr.slice(op.from, op.to) as Matcher['op'],
            value: unquote(expr.slice(value.from, value.to)),
          });
        }
      } while (c.nextSibling());
      out.push(sel);
    },
  });
  if (errors > 0) throw new Error(`PromQL does not parse: ${expr}`);
  return out;
}

type Panel = { title?: string; type: string; targets?: { expr?: string }[]; panels?: Panel[] };
type Dashboard = {
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
};

function dashboardQueries(file: string): Query[] {
  const d = JSON.parse(readFileSync(join(monitoring, 'configs', 'dashboards', file), 'utf8')) as Dashboard;
  const out: Query[] = [];
  const walk = (panels: readonly Panel[]): void => {
    for (const p of panels) {
      for (const t of p.targets ?? [])
        if (t.expr) out.push({ where: `${d.title} / ${p.title ?? p.type}`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(d.panels);
  for (const v of d.templating.list) {
    const q = typeof v.query === 'string' ? undefined : v.query?.query;
    // label_values(metric, label) is Grafana's, not PromQL: its first argument is the series.
    const m = q ? /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,/.exec(q) : null;
    if (m) out.push({ where: `${d.title} / $${v.name}`, expr: m[1]! });
  }
  return out;
}

function ruleQueries(): Query[] {
  const rule = parseYaml(readFileSync(join(monitoring, 'configs', 'prometheusrule.yaml'), 'utf8')) as {
    spec: { groups: { name: string; rules: { alert: string; expr: string }[] }[] };
  };
  return rule.spec.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${g.name}/${r.alert}`, expr: r.expr })));
}

// ---------------------------------------------------------------------------------------------------------------
// Who exports what: Flux's controller names (controller-runtime's `controller` label, the work queue's `name`) and
// kinds, by the app that reconciles them.

const CONTROLLERS = ALL_CONTROLLERS;
const RECONCILER_OWNER: Readonly<Record<string, string>> = {
  gitrepository: 'source-controller',
  ocirepository: 'source-controller',
  bucket: 'source-controller',
  helmrepository: 'source-controller',
  helmchart: 'source-controller',
  kustomization: 'kustomize-controller',
  helmrelease: 'helm-controller',
};
const KIND_OWNER: Readonly<Record<string, string>> = {
  GitRepository: 'source-controller',
  OCIRepository: 'source-controller',
  Bucket: 'source-controller',
  HelmRepository: 'source-controller',
  HelmChart: 'source-controller',
  Kustomization: 'kustomize-controller',
  HelmRelease: 'helm-controller',
};
/** Series that no controller exports: who does (README.md says so too). */
const EXTERNAL: Readonly<Record<string, string>> = {
  gotk_resource_info: 'kube-state-metrics', // checked below against its config
  container_memory_working_set_bytes: 'the kubelet (cAdvisor)',
};
/** Labels Prometheus adds to a PodMonitor target's series; a series' own `namespace` becomes `exported_namespace`. */
const TARGET_LABELS = new Set(['namespace', 'pod', 'container', 'instance', 'job', 'endpoint', 'service']);
/** Reconcilers a controller does not have yet: their panels stay empty until they land (none today). */
const NOT_YET_RECONCILED = new Set<string>([]);

type Series = Map<string, Record<string, string>[]>;

/** The samples of a Prometheus text exposition, by name (histograms as their `_bucket`/`_sum`/`_count`). */
function parseExposition(text: string): Series {
  const out: Series = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+\S+$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = JSON.parse(`"${l[2]!}"`) as string;
    const list = out.get(m[1]!) ?? [];
    list.push(labels);
    out.set(m[1]!, list);
  }
  return out;
}

const isVar = (v: string): boolean => v.includes('$');
function matches(labels: Record<string, string>, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => {
    const label = m.label === 'exported_namespace' ? 'namespace' : m.label;
    if (TARGET_LABELS.has(m.label)) return true;
    const v = labels[label];
    if (v === undefined) return false;
    // A negative matcher selects what happens to be there (no errors, no non-2xx): only the label must exist.
    if (m.op === '!=' || m.op === '!~' || isVar(m.value)) return true;
    return m.op === '=' ? v === m.value : new RegExp(`^(?:${m.value})$`).test(v);
  });
}

/** The apps whose `/metrics` must hold a selector's series: one reconciler's owner, or every controller. */
function owners(sel: Selector): string[] {
  for (const m of sel.matchers) {
    if ((m.label === 'controller' || m.label === 'name') && m.op === '=' && RECONCILER_OWNER[m.value])
      return [RECONCILER_OWNER[m.value]!];
    if (m.label === 'kind' && m.op === '=~')
      return [...new Set(m.value.split('|').map((k) => KIND_OWNER[k] ?? `no owner of ${k}`))];
  }
  return [...CONTROLLERS];
}

// ---------------------------------------------------------------------------------------------------------------
// The running stack: the embedded cluster with the demo (GitRepository, Kustomization, HelmRepository, HelmRelease)
// and every controller as its own process.

/** The metrics URL a controller logged when it started its metrics server (`--metrics-addr 127.0.0.1:0`). */
function metricsUrl(logFile: string): string | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('starting metrics server')) continue;
    const address = (JSON.parse(line) as { address?: string }).address;
    if (address) return `${address.replace(/\/$/, '')}/metrics`;
  }
  return undefined;
}

type Condition = { type: string; status: string };
type FluxObject = KubeObject & Record<string, unknown> & { status?: { conditions?: Condition[] } };
const ns = 'flux-system';
const gv = {
  git: 'source.toolkit.fluxcd.io/v1',
  ext: 'source.extensions.fluxcd.io/v1beta1',
  ks: 'kustomize.toolkit.fluxcd.io/v1',
  helm: 'helm.toolkit.fluxcd.io/v2',
  notif: 'notification.toolkit.fluxcd.io/v1',
  notifBeta: 'notification.toolkit.fluxcd.io/v1beta3',
  image: 'image.toolkit.fluxcd.io/v1',
};
const obj = (apiVersion: string, kind: string, name: string, spec: Record<string, unknown>): FluxObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: ns },
  spec,
});

/**
 * Objects of every Flux kind besides the demo's: a suspended one of each kind the demo has (the "Suspended
 * Objects" panel and the `suspended` label), and the kinds the demo lacks, reconciled by their controllers.
 */
function moreObjects(): FluxObject[] {
  const art = { interval: '1h', suspend: true };
  return [
    obj(gv.git, 'GitRepository', 'mon-suspended', {
      ...art,
      url: 'https://example.com/x.git',
      ref: { branch: 'main' },
    }),
    obj(gv.git, 'HelmRepository', 'mon-suspended', { ...art, url: 'https://example.com/charts/' }),
    obj(gv.git, 'HelmChart', 'mon-suspended', {
      ...art,
      chart: 'hello',
      version: '0.1.x',
      sourceRef: { kind: 'HelmRepository', name: 'demo' },
    }),
    // OCIRepository and Bucket have no reconciler yet: their status is written below, as source-controller would.
    obj(gv.git, 'OCIRepository', 'mon-oci', { ...art, url: 'oci://ghcr.io/example/manifests', ref: { tag: 'latest' } }),
    obj(gv.git, 'Bucket', 'mon-bucket', { ...art, bucketName: 'manifests', endpoint: 'minio.example.com' }),
    obj(gv.ks, 'Kustomization', 'mon-suspended', {
      ...art,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'demo' },
    }),
    obj(gv.helm, 'HelmRelease', 'mon-suspended', {
      ...art,
      chartRef: { kind: 'OCIRepository', name: 'mon-oci' },
    }),
    obj(gv.ext, 'ArtifactGenerator', 'mon-generator', {
      sources: [{ alias: 'demo', kind: 'GitRepository', name: 'demo' }],
      artifacts: [{ name: 'mon-artifact', copy: [{ from: '@demo/apps/**', to: '@artifact/' }] }],
    }),
    obj(gv.notifBeta, 'Provider', 'mon-provider', { type: 'generic', address: 'http://127.0.0.1:9/', suspend: false }),
    obj(gv.notifBeta, 'Alert', 'mon-alert', {
      providerRef: { name: 'mon-provider' },
      eventSources: [{ kind: 'GitRepository', name: '*' }],
      suspend: false,
    }),
    obj(gv.notif, 'Receiver', 'mon-receiver', {
      type: 'generic',
      resources: [{ kind: 'GitRepository', name: 'demo' }],
      secretRef: { name: 'mon-receiver-token' },
      suspend: false,
    }),
    obj(gv.image, 'ImageRepository', 'mon-image', {
      image: '127.0.0.1:9/example/app',
      interval: '1h',
      suspend: false,
    }),
    obj(gv.image, 'ImagePolicy', 'mon-image', {
      imageRepositoryRef: { name: 'mon-image' },
      policy: { semver: { range: '1.x' } },
      suspend: false,
    }),
    obj(gv.image, 'ImageUpdateAutomation', 'mon-automation', {
      interval: '1h',
      sourceRef: { kind: 'GitRepository', name: 'demo' },
      git: {
        checkout: { ref: { branch: 'main' } },
        commit: { author: { name: 'flux', email: 'flux@example.com' } },
      },
      update: { strategy: 'Setters', path: './apps' },
      suspend: false,
    }),
  ];
}

/** What source-controller writes on a fetched OCIRepository or Bucket (for the two kinds without a reconciler). */
function artifactStatus(kind: string, generation: number): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    observedGeneration: generation,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Succeeded',
        message: 'stored artifact for revision',
        lastTransitionTime: now,
        observedGeneration: generation,
      },
    ],
    artifact: {
      path: `${kind.toLowerCase()}/${ns}/x/latest.tar.gz`,
      url: `http://source-controller.${ns}.svc.cluster.local./${kind.toLowerCase()}/${ns}/x/latest.tar.gz`,
      revision: `latest@sha256:${'0'.repeat(64)}`,
      digest: `sha256:${'0'.repeat(64)}`,
      lastUpdateTime: now,
      size: 1,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

let e: Embedded | undefined;
const dirs: string[] = [];
const metrics = new Map<string, Series>();

beforeAll(async () => {
  const tmp = (p: string): string => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  const watcherAddr = `127.0.0.1:${await freePort()}`;
  e = await startEmbedded({
    workspace,
    stateDir: join(tmp('monitoring-'), '.flux-ts'),
    persist: false,
    gitPort: await freePort(),
    storagePort: await freePort(),
    chartPort: await freePort(),
    simulateReadyMs: 200,
    controllers: CONTROLLERS,
    controllerArgs: {
      'notification-controller': ['--events-addr', '127.0.0.1:0', '--receiverAddr', '127.0.0.1:0'],
      'image-reflector-controller': ['--storage-path', tmp('monitoring-images-')],
      'source-watcher': [
        ...['--storage-path', tmp('monitoring-watcher-')],
        ...['--storage-addr', watcherAddr, '--storage-adv-addr', watcherAddr],
      ],
    },
  });
  const client = e.client;
  await client.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'mon-receiver-token', namespace: ns },
    stringData: { token: 'monitoring-test-token' },
  } as KubeObject);
  for (const o of moreObjects()) await client.create(o);
  for (const kind of ['OCIRepository', 'Bucket']) {
    const name = kind === 'Bucket' ? 'mon-bucket' : 'mon-oci';
    const cur = await client.get<FluxObject>({ apiVersion: gv.git, kind }, { namespace: ns, name });
    await client.updateStatus({ ...cur, status: artifactStatus(kind, cur.metadata.generation ?? 1) });
  }
}, 300_000);

// stopping seven controller processes gracefully takes up to stopControllers' 10 s deadline
afterAll(async () => {
  await e?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

/** Every object of every Flux kind, by kind (the CRDs of deploy/crds name the kinds and their storage versions). */
async function objectsByKind(): Promise<Map<string, FluxObject[]>> {
  const out = new Map<string, FluxObject[]>();
  for (const crd of crds()) {
    const list = await e!.client.list<FluxObject>({ apiVersion: `${crd.group}/${crd.version}`, kind: crd.kind });
    out.set(crd.kind, list.items);
  }
  return out;
}

function crds(): { group: string; kind: string; plural: string; version: string }[] {
  const dir = join(workspace, 'deploy', 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((f) => {
      const c = parseYaml(readFileSync(join(dir, f), 'utf8')) as {
        spec: {
          group: string;
          names: { kind: string; plural: string };
          versions: { name: string; storage: boolean }[];
        };
      };
      return {
        group: c.spec.group,
        kind: c.spec.names.kind,
        plural: c.spec.names.plural,
        version: c.spec.versions.find((v) => v.storage)!.name,
      };
    });
}

/** Waits until each reconciled object has a Ready condition and the demo is Ready, then scrapes every controller. */
async function settle(): Promise<void> {
  if (metrics.size > 0) return;
  const waitReady = new Set(['demo', 'flux-system-hello', 'hello', 'mon-receiver', 'mon-artifact']);
  await until(
    'the demo Ready and a Ready condition on every reconciled object',
    async () => {
      for (const [kind, items] of await objectsByKind()) {
        if (kind === 'Alert' || kind === 'Provider') continue; // static kinds: no status in v1beta3
        if (kind === 'ExternalArtifact' && items.length === 0) return false;
        for (const o of items) {
          if ((o.spec as { suspend?: boolean } | undefined)?.suspend === true && !o.status?.conditions) continue;
          const ready = o.status?.conditions?.find((c) => c.type === 'Ready');
          if (!ready || ready.status === 'Unknown') return false;
          if (waitReady.has(o.metadata.name ?? '') && ready.status !== 'True') return false;
        }
      }
      return true;
    },
    240_000,
  );
  for (const c of e!.controllers) {
    const url = await until(`${c.name}'s metrics address`, () => metricsUrl(c.logFile));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    metrics.set(c.name, parseExposition(await res.text()));
  }
}

describe('deploy/monitoring: the dashboards and the alert read series the controllers export', () => {
  it('the dashboards are what gen-dashboards.ts generates', { timeout: 120_000 }, async () => {
    const r = await run(process.execPath, [join(monitoring, 'gen-dashboards.ts'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  });

  it('every query parses, and names series', () => {
    const queries = [...dashboardQueries('control-plane.json'), ...dashboardQueries('cluster.json'), ...ruleQueries()];
    expect(queries.length).toBeGreaterThan(30);
    for (const q of queries) expect(selectors(q.expr).length, `${q.where}: ${q.expr}`).toBeGreaterThan(0);
  });

  it(
    "every series each panel, variable and rule queries is on its controller's /metrics after a reconcile",
    { timeout: 300_000 },
    async () => {
      await settle();
      expect([...metrics.keys()].sort()).toEqual([...CONTROLLERS].sort());
      const queries = [
        ...dashboardQueries('control-plane.json'),
        ...dashboardQueries('cluster.json'),
        ...ruleQueries(),
      ];
      const missing: string[] = [];
      const external = new Set<string>();
      for (const q of queries)
        for (const sel of selectors(q.expr)) {
          if (EXTERNAL[sel.metric]) {
            external.add(sel.metric);
            continue;
          }
          const want = sel.matchers.filter((m) => m.op === '=' && !TARGET_LABELS.has(m.label));
          const shown = `${sel.metric}${want.length ? `{${want.map((m) => `${m.label}="${m.value}"`).join(',')}}` : ''}`;
          const apps = owners(sel);
          const found = apps.map((app) =>
            (metrics.get(app)?.get(sel.metric) ?? []).some((l) => matches(l, sel.matchers)),
          );
          // A selector of one reconciler or of some kinds: some owner has it; of every controller: each has it.
          const ok = apps.length === CONTROLLERS.length ? found.every(Boolean) : found.some(Boolean);
          const pending = sel.matchers.some((m) => m.label === 'controller' && NOT_YET_RECONCILED.has(m.value));
          if (!ok && !pending) {
            const where = apps.length === CONTROLLERS.length ? apps.filter((_, i) => !found[i]) : apps;
            missing.push(`${q.where}: ${shown} on ${where.join(', ')}`);
          }
        }
      expect([...new Set(missing)]).toEqual([]);
      expect([...external].sort()).toEqual(Object.keys(EXTERNAL).sort());
    },
  );

  it(
    'the controllers export the series controller-runtime and client-go export, with their labels',
    { timeout: 300_000 },
    async () => {
      await settle();
      const ks = metrics.get('kustomize-controller')!;
      for (const [name, labels] of Object.entries({
        controller_runtime_reconcile_total: ['controller', 'result'],
        controller_runtime_reconcile_errors_total: ['controller'],
        controller_runtime_terminal_reconcile_errors_total: ['controller'],
        controller_runtime_reconcile_panics_total: ['controller'],
        controller_runtime_reconcile_time_seconds_bucket: ['controller', 'le'],
        controller_runtime_active_workers: ['controller'],
        controller_runtime_max_concurrent_reconciles: ['controller'],
        workqueue_depth: ['controller', 'name'],
        workqueue_adds_total: ['controller', 'name'],
        workqueue_longest_running_processor_seconds: ['controller', 'name'],
        workqueue_work_duration_seconds_count: ['controller', 'name'],
        rest_client_requests_total: ['code', 'host', 'method'],
        gotk_reconcile_duration_seconds_bucket: ['kind', 'le', 'name', 'namespace'],
        process_cpu_seconds_total: [],
        process_resident_memory_bytes: [],
        nodejs_heap_size_used_bytes: [],
        go_info: ['version'],
        go_memstats_alloc_bytes: [],
      }))
        expect(Object.keys(ks.get(name)?.[0] ?? { missing: name }).sort(), name).toEqual(labels);
      // a reconcile happened and was counted for the Kustomization
      const total = ks.get('controller_runtime_reconcile_total') ?? [];
      expect(total.some((l) => l.controller === 'kustomization' && l.result === 'success')).toBe(true);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// kube-state-metrics: the CustomResourceStateMetrics format (kube-state-metrics docs/metrics/extend/
// customresourcestate-metrics.md, pkg/customresourcestate/config.go). Hand-written: the format is small and
// kube-state-metrics publishes no JSON schema for it.

type Path = (string | number)[];
interface KsmResource {
  groupVersionKind: { group: string; version: string; kind: string };
  metricNamePrefix?: string;
  labelsFromPath?: Record<string, Path>;
  commonLabels?: Record<string, string>;
  metrics: {
    name: string;
    help: string;
    labelsFromPath?: Record<string, Path>;
    commonLabels?: Record<string, string>;
    each: { type: string; info?: { path?: Path; labelsFromPath?: Record<string, Path> } };
  }[];
}

/** The format's shape as `field: kind` rules; returns every violation with its path. */
function validateKsm(config: unknown): string[] {
  const errs: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const fields = (at: string, v: unknown, allowed: Record<string, boolean>): Record<string, unknown> => {
    if (!isObj(v)) {
      errs.push(`${at}: must be an object`);
      return {};
    }
    for (const k of Object.keys(v)) if (!(k in allowed)) errs.push(`${at}.${k}: unknown field`);
    for (const [k, required] of Object.entries(allowed))
      if (required && v[k] === undefined) errs.push(`${at}.${k}: required`);
    return v;
  };
  const str = (at: string, v: unknown, re = /./): void => {
    if (typeof v !== 'string' || !re.test(v)) errs.push(`${at}: must be a string matching ${String(re)}`);
  };
  const path = (at: string, v: unknown): void => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((p) => typeof p === 'string' || typeof p === 'number'))
      errs.push(`${at}: must be a non-empty list of path elements`);
  };
  const labels = (at: string, v: unknown): void => {
    if (v === undefined) return;
    if (!isObj(v)) {
      errs.push(`${at}: must be an object`);
      return;
    }
    for (const [k, p] of Object.entries(v)) {
      str(`${at}.${k}`, k, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      path(`${at}.${k}`, p);
    }
  };
  const top = fields('', config, { 'kube-state-metrics': true });
  const ksm = fields('kube-state-metrics', top['kube-state-metrics'], {
    collectors: false,
    extraArgs: false,
    rbac: true,
    customResourceState: true,
  });
  const crs = fields('customResourceState', ksm.customResourceState, { enabled: true, config: true });
  if (crs.enabled !== true) errs.push('customResourceState.enabled: must be true');
  const spec = fields('config', fields('config', crs.config, { spec: true }).spec, { resources: true });
  const resources = Array.isArray(spec.resources) ? (spec.resources as unknown[]) : [];
  if (resources.length === 0) errs.push('spec.resources: must be a non-empty list');
  resources.forEach((r, i) => {
    const at = `resources[${i}]`;
    const res = fields(at, r, {
      groupVersionKind: true,
      metricNamePrefix: false,
      labelsFromPath: false,
      commonLabels: false,
      metrics: true,
      errorLogV: false,
      resourcePlural: false,
    });
    const gvk = fields(`${at}.groupVersionKind`, res.groupVersionKind, { group: true, version: true, kind: true });
    for (const k of ['group', 'version', 'kind']) str(`${at}.groupVersionKind.${k}`, gvk[k]);
    if (res.metricNamePrefix !== undefined)
      str(`${at}.metricNamePrefix`, res.metricNamePrefix, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
    labels(`${at}.labelsFromPath`, res.labelsFromPath);
    ((Array.isArray(res.metrics) ? res.metrics : []) as unknown[]).forEach((m, j) => {
      const mat = `${at}.metrics[${j}]`;
      const metric = fields(mat, m, {
        name: true,
        help: true,
        each: true,
        labelsFromPath: false,
        commonLabels: false,
        errorLogV: false,
      });
      str(`${mat}.name`, metric.name, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      str(`${mat}.help`, metric.help);
      labels(`${mat}.labelsFromPath`, metric.labelsFromPath);
      const each = fields(`${mat}.each`, metric.each, { type: true, gauge: false, stateSet: false, info: false });
      if (!['Gauge', 'StateSet', 'Info'].includes(each.type as string))
        errs.push(`${mat}.each.type: must be Gauge, StateSet or Info`);
      const key = typeof each.type === 'string' ? each.type.charAt(0).toLowerCase() + each.type.slice(1) : '';
      if (each[key] === undefined) errs.push(`${mat}.each.${key}: required for type ${String(each.type)}`);
      if (each.type === 'Info') {
        const info = fields(`${mat}.each.info`, each.info, { path: false, labelsFromPath: false, labelFromKey: false });
        labels(`${mat}.each.info.labelsFromPath`, info.labelsFromPath);
      }
    });
  });
  return errs;
}

/** kube-state-metrics' path resolution: keys, list indexes, and `[field=value]` list filters. */
function resolve(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === undefined || cur === null) return undefined;
    const filter = typeof p === 'string' ? /^\[(.+)=(.*)\]$/.exec(p) : null;
    if (filter && Array.isArray(cur))
      cur = (cur as Record<string, unknown>[]).find((el) => String(el[filter[1]!]) === filter[2]);
    else if (Array.isArray(cur)) cur = cur[Number(p)];
    else cur = (cur as Record<string, unknown>)[String(p)];
  }
  return cur;
}

const ksmConfig = (): unknown =>
  parseYaml(
    readFileSync(join(monitoring, 'controllers', 'kube-prometheus-stack', 'kube-state-metrics-config.yaml'), 'utf8'),
  );

describe('deploy/monitoring: the kube-state-metrics config gives gotk_resource_info for every Flux kind', () => {
  it('is well-formed CustomResourceStateMetrics, one entry per Flux kind at its storage version', () => {
    const config = ksmConfig();
    expect(validateKsm(config)).toEqual([]);
    // the validator itself refuses what kube-state-metrics refuses
    expect(
      validateKsm({
        'kube-state-metrics': {
          rbac: {},
          customResourceState: {
            enabled: true,
            config: {
              spec: {
                resources: [
                  {
                    groupVersionKind: { group: 'g', version: 'v1' },
                    metrics: [{ name: 'x-y', help: 'h', each: { type: 'Info' } }],
                  },
                ],
              },
            },
          },
        },
      }),
    ).toEqual([
      'resources[0].groupVersionKind.kind: required',
      'resources[0].groupVersionKind.kind: must be a string matching /./',
      'resources[0].metrics[0].name: must be a string matching /^[a-zA-Z_][a-zA-Z0-9_]*$/',
      'resources[0].metrics[0].each.info: required for type Info',
      'resources[0].metrics[0].each.info: must be an object',
    ]);
    const resources = (
      config as { 'kube-state-metrics': { customResourceState: { config: { spec: { resources: KsmResource[] } } } } }
    )['kube-state-metrics'].customResourceState.config.spec.resources;
    const kinds = crds();
    expect(kinds).toHaveLength(15);
    expect(resources.map((r) => r.groupVersionKind).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(
      kinds.map(({ group, version, kind }) => ({ group, version, kind })).sort((a, b) => a.kind.localeCompare(b.kind)),
    );
    for (const r of resources) {
      expect(r.metricNamePrefix).toBe('gotk');
      expect(r.metrics.map((m) => `${m.name}:${m.each.type}`)).toEqual(['resource_info:Info']);
      const m = r.metrics[0]!;
      expect(m.each.info?.labelsFromPath).toEqual({ name: ['metadata', 'name'] });
      expect(m.labelsFromPath?.exported_namespace).toEqual(['metadata', 'namespace']);
    }
    // kube-state-metrics may list and watch every kind it is configured for
    const rules = (
      config as { 'kube-state-metrics': { rbac: { extraRules: { apiGroups: string[]; resources: string[] }[] } } }
    )['kube-state-metrics'].rbac.extraRules;
    for (const k of kinds)
      expect(
        rules.some((rule) => rule.apiGroups.includes(k.group) && rule.resources.includes(k.plural)),
        k.plural,
      ).toBe(true);
  });

  it(
    "its label paths resolve to values on real objects of each kind, and give the dashboards' labels",
    { timeout: 300_000 },
    async () => {
      await settle();
      const byKind = await objectsByKind();
      const resources = (
        ksmConfig() as {
          'kube-state-metrics': { customResourceState: { config: { spec: { resources: KsmResource[] } } } };
        }
      )['kube-state-metrics'].customResourceState.config.spec.resources;
      const unresolved: string[] = [];
      const info: Record<string, string>[] = [];
      for (const r of resources) {
        const items = byKind.get(r.groupVersionKind.kind) ?? [];
        if (items.length === 0) unresolved.push(`${r.groupVersionKind.kind}: no object`);
        const m = r.metrics[0]!;
        const paths = { ...m.each.info?.labelsFromPath, ...m.labelsFromPath };
        for (const [label, path] of Object.entries(paths)) {
          const values = items.map((o) => resolve(o, path));
          if (!values.some((v) => ['string', 'boolean', 'number'].includes(typeof v)))
            unresolved.push(`${r.groupVersionKind.kind}.${label}: [${path.join(', ')}]`);
        }
        // gotk_resource_info as kube-state-metrics builds it: the resolved labels plus the customresource_* ones
        for (const o of items) {
          const series: Record<string, string> = {
            customresource_group: r.groupVersionKind.group,
            customresource_kind: r.groupVersionKind.kind,
            customresource_version: r.groupVersionKind.version,
          };
          for (const [label, path] of Object.entries(paths)) {
            const v = resolve(o, path);
            if (v !== undefined && typeof v !== 'object') series[label] = String(v);
          }
          info.push(series);
        }
      }
      expect(unresolved).toEqual([]);
      // What the cluster dashboard and the alert select exists: reconcilers and sources, a failing one, a suspended one.
      const sel = (kinds: string, more: (s: Record<string, string>) => boolean = () => true) =>
        info.filter((s) => new RegExp(`^(?:${kinds})$`).test(s.customresource_kind!) && more(s)).length;
      expect(sel('Kustomization|HelmRelease')).toBeGreaterThan(0);
      expect(sel('GitRepository|HelmRepository|Bucket|OCIRepository')).toBeGreaterThan(0);
      expect(sel('.*', (s) => s.suspended === 'true')).toBeGreaterThan(0);
      expect(sel('.*', (s) => s.ready === 'False')).toBeGreaterThan(0); // the unreachable image registry
      expect(info.find((s) => s.customresource_kind === 'Kustomization' && s.name === 'demo')).toMatchObject({
        exported_namespace: ns,
        ready: 'True',
        source_name: 'demo',
        revision: expect.stringMatching(/^main@sha1:[0-9a-f]{40}$/) as unknown as string,
      });
    },
  );
});

describe('deploy/monitoring: the PodMonitor scrapes every controller Deployment', () => {
  it('selects each base Deployment in flux-system on a port named http-prom', () => {
    const pm = parseYaml(readFileSync(join(monitoring, 'configs', 'podmonitor.yaml'), 'utf8')) as {
      spec: {
        namespaceSelector: { matchNames: string[] };
        selector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
        podMetricsEndpoints: { port: string }[];
      };
    };
    expect(pm.spec.namespaceSelector.matchNames).toEqual(['flux-system']);
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'http-prom' }]);
    const [sel] = pm.spec.selector.matchExpressions;
    const bases = join(workspace, 'deploy', 'bases');
    const apps = readdirSync(bases).sort();
    expect(apps).toEqual([...CONTROLLERS].sort());
    expect([...(sel?.values ?? [])].sort()).toEqual(apps);
    for (const app of apps) {
      const docs = parseAllDocuments(readFileSync(join(bases, app, 'deployment.yaml'), 'utf8')).map(
        (d) => d.toJS() as Record<string, never>,
      );
      const dep = docs.find((d) => (d as { kind?: string }).kind === 'Deployment') as unknown as {
        spec: {
          template: {
            metadata: { labels: Record<string, string> };
            spec: { containers: { ports?: { name: string; containerPort: number }[] }[] };
          };
        };
      };
      expect(dep.spec.template.metadata.labels[sel!.key], app).toBe(app);
      const ports = dep.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
      expect(ports.find((p) => p.name === 'http-prom')?.containerPort, app).toBe(8080);
    }
  });
});
