// The chart/values differential harness: a case is a chart (files, subcharts as directories or archives) plus the
// values flags of `helm template`; every chart directory of the case gets a dump template printing, base64-encoded,
// the JSON of what its templates see (.Values and their Go types, .Chart, .Release, .Template, .Capabilities,
// .Files, .Subcharts). Helm's side runs the real binary; our side computes the same JSON from the loader.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { helmEnv } from '@flux-ts/testbed';
import { writeArchive } from '../src/chart/archive.ts';
import type { ChartFile } from '../src/chart/chart.ts';
import { loadChart } from '../src/chart/loader.ts';
import { metadataJson } from '../src/chart/metadata.ts';
import { defaultCapabilities, prepareRender, releaseObject, type Capabilities } from '../src/chart/render.ts';
import { formatFloat } from '../src/template/fmt.ts';
import { GoFloat, GoInt, GoStruct, JsonNumber, compareGoStrings, methodsOf, typeName } from '../src/template/values.ts';
import { mergeValues, type ValuesOptions } from '../src/values/options.ts';
import { helmErrorMessage } from './helm-oracle.spec-helper.ts';

/** One chart case. */
export interface ChartCase {
  name: string;
  /** Files of the chart directory (paths relative to it; subchart directories under charts/). */
  files: Record<string, string>;
  /** Subchart archives: path of the .tgz in the chart → its files (under a top directory named by `top`). */
  archives?: Record<string, { top: string; files: Record<string, string> }>;
  /** Files beside the chart (for -f and --set-file), relative names. */
  extra?: Record<string, string>;
  flags?: ValuesOptions;
  kubeVersion?: string;
  apiVersions?: string[];
  /** Render from a .tgz of the chart instead of its directory. */
  packaged?: boolean;
  /** Don't add dump templates (the chart must fail before rendering, or dumps would change it). */
  noDump?: boolean;
}

/** What helm produced: the dumps by template name, or the error. */
export interface ChartExpected {
  name: string;
  dumps?: Record<string, string>;
  error?: string;
}

/** The fixture file. */
export interface ChartExpectedFile {
  helm: string;
  cases: ChartExpected[];
}

const TYPES = `{{- define "flux-dump.types" -}}
{{- if kindIs "map" . -}}{ {{- range $k, $v := . }}{{ $k | toJson }}:{{ include "flux-dump.types" $v }},{{ end -}} }
{{- else if kindIs "slice" . -}}[{{ range . }}{{ include "flux-dump.types" . }},{{ end }}]
{{- else -}}{{ typeOf . }}{{- end -}}
{{- end -}}
{{- define "flux-dump.files" -}}{{ range $k, $_ := .Files }}{{ $k }},{{ end }}{{- end -}}
`;

const DUMP = `{{- $g := .Files.Glob "files/*" -}}
{{- $d := dict "values" .Values "types" (include "flux-dump.types" .Values) "chart" .Chart "release" .Release "template" .Template "caps" .Capabilities "kube" (printf "%s|%s|%s|%s" .Capabilities.KubeVersion.Version .Capabilities.KubeVersion.Major .Capabilities.KubeVersion.Minor .Capabilities.KubeVersion.GitVersion) "has" (list (.Capabilities.APIVersions.Has "apps/v1") (.Capabilities.APIVersions.Has "x.example.com/v1")) "files" (include "flux-dump.files" .) "asconfig" $g.AsConfig "assecrets" $g.AsSecrets "lines" (.Files.Lines "files/a.txt") "get" (.Files.Get "files/a.txt") "subcharts" (keys .Subcharts | sortAlpha) -}}
dump: {{ $d | toJson | b64enc }}
`;

const DUMP_FILE = 'templates/zz-flux-dump.yaml';

function chartDirs(files: Record<string, string>): string[] {
  const dirs = new Set<string>();
  for (const p of Object.keys(files)) {
    const m = /^(?:(.*)\/)?Chart\.yaml$/.exec(p);
    if (m) dirs.add(m[1] ?? '');
  }
  return [...dirs];
}

function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

