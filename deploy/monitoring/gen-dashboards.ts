/**
 * Writes Flux's two Grafana dashboards, "Flux Control Plane" and "Flux Cluster Stats", to configs/dashboards/: the
 * panels and PromQL queries of fluxcd/flux2-monitoring-example (monitoring/configs/dashboards), generated here from
 * a short description instead of copied. `--check` exits 1 when the files on disk differ from what this generates.
 *
 *   npx node deploy/monitoring/gen-dashboards.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';

type Json = Record<string, unknown>;
type Grid = { h: number; w: number; x: number; y: number };
type Target = { expr: string; legend?: string; hide?: boolean; table?: boolean; instant?: boolean };

const ds = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
const controllers = 'pod=~".*-controller-.*"';

function targets(list: readonly Target[]): Json[] {
  return list.map((t, i) => ({
    datasource: ds,
    expr: t.expr,
    legendFormat: t.legend ?? '',
    refId: String.fromCharCode(65 + i),
    ...(t.hide ? { hide: true } : {}),
    ...(t.table ? { format: 'table' } : {}),
    ...(t.instant ? { instant: true, range: false } : {}),
  }));
}

function thresholds(steps: readonly [string, number | null][]): Json {
  return { mode: 'absolute', steps: steps.map(([color, value]) => ({ color, value })) };
}

let nextId = 1;
function panel(type: string, title: string, gridPos: Grid, list: readonly Target[], extra: Json = {}): Json {
  return { id: nextId++, type, title, datasource: ds, gridPos, targets: targets(list), ...extra };
}

function stat(title: string, gridPos: Grid, t: Target, unit: string, steps: [string, number | null][], calc = 'last') {
  return panel('stat', title, gridPos, [t], {
    fieldConfig: {
      defaults: { unit, decimals: unit === 'short' ? 0 : undefined, noValue: '0', thresholds: thresholds(steps) },
    },
    options: { colorMode: 'value', graphMode: 'area', reduceOptions: { calcs: [calc], fields: '', values: false } },
  });
}

function timeseries(title: string, gridPos: Grid, list: readonly Target[], unit: string, bars = false, stack = false) {
  return panel('timeseries', title, gridPos, list, {
    fieldConfig: {
      defaults: {
        unit,
        color: { mode: 'palette-classic' },
        custom: {
          drawStyle: bars ? 'bars' : 'line',
          fillOpacity: bars ? 100 : 10,
          lineInterpolation: bars ? 'stepAfter' : 'linear',
          showPoints: 'never',
          stacking: { group: 'A', mode: stack ? 'normal' : 'none' },
        },
      },
    },
    options: {
      legend: { calcs: ['mean', 'lastNotNull'], displayMode: 'table', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'none' },
    },
  });
}

function row(title: string, y: number): Json {
  return { id: nextId++, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
}

/** A reconciler's successful and failed reconciliations per minute (controller-runtime's counter). */
function opsPerMinute(title: string, gridPos: Grid, controller: string, what: string, byController = true) {
  const by = byController ? ' by (controller)' : '';
  const q = (op: string) =>
    `sum(increase(controller_runtime_reconcile_total{controller="${controller}",result${op}"error"}[1m]))${by}`;
  return timeseries(
    title,
    gridPos,
    [
      { expr: q('!='), legend: `successful ${what}` },
      { expr: q('='), legend: `failed ${what}` },
    ],
    'opm',
    true,
  );
}

function dashboard(title: string, uid: string, refresh: string, panels: Json[], variables: Json[]): Json {
  return {
    title,
    uid,
    tags: ['flux'],
    editable: true,
    refresh,
    schemaVersion: 38,
    time: { from: 'now-15m', to: 'now' },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        {
          datasource: { type: 'datasource', uid: 'grafana' },
          enable: true,
          iconColor: 'red',
          name: 'flux events',
          target: { limit: 100, matchAny: false, tags: ['flux'], type: 'tags' },
        },
      ],
    },
    panels,
    templating: {
      list: [
        { name: 'DS_PROMETHEUS', label: 'Datasource', type: 'datasource', query: 'prometheus', hide: 0 },
        ...variables,
      ],
    },
  };
}

