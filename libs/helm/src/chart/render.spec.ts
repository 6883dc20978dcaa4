// The objects of render.ts are what our template engine consumes: a template reading every object renders what
// helm 3.18.0 rendered for it (the expected text below comes from `helm template rel CHART --namespace ns1` of
// this chart; the template uses only text/template builtins).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Template } from '../template/exec.ts';
import { parseInto } from '../values/strvals.ts';
import { loadChart } from './loader.ts';
import { defaultCapabilities, prepareRender } from './render.ts';

const TEMPLATE = `chart: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.APIVersion }} {{ .Chart.IsRoot }} {{ .Chart.Type }} {{ len .Chart.Dependencies }} {{ (index .Chart.Maintainers 0).Name }} {{ index .Chart.Annotations "a" }}
release: {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Revision }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Service }}
caps: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }} {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "nope/v1" }} {{ .Capabilities.HelmVersion.Version }} {{ .Capabilities.HelmVersion.GoVersion }}
template: {{ .Template.Name }} {{ .Template.BasePath }}
files: {{ .Files.Get "files/a.txt" | printf "%q" }} {{ range .Files.Lines "files/a.txt" }}[{{ . }}]{{ end }} {{ len (.Files.GetBytes "files/a.txt") }} {{ .Files.Get "missing" | printf "%q" }}
glob: {{ printf "%q" (.Files.Glob "files/*.txt").AsConfig }}
secrets: {{ printf "%q" (.Files.Glob "files/a.*").AsSecrets }}
values: {{ .Values.a }} {{ .Values.n }} {{ .Values.s }} {{ printf "%T %T" .Values.n .Values.s }} {{ .Values.sub.x }} {{ .Values.global.g }}
subcharts: {{ .Subcharts.sub.Chart.Name }} {{ .Subcharts.sub.Values.x }} {{ .Subcharts.sub.Values.global.g }} {{ .Subcharts.sub.Chart.IsRoot }} {{ .Subcharts.sub.Release.Name }}
`;

// What helm 3.18.0 printed for the template (checked with the real binary when this test was written).
const HELM_OUTPUT = `chart: c 1.2.3 4.5 v2 true application 1 me b
release: rel ns1 1 true false Helm
caps: v1.33.0 v1.33.0 1 33 v1.33.0 true false v3.18.0 go1.24.3
template: c/templates/all.yaml c/templates
files: "one\\ntwo: 2\\n" [one][two: 2] 11 ""
glob: "a.txt: |\\n  one\\n  two: 2\\nb.txt: 'x: y'"
secrets: "a.txt: b25lCnR3bzogMgo="
values: 1 5 hi int64 string sub-x parent
subcharts: sub sub-x parent false rel
`;

const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-render-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeChart(): string {
  const files: Record<string, string> = {
    'Chart.yaml':
      'apiVersion: v2\nname: c\nversion: 1.2.3\nappVersion: "4.5"\ntype: application\nmaintainers:\n  - name: me\nannotations:\n  a: b\ndependencies:\n  - name: sub\n    version: 0.1.0\n',
    'values.yaml': 'a: 1\nglobal:\n  g: parent\n',
    'templates/all.yaml': TEMPLATE,
    'files/a.txt': 'one\ntwo: 2\n',
    'files/b.txt': 'x: y',
    'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
    'charts/sub/values.yaml': 'x: sub-x\n',
  };
  const dir = join(work, 'c');
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

describe('render objects with the template engine', () => {
  it('renders what helm renders for .Chart, .Release, .Capabilities, .Template, .Files, .Values, .Subcharts', () => {
    const chart = loadChart(writeChart());
    const vals = {};
    parseInto('n=5,s=hi', vals);
    const r = prepareRender(chart, vals, {
      release: { name: 'rel', namespace: 'ns1', revision: 1, isInstall: true },
      capabilities: defaultCapabilities(),
    });
    const all = r.templates.find((t) => t.name === 'c/templates/all.yaml');
    expect(all).toBeDefined();
    const t = new Template(all!.name).option('missingkey=zero');
    t.parse(all!.text);
    expect(t.execute(all!.data)).toBe(HELM_OUTPUT);
  });
});
