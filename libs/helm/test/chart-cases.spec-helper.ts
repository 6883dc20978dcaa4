// The cases of the chart/values differential suite (rendered by the real helm into
// fixtures/chart-cases.expected.json by scripts/gen-chart-fixture.ts).
import { join } from 'node:path';
import type { ChartCase } from './chart-harness.spec-helper.ts';

/** The fixture of expected results. */
export const CHART_EXPECTED_FILE = join(import.meta.dirname, 'fixtures', 'chart-cases.expected.json');

const chartYaml = (name: string, extra = ''): string => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;

/** A one-chart case with `--set`-style flags. */
function setCase(name: string, flags: ChartCase['flags'], values = ''): ChartCase {
  return { name, files: { 'Chart.yaml': chartYaml('c'), 'values.yaml': values }, flags };
}

const SET_CASES: ChartCase[] = [
  setCase('set-simple', { values: ['a=1'] }),
  setCase('set-types', { values: ['i=5,neg=-7,z=0,lead=007,b=true,B=FALSE,n=null,N=Null,f=2.5,s=hi,e='] }),
  setCase('set-big', { values: ['big=9223372036854775807,over=9223372036854775808,plus=+5'] }),
  setCase('set-nested', { values: ['a.b.c=1,a.b.d=x'] }),
  setCase('set-list-index', { values: ['a[0]=x,a[2]=z'] }),
  setCase('set-list-braces', { values: ['a={x,y,1,true}'] }),
  setCase('set-list-braces-then', { values: ['a={x,y},b=2'] }),
  setCase('set-list-nested', { values: ['a[0].b=1,a[0].c=2,a[1].b=3'] }),
  setCase('set-list-of-lists', { values: ['a[0][1]=x'] }),
  setCase('set-escape-comma', { values: ['a=x\\,y'] }),
  setCase('set-escape-dot', { values: ['a\\.b=1'] }),
  setCase('set-escape-eq', { values: ['a=b\\=c'] }),
  setCase('set-escape-bracket', { values: ['a\\[0\\]=1'] }),
  setCase('set-escape-backslash', { values: ['a=x\\\\y'] }),
  setCase('set-eq-in-value', { values: ['a=b=c'] }),
  setCase('set-multi-flags', { values: ['a=1', 'a=2', 'b.c=3'] }),
  setCase('set-null-deletes', { values: ['keep=1,drop=null'] }, 'keep: 0\ndrop: x\nother: y\n'),
  setCase('set-null-nested', { values: ['m.a=null'] }, 'm:\n  a: 1\n  b: 2\n'),
  setCase('set-override-map', { values: ['m=str'] }, 'm:\n  a: 1\n'),
  setCase('set-unicode', { values: ['ü=ö,emoji=🎉'] }),
  setCase('set-spaces', { values: ['a= x ,b =y'] }),
  setCase('set-list-replace', { values: ['l[1]=b'] }, 'l: [x, y, z]\n'),
  setCase('set-string', { stringValues: ['i=5,b=true,n=null,l={1,2}'] }),
  setCase('set-string-nested', { stringValues: ['a.b=007'] }),
  setCase('set-json', { jsonValues: ['a={"b":1,"c":[1,2.5,"x"],"d":null}'] }),
  setCase('set-json-scalar', { jsonValues: ['a=1', 'b="x"', 'c=true', 'd=null', 'e=1e3'] }),
  setCase('set-json-list', { jsonValues: ['a[0]={"x":1}', 'a[1]=[1,2]'] }),
  setCase('set-json-two', { jsonValues: ['a=1, b=2'] }),
  setCase('set-json-object', { jsonValues: ['{"a":{"b":1},"c":"d"}'] }),
  setCase('set-json-empty', { jsonValues: ['a='] }),
  setCase('set-literal', { literalValues: ['a=x,y={z}\\,w'] }),
  setCase('set-literal-nested', { literalValues: ['a.b[0]=1,2'] }),
  setCase('set-order', {
    values: ['a=set', 'b=set'],
    stringValues: ['a=string'],
    jsonValues: ['a="json"', 'c=1'],
    literalValues: ['b=lit'],
  }),
  // errors
  setCase('set-err-no-value', { values: ['a'] }),
  setCase('set-err-trailing-comma', { values: ['a=1,b'] }),
  setCase('set-err-comma-key', { values: ['a,b=1'] }),
  setCase('set-err-map-no-value', { values: ['a.'] }),
  setCase('set-err-index', { values: ['a[x]=1'] }),
  setCase('set-err-negative-index', { values: ['a[-1]=1'] }),
  setCase('set-err-index-too-big', { values: ['a[65537]=1'] }),
  setCase('set-err-after-index', { values: ['a[0]x=1'] }),
  setCase('set-err-list-unterminated', { values: ['a={x,y'] }),
  setCase('set-err-not-a-list', { values: ['a=1,a[0]=2'] }),
  setCase('set-err-not-a-map', { values: ['a=1,a.b=2'] }),
  setCase('set-err-nested-level', { values: [`${Array.from({ length: 32 }, (_, i) => `k${i}`).join('.')}=1`] }),
  setCase('set-err-json', { jsonValues: ['a={x'] }),
  setCase('set-err-json-object', { jsonValues: ['{"a":'] }),
  setCase('set-err-literal', { literalValues: ['a'] }),
  setCase('set-err-index-eof', { values: ['a[0'] }),
  setCase('set-index-no-value', { values: ['a[0]'] }),
  setCase('set-empty-key', { values: ['=1'] }),
];