/** Writes the case's chart under work/chart (and its extra files under work/); returns the chart path. */
export function writeCase(work: string, c: ChartCase): string {
  const chartDir = join(work, 'chart');
  const files: Record<string, string> = { ...c.files };
  if (!(c.noDump ?? false)) {
    for (const d of chartDirs(c.files)) {
      const prefix = d === '' ? '' : `${d}/`;
      files[`${prefix}${DUMP_FILE}`] = DUMP;
      if (d === '') files['templates/_flux-dump.tpl'] = TYPES;
    }
  }
  write(chartDir, files);
  for (const [p, a] of Object.entries(c.archives ?? {})) {
    const list: ChartFile[] = Object.entries(a.files).map(([name, text]) => ({ name, data: Buffer.from(text) }));
    if (!(c.noDump ?? false)) list.push({ name: DUMP_FILE, data: Buffer.from(DUMP) });
    mkdirSync(dirname(join(chartDir, p)), { recursive: true });
    writeFileSync(join(chartDir, p), writeArchive(a.top, list));
  }
  write(work, c.extra ?? {});
  if (c.packaged ?? false) {
    const all: ChartFile[] = [];
    const walk = (rel: Record<string, string>): void => {
      for (const [name, text] of Object.entries(rel)) all.push({ name, data: Buffer.from(text) });
    };
    walk(files);
    const tgz = join(work, 'chart.tgz');
    writeFileSync(tgz, writeArchive('chart', all));
    return tgz;
  }
  return chartDir;
}

/** The `helm template` values flags of `f` (value files relative to `work`). */
export function flagArgs(work: string, f: ValuesOptions = {}): string[] {
  const a: string[] = [];
  for (const v of f.valueFiles ?? []) a.push('-f', join(work, v));
  for (const v of f.values ?? []) a.push('--set', v);
  for (const v of f.stringValues ?? []) a.push('--set-string', v);
  for (const v of f.fileValues ?? []) a.push('--set-file', v);
  for (const v of f.jsonValues ?? []) a.push('--set-json', v);
  for (const v of f.literalValues ?? []) a.push('--set-literal', v);
  return a;
}

function parseDumps(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^# Source: (.*)\ndump: ([A-Za-z0-9+/=]*)$/gm;
  for (const m of stdout.matchAll(re)) out[m[1] ?? ''] = Buffer.from(m[2] ?? '', 'base64').toString('utf8');
  return out;
}

/** Renders one case with the real helm. */
export function helmCase(helm: string, c: ChartCase): Promise<ChartExpected> {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-chart-'));
  const chart = writeCase(work, c);
  const args = ['template', 'rel', chart, '--namespace', 'ns1', ...flagArgs(work, c.flags)];
  if (c.kubeVersion !== undefined) args.push('--kube-version', c.kubeVersion);
  for (const a of c.apiVersions ?? []) args.push('--api-versions', a);
  return new Promise((resolve) => {
    execFile(helm, args, { env: helmEnv(work), cwd: work, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      rmSync(work, { recursive: true, force: true });
      if (err === null) resolve({ name: c.name, dumps: parseDumps(stdout) });
      else resolve({ name: c.name, error: helmErrorMessage(stderr).split(work).join('<work>') });
    });
  });
}

// ---- our side ----

