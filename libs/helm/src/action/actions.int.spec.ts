// Our actions against libs/apiserver, judged by the real helm 3.18.0 CLI: the same chart is installed, upgraded,
// rolled back, tested and uninstalled by us in one namespace and by helm in another, and `helm list`, `helm history`,
// `helm status`, `helm get values` and `helm get manifest` must show the same (times aside); a release helm made is
// upgraded by us; failures leave the failed records helm would.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '@flux-ts/apiserver';
import { helmEnv, installHelm } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChart } from '../chart/loader.ts';
import type { Chart } from '../chart/chart.ts';
import type { ActionConfig } from './configuration.ts';
import { HttpKubeClient } from './http-kube-client.spec-helper.ts';
import { install } from './install.ts';
import { rollback } from './rollback.ts';
import { testRelease } from './release-testing.ts';
import { uninstall } from './uninstall.ts';
import { upgrade } from './upgrade.ts';
import { StatusWaiter } from './status.ts';
import { secretToRelease, type Release, type SecretObject } from '../release/storage.ts';

const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-actions-'));
let server: ApiServer;
let helmBin: string;
let kube: HttpKubeClient;

const CHART: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: "1.0"\n',
  'values.yaml': 'msg: hello\nreplicas: 1\nextra: true\nfailJob: false\n',
  'crds/widget.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`,
  'templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
data:
  msg: {{ .Values.msg | quote }}
  revision: "{{ .Release.Revision }}"
`,
  'templates/extra.yaml': `{{- if .Values.extra }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data: { a: b }
{{- end }}
`,
  'templates/kept.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-kept
  annotations:
    helm.sh/resource-policy: keep
data: { k: v }
`,
  'templates/widget.yaml': `apiVersion: example.com/v1
kind: Widget
metadata:
  name: {{ .Release.Name }}-widget
spec:
  size: {{ .Values.replicas }}
`,
  'templates/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
spec:
  replicas: {{ .Values.replicas }}
  selector: { matchLabels: { app: {{ .Release.Name }} } }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
    spec:
      containers:
        - name: app
          image: nginx:1.27
`,
  'templates/hooks.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-pre-b
  annotations:
    helm.sh/hook: pre-install,pre-upgrade,pre-delete
    helm.sh/hook-weight: "5"
data: { msg: {{ .Values.msg | quote }} }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-pre-a
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: "-1"
    helm.sh/hook-delete-policy: hook-succeeded
data: { x: "z" }
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-post
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations:
        flux-ts.dev/simulate: {{ if .Values.failJob }}fail{{ else }}ok{{ end }}
    spec:
      restartPolicy: Never
      containers: [{ name: c, image: busybox, command: [sh, -c, "true"] }]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
data: { t: "1" }
`,
  'templates/NOTES.txt': 'Thanks for installing {{ .Release.Name }} ({{ .Values.msg }}).\n',
};

const chartDir = join(work, 'demo');
const fresh = (): Chart => loadChart(chartDir);