const SUB = (name: string, values = '', extra = ''): Record<string, string> => ({
  [`charts/${name}/Chart.yaml`]: chartYaml(name, extra),
  [`charts/${name}/values.yaml`]: values,
});

const CHART_CASES: ChartCase[] = [
  {
    name: 'values-yaml11',
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.yaml':
        'a: y\nb: n\nc: yes\nd: off\ne: 0777\nf: 0o17\ng: 190:20:30\nh: 2001-12-14\ni: 1_000\nj: 0b101\nk: 1e3\nl: .5\nm: +1\nn: 1.0\nyes: key\n1: intkey\nbig: 18446744073709551615\nhuge: 18446744073709551616\nfl: 1.5e300\nneg: -0.0\nx: 0x1F\nnul: ~\ndup: 1\ndup: 2\nstr: "1"\n',
    },
  },
  {
    name: 'values-anchors-merge',
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.yaml': 'base: &b\n  x: 1\n  y: 2\nderived:\n  <<: *b\n  y: 3\nref: *b\nlist: [1, "two", 3.0, {a: b}]\n',
    },
  },
  {
    name: 'values-multidoc',
    files: { 'Chart.yaml': chartYaml('c'), 'values.yaml': 'a: 1\nb: 1\n---\nb: 2\nc: 3\n' },
  },
  {
    name: 'values-f-order',
    files: { 'Chart.yaml': chartYaml('c'), 'values.yaml': 'a: chart\nb: chart\nm:\n  x: 1\n  y: 1\n' },
    extra: { 'one.yaml': 'a: one\nm:\n  x: 2\n  l: [1]\n', 'two.yaml': 'a: two\nm:\n  l: [2, 3]\n  z: null\n' },
    flags: { valueFiles: ['one.yaml', 'two.yaml'], values: ['b=set'] },
  },
  {
    name: 'values-f-null-deletes',
    files: { 'Chart.yaml': chartYaml('c'), 'values.yaml': 'a: 1\nm:\n  x: 1\n  y: 2\n' },
    extra: { 'n.yaml': 'a: null\nm:\n  x: null\n' },
    flags: { valueFiles: ['n.yaml'] },
  },
  {
    name: 'values-set-file',
    files: { 'Chart.yaml': chartYaml('c') },
    extra: { 'content.txt': 'line1\nline2\n' },
    flags: { fileValues: ['cfg=content.txt'] },
  },
  {
    name: 'values-set-file-missing',
    files: { 'Chart.yaml': chartYaml('c') },
    flags: { fileValues: ['cfg=nope.txt'] },
  },
  {
    name: 'subchart-values',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      'values.yaml': 'top: 1\nsub:\n  fromParent: p\n  over: parent\n',
      ...SUB('sub', 'own: s\nover: sub\nnested:\n  a: 1\n'),
    },
    flags: { values: ['sub.nested.b=2'] },
  },
  {
    name: 'subchart-undeclared',
    files: { 'Chart.yaml': chartYaml('parent'), 'values.yaml': 'x: 1\n', ...SUB('free', 'f: 1\n') },
  },
  {
    name: 'subchart-alias',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: sub\n    version: ~0.1.0\n    alias: first\n  - name: sub\n    version: ">=0.1"\n    alias: second\n',
      ),
      'values.yaml': 'first:\n  who: one\nsecond:\n  who: two\n',
      ...SUB('sub', 'who: sub\nshared: s\n'),
    },
  },
  {
    name: 'globals',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      'values.yaml': 'global:\n  g: parent\n  m:\n    a: 1\n',
      ...SUB(
        'sub',
        'global:\n  g: sub\n  s: sub\n  m:\n    b: 2\n',
        'dependencies:\n  - name: deep\n    version: 0.1.0\n',
      ),
      'charts/sub/charts/deep/Chart.yaml': chartYaml('deep'),
      'charts/sub/charts/deep/values.yaml': 'global:\n  d: deep\nown: 1\n',
    },
    flags: { values: ['global.fromSet=1'] },
  },
  {
    name: 'globals-null',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      'values.yaml': 'global:\n  a: 1\n  b: 2\n',
      ...SUB('sub', 'x: 1\ny: 2\n'),
    },
    flags: { values: ['global.a=null', 'sub.x=null'] },
  },
  {
    name: 'condition',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: on\n    version: 0.1.0\n    condition: on.enabled\n  - name: off\n    version: 0.1.0\n    condition: missing.path,off.enabled\n  - name: str\n    version: 0.1.0\n    condition: str.enabled\n',
      ),
      'values.yaml': 'on:\n  enabled: true\noff:\n  enabled: false\nstr:\n  enabled: "false"\n',
      ...SUB('on'),
      ...SUB('off'),
      ...SUB('str'),
    },
  },
  {
    name: 'condition-from-set',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n',
      ),
      ...SUB('sub', 'enabled: true\n'),
    },
    flags: { values: ['sub.enabled=false'] },
  },
  {
    name: 'tags',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: a\n    version: 0.1.0\n    tags: [front]\n  - name: b\n    version: 0.1.0\n    tags: [back, front]\n  - name: c\n    version: 0.1.0\n    tags: [back]\n    condition: c.enabled\n',
      ),
      'values.yaml': 'tags:\n  front: false\n  back: true\nc:\n  enabled: false\n',
      ...SUB('a'),
      ...SUB('b'),
      ...SUB('c'),
    },
  },
  {
    name: 'import-values',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: sub\n    version: 0.1.0\n    import-values:\n      - data\n      - child: deep.table\n        parent: imported\n      - child: missing\n        parent: nothing\n',
      ),
      'values.yaml': 'imported:\n  over: parent\n',
      ...SUB('sub', 'exports:\n  data:\n    exported: 1\n    myint: 2\ndeep:\n  table:\n    x: 1\n    over: child\n'),
    },
  },
  {
    name: 'library-chart',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: lib\n    version: 0.1.0\n'),
      'templates/cm.yaml': '{{ include "lib.x" . }}\n',
      'charts/lib/Chart.yaml': chartYaml('lib', 'type: library\n'),
      'charts/lib/values.yaml': 'libval: 1\n',
      'charts/lib/templates/_x.tpl': '{{ define "lib.x" }}a: b{{ end }}\n',
      'charts/lib/templates/ignored.yaml': 'not: rendered\n',
    },
  },
  {
    name: 'library-not-installable',
    files: { 'Chart.yaml': chartYaml('lib', 'type: library\n') },
    noDump: true,
  },
  {
    name: 'subchart-tgz',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: packed\n    version: 1.2.3\n'),
      'values.yaml': 'packed:\n  p: 1\n',
    },
    archives: {
      'charts/packed-1.2.3.tgz': {
        top: 'packed',
        files: { 'Chart.yaml': chartYaml('packed').replace('0.1.0', '1.2.3'), 'values.yaml': 'q: 2\n' },
      },
    },
  },
  {
    name: 'packaged-chart',
    packaged: true,
    files: { 'Chart.yaml': chartYaml('c'), 'values.yaml': 'a: 1\n', 'files/a.txt': 'hello\nworld\n' },
  },
  {
    name: 'missing-dependency',
    files: { 'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: nothere\n    version: 0.1.0\n') },
  },
  {
    name: 'chart-v1-requirements',
    files: {
      'Chart.yaml': 'apiVersion: v1\nname: old\nversion: 1.0.0\nappVersion: 2.0\n',
      'requirements.yaml': 'dependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.on\n',
      'requirements.lock':
        'dependencies:\n  - name: sub\n    version: 0.1.0\n    repository: ""\ndigest: sha256:x\ngenerated: "2020-01-01T00:00:00Z"\n',
      'values.yaml': 'sub:\n  on: true\n',
      ...SUB('sub'),
    },
  },
  {
    name: 'chart-metadata-full',
    files: {
      'Chart.yaml':
        'apiVersion: v2\nname: full\nversion: v1.2\nappVersion: 1.10\nkubeVersion: ">=1.20.0-0"\ndescription: "multi\\nline\\ttab"\nhome: https://example.com\nicon: https://example.com/i.png\nsources: [https://a, https://b]\nkeywords: [k1, k2]\nmaintainers:\n  - name: me\n    email: me@example.com\n    url: https://me\nannotations:\n  a: b\n  num: 1\ndeprecated: false\ntype: application\n',
    },
  },
  {
    name: 'kube-version-flag',
    files: { 'Chart.yaml': chartYaml('c') },
    kubeVersion: '1.29.3',
    apiVersions: ['x.example.com/v1'],
  },
  {
    name: 'kube-version-incompatible',
    files: { 'Chart.yaml': chartYaml('c', 'kubeVersion: "<1.20"\n') },
  },
  {
    name: 'files-and-helmignore',
    files: {
      'Chart.yaml': chartYaml('c'),
      '.helmignore': '# comment\n*.bak\nsecret/\n/top.txt\nfiles/x?.md\n',
      'files/a.txt': 'first\nsecond\n',
      'files/b.json': '{"k": "v"}',
      'files/multi.cfg': 'k: v\n\nlast\n',
      'files/c.bak': 'ignored',
      'files/x1.md': 'ignored',
      'files/y1.md': 'kept',
      'secret/s.txt': 'ignored',
      'top.txt': 'ignored',
      'sub/top.txt': 'kept',
      'templates/.hidden': 'ignored by default',
      'README.md': 'readme',
    },
  },
  {
    name: 'helmignore-negation',
    files: { 'Chart.yaml': chartYaml('c'), '.helmignore': '!files/a.txt\n', 'files/a.txt': 'a\n', 'other.txt': 'o' },
    noDump: true,
  },
  {
    name: 'helmignore-doublestar',
    files: { 'Chart.yaml': chartYaml('c'), '.helmignore': '**/x\n' },
    noDump: true,
  },
  {
    name: 'schema-ok',
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.yaml': 'replicas: 3\nname: x\n',
      'values.schema.json': '{"type":"object","properties":{"replicas":{"type":"integer"},"name":{"type":"string"}}}',
    },
  },
  ...schemaCases(),
  {
    name: 'schema-subchart',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      'values.yaml': 'sub:\n  port: x\n',
      ...SUB('sub', 'port: 80\n'),
      'charts/sub/values.schema.json': '{"properties":{"port":{"type":"integer"}}}',
      'values.schema.json': '{"required":["top"]}',
    },
  },
  {
    name: 'schema-from-set',
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.schema.json':
        '{"properties":{"n":{"type":"string","pattern":"^[a-z]+$"},"m":{"type":"number","maxLength":1}}}',
    },
    flags: { values: ['n=ABC', 'm=5'] },
  },
  {
    name: 'files-asconfig-quoting',
    files: {
      'Chart.yaml': chartYaml('c'),
      'files/a.txt': 'plain text',
      'files/b': '123',
      'files/c': 'true',
      'files/d': ' leading space',
      'files/e': 'trailing\n\n',
      'files/f': '  indented\nblock\n',
      'files/g': "it's: quoted",
      'files/h': '- dash',
      'files/i': '',
      'files/j': 'tab\there',
      'files/k': '#hash',
      'files/l': 'null',
      'files/m': 'a "double" b',
      'files/n': '1.5e3',
      'files/o': 'x # y',
      'files/p': 'no newline\nat end',
    },
  },
  {
    name: 'files-subchart-and-globs',
    files: {
      'Chart.yaml': chartYaml('parent'),
      'files/a.txt': 'p',
      'files/sub/deep.txt': 'deep',
      'conf/x.yaml': 'x',
      ...SUB('sub'),
      'charts/sub/files/a.txt': 'sub file\n',
      'charts/sub/other.md': 'o',
      'charts/sub/charts/.hidden/Chart.yaml': 'not a chart',
      'charts/_skip/Chart.yaml': 'not a chart',
      'charts/x.prov': 'provenance',
    },
  },
  {
    name: 'helmignore-patterns',
    files: {
      'Chart.yaml': chartYaml('c'),
      '.helmignore': '.git/\n*.tmp\n[ab].txt\nfiles/[!x]*.log\ndocs/*\n/root-only.md\n\\#literal\n',
      'a.txt': 'ignored',
      'c.txt': 'kept',
      'x.tmp': 'ignored',
      'files/y.log': 'ignored',
      'files/x.log': 'kept',
      'docs/readme.md': 'ignored',
      'root-only.md': 'ignored',
      'sub/root-only.md': 'kept',
      '#literal': 'ignored',
      '.git/config': 'ignored',
    },
  },
  {
    name: 'values-keys-and-scalars',
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.yaml':
        'on: 1\noff: 2\nY: 3\nNo: 4\n1.5: float key\n"quoted": q\nempty:\nemptystr: ""\nlist: []\nmap: {}\nmulti: |\n  a\n  b\nfolded: >\n  a\n  b\nbin: !!binary aGVsbG8=\nstrtag: !!str 123\ninf: 1e400x\nsci: 6.02e23\nsmall: 1e-7\n',
    },
  },
  {
    name: 'values-number-forms',
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.yaml':
        'a: e6\nb: 1e6\nc: 1E6\nd: 5.\ne: +.5\nf: -1_000.5\ng: 1__0\nh: 0b_1\ni: 012\nj: 09\nk: 1e+3\nl: 1.0e-3\nm: 0x_1F\nn: 1_2_3\no: -0\np: +0x10\nq: 0o_7\nr: 1.5E+3\ns: 123456789012345678901234567890\nt: 1e\nu: 1.2.3\nv: 0.1\nw: 100000000000000000000000\ne6: key\n1e6: key2\n',
    },
  },
  {
    name: 'condition-on-alias-and-tags-from-set',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: sub\n    version: 0.1.0\n    alias: one\n    condition: one.enabled\n  - name: sub\n    version: 0.1.0\n    alias: two\n    condition: two.enabled\n  - name: other\n    version: 0.1.0\n    tags: [t]\n',
      ),
      'values.yaml': 'one:\n  enabled: true\ntwo:\n  enabled: true\n',
      ...SUB('sub', 'enabled: false\nv: sub\n'),
      ...SUB('other'),
    },
    flags: { values: ['two.enabled=false', 'tags.t=false'] },
  },
  {
    name: 'import-values-two-levels',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: mid\n    version: 0.1.0\n    import-values:\n      - child: fromLeaf\n        parent: up\n',
      ),
      ...SUB(
        'mid',
        'fromLeaf:\n  own: mid\n',
        'dependencies:\n  - name: leaf\n    version: 0.1.0\n    import-values:\n      - child: data\n        parent: fromLeaf\n',
      ),
      'charts/mid/charts/leaf/Chart.yaml': chartYaml('leaf'),
      'charts/mid/charts/leaf/values.yaml': 'data:\n  x: leaf\n  own: leaf\n',
    },
  },
  {
    name: 'globals-from-f-file-and-subchart-override',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      'values.yaml': 'global:\n  env: dev\n  list: [1]\n',
      ...SUB('sub', 'global:\n  env: sub\n  only: sub\n'),
    },
    extra: { 'g.yaml': 'global:\n  env: prod\n  m:\n    k: v\nsub:\n  global:\n    env: subset\n' },
    flags: { valueFiles: ['g.yaml'] },
  },
  {
    name: 'subchart-values-not-a-map',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      ...SUB('sub', 'a: 1\n'),
    },
    flags: { values: ['sub=flat'] },
  },
  {
    name: 'set-over-chart-types',
    files: { 'Chart.yaml': chartYaml('c'), 'values.yaml': 'm:\n  a: 1\n  b: [1, 2]\ns: str\n' },
    flags: { values: ['m.b[0]=9', 's.x=1'] },
  },
  {
    name: 'subchart-set-null-removes-default',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n'),
      ...SUB('sub', 'a: 1\nm:\n  x: 1\n  y: 2\n'),
    },
    flags: { values: ['sub.a=null', 'sub.m.x=null'] },
  },
  {
    name: 'import-values-overridden',
    files: {
      'Chart.yaml': chartYaml(
        'parent',
        'dependencies:\n  - name: sub\n    version: 0.1.0\n    import-values:\n      - child: cfg\n        parent: cfg\n',
      ),
      'values.yaml': 'cfg:\n  b: parent\n',
      ...SUB('sub', 'cfg:\n  a: child\n  b: child\n'),
    },
    flags: { values: ['cfg.c=set'] },
  },
  {
    name: 'condition-nested-subchart',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: mid\n    version: 0.1.0\n'),
      'values.yaml': 'mid:\n  leaf:\n    enabled: false\n',
      ...SUB('mid', '', 'dependencies:\n  - name: leaf\n    version: 0.1.0\n    condition: leaf.enabled\n'),
      'charts/mid/charts/leaf/Chart.yaml': chartYaml('leaf'),
    },
  },
  {
    name: 'alias-version-mismatch',
    files: {
      'Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: ^2.0.0\n    alias: other\n'),
      ...SUB('sub', 'v: 1\n'),
    },
  },
  // Chart.yaml errors
  { name: 'chart-err-no-name', files: { 'Chart.yaml': 'apiVersion: v2\nversion: 0.1.0\n' }, noDump: true },
  { name: 'chart-err-no-version', files: { 'Chart.yaml': 'apiVersion: v2\nname: c\n' }, noDump: true },
  { name: 'chart-err-bad-version', files: { 'Chart.yaml': 'apiVersion: v2\nname: c\nversion: one\n' }, noDump: true },
  { name: 'chart-err-bad-name', files: { 'Chart.yaml': 'apiVersion: v2\nname: a/b\nversion: 1.0.0\n' }, noDump: true },
  {
    name: 'chart-err-type',
    files: { 'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\ntype: app\n' },
    noDump: true,
  },
  {
    name: 'chart-err-alias',
    files: { 'Chart.yaml': chartYaml('c', 'dependencies:\n  - name: x\n    alias: "bad alias"\n') },
    noDump: true,
  },
  {
    name: 'chart-err-dup-dependency',
    files: { 'Chart.yaml': chartYaml('c', 'dependencies:\n  - name: x\n  - name: y\n    alias: x\n') },
    noDump: true,
  },
  {
    name: 'chart-err-maintainers-type',
    files: { 'Chart.yaml': chartYaml('c', 'maintainers: me\n') },
    noDump: true,
  },
  { name: 'chart-err-missing', files: { 'values.yaml': 'a: 1\n' }, noDump: true },
  { name: 'chart-no-apiversion', files: { 'Chart.yaml': 'name: c\nversion: 1.0.0\n' } },
  {
    name: 'chart-err-subchart',
    files: { 'Chart.yaml': chartYaml('parent'), 'charts/bad/Chart.yaml': 'apiVersion: v2\nname: bad\n' },
    noDump: true,
  },
];

