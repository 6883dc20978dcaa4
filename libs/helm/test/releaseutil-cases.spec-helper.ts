// The cases of the `helm template` output differential suite (manifest splitting, hooks, kind order, crds/,
// NOTES.txt, subcharts, --show-only, --output-dir, errors), rendered by the real helm into
// fixtures/releaseutil-cases.expected.json (scripts/gen-releaseutil-fixture.ts) and by `runCli` in-process.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One case: a chart directory (or archive), the arguments after `template` (`<chart>` is the chart's path). */
export interface CliCase {
  name: string;
  files: Record<string, string>;
  args: string[];
  /** Files beside the chart (values files). */
  extra?: Record<string, string>;
  /** Pass the chart as `chart.tgz`. */
  packaged?: boolean;
}

/** What a run printed: stdout, stderr, the exit code and, with --output-dir, the files written (path → text). */
export interface CliExpected {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
  files?: Record<string, string>;
}

/** The fixture file. */
export interface CliExpectedFile {
  helm: string;
  cases: CliExpected[];
}

/** The fixture of expected results. */
export const RELEASEUTIL_EXPECTED_FILE = join(import.meta.dirname, 'fixtures', 'releaseutil-cases.expected.json');

const chartYaml = (name: string, extra = ''): string => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;

const obj = (kind: string, name: string, extra = ''): string =>
  `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}`;