function controlPlane(): Json {
  nextId = 1;
  const ns = 'namespace="$namespace"';
  return dashboard(
    'Flux Control Plane',
    'flux-control-plane',
    '10s',
    [
      stat(
        'Controllers',
        { h: 5, w: 6, x: 0, y: 0 },
        { expr: `sum(go_info{${ns},${controllers}})`, legend: 'pods' },
        'short',
        [
          ['blue', null],
          ['red', 100],
        ],
      ),
      stat(
        'Max Work Queue',
        { h: 5, w: 6, x: 6, y: 0 },
        { expr: `max(workqueue_longest_running_processor_seconds{${ns},${controllers}})`, legend: 'seconds' },
        's',
        [
          ['blue', null],
          ['#EAB839', 50],
          ['red', 100],
        ],
        'lastNotNull',
      ),
      panel(
        'gauge',
        'Memory',
        { h: 5, w: 6, x: 12, y: 0 },
        [{ expr: `sum(go_memstats_alloc_bytes{${ns},${controllers}})` }],
        {
          fieldConfig: {
            defaults: {
              unit: 'decbits',
              thresholds: thresholds([
                ['blue', null],
                ['#EAB839', 500000000],
                ['red', 900000000],
              ]),
            },
          },
          options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, showThresholdMarkers: true },
        },
      ),
      stat(
        'API Requests',
        { h: 5, w: 6, x: 18, y: 0 },
        { expr: `sum(rate(rest_client_requests_total{${ns},${controllers}}[1m]))`, legend: 'requests' },
        'short',
        [
          ['blue', null],
          ['#EAB839', 50],
          ['red', 100],
        ],
        'mean',
      ),
      timeseries(
        'Kubernetes API Requests',
        { h: 8, w: 24, x: 0, y: 5 },
        [
          { expr: `sum(rate(rest_client_requests_total{${ns}}[1m]))`, legend: 'total' },
          { expr: `sum(rate(rest_client_requests_total{${ns},code!~"2.."}[1m]))`, legend: 'errors' },
        ],
        'short',
      ),
      row('Resource Usage', 13),
      timeseries(
        'CPU Usage',
        { h: 11, w: 12, x: 0, y: 14 },
        [{ expr: `rate(process_cpu_seconds_total{${ns},${controllers}}[1m])`, legend: '{{pod}}' }],
        's',
        false,
        true,
      ),
      timeseries(
        'Memory Usage',
        { h: 11, w: 12, x: 12, y: 14 },
        [
          {
            expr: `sum(container_memory_working_set_bytes{${ns},container!="POD",container!="",${controllers}}) by (pod)`,
            legend: '{{pod}}',
          },
        ],
        'bytes',
        false,
        true,
      ),
      row('Reconciliation Stats', 25),
      timeseries(
        'Cluster Reconciliation Duration',
        { h: 8, w: 24, x: 0, y: 26 },
        [{ expr: 'workqueue_longest_running_processor_seconds{name="kustomization"}', legend: 'kustomizations' }],
        's',
      ),
      opsPerMinute('Cluster Reconciliations ops/min', { h: 8, w: 24, x: 0, y: 34 }, 'kustomization', 'reconciliations'),
      row('Sources Stats', 42),
      opsPerMinute('Git Repos ops/min', { h: 9, w: 12, x: 0, y: 43 }, 'gitrepository', 'git pulls', false),
      opsPerMinute('OCI Repos ops/min', { h: 9, w: 12, x: 12, y: 43 }, 'ocirepository', 'oci pulls', false),
      opsPerMinute('Helm Repos ops/min', { h: 9, w: 12, x: 0, y: 52 }, 'helmrepository', 'helm pulls', false),
      opsPerMinute('Buckets ops/min', { h: 9, w: 12, x: 12, y: 52 }, 'bucket', 'bucket pulls', false),
      row('Helm Stats', 61),
      timeseries(
        'Helm Release Duration',
        { h: 8, w: 24, x: 0, y: 62 },
        [0.5, 0.9, 0.99].map((q) => ({
          expr: `histogram_quantile(${q.toFixed(2)}, sum(rate(controller_runtime_reconcile_time_seconds_bucket{controller="helmrelease"}[5m])) by (le))`,
          legend: `P${Math.round(q * 100)}`,
          hide: q !== 0.99,
        })),
        's',
      ),
      opsPerMinute('Helm Releases ops/min', { h: 9, w: 12, x: 0, y: 70 }, 'helmrelease', 'reconciliations'),
      opsPerMinute('Helm Charts ops/min', { h: 9, w: 12, x: 12, y: 70 }, 'helmchart', 'chart pulls'),
    ],
    [
      {
        name: 'namespace',
        type: 'query',
        datasource: ds,
        // The controllers' namespaces: any series every controller exports (the work queue's) carries `namespace`.
        query: { query: 'label_values(workqueue_work_duration_seconds_count, namespace)', refId: 'namespace' },
        definition: 'label_values(workqueue_work_duration_seconds_count, namespace)',
        current: { text: 'flux-system', value: 'flux-system' },
        refresh: 2,
        hide: 0,
      },
    ],
  );
}

