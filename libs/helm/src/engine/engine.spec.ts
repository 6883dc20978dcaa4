// What the helm table cannot reach: strict mode (helm template has no --strict), an injected lookup backend, lint
// mode, the template order, and the YAML emitter's rules on their own.
import { sortKeys as goYamlSortKeys } from '@flux-ts/goyaml';
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../chart/loader.ts';
import { readValues } from '../values/yaml.ts';
import { renderChart, sortTemplates, type RenderOptions } from './render.ts';
import { toYaml, toYamlPretty } from './yaml.ts';

function chart(templates: Record<string, string>, values = ''): ReturnType<typeof loadFiles> {
  const files = [
    { name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\nname: c\nversion: 0.1.0\n') },
    { name: 'values.yaml', data: Buffer.from(values) },
    ...Object.entries(templates).map(([k, v]) => ({ name: `templates/${k}`, data: Buffer.from(v) })),
  ];
  return loadFiles(files);
}

const OPTS: RenderOptions = { release: { name: 'rel', namespace: 'ns1' } };

describe('renderChart', () => {
  it('returns every non-partial template, NOTES.txt included, with <no value> removed', () => {
    const m = renderChart(
      chart({
        'a.yaml': 'a: [{{ .Values.x }}]',
        '_h.tpl': '{{ define "h" }}h{{ end }}',
        'NOTES.txt': 'n {{ include "h" . }}',
      }),
      {},
      OPTS,
    );
    expect([...m.entries()]).toEqual([
      ['c/templates/a.yaml', 'a: []'],
      ['c/templates/NOTES.txt', 'n h'],
    ]);
  });

  it('fails on a missing key in strict mode (missingkey=error)', () => {
    const c = chart({ 'a.yaml': 'a: {{ .Values.x }}' });
    expect(renderChart(c, {}, OPTS).get('c/templates/a.yaml')).toBe('a: ');
    expect(() => renderChart(c, {}, { ...OPTS, strict: true })).toThrow(
      'template: c/templates/a.yaml:1:13: executing "c/templates/a.yaml" at <.Values.x>: map has no entry for key "x"',
    );
  });

  it('strict mode reaches tpl (Helm re-sets missingkey on the clone)', () => {
    const c = chart({ 'a.yaml': 'a: {{ tpl "{{ .Values.y }}" . }}' });
    expect(() => renderChart(c, {}, { ...OPTS, strict: true })).toThrow('map has no entry for key "y"');
  });

  it('calls the injected lookup backend', () => {
    const calls: string[][] = [];
    const c = chart({ 'a.yaml': '{{ $s := lookup "v1" "Secret" .Release.Namespace "db" }}pw: {{ $s.data.pw }}' });
    const m = renderChart(
      c,
      {},
      {
        ...OPTS,
        lookup: (...args) => {
          calls.push(args);
          return { data: { pw: 'c2VjcmV0' } };
        },
      },
    );
    expect(m.get('c/templates/a.yaml')).toBe('pw: c2VjcmV0');
    expect(calls).toEqual([['v1', 'Secret', 'ns1', 'db']]);
  });

  it('does not fail on required and fail in lint mode', () => {
    const c = chart({ 'a.yaml': 'a: [{{ required "x!" .Values.x }}][{{ fail "no" }}]' });
    expect(() => renderChart(c, {}, OPTS)).toThrow('execution error at (c/templates/a.yaml:1:7): x!');
    expect(renderChart(c, {}, { ...OPTS, lintMode: true }).get('c/templates/a.yaml')).toBe('a: [][]');
  });

  it('keeps defines made inside tpl out of the other templates (tpl parses into a clone)', () => {
    const c = chart({
      'a.yaml': '{{ tpl "{{ define \\"t\\" }}x{{ end }}" . }}',
      'b.yaml': '{{ include "t" . }}',
    });
    expect(() => renderChart(c, {}, OPTS)).toThrow('no template "t" associated with template "gotpl"');
  });

  it('lets .Files work as a map and keeps its methods', () => {
    const files = [
      { name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\nname: c\nversion: 0.1.0\n') },
      { name: 'files/b.txt', data: Buffer.from('B') },
      { name: 'files/a.txt', data: Buffer.from('A') },
      {
        name: 'templates/a.yaml',
        data: Buffer.from(
          '{{ range $k, $v := .Files }}{{ $k }}={{ toString $v }} {{ end }}{{ index .Files "files/a.txt" }} {{ .Files.Get "files/b.txt" }}',
        ),
      },
    ];
    expect(renderChart(loadFiles(files), readValues(''), OPTS).get('c/templates/a.yaml')).toBe(
      'files/a.txt=A files/b.txt=B [65] B',
    );
  });
});

describe('sortTemplates', () => {
  it('puts deeper paths first, then names in reverse order', () => {
    expect(
      sortTemplates(['c/templates/a.yaml', 'c/charts/s/templates/x.yaml', 'c/templates/b.yaml', 'c/templates/_h.tpl']),
    ).toEqual(['c/charts/s/templates/x.yaml', 'c/templates/b.yaml', 'c/templates/a.yaml', 'c/templates/_h.tpl']);
  });
});

describe('toYaml (sigs.k8s.io/yaml over go-yaml v2)', () => {
  it('sorts keys as go-yaml does (runs of digits as numbers, other runes before letters)', () => {
    expect(goYamlSortKeys(['a10', 'a9', 'b', 'B', '_z', '10', '9'])).toEqual(['_z', '9', '10', 'B', 'a9', 'a10', 'b']);
  });

  it('folds plain strings longer than 80 columns and quotes what would resolve to another type', () => {
    const long = Array.from({ length: 20 }, () => 'word').join(' ');
    expect(toYaml({ k: long, t: '2001-12-14', y: 'yes', n: 1n, f: 1.5 })).toBe(
      `f: 1.5\nk: word word word word word word word word word word word word word word word word\n  word word word word\n"n": 1\nt: "2001-12-14"\n"y": "yes"`,
    );
  });

  it('prints block literals with the chomping and indentation hints', () => {
    expect(toYaml({ a: 'x\ny', b: 'x\n', c: ' x\ny' })).toBe('a: |-\n  x\n  y\nb: |\n  x\nc: |2-\n   x\n  y');
  });

  it('returns "" for what encoding/json cannot marshal', () => {
    expect(toYaml({ a: NaN })).toBe('');
  });

  it('toYamlPretty indents sequences and quotes json.Number digits (yaml.v3 on the Go values)', () => {
    expect(toYamlPretty({ l: [1n, { a: ['x'] }] })).toBe('l:\n  - 1\n  - a:\n      - x');
  });
});
