// The cases of the engine differential suite (rendered by the real helm into fixtures/engine-cases.expected.json by
// scripts/gen-engine-fixture.ts): Helm's functions and objects on small charts, the chart `helm create` makes with
// several value sets, and charts in the style of big public chart repositories (test/fixtures/charts/).
import { join } from 'node:path';
import type { EngineCase } from './engine-harness.spec-helper.ts';

/** The fixture of expected results. */
export const ENGINE_EXPECTED_FILE = join(import.meta.dirname, 'fixtures', 'engine-cases.expected.json');

const chartYaml = (name: string, extra = ''): string => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;

/** A one-chart case: templates (names under templates/), values.yaml, other files and flags. */
function tc(
  name: string,
  templates: Record<string, string>,
  values = '',
  more: Partial<EngineCase> & { files?: Record<string, string> } = {},
): EngineCase {
  const files: Record<string, string> = { 'Chart.yaml': chartYaml('c'), 'values.yaml': values };
  for (const [k, v] of Object.entries(templates)) files[`templates/${k}`] = v;
  return { ...more, name, files: { ...files, ...(more.files ?? {}) } };
}

/** A template whose exact output is kept: its body renders in a define, the file prints it base64-encoded. */
function b64(body: string): string {
  return `{{- define "c.body" -}}\n${body}{{- end -}}\nout: {{ include "c.body" . | b64enc }}\n`;
}

const HELPERS = `{{- define "c.name" -}}{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}{{- end }}
{{- define "c.labels" -}}
app.kubernetes.io/name: {{ include "c.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}
{{- define "c.selector" -}}
app: {{ include "c.name" . }}
{{- end }}
`;

const STRINGS = [
  'true',
  'True',
  'false',
  'y',
  'Y',
  'yes',
  'no',
  'on',
  'off',
  'n',
  'null',
  '~',
  'Null',
  '',
  '1',
  '-1',
  '+1',
  '1.5',
  '.5',
  '1e3',
  '1E3',
  '0x1F',
  '0o17',
  '017',
  '1_000',
  '12:30',
  '12:30:45',
  '190:20:30',
  '.inf',
  '-.inf',
  '.nan',
  '- a',
  '-a',
  '-',
  ': x',
  ':x',
  'a: b',
  'a:b',
  'a:',
  '#x',
  'x #y',
  'x#y',
  "'q'",
  '"d"',
  ' lead',
  'trail ',
  'in  ner',
  'multi\nline',
  'multi\nline\n',
  '\nlead-break',
  'trail-break\n\n',
  'sp \nbreak',
  'break\n sp',
  'tab\there',
  'ünïcödé',
  '@at',
  '`b',
  '%p',
  '*a',
  '&a',
  '!t',
  '|x',
  '>x',
  '{x',
  '}x',
  '[x',
  ']x',
  'a,b',
  '?x',
  '? x',
  '--- x',
  '---',
  '... x',
  'a]b',
  'a{b}',
  'x: ',
  'ctrl\u0001char',
  'bom\ufeff',
  'nbsp\u00a0x',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '<html>&',
  'back\\slash',
  'quote"in',
  "apos'in",
  'e6',
  '1e',
  '0b101',
  '0.',
  '-0',
  '+.5',
  '1.2.3',
  'NaN',
  'Infinity',
];

const LONG = 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt';

function yamlQuote(s: string): string {
  return JSON.stringify(s);
}

/** A YAML double-quoted scalar with every character outside printable ASCII escaped (\\xXX, \\uXXXX, \\UXXXXXXXX). */
function yamlEscape(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c <= 0xffff) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** A values file of one map `v` with keys k00, k01, … holding the strings (escaped as by {@link yamlEscape}). */
const stringValues = (strings: readonly string[]): string =>
  `v:\n${strings.map((x, i) => `  k${String(i).padStart(2, '0')}: ${yamlEscape(x)}\n`).join('')}`;

/** Each value of `v` through toYaml on its own, the map through toYaml and toYamlPretty, then `more` (base64: exact bytes). */
const eachToYaml = (more = ''): string =>
  b64(`{{ range $k, $x := .Values.v }}{{ $k }}={{ toYaml $x }}
{{ end }}{{ toYaml .Values }}
{{ toYamlPretty .Values }}
${more}`);

