import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { indexDirectory, loadFiles, packageChart, serializeIndex } from '@flux-ts/helm';

/** The demo chart `hello`: a Deployment of podinfo and its Service, the message and replicas from values. */
export const DEMO_CHART_FILES: Readonly<Record<string, string>> = {
  'Chart.yaml': [
    'apiVersion: v2',
    'name: hello',
    'description: The flux-ts demo chart, a podinfo Deployment and its Service',
    'type: application',
    'version: 0.1.0',
    'appVersion: "6.7.0"',
    '',
  ].join('\n'),
  'values.yaml': [
    'replicaCount: 1',
    'message: hello from a Helm chart',
    'image:',
    '  repository: ghcr.io/stefanprodan/podinfo',
    '  tag: ""',
    'service:',
    '  port: 9898',
    '',
  ].join('\n'),
  'templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  labels:',
    '    app.kubernetes.io/name: {{ .Chart.Name }}',
    '    app.kubernetes.io/instance: {{ .Release.Name }}',
    'spec:',
    '  replicas: {{ .Values.replicaCount }}',
    '  selector:',
    '    matchLabels:',
    '      app.kubernetes.io/instance: {{ .Release.Name }}',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app.kubernetes.io/instance: {{ .Release.Name }}',
    '    spec:',
    '      containers:',
    '        - name: podinfo',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
    '          ports:',
    '            - name: http',
    '              containerPort: 9898',
    '          env:',
    '            - name: PODINFO_UI_MESSAGE',
    '              value: {{ .Values.message | quote }}',
    '',
  ].join('\n'),
  'templates/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  labels:',
    '    app.kubernetes.io/name: {{ .Chart.Name }}',
    '    app.kubernetes.io/instance: {{ .Release.Name }}',
    'spec:',
    '  selector:',
    '    app.kubernetes.io/instance: {{ .Release.Name }}',
    '  ports:',
    '    - name: http',
    '      port: {{ .Values.service.port }}',
    '      targetPort: http',
    '',
  ].join('\n'),
};

/** One chart of {@link writeChartRepo}: its files (Chart.yaml, values.yaml, templates/…) and the versions to package. */
export interface LocalChart {
  files: Readonly<Record<string, string>>;
  /** Each is packaged as `helm package --version V` does (default: Chart.yaml's version only). */
  versions?: readonly string[];
}

/** Options of {@link writeChartRepo}. */
export interface WriteChartRepoOptions {
  /** `created` and `generated` of index.yaml (default now; a fixed time makes the index the same every time). */
  now?: Date;
  /** `helm repo index --url` (default none: chart URLs relative to index.yaml, so the port may change). */
  url?: string;
}

/**
 * Writes a Helm chart repository into `dir`, as `helm package` then `helm repo index` would (libs/helm's
 * packageChart and indexDirectory): `<name>-<version>.tgz` for each chart and version, and index.yaml.
 */
export async function writeChartRepo(
  dir: string,
  charts: readonly LocalChart[],
  opts: WriteChartRepoOptions = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const c of charts) {
    const chart = loadFiles(Object.entries(c.files).map(([name, text]) => ({ name, data: Buffer.from(text) })));
    for (const version of c.versions ?? [undefined]) {
      const packaged = packageChart(chart, version === undefined ? {} : { version });
      writeFileSync(join(dir, packaged.fileName), packaged.data);
    }
  }
  const index = await indexDirectory(dir, {
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.url ? { url: opts.url } : {}),
  });
  writeFileSync(join(dir, 'index.yaml'), serializeIndex(index));
}

/** The time the demo repository's index.yaml carries, so that its digest (the HelmRepository's revision) is stable. */
const DEMO_INDEX_TIME = new Date('2026-01-01T00:00:00Z');

/** Writes the demo chart repository (the `hello` chart) under `dir` unless its index.yaml exists. */
export async function ensureDemoChartRepo(dir: string): Promise<void> {
  if (existsSync(join(dir, 'index.yaml'))) return;
  await writeChartRepo(dir, [{ files: DEMO_CHART_FILES }], { now: DEMO_INDEX_TIME });
}

/** A running static chart repository server. */
export interface ChartServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves a chart repository directory (index.yaml and the archives) over HTTP on 127.0.0.1, as a static web server
 * would host `helm repo index` output: GET and HEAD of its files, 404 for a missing file or a dotfile, 403 for the
 * directory (no listing).
 */
export async function startChartServer(opts: { dir: string; port?: number }): Promise<ChartServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(fastifyStatic, { root: opts.dir, index: false, dotfiles: 'ignore', list: false });
  await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await app.close();
    },
  };
}
