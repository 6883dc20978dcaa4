// The integration harness of the HelmRelease reconciler: libs/apiserver (workload simulation on) through
// startTestEnv, a small HTTP server for chart artifacts, the controller under a manager, and the real helm 3.18
// binary pointed at the same API server. Source-controller is not run (apps never import apps): the tests play its
// part by packaging a chart and writing the HelmChart's status (Ready, artifact URL, digest, revision) themselves.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiServer } from '@flux-ts/apiserver';
import { writeArchive } from '@flux-ts/helm';
import { Cache, Manager, isNotFound, newLogger } from '@flux-ts/runtime';
import type { EventObject, KubeClient, KubeObject, ReconcileContext, RecordEvent } from '@flux-ts/runtime';
import { helmEnv, installHelm } from '@flux-ts/testbed';
import { startTestEnv, until } from '@flux-ts/testing';
import { HelmReleaseReconciler } from './reconciler.ts';
import type { HelmReleaseReconcilerOptions } from './reconciler.ts';
import { setupHelmReleaseController } from './setup.ts';

export { until } from '@flux-ts/testing';

/** The HelmRelease GVK. */
export const hrGVK = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' };
/** The HelmChart GVK. */
export const hcGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' };

/** A status condition. */
export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
}
/** A HelmRelease as the tests read it. */
export type Hr = KubeObject & {
  spec: Record<string, unknown>;
  status?: {
    conditions?: Cond[];
    history?: Record<string, unknown>[];
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    lastAttemptedRevision?: string;
    lastAttemptedConfigDigest?: string;
    lastAttemptedGeneration?: number;
    lastAttemptedReleaseAction?: string;
    storageNamespace?: string;
    helmChart?: string;
    failures?: number;
    installFailures?: number;
    upgradeFailures?: number;
  };
};

/** A condition of a HelmRelease. */
export const cond = (hr: Hr, type: string): Cond | undefined => hr.status?.conditions?.find((c) => c.type === type);

/**
 * Whether the last reconcile of the current generation has ended: observed, not Reconciling. (The status is written
 * in two patches, conditions then the rest, so Ready alone may be read before the history that goes with it.)
 */
export const settled = (hr: Hr): boolean =>
  hr.status?.observedGeneration === hr.metadata.generation && cond(hr, 'Reconciling') === undefined;

/** The chart of the tests: a ConfigMap and a Deployment; `fail` makes it refuse to render, `simulate` its pods fail. */
export const WEB_CHART: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: "1.0"\n',
  'values.yaml': 'replicas: 1\nmessage: hello\nfail: false\nsimulate: ""\n',
  'templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
data:
  message: {{ .Values.message | quote }}
`,
  'templates/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app: {{ .Release.Name }} }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
      {{- if .Values.simulate }}
      annotations:
        flux-ts.dev/simulate: {{ .Values.simulate | quote }}
      {{- end }}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`,
  'templates/fail.yaml': '{{- if .Values.fail }}{{ fail "the chart refuses to render" }}{{- end }}\n',
};