function schemaCases(): ChartCase[] {
  const one = (
    name: string,
    values: string,
    props: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): ChartCase => ({
    name,
    files: {
      'Chart.yaml': chartYaml('c'),
      'values.yaml': values,
      'values.schema.json': JSON.stringify({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        ...extra,
        properties: props,
      }),
    },
  });
  return [
    one('schema-required', 'a: 1\n', { a: { type: 'integer' } }, { required: ['name', 'zzz'] }),
    one('schema-type', 'replicas: "a"\n', { replicas: { type: 'integer', minimum: 3 } }),
    one('schema-minimum', 'replicas: 1\n', { replicas: { type: 'integer', minimum: 3 } }),
    one('schema-maximum', 'port: 70000\n', { port: { type: 'integer', maximum: 65535 } }),
    one('schema-enum', 'mode: z\n', { mode: { enum: ['a', 'b'] } }),
    one('schema-nested', 'image:\n  tag: 1\n', {
      image: { type: 'object', required: ['repository'], properties: { tag: { type: 'string' } } },
    }),
    one('schema-minlength', 'image:\n  tag: "1"\n', {
      image: { properties: { tag: { type: 'string', minLength: 2 } } },
    }),
    one('schema-items', 'list: [1, 2]\n', { list: { type: 'array', minItems: 3, items: { type: 'string' } } }),
    one('schema-additional', 'extra: 1\n', {}, { additionalProperties: false }),
    one('schema-additional-schema', 'extra: 1\n', {}, { additionalProperties: { type: 'object' } }),
    one('schema-type-multi', 'x: 1.5\n', { x: { type: ['string', 'integer'] } }),
    one('schema-null', 'x: null\n', { x: { type: 'string' } }),
    one('schema-number-int', 'x: 2\ny: 2.0\n', { x: { type: 'number', multipleOf: 3 }, y: { type: 'integer' } }),
    one('schema-anyof', 'x: true\n', { x: { anyOf: [{ type: 'string' }, { type: 'integer' }] } }),
    one('schema-const', 'x: b\n', { x: { const: 'a' } }),
  ];
}

/** Every case of the suite. */
export const CHART_CASES_ALL: readonly ChartCase[] = [...SET_CASES, ...CHART_CASES];