function helm(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      helmBin,
      args,
      { env: { ...helmEnv(work), KUBECONFIG: join(work, 'kubeconfig') }, timeout: 120_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`helm ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
    );
  });
}

const cfg = (ns: string): ActionConfig => ({
  kube,
  waiter: new StatusWaiter(kube, { intervalMs: 50 }),
  storageNamespace: ns,
});

type J = Record<string, unknown>;
const TIME_KEYS = new Set(['first_deployed', 'last_deployed', 'deleted', 'started_at', 'completed_at', 'updated']);
/** The JSON with times blanked (they differ between two runs) and the namespace replaced. */
function norm(v: unknown, ns: string): unknown {
  if (Array.isArray(v)) return v.map((x) => norm(x, ns));
  if (v !== null && typeof v === 'object') {
    const o: J = {};
    for (const [k, x] of Object.entries(v)) o[k] = TIME_KEYS.has(k) && x !== '' ? 'T' : norm(x, ns);
    return o;
  }
  return typeof v === 'string' ? v.split(ns).join('NS') : v;
}

/** What helm shows of a release in a namespace. */
async function view(name: string, ns: string): Promise<J> {
  const list = JSON.parse(await helm(['list', '-a', '-n', ns, '-o', 'json'])) as unknown;
  const history = JSON.parse(await helm(['history', name, '-n', ns, '-o', 'json'])) as unknown;
  const status = JSON.parse(await helm(['status', name, '-n', ns, '-o', 'json'])) as unknown;
  const values = await helm(['get', 'values', name, '-n', ns, '-o', 'json']);
  const all = await helm(['get', 'values', name, '-n', ns, '--all', '-o', 'json']);
  const manifest = await helm(['get', 'manifest', name, '-n', ns]);
  // the release Secrets: names, types and labels (createdAt/modifiedAt are times)
  const secrets = (await kube.list('v1', 'Secret', { namespace: ns, labels: { owner: 'helm' } }))
    .map((x) => {
      const labels = { ...(x.metadata.labels ?? {}) };
      for (const k of ['createdAt', 'modifiedAt']) if (k in labels) labels[k] = 'T';
      return { name: x.metadata.name, type: x['type'], labels };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return norm({ list, history, status, values, all, manifest, secrets }, ns) as J;
}

async function live(kind: string, apiVersion: string, ns: string, name: string): Promise<J | undefined> {
  return (await kube.get({ apiVersion, kind, namespace: ns, name })) as J | undefined;
}

beforeAll(async () => {
  helmBin = await installHelm();
  for (const [p, t] of Object.entries(CHART)) {
    mkdirSync(join(chartDir, p, '..'), { recursive: true });
    writeFileSync(join(chartDir, p), t);
  }
  server = await startApiServer({
    kubeconfigPath: join(work, 'kubeconfig'),
    simulation: { readyAfterMs: 100, intervalMs: 50 },
  });
  kube = new HttpKubeClient(server.url, server.caPem, server.adminToken);
  for (const ns of [
    'ours',
    'theirs',
    'taken',
    'fail-ours',
    'fail-theirs',
    'conflict',
    'h-ours',
    'h-theirs',
    'w',
    'crd',
    'ssa',
    'csa',
  ])
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
}, 180_000);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('our actions judged by helm 3.18', () => {
  it('install, upgrade, rollback, test and uninstall show in helm as helm’s own', { timeout: 300_000 }, async () => {
    // install: CRDs created first, hooks in weight order, objects created, record pending-install → deployed
    const installed = await install(cfg('ours'), {
      releaseName: 'demo',
      namespace: 'ours',
      chart: fresh(),
      values: { msg: 'one' },
      labels: { team: 'a' },
    });
    expect(installed.info?.status).toBe('deployed');
    await helm(['install', 'demo', chartDir, '-n', 'theirs', '--set', 'msg=one', '--labels', 'team=a']);
    const afterInstall = await view('demo', 'ours');
    expect(afterInstall).toEqual(await view('demo', 'theirs'));
    expect(afterInstall['secrets']).toEqual([
      {
        name: 'sh.helm.release.v1.demo.v1',
        type: 'helm.sh/release.v1',
        labels: {
          modifiedAt: 'T',
          name: 'demo',
          owner: 'helm',
          status: 'deployed',
          team: 'a',
          version: '1',
        },
      },
    ]);
    expect(afterInstall['history']).toEqual([
      {
        revision: 1,
        updated: 'T',
        status: 'deployed',
        chart: 'demo-0.1.0',
        app_version: '1.0',
        description: 'Install complete',
      },
    ]);
    // ownership metadata as helm sets it; hook-succeeded removed pre-a and the Job, the default policy kept pre-b
    for (const ns of ['ours', 'theirs']) {
      const cm = await live('ConfigMap', 'v1', ns, 'demo-cm');
      expect((cm?.['metadata'] as J)['labels']).toEqual({ 'app.kubernetes.io/managed-by': 'Helm' });
      expect((cm?.['metadata'] as J)['annotations']).toEqual({
        'meta.helm.sh/release-name': 'demo',
        'meta.helm.sh/release-namespace': ns,
      });
      expect(await live('ConfigMap', 'v1', ns, 'demo-pre-a')).toBeUndefined();
      expect(await live('Job', 'batch/v1', ns, 'demo-post')).toBeUndefined();
      expect(((await live('ConfigMap', 'v1', ns, 'demo-pre-b'))?.['metadata'] as J)['labels']).toBeUndefined();
      expect(await live('Widget', 'example.com/v1', ns, 'demo-widget')).toBeDefined();
    }

    // upgrade: a changed object patched, a dropped one deleted, pre/post-upgrade hooks, v1 superseded
    await upgrade(cfg('ours'), {
      releaseName: 'demo',
      chart: fresh(),
      values: { msg: 'two', extra: false, replicas: 2 },
    });
    await helm(['upgrade', 'demo', chartDir, '-n', 'theirs', '--set', 'msg=two,extra=false,replicas=2']);
    const afterUpgrade = await view('demo', 'ours');
    expect(afterUpgrade).toEqual(await view('demo', 'theirs'));
    expect(afterUpgrade['values']).toBe('{"extra":false,"msg":"two","replicas":2}\n');
    for (const ns of ['ours', 'theirs']) {
      expect(await live('ConfigMap', 'v1', ns, 'demo-extra')).toBeUndefined();
      expect((await live('ConfigMap', 'v1', ns, 'demo-cm'))?.['data']).toEqual({ msg: 'two', revision: '2' });
      expect((await live('Deployment', 'apps/v1', ns, 'demo-app'))?.['spec']).toMatchObject({ replicas: 2 });
      expect((await live('Widget', 'example.com/v1', ns, 'demo-widget'))?.['spec']).toEqual({ size: 2 });
    }

    // rollback to 1: revision 3 "Rollback to 1", the dropped object back
    const rolled = await rollback(cfg('ours'), { releaseName: 'demo', version: 1 });
    expect(rolled.version).toBe(3);
    await helm(['rollback', 'demo', '1', '-n', 'theirs']);
    const afterRollback = await view('demo', 'ours');
    expect(afterRollback).toEqual(await view('demo', 'theirs'));
    expect((afterRollback['history'] as J[]).map((h) => [h['revision'], h['status'], h['description']])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'superseded', 'Upgrade complete'],
      [3, 'deployed', 'Rollback to 1'],
    ]);
    expect(await live('ConfigMap', 'v1', 'ours', 'demo-extra')).toBeDefined();

    // test: filtered out, nothing runs; then the test hook's run recorded (phase Succeeded) as helm test records it
    const none = await testRelease(cfg('ours'), { releaseName: 'demo', exclude: ['demo-test'] });
    expect(none.hooks?.find((h) => h.name === 'demo-test')?.last_run.phase).toBe('');
    const tested = await testRelease(cfg('ours'), { releaseName: 'demo', include: ['demo-test'] });
    expect(tested.hooks?.find((h) => h.name === 'demo-test')?.last_run.phase).toBe('Succeeded');
    await helm(['test', 'demo', '-n', 'theirs', '--filter', '!name=demo-test']);
    await helm(['test', 'demo', '-n', 'theirs', '--filter', 'name=demo-test']);
    expect(await view('demo', 'ours')).toEqual(await view('demo', 'theirs'));

    // uninstall with keepHistory: uninstalled record, objects gone but the kept one
    const un = await uninstall(cfg('ours'), { releaseName: 'demo', keepHistory: true, wait: true, timeoutMs: 30_000 });
    expect(un?.info).toBe('These resources were kept due to the resource policy:\n[ConfigMap] demo-kept\n');
    await helm(['uninstall', 'demo', '-n', 'theirs', '--keep-history', '--wait']);
    const afterUninstall = await view('demo', 'ours');
    expect(afterUninstall).toEqual(await view('demo', 'theirs'));
    expect((afterUninstall['status'] as J)['info']).toMatchObject({
      status: 'uninstalled',
      description: 'Uninstallation complete',
    });
    for (const ns of ['ours', 'theirs']) {
      expect(await live('ConfigMap', 'v1', ns, 'demo-cm')).toBeUndefined();
      expect(await live('Deployment', 'apps/v1', ns, 'demo-app')).toBeUndefined();
      expect(await live('ConfigMap', 'v1', ns, 'demo-kept')).toBeDefined();
    }

    // uninstall again: the history is purged
    await uninstall(cfg('ours'), { releaseName: 'demo' });
    expect(await helm(['list', '-a', '-n', 'ours', '-o', 'json'])).toBe('[]\n');
    expect(await kube.list('v1', 'Secret', { namespace: 'ours', labels: { owner: 'helm' } })).toEqual([]);
  });

  it('upgrades a release helm installed, and helm sees the new revision', { timeout: 120_000 }, async () => {
    await helm(['install', 'taken', chartDir, '-n', 'taken', '--set', 'msg=helm']);
    const r = await upgrade(cfg('taken'), {
      releaseName: 'taken',
      chart: fresh(),
      values: { msg: 'ours' },
      maxHistory: 10,
    });
    expect(r.version).toBe(2);
    const h = JSON.parse(await helm(['history', 'taken', '-n', 'taken', '-o', 'json'])) as J[];
    expect(h.map((x) => [x['revision'], x['status'], x['description']])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'deployed', 'Upgrade complete'],
    ]);
    expect(await helm(['get', 'values', 'taken', '-n', 'taken', '-o', 'json'])).toBe('{"msg":"ours"}\n');
    expect((await live('ConfigMap', 'v1', 'taken', 'taken-cm'))?.['data']).toEqual({ msg: 'ours', revision: '2' });
    // force: the changed object is replaced (PUT), a live edit of a field the chart sets is reverted
    await kube.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'taken', name: 'taken-cm' },
      { data: { msg: 'edited' } },
    );
    await upgrade(cfg('taken'), {
      releaseName: 'taken',
      chart: fresh(),
      values: { msg: 'ours' },
      force: true,
      disableHooks: true,
    });
    expect((await live('ConfigMap', 'v1', 'taken', 'taken-cm'))?.['data']).toEqual({ msg: 'ours', revision: '3' });
    // and helm can go on from our revision
    await helm(['upgrade', 'taken', chartDir, '-n', 'taken', '--set', 'msg=helm-again']);
    expect((await live('ConfigMap', 'v1', 'taken', 'taken-cm'))?.['data']).toEqual({
      msg: 'helm-again',
      revision: '4',
    });
  });

  it('a failing post-install hook leaves the failed record helm leaves', { timeout: 120_000 }, async () => {
    await expect(
      install(cfg('fail-ours'), {
        releaseName: 'bad',
        namespace: 'fail-ours',
        chart: fresh(),
        values: { failJob: true },
      }),
    ).rejects.toThrow(/^failed post-install: 1 error occurred:\n\t\* job bad-post failed: BackoffLimitExceeded/);
    await expect(helm(['install', 'bad', chartDir, '-n', 'fail-theirs', '--set', 'failJob=true'])).rejects.toThrow(
      /INSTALLATION FAILED: failed post-install/,
    );
    const ours = await view('bad', 'fail-ours');
    const theirs = await view('bad', 'fail-theirs');
    const info = (v: J): J => (v['status'] as J)['info'] as J;
    expect(info(ours)['status']).toBe('failed');
    expect(info(ours)['description']).toBe(
      'Release "bad" failed: failed post-install: 1 error occurred:\n\t* job bad-post failed: BackoffLimitExceeded\n\n',
    );
    expect(ours).toEqual(theirs);
    const hooks = (ours['status'] as J)['hooks'] as J[];
    expect(hooks.find((h) => h['name'] === 'bad-post')?.['last_run']).toMatchObject({ phase: 'Failed' });
  });

  it('refuses to adopt an object another owner made, with helm’s message', { timeout: 60_000 }, async () => {
    await kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x-cm', namespace: 'conflict' } });
    const err = await install(cfg('conflict'), {
      releaseName: 'x',
      namespace: 'conflict',
      chart: fresh(),
    }).catch((e: unknown) => e as Error);
    const theirs = await helm(['install', 'x', chartDir, '-n', 'conflict']).catch((e: unknown) => e as Error);
    expect(typeof theirs === 'string' ? theirs : theirs.message).toContain(
      `Error: INSTALLATION FAILED: ${(err as Error).message}`,
    );
    expect((err as Error).message).toMatch(
      /^Unable to continue with install: ConfigMap "x-cm" in namespace "conflict" exists/,
    );
    expect(await helm(['list', '-a', '-n', 'conflict', '-o', 'json'])).toBe('[]\n');
  });

  it('maxHistory prunes the oldest records as helm --history-max does', { timeout: 120_000 }, async () => {
    await install(cfg('h-ours'), { releaseName: 'h', namespace: 'h-ours', chart: fresh(), disableHooks: true });
    await helm(['install', 'h', chartDir, '-n', 'h-theirs', '--no-hooks']);
    for (const msg of ['a', 'b', 'c']) {
      await upgrade(cfg('h-ours'), {
        releaseName: 'h',
        chart: fresh(),
        values: { msg },
        maxHistory: 2,
        disableHooks: true,
      });
      await helm([
        'upgrade',
        'h',
        chartDir,
        '-n',
        'h-theirs',
        '--set',
        `msg=${msg}`,
        '--history-max',
        '2',
        '--no-hooks',
      ]);
    }
    const ours = await view('h', 'h-ours');
    expect(ours).toEqual(await view('h', 'h-theirs'));
    expect((ours['history'] as J[]).map((x) => [x['revision'], x['status']])).toEqual([
      [3, 'superseded'],
      [4, 'deployed'],
    ]);
    // disableHooks: no hook object was created and no hook ran
    expect(await live('ConfigMap', 'v1', 'h-ours', 'h-pre-b')).toBeUndefined();
    expect(((ours['status'] as J)['hooks'] as J[]).map((h) => (h['last_run'] as J)['phase'])).toEqual(['', '', '', '']);
  });

  it('createNamespace, wait, and a failed wait with cleanupOnFail', { timeout: 120_000 }, async () => {
    const r = await install(cfg('created'), {
      releaseName: 'w',
      namespace: 'created',
      chart: fresh(),
      createNamespace: true,
      wait: true,
      timeoutMs: 30_000,
    });
    expect(r.info?.status).toBe('deployed');
    expect(((await live('Namespace', 'v1', '', 'created'))?.['metadata'] as J)['labels']).toMatchObject({
      name: 'created',
    });
    const dep = await live('Deployment', 'apps/v1', 'created', 'w-app');
    expect((dep?.['status'] as J)['readyReplicas']).toBe(1);

    // an upgrade whose new Deployment never becomes ready: failed after the timeout, its new objects removed
    const bad = join(work, 'bad-chart');
    mkdirSync(join(bad, 'templates'), { recursive: true });
    writeFileSync(join(bad, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.2.0\n');
    writeFileSync(
      join(bad, 'templates', 'deploy.yaml'),
      CHART['templates/deploy.yaml']!.replace(
        '  name: {{ .Release.Name }}-app',
        '  name: {{ .Release.Name }}-stuck',
      ).replace(
        '      labels: { app: {{ .Release.Name }} }',
        '      labels: { app: {{ .Release.Name }} }\n      annotations: { flux-ts.dev/simulate: fail }',
      ),
    );
    const err = await upgrade(cfg('created'), {
      releaseName: 'w',
      chart: loadChart(bad),
      wait: true,
      timeoutMs: 1_500,
      cleanupOnFail: true,
    }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const h = JSON.parse(await helm(['history', 'w', '-n', 'created', '-o', 'json'])) as J[];
    expect(h.map((x) => [x['revision'], x['status']])).toEqual([
      [1, 'deployed'],
      [2, 'failed'],
    ]);
    expect(String(h[1]?.['description'])).toMatch(
      /^Upgrade "w" failed: resource not ready, name: w-stuck, kind: Deployment/,
    );
    expect(await live('Deployment', 'apps/v1', 'created', 'w-stuck')).toBeUndefined();
    // an upgrade after a failed one starts from the last deployed revision
    await upgrade(cfg('created'), { releaseName: 'w', chart: fresh(), disableHooks: true });
    const h2 = JSON.parse(await helm(['history', 'w', '-n', 'created', '-o', 'json'])) as J[];
    expect(h2.map((x) => [x['revision'], x['status']])).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
      [3, 'deployed'],
    ]);
  });

  it(
    'CRD policies: Create skips a present CRD, CreateReplace replaces it, Skip leaves it',
    { timeout: 120_000 },
    async () => {
      const crdChart = (label: string): Chart => {
        const dir = join(work, `crd-${label}`);
        mkdirSync(join(dir, 'crds'), { recursive: true });
        writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: crdchart\nversion: 0.1.0\n');
        writeFileSync(
          join(dir, 'crds', 'gadget.yaml'),
          CHART['crds/widget.yaml']!.replaceAll('widget', 'gadget')
            .replaceAll('Widget', 'Gadget')
            .replace('  name: gadgets.example.com', `  name: gadgets.example.com\n  labels: { v: ${label} }`),
        );
        return loadChart(dir);
      };
      const crdLabel = async (): Promise<unknown> =>
        (
          (await live('CustomResourceDefinition', 'apiextensions.k8s.io/v1', '', 'gadgets.example.com'))?.[
            'metadata'
          ] as J
        )['labels'];
      await install(cfg('crd'), { releaseName: 'c', namespace: 'crd', chart: crdChart('one') });
      expect(await crdLabel()).toEqual({ v: 'one' });
      await uninstall(cfg('crd'), { releaseName: 'c' });
      // CRDs are never deleted by uninstall; Create skips the present one
      await install(cfg('crd'), { releaseName: 'c', namespace: 'crd', chart: crdChart('two') });
      expect(await crdLabel()).toEqual({ v: 'one' });
      await upgrade(cfg('crd'), { releaseName: 'c', chart: crdChart('three'), crds: 'Skip' });
      expect(await crdLabel()).toEqual({ v: 'one' });
      await upgrade(cfg('crd'), { releaseName: 'c', chart: crdChart('four'), crds: 'CreateReplace' });
      expect(await crdLabel()).toEqual({ v: 'four' });
    },
  );
});

describe('server-side apply (helm 4), read by helm 3.18', () => {
  /** The release record as stored (the Secret of one revision). */
  const record = async (ns: string, name: string, v: number): Promise<Release> =>
    secretToRelease(
      (await kube.get({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: ns,
        name: `sh.helm.release.v1.${name}.v${v}`,
      })) as unknown as SecretObject,
    );
  /** The managers of a ConfigMap as `manager/operation`. */
  const managers = async (ns: string, name: string): Promise<string[]> =>
    (((await live('ConfigMap', 'v1', ns, name))?.['metadata'] as J)['managedFields'] as J[]).map(
      (e) => `${String(e['manager'])}/${String(e['operation'])}`,
    );

  it(
    'installs and upgrades by apply under the field manager, forcing conflicts only when asked',
    { timeout: 120_000 },
    async () => {
      const installed = await install(cfg('ssa'), {
        releaseName: 'demo',
        namespace: 'ssa',
        chart: fresh(),
        values: { msg: 'one' },
        serverSideApply: true,
        forceConflicts: true,
      });
      expect(installed.info?.status).toBe('deployed');
      expect((await record('ssa', 'demo', 1)).apply_method).toBe('ssa');
      expect(await managers('ssa', 'demo-cm')).toEqual(['helm/Apply']);
      // helm 3.18 reads the record (and ignores apply_method)
      const status = JSON.parse(await helm(['status', 'demo', '-n', 'ssa', '-o', 'json'])) as J;
      expect([status['version'], (status['info'] as J)['status']]).toEqual([1, 'deployed']);

      // another manager takes data.msg: without forceConflicts the upgrade (auto: ssa) fails on the conflict
      const other = new HttpKubeClient(server.url, server.caPem, server.adminToken, 'intruder');
      await other.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-cm', namespace: 'ssa' }, data: { msg: 'x' } },
        { force: true },
      );
      await expect(
        upgrade(cfg('ssa'), { releaseName: 'demo', chart: fresh(), values: { msg: 'two' } }),
      ).rejects.toThrow(/^conflict occurred while applying object ssa\/demo-cm \/v1, Kind=ConfigMap: /);
      expect((await record('ssa', 'demo', 2)).info?.status).toBe('failed');

      // forced, as helm-controller always does: the field is taken back; a dropped object is still deleted
      const up = await upgrade(cfg('ssa'), {
        releaseName: 'demo',
        chart: fresh(),
        values: { msg: 'three', extra: false },
        forceConflicts: true,
      });
      expect(up.apply_method).toBe('ssa');
      expect(((await live('ConfigMap', 'v1', 'ssa', 'demo-cm'))?.['data'] as J)['msg']).toBe('three');
      expect(await managers('ssa', 'demo-cm')).toEqual(['helm/Apply']);
      expect(await live('ConfigMap', 'v1', 'ssa', 'demo-extra')).toBeUndefined();
      const history = JSON.parse(await helm(['history', 'demo', '-n', 'ssa', '-o', 'json'])) as J[];
      expect(history.map((r) => [r['revision'], r['status']])).toEqual([
        [1, 'superseded'],
        [2, 'failed'],
        [3, 'deployed'],
      ]);
    },
  );

  it(
    'auto follows the recorded method: csa stays csa, an explicit switch upgrades the field manager, rollback follows its target',
    { timeout: 120_000 },
    async () => {
      await install(cfg('csa'), { releaseName: 'demo', namespace: 'csa', chart: fresh() });
      expect((await record('csa', 'demo', 1)).apply_method).toBe('csa');
      const two = await upgrade(cfg('csa'), { releaseName: 'demo', chart: fresh(), values: { msg: 'two' } });
      expect(two.apply_method).toBe('csa');
      expect(await managers('csa', 'demo-cm')).toEqual(['helm/Update']);
      // switching to server-side apply moves helm's client-side fields to its apply entry
      const three = await upgrade(cfg('csa'), {
        releaseName: 'demo',
        chart: fresh(),
        values: { msg: 'three' },
        serverSideApply: true,
        forceConflicts: true,
      });
      expect(three.apply_method).toBe('ssa');
      expect(await managers('csa', 'demo-cm')).toEqual(['helm/Apply']);
      // rollback to 2 (csa) with auto goes back to the three-way merge
      const back = await rollback(cfg('csa'), { releaseName: 'demo', version: 2 });
      expect(back.apply_method).toBe('csa');
      expect(((await live('ConfigMap', 'v1', 'csa', 'demo-cm'))?.['data'] as J)['msg']).toBe('two');
      const history = JSON.parse(await helm(['history', 'demo', '-n', 'csa', '-o', 'json'])) as J[];
      expect(history.map((r) => [r['revision'], r['status'], r['description']])).toEqual([
        [1, 'superseded', 'Install complete'],
        [2, 'superseded', 'Upgrade complete'],
        [3, 'superseded', 'Upgrade complete'],
        [4, 'deployed', 'Rollback to 2'],
      ]);
    },
  );
});