const hook = (kind: string, name: string, annotations: Record<string, string>): string =>
  obj(
    kind,
    name,
    `  annotations:\n${Object.entries(annotations)
      .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`)
      .join('')}`,
  );

const MIXED_KINDS = [
  'Deployment',
  'Zeta',
  'Service',
  'Job',
  'CronJob',
  'Ingress',
  'IngressClass',
  'APIService',
  'Namespace',
  'PriorityClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'ConfigMapList',
  'List',
  'Alpha',
  'StatefulSet',
  'DaemonSet',
  'Pod',
  'ReplicaSet',
  'ReplicationController',
  'HorizontalPodAutoscaler',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterRoleList',
  'Role',
  'RoleBinding',
  'RoleBindingList',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

const HOOKS_CHART = {
  'Chart.yaml': chartYaml('hk'),
  'templates/cm.yaml': obj('ConfigMap', 'plain'),
  'templates/hooks.yaml': [
    hook('Job', 'pre', { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-weight': '5' }),
    hook('Job', 'multi', {
      'helm.sh/hook': ' Post-Install , pre-upgrade,post-rollback',
      'helm.sh/hook-weight': '-10',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    }),
    hook('ConfigMap', 'hook-cm', { 'helm.sh/hook': 'pre-delete,post-delete,pre-rollback' }),
    hook('Pod', 'tester', { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'hook-failed' }),
    hook('Pod', 'old-tester', { 'helm.sh/hook': 'test-success' }),
    hook('Secret', 'unknown', { 'helm.sh/hook': 'pre-install,on-friday' }),
    hook('Alpha', 'cr-hook', { 'helm.sh/hook': 'post-upgrade', 'helm.sh/hook-weight': 'abc' }),
    obj('Service', 'annotated', '  annotations:\n    other: "x"\n'),
  ].join('---\n'),
  'templates/a-hooks.yaml': hook('Job', 'early-file', { 'helm.sh/hook': 'post-install' }),
};

const CRDS_CHART = {
  'Chart.yaml': chartYaml(
    'cr',
    'dependencies:\n  - name: sub\n    version: 0.1.0\n  - name: off\n    version: 0.1.0\n    condition: off.enabled\n',
  ),
  'values.yaml': 'off:\n  enabled: false\n',
  'crds/b.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: bs.x.io\n',
  'crds/a.json': '{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"}',
  'crds/README.md': '# not a CRD\n',
  'crds/nested/c.YML': '# no trailing newline\nkind: CustomResourceDefinition',
  'crds/multi.yaml': 'kind: CustomResourceDefinition\n---\nkind: CustomResourceDefinition\n\n\n',
  'templates/cm.yaml': obj('ConfigMap', 'c'),
  'templates/cr.yaml': obj('B', 'instance'),
  'charts/sub/Chart.yaml': chartYaml('sub'),
  'charts/sub/crds/s.yaml': 'kind: CustomResourceDefinition\nmetadata:\n  name: s\n',
  'charts/sub/templates/cm.yaml': obj('ConfigMap', 'sub'),
  'charts/off/Chart.yaml': chartYaml('off'),
  'charts/off/crds/off.yaml': 'kind: CustomResourceDefinition\nmetadata:\n  name: off\n',
  'charts/off/templates/cm.yaml': obj('ConfigMap', 'off'),
};

const SUBCHARTS = {
  'Chart.yaml': chartYaml('top'),
  'templates/NOTES.txt': 'Top notes for {{ .Release.Name }}\n',
  'templates/z.yaml': obj('ConfigMap', 'top-z'),
  'templates/b.yaml': obj('Deployment', 'top-b'),
  'templates/_helpers.tpl': '{{ define "x" }}kind: Nope{{ end }}',
  'templates/sub-notes/NOTES.txt': 'kind: [not parsed',
  'templates/MYNOTES.txt': 'also: [not parsed, ends with NOTES.txt',
  'charts/alpha/Chart.yaml': chartYaml('alpha'),
  'charts/alpha/templates/NOTES.txt': 'alpha notes\n',
  'charts/alpha/templates/d.yaml': obj('Deployment', 'alpha-d') + '---\n' + obj('Service', 'alpha-s'),
  'charts/alpha/charts/deep/Chart.yaml': chartYaml('deep'),
  'charts/alpha/charts/deep/templates/s.yaml': obj('Service', 'deep-s'),
  'charts/beta/Chart.yaml': chartYaml('beta'),
  'charts/beta/templates/a.yaml':
    obj('ConfigMap', 'beta-a') + '---\n' + hook('Job', 'beta-hook', { 'helm.sh/hook': 'post-install' }),
};

/** The chart `helm create` made (helm 3.18.0, chart name `c`), kept under fixtures/. */
function helmCreateFiles(): Record<string, string> {
  const root = join(import.meta.dirname, 'fixtures', 'releaseutil-helm-create');
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out[`${rel}${n}`] = readFileSync(p, 'utf8');
    }
  };
  walk(root, '');
  return out;
}

const HELM_CREATE = helmCreateFiles();

const FUNCS_CHART = {
  'Chart.yaml': chartYaml('fn'),
  'values.yaml':
    'labels:\n  b: "2"\n  a: one\nres:\n  limits: {cpu: 1}\nextra: |\n  kind: ConfigMap\n  metadata:\n    name: {{ .Release.Name }}-tpl\n',
  'templates/_h.tpl': '{{- define "fn.labels" -}}\n{{ toYaml .Values.labels }}\n{{- end -}}\n',
  'templates/a.yaml':
    'kind: Deployment\nmetadata:\n  name: {{ .Release.Name | upper }}\n  labels:\n    {{- include "fn.labels" . | nindent 4 }}\nspec:\n  resources:\n    {{- toYaml .Values.res | nindent 4 }}\n  look: {{ lookup "v1" "Pod" "" "" | toJson | quote }}\n',
  'templates/b.yaml':
    '{{ tpl .Values.extra . }}\n---\n{{ range $i, $e := until 3 }}\n---\nkind: Secret\nmetadata:\n  name: s{{ $i }}\n{{ end }}',
  'templates/NOTES.txt': '{{ required "notes need a value" .Values.labels.a }}\n',
};

const c = (
  name: string,
  files: Record<string, string>,
  args: string[] = ['rel', '<chart>'],
  more: Partial<CliCase> = {},
): CliCase => ({
  name,
  files,
  args,
  ...more,
});

/** Every case. */
export const RELEASEUTIL_CASES: CliCase[] = [
  c('multi-doc', {
    'Chart.yaml': chartYaml('md'),
    'templates/all.yaml': [
      '---',
      obj('ConfigMap', 'one'),
      '---',
      '---',
      '# only a comment',
      '--- ',
      obj('ConfigMap', 'two') + '   ',
      '---\t',
      '',
      obj('Secret', 'three', 'stringData:\n  k: "---"\n  l: |\n    ---\n'),
      '--- # comment after the separator',
      obj('ConfigMap', 'four'),
      '---',
    ].join('\n'),
    'templates/crlf.yaml':
      'kind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\n---\r\nkind: Secret\r\nmetadata:\r\n  name: crlf-s\r\n',
  }),
  c('multi-doc-dashes', {
    'Chart.yaml': chartYaml('mdd'),
    'templates/all.yaml': [obj('ConfigMap', 'one'), '----', obj('ConfigMap', 'two'), '...', '---'].join('\n'),
  }),
  c('multi-doc-glued', {
    'Chart.yaml': chartYaml('mdg'),
    'templates/all.yaml': [obj('ConfigMap', 'four'), '', '  ---', 'x: 1'].join('\n'),
  }),
  c('error-yaml-seq-key', { 'Chart.yaml': chartYaml('e17'), 'templates/b.yaml': 'kind: ConfigMap\nx: 1\n- a\n' }),
  c('error-yaml-root-seq', { 'Chart.yaml': chartYaml('e18'), 'templates/b.yaml': '- a\nb: c\n' }),
  c('error-yaml-after-quote', { 'Chart.yaml': chartYaml('e19'), 'templates/b.yaml': 'kind: "a"b\n' }),
  c('empty-docs', {
    'Chart.yaml': chartYaml('em'),
    'templates/blank.yaml': '\n\n   \n',
    'templates/seps.yaml': '---\n---\n---\n',
    'templates/nulls.yaml': '~\n---\nnull\n---\n# c\n',
    'templates/cond.yaml': '{{ if .Values.on }}kind: ConfigMap\n{{ end }}',
  }),
  c('no-templates', { 'Chart.yaml': chartYaml('none'), 'templates/blank.yaml': '' }),
  c('mixed-kinds', {
    'Chart.yaml': chartYaml('mk'),
    'templates/all.yaml': MIXED_KINDS.map((k, i) => obj(k, `o${i}`)).join('---\n'),
    'templates/more.yaml': ['Zeta', 'Alpha', 'Deployment', 'Namespace', '']
      .map((k, i) => (k ? obj(k, `m${i}`) : 'metadata:\n  name: nokind\n'))
      .join('---\n'),
    'templates/case.yaml':
      'KIND: Namespace\nMetadata:\n  Name: upper\n---\nkind: namespace\nmetadata:\n  name: lower\n',
  }),
  c(
    'range-values',
    {
      'Chart.yaml': chartYaml('rv'),
      'values.yaml': 'items: [c, a, b]\nkind: ConfigMap\n',
      'templates/items.yaml':
        '{{ range .Values.items }}---\nkind: {{ $.Values.kind }}\nmetadata:\n  name: {{ . }}\n{{ end }}',
    },
    ['rel', '<chart>', '--set', 'kind=Secret', '-f', 'more.yaml'],
    { extra: { 'more.yaml': 'items: [x, y]\n' } },
  ),
  c('hooks', HOOKS_CHART),
  c('hooks-no-hooks', HOOKS_CHART, ['rel', '<chart>', '--no-hooks']),
  c('hooks-skip-tests', HOOKS_CHART, ['rel', '<chart>', '--skip-tests']),
  c('crds-default', CRDS_CHART),
  c('crds-included', CRDS_CHART, ['rel', '<chart>', '--include-crds']),
  c('crds-included-skip', CRDS_CHART, ['rel', '<chart>', '--include-crds', '--skip-crds']),
  c('crds-enabled-sub', CRDS_CHART, ['rel', '<chart>', '--include-crds', '--set', 'off.enabled=true']),
  c('subcharts-notes', SUBCHARTS),
  c('subcharts-render-notes', SUBCHARTS, ['rel', '<chart>', '--render-subchart-notes']),
  c('show-only', SUBCHARTS, ['rel', '<chart>', '-s', 'templates/z.yaml']),
  c('show-only-many', SUBCHARTS, [
    'rel',
    '<chart>',
    '--show-only',
    'charts/*/templates/*.yaml',
    '-s',
    'templates/b.yaml',
    '--show-only=charts/alpha/charts/deep/templates/s.yaml',
  ]),
  c('show-only-hook', HOOKS_CHART, ['rel', '<chart>', '-s', 'templates/hooks.yaml']),
  c('show-only-missing', SUBCHARTS, ['rel', '<chart>', '-s', 'templates/nope.yaml']),
  c('show-only-notes', SUBCHARTS, ['rel', '<chart>', '-s', 'templates/NOTES.txt']),
  c(
    'release-objects',
    {
      'Chart.yaml': chartYaml('ro'),
      'templates/r.yaml':
        'kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\ndata:\n  upgrade: "{{ .Release.IsUpgrade }}"\n  install: "{{ .Release.IsInstall }}"\n  kube: "{{ .Capabilities.KubeVersion }}"\n  has: "{{ .Capabilities.APIVersions.Has "x.io/v1" }}"\n',
    },
    ['my-rel', '<chart>', '-n', 'team-a', '--is-upgrade', '--kube-version', '1.29.1', '--api-versions', 'x.io/v1'],
  ),
  c(
    'default-release-name',
    {
      'Chart.yaml': chartYaml('dn'),
      'templates/r.yaml': obj('ConfigMap', '{{ .Release.Name }}-{{ .Release.Namespace }}'),
    },
    ['<chart>', '--namespace=ns2'],
  ),
  c('packaged', SUBCHARTS, ['rel', '<chart>'], { packaged: true }),
  c('deprecated', { 'Chart.yaml': chartYaml('old', 'deprecated: true\n'), 'templates/a.yaml': obj('ConfigMap', 'a') }),
  c('output-dir', { ...CRDS_CHART, ...HOOKS_CHART, 'Chart.yaml': CRDS_CHART['Chart.yaml'] }, [
    'rel',
    '<chart>',
    '--include-crds',
    '--output-dir',
    'out',
  ]),
  c('output-dir-release-name', HOOKS_CHART, [
    'rel',
    '<chart>',
    '--output-dir',
    'out',
    '--release-name',
    '--skip-tests',
  ]),
  c('error-yaml-mapping', {
    'Chart.yaml': chartYaml('e1'),
    'templates/a.yaml': obj('ConfigMap', 'ok'),
    'templates/b.yaml': 'kind: ConfigMap\nmetadata:\n  name: x\n   bad: y\n',
  }),
  c('error-yaml-tab', { 'Chart.yaml': chartYaml('e2'), 'templates/b.yaml': 'kind: ConfigMap\nmetadata:\n\tname: x\n' }),
  c('error-yaml-flow', {
    'Chart.yaml': chartYaml('e3'),
    'templates/b.yaml': obj('ConfigMap', 'a') + '---\nkind: ConfigMap\ndata: {a: 1\n',
  }),
  c('error-yaml-key', { 'Chart.yaml': chartYaml('e4'), 'templates/b.yaml': 'kind: ConfigMap\nmetadata\n  name: x\n' }),
  c('error-head-type', {
    'Chart.yaml': chartYaml('e5'),
    'templates/b.yaml': 'kind: ConfigMap\nmetadata: just-a-string\n',
  }),
  c('error-head-annotations', {
    'Chart.yaml': chartYaml('e6'),
    'templates/b.yaml': 'kind: ConfigMap\nmetadata:\n  annotations:\n    - a\n',
  }),
  c('error-head-list', { 'Chart.yaml': chartYaml('e7'), 'templates/b.yaml': '- kind: ConfigMap\n- kind: Secret\n' }),
  c('error-head-scalar', {
    'Chart.yaml': chartYaml('e8'),
    'templates/b.yaml': obj('ConfigMap', 'a') + '---\njust text\n',
  }),
  c('error-anchor', {
    'Chart.yaml': chartYaml('e9'),
    'templates/b.yaml': 'kind: ConfigMap\nmetadata:\n  name: *nope\n',
  }),
  c(
    'values-flags',
    {
      'Chart.yaml': chartYaml('vf'),
      'values.yaml': 'a: 0\nb: 0\n',
      'templates/v.yaml':
        'kind: ConfigMap\nmetadata:\n  name: v\n  namespace: {{ .Release.Namespace }}\ndata:\n  values: {{ toJson .Values | quote }}\n  has: "{{ .Capabilities.APIVersions.Has "y.io/v2" }}"\n',
    },
    [
      'rel',
      '<chart>',
      '-f',
      'a.yaml,b.yaml',
      '--values=c.yaml',
      '--set-file',
      'f=file.txt',
      '--set-json',
      'j={"k":[1,2]}',
      '--set-string',
      's=01',
      '--set-literal',
      'l=a,b',
      '-n=ns-eq',
      '-ay.io/v2',
    ],
    { extra: { 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 2\n', 'c.yaml': 'c: [x]\n', 'file.txt': 'line1\nline2\n' } },
  ),
  c('helm-create', HELM_CREATE),
  c('helm-create-options', HELM_CREATE, [
    'rel',
    '<chart>',
    '--set',
    'ingress.enabled=true,autoscaling.enabled=true',
    '--skip-tests',
    '-n',
    'prod',
  ]),
  c('helm-create-show-only', HELM_CREATE, ['rel', '<chart>', '-s', 'templates/tests/*', '-s', 'templates/service*']),
  c('helm-functions', FUNCS_CHART),
  c('error-exec-fail', {
    'Chart.yaml': chartYaml('f1'),
    'templates/a.yaml': obj('ConfigMap', 'a'),
    'templates/b.yaml': 'x: {{ fail "boom" }}\n',
  }),
  c('error-exec-required', {
    'Chart.yaml': chartYaml('f2'),
    'templates/b.yaml': 'x: {{ required "x is required" .Values.x }}\n',
  }),
  c('error-exec-nil', { 'Chart.yaml': chartYaml('f3'), 'templates/b.yaml': 'x: {{ .Values.a.b.c }}\n' }),
  c('error-parse', { 'Chart.yaml': chartYaml('f4'), 'templates/b.yaml': 'x: {{ if }}\n' }),
  c('error-kube-version-range', {
    'Chart.yaml': chartYaml('f5', 'kubeVersion: ">=1.40.0-0"\n'),
    'templates/b.yaml': obj('ConfigMap', 'a'),
  }),
  c('error-schema', {
    'Chart.yaml': chartYaml('f6'),
    'values.schema.json': '{"type": "object", "required": ["x"]}',
    'templates/b.yaml': obj('ConfigMap', 'a'),
  }),
  c('error-not-installable', { 'Chart.yaml': chartYaml('f7', 'type: library\n'), 'templates/_b.tpl': '' }),
  c('error-release-name', { 'Chart.yaml': chartYaml('e10'), 'templates/a.yaml': obj('ConfigMap', 'a') }, [
    'Not_Valid',
    '<chart>',
  ]),
  c('error-too-many-args', { 'Chart.yaml': chartYaml('e11') }, ['a', '<chart>', 'c']),
  c('error-missing-chart', { 'Chart.yaml': chartYaml('e12') }, ['rel', './missing']),
  c('error-kube-version', { 'Chart.yaml': chartYaml('e13') }, ['rel', '<chart>', '--kube-version', 'banana']),
  c('error-unknown-flag', { 'Chart.yaml': chartYaml('e14') }, ['rel', '<chart>', '--frobnicate']),
  c('error-set', { 'Chart.yaml': chartYaml('e15') }, ['rel', '<chart>', '--set', 'novalue']),
  c('error-no-args', { 'Chart.yaml': chartYaml('e16') }, []),
];