function cluster(): Json {
  nextId = 1;
  const reconcilers = 'Kustomization|HelmRelease';
  const sources = 'GitRepository|HelmRepository|Bucket|OCIRepository';
  const info = (kinds: string, more = '') =>
    `gotk_resource_info{exported_namespace=~"$namespace", customresource_kind=~"${kinds}"${more}}`;
  const avg = (kinds: string, by: string) => {
    const sel = `namespace=~"$operator_namespace",exported_namespace=~"$namespace",kind=~"${kinds}"`;
    return `sum(rate(gotk_reconcile_duration_seconds_sum{${sel}}[5m])) by (${by})\n/\n  sum(rate(gotk_reconcile_duration_seconds_count{${sel}}[5m])) by (${by})`;
  };
  const count = (title: string, x: number, expr: string, failing: boolean) =>
    stat(
      title,
      { h: 5, w: 6, x, y: 0 },
      { expr, instant: true },
      'short',
      failing
        ? [['red', null]]
        : [
            ['blue', null],
            ['red', 100],
          ],
    );
  const readiness = {
    False: { color: 'red', index: 1, text: 'Not Ready' },
    True: { color: 'blue', index: 0, text: 'Ready' },
  };
  const table = (title: string, gridPos: Grid, expr: string, columns: string, mapReady: boolean) =>
    panel('table', title, gridPos, [{ expr, table: true, instant: true }], {
      fieldConfig: {
        defaults: {
          custom: { filterable: true, cellOptions: { type: 'auto' } },
          mappings: mapReady ? [{ type: 'value', options: readiness }] : [],
        },
        overrides: [
          {
            matcher: { id: 'byType', options: 'string' },
            properties: [{ id: 'custom.cellOptions', value: { mode: 'basic', type: 'color-background' } }],
          },
        ],
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        sortBy: [{ desc: true, displayName: mapReady ? 'Status' : 'Namespace' }],
      },
      transformations: [
        {
          id: 'organize',
          options: {
            renameByName: {
              customresource_kind: 'Kind',
              exported_namespace: 'Namespace',
              name: 'Name',
              ready: 'Status',
              namespace: 'Operator Namespace',
            },
          },
        },
        { id: 'filterFieldsByName', options: { include: { pattern: `(${columns})` } } },
      ],
    });
  const bargauge = (title: string, x: number, kinds: string) =>
    panel('bargauge', title, { h: 4, w: 12, x, y: 5 }, [{ expr: avg(kinds, 'kind'), legend: '{{kind}}' }], {
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: thresholds([
            ['green', null],
            ['#EAB839', 1],
            ['red', 61],
          ]),
        },
      },
      options: {
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
        reduceOptions: { calcs: ['mean'], fields: '', values: false },
      },
    });
  const multi = (name: string, query: string): Json => ({
    name,
    type: 'query',
    datasource: ds,
    query: { query, refId: name },
    definition: query,
    includeAll: true,
    multi: true,
    current: { text: ['All'], value: ['$__all'] },
    refresh: 2,
    hide: 0,
  });
  return dashboard(
    'Flux Cluster Stats',
    'flux-cluster',
    '30s',
    [
      count('Cluster Reconcilers', 0, `count(${info(reconcilers)})`, false),
      count('Failing Reconcilers', 6, `count(${info(reconcilers, ', ready="False"')})`, true),
      count('Kubernetes Manifests Sources', 12, `count(${info(sources)})`, false),
      count('Failing Sources', 18, `count(${info(sources, ', ready="False"')})`, true),
      bargauge('Reconciler ops avg. duration', 0, reconcilers),
      bargauge('Source ops avg. duration', 12, sources),
      row('Status', 9),
      table(
        'Cluster reconciliation readiness ',
        { h: 22, w: 12, x: 0, y: 10 },
        info(reconcilers),
        'Namespace|Kind|Name|Status',
        true,
      ),
      table(
        'Source acquisition readiness ',
        { h: 11, w: 12, x: 12, y: 10 },
        info(sources),
        'Namespace|Kind|Name|Status',
        true,
      ),
      table(
        'Suspended Objects',
        { h: 11, w: 12, x: 12, y: 21 },
        'gotk_resource_info{exported_namespace=~"$namespace", suspended="true"}',
        'Namespace|Name|Kind',
        false,
      ),
      row('Timing', 32),
      timeseries(
        'Cluster reconciliation duration',
        { h: 8, w: 24, x: 0, y: 33 },
        [{ expr: avg(reconcilers, 'kind, name'), legend: '{{kind}}/{{name}}' }],
        's',
      ),
      timeseries(
        'Source acquisition duration',
        { h: 8, w: 24, x: 0, y: 41 },
        [{ expr: avg(sources, 'kind, name'), legend: '{{kind}}/{{name}}' }],
        's',
      ),
    ],
    [
      // Flux's dashboard reads the controllers' namespaces from gotk_reconcile_condition, which Flux removed in v2.2
      // (and flux-ts never exported): the reconcile histogram every reconciling controller exports carries it too.
      multi('operator_namespace', 'label_values(gotk_reconcile_duration_seconds_count, namespace)'),
      multi('namespace', 'label_values(gotk_resource_info, exported_namespace)'),
    ],
  );
}

/** The dashboards by file name, as Grafana JSON formatted as the repository's prettier formats JSON. */
export async function dashboards(): Promise<Record<string, string>> {
  const dir = join(import.meta.dirname, 'configs', 'dashboards');
  const out: Record<string, string> = {};
  for (const [file, d] of Object.entries({ 'control-plane.json': controlPlane(), 'cluster.json': cluster() })) {
    const filepath = join(dir, file);
    out[file] = await format(JSON.stringify(d), { ...(await resolveConfig(filepath)), filepath });
  }
  return out;
}

if (import.meta.main) {
  const dir = join(import.meta.dirname, 'configs', 'dashboards');
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(await dashboards())) {
    const path = join(dir, file);
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, 'utf8') !== text) {
      process.stderr.write(`${path} is stale: run npx node deploy/monitoring/gen-dashboards.ts\n`);
      stale++;
    }
  }
  process.exitCode = stale ? 1 : 0;
}