/** A running API server, chart server, HelmRelease controller and helm CLI. */
export interface HrHarness {
  server: ApiServer;
  client: KubeClient;
  /** Non-dry-run writes seen by the API server (`METHOD /path`). */
  writes: string[];
  events: { obj: string; ev: RecordEvent }[];
  /** Runs the helm CLI against the API server; rejects with its stderr. */
  helm(args: string[]): Promise<string>;
  /**
   * Plays source-controller: waits for the HelmChart (creating it when `create`), packages `files` as its chart
   * and writes its status (Ready at its generation, the artifact); returns the artifact digest.
   */
  serveChart(namespace: string, name: string, files: Record<string, string>, create?: boolean): Promise<string>;
  /** Serves `data` at `/<path>` of the artifact server; returns its URL. */
  serveArtifact(path: string, data: Buffer): string;
  /** Creates a HelmRelease. */
  createHr(namespace: string, name: string, spec: Record<string, unknown>): Promise<void>;
  getHr(namespace: string, name: string): Promise<Hr>;
  /** Merge-patches a HelmRelease's spec. */
  patchSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void>;
  /** Asks for a reconcile and waits until it was handled; returns the token. */
  requestReconcile(namespace: string, name: string): Promise<string>;
  /** One reconcile by a reconciler of its own, outside the manager (to observe the absence of work). */
  reconcileOnce(namespace: string, name: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Starts the harness; `namespaces` are created besides flux-system. `extra` adds reconciler options (feature gates,
 * `--default-service-account`…); the reconciler discovers the capabilities of the API server through its kubeconfig.
 */
export async function startHrHarness(
  namespaces: readonly string[],
  extra: Partial<HelmReleaseReconcilerOptions> = {},
): Promise<HrHarness> {
  const writes: string[] = [];
  const events: { obj: string; ev: RecordEvent }[] = [];
  const env = await startTestEnv({
    namespaces: ['flux-system', ...namespaces],
    dirPrefix: 'hr-harness-',
    onRequest: (e) => {
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(e.method) && !e.url.includes('dryRun=All'))
        writes.push(`${e.method} ${e.url.split('?')[0]}`);
    },
  });
  const { server, client } = env;
  server.hooks.setSimulation({ readyAfterMs: 100, intervalMs: 50 });
  const helmBin = await installHelm();

  const artifacts = new Map<string, Buffer>();
  const http = createServer((req, res) => {
    const body = artifacts.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;

  const options: HelmReleaseReconcilerOptions = {
    client,
    kubeConfig: env.kubeConfig,
    requeueDependency: 300,
    httpRetry: 1,
    httpRetryWaitMs: 100,
    waitInterval: 100,
    recorder: {
      event: async (obj: EventObject, ev: RecordEvent) => {
        events.push({ obj: obj.metadata.name ?? '', ev });
      },
    },
    ...extra,
  };
  const cache = new Cache(client);
  const mgr = new Manager({ client, cache });
  setupHelmReleaseController({
    manager: mgr,
    cache,
    reconciler: new HelmReleaseReconciler({ ...options, reader: cache }),
    options: { concurrent: 4, minRetryDelay: 200, maxRetryDelay: 1000 },
    watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
    externalArtifact: extra.featureGates?.ExternalArtifact,
  });
  const stop = new AbortController();
  const run = mgr.start(stop.signal);
  const direct = new HelmReleaseReconciler(options);

  const h: HrHarness = {
    server,
    client,
    writes,
    events,
    helm: (args) =>
      new Promise((resolve, reject) => {
        execFile(
          helmBin,
          args,
          { env: { ...helmEnv(env.dir), KUBECONFIG: env.kubeconfigPath }, timeout: 60_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`helm ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
        );
      }),
    serveArtifact(path, data) {
      artifacts.set(`/${path}`, data);
      return `http://127.0.0.1:${port}/${path}`;
    },
    async serveChart(namespace, name, files, create = false) {
      const meta = /name: (\S+)\nversion: (\S+)/.exec(files['Chart.yaml'] ?? '');
      const [chartName = 'chart', version = '0.0.0'] = meta ? [meta[1], meta[2]] : [];
      if (create) {
        await client.create({
          ...hcGVK,
          metadata: { name, namespace },
          spec: {
            chart: chartName,
            version: '*',
            sourceRef: { kind: 'HelmRepository', name: 'charts' },
            interval: '10m',
          },
        });
      }
      let hc: KubeObject | undefined;
      await until(`HelmChart ${namespace}/${name}`, async () => {
        try {
          hc = await client.get(hcGVK, { namespace, name });
          return true;
        } catch (err) {
          if (isNotFound(err)) return false;
          throw err;
        }
      });
      const tgz = writeArchive(
        chartName,
        Object.entries(files).map(([n, t]) => ({ name: n, data: Buffer.from(t) })),
      );
      const digest = `sha256:${createHash('sha256').update(tgz).digest('hex')}`;
      const path = `helmchart/${namespace}/${name}/${chartName}-${version}.tgz`;
      artifacts.set(`/${path}`, tgz);
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const generation = hc?.metadata.generation ?? 1;
      await client.patch(
        hcGVK,
        { namespace, name },
        {
          status: {
            observedGeneration: generation,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'ChartPullSucceeded',
                message: `pulled '${chartName}' chart with version '${version}'`,
                lastTransitionTime: now,
                observedGeneration: generation,
              },
            ],
            artifact: {
              url: `http://127.0.0.1:${port}/${path}`,
              path,
              revision: version,
              digest,
              size: tgz.length,
              lastUpdateTime: now,
            },
          },
        },
        { type: 'merge', subresource: 'status' },
      );
      return digest;
    },
    async createHr(namespace, name, spec) {
      await client.create({ ...hrGVK, metadata: { name, namespace }, spec: { interval: '10m', ...spec } });
    },
    getHr: (namespace, name) => client.get<Hr>(hrGVK, { namespace, name }),
    async patchSpec(namespace, name, spec) {
      await client.patch(hrGVK, { namespace, name }, { spec }, { type: 'merge' });
    },
    async requestReconcile(namespace, name) {
      const token = `t-${Date.now()}-${Math.random()}`;
      await client.patch(
        hrGVK,
        { namespace, name },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } },
        { type: 'merge' },
      );
      await until(
        `reconcile ${token} of ${namespace}/${name}`,
        async () => (await h.getHr(namespace, name)).status?.lastHandledReconcileAt === token,
      );
      return token;
    },
    reconcileOnce: (namespace, name) => {
      const ctx: ReconcileContext = {
        signal: new AbortController().signal,
        log: newLogger({ level: 'silent' }),
        reconcileID: 'direct',
      };
      return direct.reconcile({ namespace, name }, ctx);
    },
    async close() {
      stop.abort();
      await run.catch(() => undefined);
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await env.close();
    },
  };
  return h;
}