/** encoding/json's HTML-safe escapes over JSON text. */
function htmlSafe(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's encoding/json of a string (HTML-safe). */
function goString(s: string): string {
  return htmlSafe(JSON.stringify(s));
}

function jsonFloat(x: number): string {
  const abs = Math.abs(x);
  const e = abs !== 0 && (abs < 1e-6 || abs >= 1e21);
  let s = formatFloat(x, e ? 'e' : 'f', -1);
  if (e) s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

/** Raw JSON text inside a goJson value. */
class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** encoding/json of a model value (maps sorted bytewise). */
export function goJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return jsonFloat(v);
  if (v instanceof JsonNumber) return v.value;
  if (v instanceof GoInt) return v.value.toString();
  if (v instanceof GoFloat) return jsonFloat(v.value);
  if (v instanceof Uint8Array) return goString(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v instanceof GoStruct) throw new Error(`goJson: struct ${v.typeName}`);
  const entries = Object.entries(v as Record<string, unknown>).sort((a, b) => compareGoStrings(a[0], b[0]));
  return `{${entries.map(([k, e]) => `${goString(k)}:${goJson(e)}`).join(',')}}`;
}

function typesOf(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((e) => typesOf(e) + ',').join('')}]`;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const entries = Object.entries(v as Record<string, unknown>).sort((a, b) => compareGoStrings(a[0], b[0]));
    return `{${entries.map(([k, e]) => `${goString(k)}:${typesOf(e)},`).join('')}}`;
  }
  return v === null ? '<nil>' : typeName(v);
}

/** A struct's JSON with fields in order (for Capabilities, which has json tags only on HelmVersion). */
function capsJson(c: Capabilities): Raw {
  const kv = `{"Version":${goString(c.kubeVersion.version)},"Major":${goString(c.kubeVersion.major)},"Minor":${goString(c.kubeVersion.minor)}}`;
  const hv = `{"version":${goString(c.helmVersion.version)},"git_commit":${goString(c.helmVersion.gitCommit)},"git_tree_state":${goString(c.helmVersion.gitTreeState)},"go_version":${goString(c.helmVersion.goVersion)}}`;
  return new Raw(`{"KubeVersion":${kv},"APIVersions":${goJson(c.apiVersions)},"HelmVersion":${hv}}`);
}

function callMethod(s: unknown, name: string, ...args: unknown[]): unknown {
  const m = methodsOf(s)?.[name];
  if (m === undefined) throw new Error(`no method ${name}`);
  return (m.fn as (...a: unknown[]) => unknown)(...args);
}

/** Our result for a case: the same dumps computed from the loader, or the error as helm would print it. */
export function oursCase(c: ChartCase): ChartExpected {
  const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-chart-ours-'));
  try {
    const path = writeCase(work, c);
    try {
      const chart = loadChart(path);
      const vals = mergeValues(
        {
          ...c.flags,
          valueFiles: (c.flags?.valueFiles ?? []).map((f) => join(work, f)),
          fileValues: c.flags?.fileValues,
        },
        (p) => readFileSync(p.startsWith('/') ? p : join(work, p)),
      );
      const caps = defaultCapabilities({ kubeVersion: c.kubeVersion, apiVersions: c.apiVersions });
      const r = prepareRender(chart, vals, {
        release: { name: 'rel', namespace: 'ns1', isInstall: true, revision: 1 },
        capabilities: caps,
      });
      const dumps: Record<string, string> = {};
      const mdOf = new Map<string, Record<string, unknown>>();
      const collect = (ch: typeof chart): void => {
        mdOf.set(ch.chartFullPath(), { ...metadataJson(ch.metadata), IsRoot: ch.isRoot() });
        for (const d of ch.dependencies()) collect(d);
      };
      collect(chart);
      for (const t of r.templates) {
        if (!t.name.endsWith(`/${DUMP_FILE}`)) continue;
        const d = t.data;
        const g = callMethod(d['Files'], 'Glob', 'files/*');
        const chartPath = t.name.slice(0, -`/${DUMP_FILE}`.length);
        const dump = {
          values: d['Values'],
          types: typesOf(d['Values']),
          chart: new Raw(htmlSafe(JSON.stringify(mdOf.get(chartPath)))),
          release: releaseObject({ name: 'rel', namespace: 'ns1', isInstall: true, revision: 1 }),
          template: { Name: t.name, BasePath: t.basePath },
          caps: capsJson(r.capabilities),
          kube: `${r.capabilities.kubeVersion.version}|${r.capabilities.kubeVersion.major}|${r.capabilities.kubeVersion.minor}|${r.capabilities.kubeVersion.version}`,
          has: [
            callMethod((d['Capabilities'] as GoStruct).fields.get('APIVersions'), 'Has', 'apps/v1'),
            callMethod((d['Capabilities'] as GoStruct).fields.get('APIVersions'), 'Has', 'x.example.com/v1'),
          ],
          files: filesList(chart, chartPath),
          asconfig: callMethod(g, 'AsConfig'),
          assecrets: callMethod(g, 'AsSecrets'),
          lines: callMethod(d['Files'], 'Lines', 'files/a.txt'),
          get: callMethod(d['Files'], 'Get', 'files/a.txt'),
          subcharts: Object.keys(d['Subcharts'] as object).sort(compareGoStrings),
        };
        dumps[t.name] = goJson(dump);
      }
      return { name: c.name, dumps };
    } catch (e) {
      return {
        name: c.name,
        error: (e as Error).message.split(work).join('<work>'),
      };
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function filesList(root: ReturnType<typeof loadChart>, chartPath: string): string {
  const find = (ch: typeof root): typeof root | undefined => {
    if (ch.chartFullPath() === chartPath) return ch;
    for (const d of ch.dependencies()) {
      const f = find(d);
      if (f) return f;
    }
    return undefined;
  };
  const ch = find(root);
  if (ch === undefined) return '';
  return ch.files
    .map((f) => f.name)
    .sort(compareGoStrings)
    .map((n) => `${n},`)
    .join('');
}