const FUNCTION_CASES: EngineCase[] = [
  tc(
    'include-indent-nindent',
    {
      '_helpers.tpl': HELPERS,
      'cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "c.name" . }}
  labels:
    {{- include "c.labels" . | nindent 4 }}
  annotations:
{{ include "c.selector" . | indent 4 }}
data:
  sel: |
{{- include "c.labels" . | nindent 4 }}
`,
    },
    'nameOverride: ""\n',
  ),
  tc(
    'include-dict-context',
    {
      '_h.tpl': `{{- define "c.item" -}}{{ .name }}={{ .value }} root={{ .root.Release.Name }}{{- end -}}`,
      'a.yaml': `items:
{{- range $k, $v := .Values.items }}
  - {{ include "c.item" (dict "name" $k "value" $v "root" $) | quote }}
{{- end }}
`,
    },
    'items: {b: 2, a: 1, c: x}\n',
  ),
  tc('include-nested', {
    '_h.tpl': `{{- define "c.a" -}}A[{{ include "c.b" . }}]{{- end -}}{{- define "c.b" -}}B[{{ include "c.c" . | upper }}]{{- end -}}{{- define "c.c" -}}c:{{ .Template.Name }}{{- end -}}`,
    'a.yaml': `x: {{ include "c.a" . | quote }}\n`,
  }),
  tc('include-no-value-raw', {
    '_h.tpl': `{{- define "c.miss" -}}[{{ .Values.nothing }}]{{- end -}}`,
    'a.yaml': `raw: {{ include "c.miss" . | b64enc }}\nfinal: {{ include "c.miss" . }}\nv: {{ .Values.nothing }}|{{ .Values.m.b }}|\n`,
  }),
  tc('include-missing-template', { 'a.yaml': `x: {{ include "c.nope" . }}\n` }),
  tc('include-recursion-limit', {
    '_h.tpl': `{{- define "c.loop" -}}{{ include "c.loop" . }}{{- end -}}`,
    'a.yaml': `x: {{ include "c.loop" . }}\n`,
  }),
  tc('include-wrong-arg', { 'a.yaml': `x: {{ include 1 . }}\n` }),
  tc('template-action-vs-include', {
    '_h.tpl': `{{- define "c.t" -}}name={{ .Template.Name }}{{- end -}}`,
    'a.yaml': `a: {{ template "c.t" . }}\nb: {{ include "c.t" . }}\nbase: {{ .Template.BasePath }}\n`,
  }),
  tc(
    'define-override-order',
    {
      '_a.tpl': `{{- define "c.x" -}}from-a{{- end -}}`,
      '_b.tpl': `{{- define "c.x" -}}from-b{{- end -}}`,
      'z.yaml': `x: {{ include "c.x" . }}\ny: {{ include "sub.x" . }}\n`,
    },
    '',
    {
      files: {
        'charts/sub/Chart.yaml': chartYaml('sub'),
        'charts/sub/templates/_h.tpl': `{{- define "c.x" -}}from-sub{{- end -}}{{- define "sub.x" -}}sub-only{{- end -}}`,
        'charts/sub/templates/s.yaml': `s: {{ include "c.x" . }}\n`,
      },
    },
  ),
  tc(
    'tpl-values',
    {
      'a.yaml': `name: {{ tpl .Values.name . }}\nimage: {{ tpl .Values.image.ref . }}\nlist:\n{{- range .Values.list }}\n  - {{ tpl . $ }}\n{{- end }}\n`,
    },
    'name: "{{ .Release.Name }}-{{ .Chart.Name }}"\nimage: {ref: "{{ .Values.image.repo }}:{{ .Values.image.tag | default .Chart.Version }}", repo: nginx}\nlist: ["{{ .Release.Namespace }}", "plain", "{{ 1 | add 2 }}"]\n',
  ),
  tc(
    'tpl-yaml-block',
    {
      '_h.tpl': `{{- define "c.name" -}}named{{- end -}}`,
      'a.yaml': `extra:\n{{- tpl (toYaml .Values.extra) . | nindent 2 }}\n`,
    },
    'extra:\n  a: "{{ include \\"c.name\\" . }}"\n  b: ["{{ .Release.Name }}", 2]\n',
  ),
  tc('tpl-define-inside', {
    'a.yaml': `x: {{ tpl "{{ define \\"c.inner\\" }}in{{ end }}<{{ include \\"c.inner\\" . }}>" . }}\ny: {{ tpl "{{ .Template.Name }}|{{ .Template.BasePath }}" . }}\n`,
  }),
  tc('tpl-nested', {
    'a.yaml': `x: {{ tpl "{{ tpl \\"{{ .Release.Name }}-inner\\" . }}-outer" . }}\n`,
  }),
  tc('tpl-empty', { 'a.yaml': `x: [{{ tpl "" . }}]\n` }),
  tc('tpl-dict-context', {
    'a.yaml': `x: {{ tpl "{{ .a }}-{{ .Template.Name }}" (dict "a" "A" "Template" .Template) }}\n`,
  }),
  tc('tpl-exec-error', { 'a.yaml': `x: {{ tpl "{{ .Values.a.b.c }}" . }}\n` }, 'a: {}\n'),
  tc('tpl-parse-error', { 'a.yaml': `x: {{ tpl "{{ .Values.a " . }}\n` }),
  tc('tpl-fail-inside', { 'a.yaml': `x: {{ tpl "{{ fail \\"inner failure\\" }}" . }}\n` }),
  tc('tpl-missing-values', { 'a.yaml': `x: [{{ tpl "{{ .Values.nope }}" . }}]\n` }),
  tc(
    'required-ok',
    {
      'a.yaml': `x: {{ required "need x" .Values.x }}\nv: {{ required "need v" .Values.v | quote }}\nz: {{ required "need z" .Values.z | toJson }}\n`,
    },
    'x: 1\nv: "0"\nz: [a]\n',
  ),
  tc('required-false', { 'a.yaml': `v: {{ required "need v" .Values.v | quote }}\n` }, 'v: false\n'),
  tc('required-zero', { 'a.yaml': `v: {{ required "need v" .Values.v | quote }}\n` }, 'v: 0\n'),
  tc('required-empty-list', { 'a.yaml': `v: {{ required "need v" .Values.v | toJson }}\n` }, 'v: []\n'),
  tc('required-missing', { 'a.yaml': `a: 1\nx: {{ required "A value for x is required!" .Values.x }}\n` }),
  tc('required-empty-string', { 'a.yaml': `x: {{ required "x must not be empty" .Values.x }}\n` }, 'x: ""\n'),
  tc('required-in-include', {
    '_h.tpl': `{{- define "c.req" -}}
{{- required (printf "%s needs .Values.deep" .Template.Name) .Values.deep -}}
{{- end -}}`,
    'a.yaml': `line1: x\nline2: {{ include "c.req" . }}\n`,
  }),
  tc('fail-top', { 'a.yaml': `{{- if not .Values.ok }}\n{{- fail "ok must be set" }}\n{{- end }}\n` }),
  tc('fail-multiline-message', { 'a.yaml': `{{ fail "line one\\nline two" }}\n` }),
  tc('fail-subchart', { 'a.yaml': 'a: 1\n' }, '', {
    files: {
      'charts/sub/Chart.yaml': chartYaml('sub'),
      'charts/sub/templates/s.yaml': `{{ fail (printf "sub says %s" .Values.msg) }}\n`,
      'charts/sub/values.yaml': 'msg: no\n',
    },
  }),
  tc('exec-error-nil-pointer', { 'a.yaml': `x: {{ .Values.a.b.c }}\n` }, 'a: {}\n'),
  tc(
    'exec-error-in-include',
    {
      '_h.tpl': `{{- define "c.bad" -}}{{ index .Values.list 5 }}{{- end -}}`,
      'a.yaml': `x: {{ include "c.bad" . }}\n`,
    },
    'list: [1]\n',
  ),
  tc('parse-error-manifest', { 'a.yaml': `x: {{ .Values.x \n` }),
  tc('parse-error-helper', { '_h.tpl': `{{ define "c.x" }}{{ end }}{{ end }}`, 'a.yaml': 'x: 1\n' }),
  tc('parse-error-undefined-function', { 'a.yaml': `x: {{ nosuch 1 }}\n` }),
  tc(
    'to-yaml-nested',
    {
      'a.yaml': `resources:
  {{- toYaml .Values.resources | nindent 2 }}
all: {{- toYaml .Values | nindent 2 }}
`,
    },
    `resources:
  limits: {cpu: 100m, memory: 128Mi}
  requests: {cpu: 0.5, memory: 1Gi}
nested:
  list: [1, 2.5, "three", true, null, {a: [x, {b: c}]}, [], {}, [[1, 2], [3]]]
  empty: {}
  emptyList: []
  nullValue: null
  deep: {a: {b: {c: {d: [e]}}}}
`,
  ),
  tc(
    'to-yaml-strings',
    { 'a.yaml': `s: {{- toYaml .Values.s | nindent 2 }}\nl: {{- toYaml .Values.l | nindent 2 }}\n` },
    `s:\n${STRINGS.map((s, i) => `  k${String(i).padStart(3, '0')}: ${yamlQuote(s)}\n`).join('')}l: [${STRINGS.map(yamlQuote).join(', ')}]\n`,
  ),
  tc(
    'to-yaml-keys',
    { 'a.yaml': `k: {{- toYaml .Values.k | nindent 2 }}\n` },
    `k: {${[
      'a10',
      'a9',
      'a1',
      'B',
      'b',
      '_z',
      '10',
      '9',
      '09',
      'a01',
      'a001',
      'a0',
      'x-y',
      'x.y',
      'X',
      'ä',
      'Z',
      'z1b',
      'z1a',
      'true',
      'null',
      '',
      ' sp',
      'a b',
    ]
      .map((k) => `${yamlQuote(k)}: 1`)
      .join(', ')}}\n`,
  ),
  tc(
    'to-yaml-numbers',
    {
      'a.yaml': `v: {{- toYaml .Values | nindent 2 }}\nj: {{ toJson .Values }}\n`,
    },
    'i: 3\nneg: -7\nf: 1.5\nwhole: 3.0\nbig: 1e20\nbigint: 100000000000000000000\nu64: 12345678901234567890\nsmall: 0.000001\ntiny: 1.0e-7\nexp: 6.02e23\nzero: 0\nnegzero: -0\noct: 0o17\nhex: 0x1F\nmax: 9223372036854775807\n',
    { flags: { values: ['s1=5', 's2=1.25', 's3=9223372036854775807'], jsonValues: ['j1=2.0', 'j2=1e300'] } },
  ),
  tc('to-yaml-values-file-floats', { 'a.yaml': `v: {{- toYaml .Values | nindent 2 }}\n` }, '', {
    extra: { 'f.yaml': 'a: 1\nb: 2.5\nc: 100000000\nd: 1e21\ne: 0.0001\n' },
    flags: { valueFiles: ['f.yaml'] },
  }),
  tc(
    'to-yaml-long-strings',
    {
      'a.yaml': `v: {{- toYaml .Values | nindent 2 }}\ntop: {{- toYaml .Values.plain | nindent 2 }}\n`,
    },
    `plain: ${yamlQuote(LONG + ' ' + LONG)}
nested: {a: {b: ${yamlQuote(LONG)}}}
inList: [${yamlQuote(LONG + ' ' + LONG)}]
single: ${yamlQuote("'" + LONG + ' ' + LONG)}
double: ${yamlQuote('"' + LONG + ' ' + LONG + '\t')}
doubleSpaces: ${yamlQuote('#' + LONG + '  ' + LONG + '  x\u0001')}
noSpaces: ${yamlQuote('x'.repeat(200))}
`,
  ),
  tc('to-yaml-scalars', {
    'a.yaml': `a: {{ toYaml "str" }}\nb: {{ toYaml 1 }}\nc: {{ toYaml nil }}\nd: {{ toYaml 1.5 }}\ne: {{ toYaml true }}\nf: {{ toYaml "multi\\nline" | b64enc }}\ng: {{ toYaml (list 1 "a") | b64enc }}\nh: {{ toYaml .Values.missing }}\ni: {{ toYaml (dict) }}\nj: {{ toYaml (list) }}\n`,
  }),
  tc(
    'to-yaml-pretty',
    { 'a.yaml': `p: {{- toYamlPretty .Values | nindent 2 }}\n` },
    'list: [[1, 2], {a: [x, true]}, [], {}]\nm: {k: v, n: {deep: 1}}\nf: 1.5\ns: "yes"\nmulti: "a\\nb"\n',
  ),
  tc(
    'to-yaml-pretty-strings',
    {
      'a.yaml': b64(
        `{{ toYamlPretty .Values.l }}\n{{ toYamlPretty (dict "k" "multi\\nline\\n" "l" (list "a\\nb")) }}\n`,
      ),
    },
    `l: [${STRINGS.map(yamlQuote).join(', ')}]\n`,
  ),
  tc('to-yaml-edge', {
    'a.yaml': b64(`{{ toYaml (list (list "${LONG}") (dict "k" "multi\\nline\\n")) }}
{{ toYaml (dict "${LONG} x" 1) }}
{{ toYaml (dict "k" "x\\n\\n") }}
{{ toYaml (list "a\\n" "b\\n\\n" "c") }}
{{ toYaml "${LONG} ${LONG}" }}
{{ toYaml "line\\nline2" }}
{{ toYaml (dict "a" (list (dict "b" (list (dict "c" "d"))))) }}
{{ toYaml (dict "multi" "  indented\\n  lines\\n" "trail" "x  \\ny") }}
{{ toYaml (fromYaml "a: 1\\nb: [1, 2]\\n") }}
`),
  }),
  // characters above U+FFFF: go-yaml's is_printable takes none, so they are escaped (\U0001F600) in double quotes
  tc(
    'to-yaml-astral-characters',
    {
      'a.yaml': eachToYaml(`{{ toYaml (dict "a😀" 1 "az" 2 "a\\uFF5A" 3 "a\\U0001D400" 4) }}
{{ toYaml (list "🚀🚀🚀🚀🚀🚀🚀🚀🚀 ${LONG}") }}
{{ (.Files.Glob "conf/*").AsConfig }}
`),
    },
    `v:
  smile: "😀"
  mixed: "café 🍕 pizza"
  script: "#!/bin/sh\\necho \\"🎉 done\\"\\n"
  long: "rocket 🚀 ${LONG}"
  math: "\\U0001D400\\U0001D401"
  flag: "🇩🇪"
  family: "👨‍👩‍👧"
  "on": "🚀"
  check: "✅ ready"
`,
    { files: { 'conf/emoji.txt': 'hello 🌍\n' } },
  ),
  // a string that starts with a BOM: is_bom looks at the string's first bytes, so every character is escaped
  tc(
    'to-yaml-bom-strings',
    { 'a.yaml': eachToYaml(`{{ toYaml (dict "\\uFEFFkey" "v") }}\n`) },
    stringValues([
      '\uFEFF',
      '\uFEFFhello world',
      '\uFEFFa "q" \\ café \u00A0nbsp € 😀 \t tab\nline',
      `\uFEFF${LONG} ${LONG}`,
      '\uFEFF123',
      'x\uFEFFy',
    ]),
  ),
  // U+2028/U+2029 are line breaks in single-quoted and literal scalars: the next line is indented
  tc(
    'to-yaml-line-separators',
    {
      'a.yaml': eachToYaml(
        `{{ toYaml (dict "a" (list "x\\u2028y" (dict "deep" "p\\u2029q\\nr" "l" (list "m\\u2028n\\n")))) }}\n`,
      ),
    },
    stringValues([
      'a\u2028b',
      'a\u2029b c',
      '\u2028x',
      'x\u2029',
      'line1\u2028 tail\nline2\n',
      'one\u2029two\nthree',
      'a\u2028b\tc',
      `${LONG}\u2028${LONG}`,
      'a\u2028\u2029b',
    ]),
  ),
  // toYaml re-reads encoding/json's output: a raw NEL is a line break in a double-quoted scalar there
  tc(
    'to-yaml-nel',
    { 'a.yaml': eachToYaml(`{{ toYaml (dict "k\\u0085ey" "x\\u0085---y") }}\n`) },
    stringValues([
      'a\u0085b',
      'a \u0085  b',
      'a\u0085\u0085b',
      '\u0085',
      'a\u0085',
      'a\u0085\nb',
      ' \u0085x',
      'a\u0085 \u0085b',
    ]),
  ),
  // …and go-yaml's reader refuses DEL, C1 controls and U+FFFE/U+FFFF, and a document indicator after a NEL: ""
  tc(
    'to-yaml-unreadable-json',
    {
      'a.yaml':
        b64(`{{ range $k, $x := .Values.v }}{{ $k }}={{ toYaml $x }}|{{ toYaml (dict "k" $x) }}|{{ toYamlPretty $x }}
{{ end }}{{ toYaml .Values }}|{{ toYaml (dict "a\\uFFFE" 1) }}|{{ (.Files.Glob "conf/*").AsConfig }}
`),
    },
    stringValues([
      'a\u007Fb',
      'c\u0080d',
      'e\u009Fd',
      'a\uFFFEb',
      'a\uFFFFb',
      'x\u0085--- y',
      'x\u0085...\u0085y',
      'ok',
    ]),
    { files: { 'conf/bad.txt': 'a\u{FFFE}b\n' } },
  ),
  // keys whose digit runs overflow int64: go-yaml compares the wrapped numbers
  tc(
    'to-yaml-keys-overflow',
    { 'a.yaml': b64(`{{ toYaml .Values }}\n{{ toYamlPretty .Values }}\n`) },
    `k:
  a1: 1
  a10: 2
  a9223372036854775807: 3
  a30000000000000000000: 4
  a18446744073709551617: 5
  a2: 7
  b100000000000000000000: 8
  b5: 9
  b-1: 10
`,
  ),
  tc(
    'from-yaml-round-trip',
    {
      'a.yaml': b64(`{{- $v := fromYaml (toYaml .Values) }}
a: {{ $v.a }} {{ typeOf $v.a }}
b: {{ $v.b }} {{ typeOf $v.b }}
c: {{ $v.c.d }} {{ typeOf $v.c }}
l: {{ $v.l }} {{ typeOf $v.l }}
y: {{ $v.y }} {{ typeOf $v.y }}
{{- $f := fromYaml "x: 1\\ny: yes\\nz: 2001-12-14\\nw: 1e6\\nlist: [a, 1]\\n" }}
f: {{ $f }} {{ typeOf $f.x }} {{ typeOf $f.y }} {{ typeOf $f.z }} {{ typeOf $f.w }}
e: {{ fromYaml "" }}
`),
    },
    'a: 1\nb: 1.5\nc: {d: x}\nl: [1, two]\ny: "yes"\n',
  ),
  tc('from-yaml-errors', {
    'a.yaml': `list: {{ (fromYaml "- a\\n- b").Error | quote }}\nscalar: {{ (fromYaml "just text").Error | quote }}\n`,
  }),
  tc('from-yaml-array', {
    'a.yaml': b64(
      `a: {{ fromYamlArray "- 1\\n- b\\n- {c: d}" }}\nb: {{ fromYamlArray "a: 1" }}\nc: {{ fromYamlArray "" }}\n`,
    ),
  }),
  tc('from-json', {
    'a.yaml': b64(`{{- $j := fromJson "{\\"a\\": 1, \\"b\\": [true, null, \\"x\\"], \\"c\\": {\\"d\\": 1.5}}" }}
j: {{ $j }} {{ typeOf $j.a }}
back: {{ toJson $j }}
syntax: {{ (fromJson "{\\"a\\": ").Error | quote }}
bad: {{ (fromJson "{x}").Error | quote }}
arr: {{ (fromJson "[1]").Error | quote }}
empty: {{ fromJson "" }}
ja: {{ fromJsonArray "[1, \\"a\\", {\\"b\\": 2}]" }}
jaerr: {{ fromJsonArray "{}" }}
`),
  }),
  tc(
    'to-json',
    {
      'a.yaml': `a: {{ toJson .Values }}\nb: {{ mustToJson .Values.m }}\nc: {{ toPrettyJson .Values.m | b64enc }}\nd: {{ toRawJson .Values.m }}\ne: {{ toJson nil }}\n`,
    },
    'm: {html: "<a href=\'x\'>&</a>", n: 1, f: 2.50, list: [1, "x"]}\ns: "é"\n',
  ),
  tc(
    'to-toml',
    {
      'a.yaml': `t: {{ toToml .Values | b64enc }}\nm: {{ toToml (dict "a" 1.0 "b" (list 1 2) "c" (dict "d" "e")) | b64enc }}\n`,
    },
    's: "x\\"y"\ni: 3\nf: 1.5\nb: true\nl: [1, "a"]\nm: {k: v, sub: {deep: 1}}\nlm: [{a: 1}, {a: 2}]\n"key with space": 1\n',
  ),
  tc('from-toml', {
    'a.yaml': `{{- $t := fromToml "a = 1\\nb = 1.5\\nc = \\"s\\"\\n[t]\\nx = [1,2]\\n[[arr]]\\nk = true" }}\nt: {{ $t }}\ntypes: {{ typeOf $t.a }} {{ typeOf $t.b }} {{ typeOf $t.t.x }}\n`,
  }),
  tc('lookup-template-mode', {
    'a.yaml': `a: {{ lookup "v1" "Secret" "ns1" "s" }}
b: {{ (lookup "v1" "Secret" "ns1" "s").data | default "none" }}
{{- if not (lookup "v1" "Namespace" "" "ns1") }}
c: not-found
{{- end }}
d: {{ typeOf (lookup "apps/v1" "Deployment" "" "") }}
e: {{ len (lookup "v1" "ConfigMap" "ns1" "") }}
`,
  }),
  tc('get-host-by-name', { 'a.yaml': `h: [{{ getHostByName "localhost" }}]\n` }),
  tc(
    'files',
    {
      'a.yaml': `get: {{ .Files.Get "files/a.txt" | quote }}
missing: [{{ .Files.Get "nope" }}]
bytes: {{ .Files.GetBytes "files/a.txt" }}
str: {{ .Files.GetBytes "files/a.txt" | toString | quote }}
lines:
{{- range .Files.Lines "files/lines.txt" }}
  - {{ . | quote }}
{{- end }}
range:
{{- range $path, $bytes := .Files }}
  - {{ $path }}: {{ len $bytes }}
{{- end }}
index: {{ index .Files "files/a.txt" | toString | quote }}
glob:
{{- range $path, $_ := .Files.Glob "files/**.txt" }}
  - {{ $path }}
{{- end }}
nested: {{ len (.Files.Glob "conf/*") }} {{ typeOf .Files }} {{ typeOf (.Files.Glob "x") }}
`,
      'cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
data:
  {{- (.Files.Glob "conf/*").AsConfig | nindent 2 }}
---
apiVersion: v1
kind: Secret
metadata:
  name: sec
data:
  {{- (.Files.Glob "conf/*").AsSecrets | nindent 2 }}
`,
    },
    '',
    {
      files: {
        'files/a.txt': 'hello\n',
        'files/lines.txt': 'one\ntwo\n\nfour',
        'files/sub/b.txt': 'b',
        'conf/app.properties': 'a=1\nb=2\n',
        'conf/yes': 'true',
        'conf/x.json': '{"k": "v"}',
        'conf/long.txt': `${LONG} ${LONG}`,
      },
    },
  ),
  tc('files-empty-lines', { 'a.yaml': `l: {{ .Files.Lines "files/empty.txt" }}\n` }, '', {
    files: { 'files/empty.txt': '' },
  }),
  tc('capabilities', {
    'a.yaml': `kube: {{ .Capabilities.KubeVersion }}
kubev: {{ printf "%v" .Capabilities.KubeVersion }}
git: {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}
semver: {{ semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version }}
has: {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }} {{ .Capabilities.APIVersions.Has "x.io/v1" }}
sprigHas: {{ has "batch/v1" .Capabilities.APIVersions }}
len: {{ len .Capabilities.APIVersions }}
type: {{ typeOf .Capabilities.APIVersions }}
helm: {{ .Capabilities.HelmVersion.Version }} {{ .Capabilities.HelmVersion.GoVersion }}
apis:
{{- range .Capabilities.APIVersions }}
  - {{ . }}
{{- end }}
{{- if .Capabilities.APIVersions.Has "networking.k8s.io/v1/Ingress" }}
ingress: networking.k8s.io/v1
{{- end }}
`,
  }),
  tc(
    'capabilities-flags',
    {
      'a.yaml': `kube: {{ .Capabilities.KubeVersion.Version }}\nhas: {{ .Capabilities.APIVersions.Has "x.io/v1" }} {{ .Capabilities.APIVersions.Has "x.io/v1/Thing" }}\nlast: {{ last .Capabilities.APIVersions }}\n`,
    },
    '',
    { kubeVersion: '1.27.3', apiVersions: ['x.io/v1', 'x.io/v1/Thing'] },
  ),
  tc(
    'chart-object',
    {
      'a.yaml': `name: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.IsRoot }}
meta: {{ .Chart.Metadata.Name }}
desc: {{ .Chart.Description | quote }}
keywords: {{ .Chart.Keywords }}
annotations: {{ .Chart.Annotations }}
type: {{ typeOf .Chart }}
`,
    },
    '',
    {
      files: {
        'Chart.yaml': chartYaml(
          'c',
          'appVersion: "1.2.3"\ndescription: A chart\nkeywords: [a, b]\nannotations: {x: y}\n',
        ),
      },
    },
  ),
  tc(
    'object-printing',
    {
      'a.yaml': b64(`chart: {{ .Chart }}
chartJson: {{ toJson .Chart }}
chartYaml: {{ toYaml .Chart | nindent 2 }}
pretty: {{ toPrettyJson .Chart }}
types: {{ typeOf .Chart }} {{ typeOf .Capabilities }} {{ typeOf .Capabilities.KubeVersion }} {{ typeOf .Values }} {{ typeOf .Template }} {{ typeOf .Release }} {{ typeOf .Files }} {{ typeOf .Chart.Sources }} {{ typeOf .Chart.Maintainers }}
caps: {{ .Capabilities }}
capsV: {{ printf "%v" .Capabilities.HelmVersion }} {{ toJson .Capabilities.HelmVersion }} {{ toJson .Capabilities.KubeVersion }}
kube: {{ toString .Capabilities.KubeVersion }} {{ print .Capabilities.KubeVersion }} {{ $k := .Capabilities.KubeVersion }}{{ $k }}
template: {{ .Template }} release: {{ .Release }} files: {{ .Files }} subcharts: {{ .Subcharts }}
apis: {{ toJson .Capabilities.APIVersions | sha256sum }}
`),
    },
    'a: 1\n',
    {
      files: {
        'Chart.yaml': chartYaml(
          'c',
          'appVersion: "1.0"\nsources: [https://example.com/src]\nhome: https://example.com\n',
        ),
        'files/f.txt': 'F',
      },
    },
  ),
  tc(
    'values-methods',
    {
      'a.yaml': b64(`asMap: {{ .Values.AsMap }} {{ typeOf .Values.AsMap }}
yaml: {{ .Values.YAML }}
table: {{ .Values.Table "m" }} {{ (.Values.Table "m.n").z }} {{ typeOf (.Values.Table "m") }} {{ typeOf .Values.m }}
path: {{ .Values.PathValue "m.x" }} {{ .Values.PathValue "a" }}
`),
    },
    'a: 1\nm: {x: y, n: {z: 2}}\n',
  ),
  tc('values-table-error', { 'a.yaml': `{{ .Values.Table "nope" }}\n` }),
  tc('values-path-value-error', { 'a.yaml': `{{ .Values.PathValue "m" }}\n` }, 'm: {x: y}\n'),
  tc('release-object', {
    'a.yaml': `r: {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Revision }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Service }}\nt: {{ typeOf .Release.Revision }}\n`,
  }),
  tc(
    'subcharts-globals',
    {
      'a.yaml': `parent: {{ .Values.global.env }} {{ .Template.Name }}
sub: {{ .Subcharts.sub.Values.port }} {{ .Subcharts.sub.Chart.Name }} {{ .Subcharts.sub.Chart.IsRoot }}
`,
    },
    'global: {env: prod, shared: p}\nsub: {port: 8080}\n',
    {
      files: {
        'charts/sub/Chart.yaml': chartYaml('sub'),
        'charts/sub/values.yaml': 'port: 80\nglobal: {shared: s, own: o}\nname: sub-default\n',
        'charts/sub/templates/_h.tpl': `{{- define "sub.name" -}}{{ .Chart.Name }}-{{ .Values.name }}{{- end -}}`,
        'charts/sub/templates/svc.yaml': `name: {{ include "sub.name" . }}
port: {{ .Values.port }}
global: {{ .Values.global.env }} {{ .Values.global.shared }} {{ .Values.global.own }}
template: {{ .Template.Name }} {{ .Template.BasePath }}
root: {{ .Chart.IsRoot }}
`,
        'charts/sub/charts/deep/Chart.yaml': chartYaml('deep'),
        'charts/sub/charts/deep/templates/d.yaml': `deep: {{ .Values.global.env }} {{ .Template.Name }}\n`,
      },
    },
  ),
  tc(
    'subcharts-condition-alias',
    { 'a.yaml': `enabled: {{ keys .Subcharts | sortAlpha }}\n` },
    'one: {enabled: false}\ntwo: {x: two}\n',
    {
      files: {
        'Chart.yaml': chartYaml(
          'c',
          'dependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n  condition: one.enabled\n- name: sub\n  version: 0.1.0\n  alias: two\n  condition: two.enabled\n',
        ),
        'charts/sub/Chart.yaml': chartYaml('sub'),
        'charts/sub/values.yaml': 'x: default\n',
        'charts/sub/templates/s.yaml': `chart: {{ .Chart.Name }}\nx: {{ .Values.x }}\ntemplate: {{ .Template.Name }}\n`,
      },
    },
  ),
  tc(
    'notes',
    {
      'NOTES.txt': `Thank you for installing {{ .Chart.Name }}.
Release: {{ .Release.Name }} in {{ .Release.Namespace }}
{{- if .Values.ingress }}
Visit http://{{ .Values.ingress }}
{{- end }}
Template: {{ .Template.Name }}
`,
      'a.yaml': `notes: {{ include "c/templates/NOTES.txt" . | b64enc }}\n`,
    },
    'ingress: example.com\n',
    {
      files: {
        'charts/sub/Chart.yaml': chartYaml('sub'),
        'charts/sub/templates/NOTES.txt': 'sub notes {{ .Chart.Name }}\n',
      },
    },
  ),
  tc(
    'no-value-replacement',
    {
      'a.yaml': `a: [{{ .Values.missing }}]
b: [{{ .Values.m.missing }}]
c: {{ printf "%v" .Values.missing }}
d: [{{ index .Values "missing" }}]
e: "<no value> literal"
f: {{ .Values.missing | default "dflt" }}
`,
    },
    'm: {}\n',
  ),
  tc('execution-order-set', {
    'a.yaml': `{{- $_ := set .Values "shared" "from-a" -}}\na: {{ .Values.shared | default "unset" }}\n`,
    'b.yaml': `{{- $_ := set .Values "other" "from-b" -}}\nb: {{ .Values.shared | default "unset" }} {{ .Values.other }}\n`,
    'c.yaml': `c: {{ .Values.shared | default "unset" }} {{ .Values.other | default "unset" }}\n`,
  }),
  tc('subchart-template-seen-by-parent', { 'a.yaml': `last: {{ .Subcharts.sub.Template.Name }}\n` }, '', {
    files: {
      'charts/sub/Chart.yaml': chartYaml('sub'),
      'charts/sub/templates/a.yaml': 'a: 1\n',
      'charts/sub/templates/b.yaml': 'b: 1\n',
    },
  }),
  tc('multi-documents', {
    'a.yaml': `---
# leading separator
a: 1
---

---
b: 2
--- 
c: {{ .Release.Name }}
{{- range list "x" "y" }}
---
item: {{ . }}
{{- end }}
`,
    'empty.yaml': `{{- if false }}\nnever: 1\n{{- end }}\n`,
    'blank.yaml': '   \n\n',
  }),
  tc(
    'whitespace-control',
    {
      'a.yaml': `list:
{{- range $i, $e := .Values.list }}
  {{- if $i }}
  - {{ $e }}
  {{- else }}
  - first: {{ $e -}}
  {{ end }}
{{- end }}
text: {{ "x" }}   {{- "y" }}   {{ "z" -}}   !
`,
    },
    'list: [a, b, c]\n',
  ),
  tc('kube-version-incompatible', { 'a.yaml': 'a: 1\n' }, '', {
    files: { 'Chart.yaml': chartYaml('c', 'kubeVersion: ">=1.40.0"\n') },
  }),
  tc(
    'json-number-values',
    {
      'a.yaml': b64(`q: {{ .Values.port | quote }} {{ .Values.ratio | squote }}
t: {{ typeOf .Values.port }} {{ kindOf .Values.port }}
add: {{ add .Values.port 1 }} {{ int .Values.port | add 1 }}
s: {{ printf "%v %s" .Values.port .Values.port }}
cmp: {{ eq (int .Values.port) 8080 }} {{ eq (toString .Values.port) "8080" }}
`),
    },
    'port: 8080\nratio: 0.25\n',
  ),
];

/** The chart `helm create` makes (recorded under fixtures/charts/helm-create by the fixture script). */
export const HELM_CREATE_CHART = 'helm-create';

const HELM_CREATE_CASES: EngineCase[] = [
  { name: 'helm-create-defaults', chart: HELM_CREATE_CHART },
  { name: 'helm-create-ingress', chart: HELM_CREATE_CHART, flags: { values: ['ingress.enabled=true'] } },
  {
    name: 'helm-create-ingress-tls',
    chart: HELM_CREATE_CHART,
    flags: {
      values: [
        'ingress.enabled=true',
        'ingress.className=nginx',
        'ingress.hosts[0].host=a.example.com',
        'ingress.hosts[0].paths[0].path=/api',
        'ingress.hosts[0].paths[0].pathType=Prefix',
        'ingress.tls[0].secretName=tls',
        'ingress.tls[0].hosts[0]=a.example.com',
        'ingress.annotations.x=y',
      ],
    },
  },
  { name: 'helm-create-autoscaling', chart: HELM_CREATE_CHART, flags: { values: ['autoscaling.enabled=true'] } },
  {
    name: 'helm-create-autoscaling-memory',
    chart: HELM_CREATE_CHART,
    flags: { values: ['autoscaling.enabled=true', 'autoscaling.targetMemoryUtilizationPercentage=70'] },
  },
  {
    name: 'helm-create-no-service-account',
    chart: HELM_CREATE_CHART,
    flags: { values: ['serviceAccount.create=false'] },
  },
  {
    name: 'helm-create-custom',
    chart: HELM_CREATE_CHART,
    extra: {
      'custom.yaml': `replicaCount: 3
image: {tag: "1.27"}
imagePullSecrets: [{name: regcred}]
fullnameOverride: my-very-long-fullname-override-that-is-definitely-longer-than-sixty-three-characters
podAnnotations: {prometheus.io/scrape: "true"}
podLabels: {team: a}
resources: {limits: {cpu: 100m, memory: 128Mi}}
nodeSelector: {disktype: ssd}
tolerations: [{key: k, operator: Exists}]
affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: In, values: [b]}]}]}}}
volumes: [{name: foo, secret: {secretName: mysecret, optional: false}}]
volumeMounts: [{name: foo, mountPath: /etc/foo, readOnly: true}]
serviceAccount: {name: custom-sa, annotations: {a: b}}
service: {type: NodePort, port: 8080}
`,
    },
    flags: { valueFiles: ['custom.yaml'] },
  },
  {
    name: 'helm-create-name-override',
    chart: HELM_CREATE_CHART,
    flags: { values: ['nameOverride=other', 'serviceAccount.create=false', 'serviceAccount.name=existing'] },
  },
];

const PUBLIC_STYLE_CASES: EngineCase[] = [
  { name: 'bitnami-style-defaults', chart: 'webapp' },
  {
    name: 'bitnami-style-full',
    chart: 'webapp',
    flags: {
      values: [
        'global.imageRegistry=registry.example.com',
        'global.imagePullSecrets[0]=pullsecret',
        'ingress.enabled=true',
        'ingress.hostname=web.example.com',
        'ingress.tls=true',
        'metrics.enabled=true',
        'redis.enabled=true',
        'commonLabels.team=platform',
        'commonAnnotations.owner=me',
        'replicaCount=2',
      ],
      valueFiles: ['extra.yaml'],
    },
    extra: {
      'extra.yaml': `extraEnvVars:
  - name: EXTRA
    value: "{{ .Release.Name }}-extra"
extraDeploy:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: '{{ include "common.names.fullname" . }}-extra'
    data:
      ns: "{{ .Release.Namespace }}"
  - |
    apiVersion: v1
    kind: Secret
    metadata:
      name: {{ .Release.Name }}-raw
podLabels:
  role: "{{ .Chart.Name }}"
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: zone
              operator: In
              values: ["{{ .Release.Namespace }}-a"]
`,
    },
  },
  {
    name: 'bitnami-style-existing-secret',
    chart: 'webapp',
    flags: { values: ['auth.existingSecret=my-secret', 'image.digest=sha256:abc', 'fullnameOverride=fixed'] },
  },
  {
    name: 'bitnami-style-required-error',
    chart: 'webapp',
    flags: { values: ['auth.password=', 'auth.enabled=true', 'auth.requirePassword=true'] },
  },
  { name: 'umbrella-defaults', chart: 'umbrella' },
  {
    name: 'umbrella-toggles',
    chart: 'umbrella',
    flags: { values: ['frontend.enabled=false', 'tags.monitoring=true', 'global.domain=corp.example'] },
  },
  { name: 'operator-style-defaults', chart: 'operator' },
  {
    name: 'operator-style-rbac-off',
    chart: 'operator',
    flags: { values: ['rbac.create=false', 'crds.install=false', 'watchNamespaces={a,b}'] },
  },
];

/** Every case. */
export const ENGINE_CASES: EngineCase[] = [...FUNCTION_CASES, ...HELM_CREATE_CASES, ...PUBLIC_STYLE_CASES];
/** The cases on small inline charts (Helm's functions and objects). */
export const ENGINE_FUNCTION_CASES: readonly EngineCase[] = FUNCTION_CASES;
