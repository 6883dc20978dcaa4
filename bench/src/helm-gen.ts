// Generates the inputs of `bench helm`: the chart `helm create` makes (by running it) and a chart that renders N
// objects (a ConfigMap, a Service and a Deployment per app, through helpers, toYaml, include and range).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { timedSpawnOk } from './measure.ts';

function write(dir: string, file: string, text: string): void {
  const p = join(dir, file);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

/** `helm create NAME` under root; returns the chart directory. */
export async function helmCreateChart(helm: string, root: string, env: NodeJS.ProcessEnv): Promise<string> {
  await timedSpawnOk(helm, ['create', 'starter'], { cwd: root, env, noRss: true });
  return join(root, 'starter');
}

const HELPERS = `{{- define "many.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .app.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "many.labels" -}}
app.kubernetes.io/name: {{ .app.name | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
tier: {{ .app.tier | default "backend" }}
{{- end -}}
`;

const CONFIGMAP = `{{- range $i, $app := .Values.apps }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "many.fullname" (dict "root" $ "app" $app) }}
  labels:
    {{- include "many.labels" (dict "root" $ "app" $app) | nindent 4 }}
data:
  index: {{ $i | quote }}
  {{- range $k, $v := $.Values.common.config }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
{{- end }}
`;

const SERVICE = `{{- range .Values.apps }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "many.fullname" (dict "root" $ "app" .) }}
  labels:
    {{- include "many.labels" (dict "root" $ "app" .) | nindent 4 }}
spec:
  type: {{ $.Values.common.service.type }}
  ports:
    - port: {{ .port | default 80 }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: {{ .name | quote }}
{{- end }}
`;

const DEPLOYMENT = `{{- range .Values.apps }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "many.fullname" (dict "root" $ "app" .) }}
  labels:
    {{- include "many.labels" (dict "root" $ "app" .) | nindent 4 }}
spec:
  replicas: {{ .replicas | default 1 }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .name | quote }}
  template:
    metadata:
      labels:
        {{- include "many.labels" (dict "root" $ "app" .) | nindent 8 }}
    spec:
      containers:
        - name: {{ .name }}
          image: "{{ $.Values.common.image.repository }}:{{ .tag | default $.Values.common.image.tag }}"
          ports:
            - name: http
              containerPort: 8080
          resources:
            {{- toYaml $.Values.common.resources | nindent 12 }}
          {{- with .env }}
          env:
            {{- range $k, $v := . }}
            - name: {{ $k | upper }}
              value: {{ $v | quote }}
            {{- end }}
          {{- end }}
{{- end }}
`;

/** A chart rendering `objects` objects (rounded down to a multiple of 3); returns its directory. */
export function manyObjectsChart(root: string, objects: number): string {
  const dir = join(root, 'many');
  const apps = Math.max(1, Math.floor(objects / 3));
  write(dir, 'Chart.yaml', 'apiVersion: v2\nname: many\nversion: 1.2.3\nappVersion: "4.5"\n');
  let values = `common:
  service:
    type: ClusterIP
  image:
    repository: registry.example.com/team/app
    tag: v1.0.0
  resources:
    limits:
      cpu: 500m
      memory: 256Mi
    requests:
      cpu: 100m
      memory: 128Mi
  config:
    LOG_LEVEL: info
    FEATURE_X: "true"
    TIMEOUT: 30s
apps:
`;
  for (let i = 0; i < apps; i++) {
    values += `  - name: app-${i}\n    port: ${8000 + (i % 100)}\n    replicas: ${1 + (i % 3)}\n`;
    if (i % 2 === 0) values += `    tier: frontend\n    tag: v1.${i}.0\n`;
    if (i % 3 === 0) values += `    env:\n      region: eu-${i % 4}\n      index: "${i}"\n`;
  }
  write(dir, 'values.yaml', values);
  write(dir, 'templates/_helpers.tpl', HELPERS);
  write(dir, 'templates/configmap.yaml', CONFIGMAP);
  write(dir, 'templates/service.yaml', SERVICE);
  write(dir, 'templates/deployment.yaml', DEPLOYMENT);
  return dir;
}
