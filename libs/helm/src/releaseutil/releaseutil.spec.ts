// releaseutil and the template assembly on hand-made engine output (the differential suite compares whole charts
// with helm).
import { describe, expect, it } from 'vitest';
import { Chart } from '../chart/chart.ts';
import { emptyMetadata } from '../chart/metadata.ts';
import { INSTALL_ORDER, UNINSTALL_ORDER, sortByKind } from './kind-sorter.ts';
import { bySplitManifestsOrder, goTrimSpace, splitManifests } from './manifest.ts';
import { sortManifests } from './manifest-sorter.ts';
import { crdObjects, outputDirPlan, renderResources, templateOutput } from './render-resources.ts';
import { readSimpleHead } from './simple-head.ts';
import { helmTemplate, helmTemplateToDir, RenderStepError } from './template.ts';

function chart(name: string, files: Record<string, string> = {}): Chart {
  const c = new Chart({ ...emptyMetadata(), name, version: '0.1.0', apiVersion: 'v2' });
  c.files = Object.entries(files).map(([n, d]) => ({ name: n, data: Buffer.from(d) }));
  return c;
}

describe('SplitManifests', () => {
  it('splits on --- after a newline, trims, drops empty documents and keeps --- glued to the next one', () => {
    const docs = splitManifests('\n\na: 1\n---\nb: 2\n---   \n\n---\n# c\n--- x: 3\n  ---\nkey: ---\n');
    expect([...docs.entries()]).toEqual([
      ['manifest-0', 'a: 1'],
      ['manifest-1', 'b: 2'],
      ['manifest-2', '---\n# c'],
      ['manifest-3', 'x: 3\n  ---\nkey: ---'],
    ]);
    expect(splitManifests('---\na: 1\n---').size).toBe(1);
    expect(splitManifests(' \n ').size).toBe(0);
  });

  it("uses Go's TrimSpace and RE2's \\s", () => {
    expect(goTrimSpace('\u0085\u00a0 x \u3000')).toBe('x');
    expect(goTrimSpace('\ufeffx')).toBe('\ufeffx');
    // \v is not RE2's \s: it stays before the separator
    expect([...splitManifests('a: 1\v\n---\nb: 2').values()]).toEqual(['a: 1', 'b: 2']);
    expect([...splitManifests('a: 1\n\v---\nb: 2').values()]).toEqual(['a: 1\n\v---\nb: 2']);
  });

  it('orders manifest-N keys by number', () => {
    expect(['manifest-10', 'manifest-2', 'manifest-1'].sort(bySplitManifestsOrder)).toEqual([
      'manifest-1',
      'manifest-2',
      'manifest-10',
    ]);
  });
});

describe('SimpleHead', () => {
  it('reads apiVersion, kind, name and annotations, formatting scalars into strings', () => {
    expect(
      readSimpleHead('apiVersion: 1.10\nKind: 5\nmetadata:\n  name: yes\n  annotations:\n    w: 5\n    k: ~\n'),
    ).toEqual({ version: '1.1', kind: '5', metadata: { name: 'true', annotations: { w: '5', k: '' } } });
    expect(readSimpleHead('# only a comment')).toEqual({ version: '', kind: '', metadata: null });
  });

  it('reports json type errors as sigs.k8s.io/yaml does', () => {
    const pre = 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal';
    expect(() => readSimpleHead('- a')).toThrow(`${pre} array into Go value of type releaseutil.SimpleHead`);
    expect(() => readSimpleHead('kind: [1]')).toThrow(
      `${pre} array into Go struct field SimpleHead.kind of type string`,
    );
    expect(() => readSimpleHead('metadata:\n  annotations: [1]')).toThrow(
      `${pre} array into Go struct field .metadata.annotations of type map[string]string`,
    );
    expect(() => readSimpleHead('metadata: x')).toThrow(
      `${pre} string into Go struct field SimpleHead.metadata of type struct { Name string "json:\\"name\\""; Annotations map[string]string "json:\\"annotations\\"" }`,
    );
  });

  it("reports go-yaml's syntax errors", () => {
    const pre = 'error converting YAML to JSON: yaml:';
    expect(() => readSimpleHead('a: b\n  c: d')).toThrow(
      `${pre} line 2: mapping values are not allowed in this context`,
    );
    expect(() => readSimpleHead('a: b: c')).toThrow(`${pre} mapping values are not allowed in this context`);
    expect(() => readSimpleHead('a: b\nc')).toThrow(`${pre} line 3: could not find expected ':'`);
    expect(() => readSimpleHead('x: 1\ny: [1')).toThrow(`${pre} line 2: did not find expected ',' or ']'`);
    expect(() => readSimpleHead('a: b\n\tc: d')).toThrow(
      `${pre} line 2: found a tab character that violates indentation`,
    );
    expect(() => readSimpleHead('a: *x')).toThrow(`${pre} unknown anchor 'x' referenced`);
  });
});

describe('kind order', () => {
  it('sorts known kinds by the install order, unknown kinds last by name, stable otherwise', () => {
    const items = [
      'Zeta/1',
      'Deployment/1',
      'Alpha/1',
      'Namespace/1',
      '/1',
      'Deployment/2',
      'Alpha/2',
      'PriorityClass/1',
    ];
    expect(sortByKind(items, (s) => s.split('/')[0] ?? '')).toEqual([
      'PriorityClass/1',
      'Namespace/1',
      'Deployment/1',
      'Deployment/2',
      '/1',
      'Alpha/1',
      'Alpha/2',
      'Zeta/1',
    ]);
    expect([...UNINSTALL_ORDER].sort()).toEqual([...INSTALL_ORDER].sort());
    expect(UNINSTALL_ORDER.slice(0, 4)).toEqual(['APIService', 'Ingress', 'IngressClass', 'Service']);
    expect(UNINSTALL_ORDER.at(-1)).toBe('PriorityClass');
  });
});

describe('SortManifests', () => {
  const hooked = (name: string, ann: string, kind = 'Job') =>
    `kind: ${kind}\nmetadata:\n  name: ${name}\n  annotations:\n${ann
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`;

  it('separates hooks (events, weight, delete policies) from manifests and skips partials, blanks and unknown hooks', () => {
    const log: string[] = [];
    const r = sortManifests(
      new Map([
        ['c/templates/b.yaml', 'kind: Service\nmetadata:\n  name: s\n---\nkind: ConfigMap\nmetadata:\n  name: c'],
        [
          'c/templates/a.yaml',
          [
            hooked(
              'h1',
              'helm.sh/hook: " Pre-Install , post-upgrade"\nhelm.sh/hook-weight: "-3"\nhelm.sh/hook-delete-policy: "Hook-Succeeded, before-hook-creation"',
            ),
            hooked('h2', 'helm.sh/hook: test-success\nhelm.sh/hook-weight: x', 'Pod'),
            hooked('h3', 'helm.sh/hook: pre-install,bogus'),
            'kind: Secret\nmetadata:\n  name: sec\n  annotations:\n    other: x',
          ].join('\n---\n'),
        ],
        ['c/templates/_p.tpl', 'kind: Oops'],
        ['c/templates/blank.yaml', ' \n\n'],
      ]),
      { log: (l) => log.push(l) },
    );
    expect(r.manifests.map((m) => [m.name, m.head.kind, m.content.split('\n')[0]])).toEqual([
      ['c/templates/a.yaml', 'Secret', 'kind: Secret'],
      ['c/templates/b.yaml', 'ConfigMap', 'kind: ConfigMap'],
      ['c/templates/b.yaml', 'Service', 'kind: Service'],
    ]);
    expect(r.hooks.map((h) => ({ ...h, manifest: undefined }))).toEqual([
      {
        name: 'h2',
        kind: 'Pod',
        path: 'c/templates/a.yaml',
        events: ['test'],
        weight: 0,
        deletePolicies: [],
        manifest: undefined,
      },
      {
        name: 'h1',
        kind: 'Job',
        path: 'c/templates/a.yaml',
        events: ['pre-install', 'post-upgrade'],
        weight: -3,
        deletePolicies: ['hook-succeeded', 'before-hook-creation'],
        manifest: undefined,
      },
    ]);
    expect(log).toEqual(['info: skipping unknown hook: "pre-install,bogus"']);
  });

  it('names the file of the first invalid document', () => {
    expect(() => sortManifests(new Map([['c/templates/x.yaml', 'a: 1\n---\nfoo']]))).toThrow(
      'YAML parse error on c/templates/x.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type releaseutil.SimpleHead',
    );
  });
});

describe('renderResources and the template output', () => {
  const files = new Map([
    ['c/templates/NOTES.txt', 'notes'],
    ['c/charts/s/templates/NOTES.txt', 'sub notes'],
    ['c/templates/cm.yaml', 'kind: ConfigMap\nmetadata:\n  name: a\n'],
    ['c/templates/hook.yaml', 'kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n'],
  ]);

  it('pulls NOTES.txt out and puts CRDs first when included', () => {
    const c = chart('c', {
      'crds/a.yaml': 'kind: CustomResourceDefinition\n',
      'crds/readme.md': 'x',
      'files/x.yaml': 'y',
    });
    const sub = chart('s', { 'crds/b.YML': 'kind: CustomResourceDefinition # sub\n' });
    c.addDependency(sub);
    expect(crdObjects(c).map((x) => x.filename)).toEqual(['c/crds/a.yaml', 'c/charts/s/crds/b.YML']);
    const r = renderResources(c, files, { includeCrds: true });
    expect(r.notes).toBe('notes');
    expect(renderResources(c, files, { subNotes: true }).notes).toBe('sub notes\nnotes');
    expect(r.manifest).toBe(
      '---\n# Source: c/crds/a.yaml\nkind: CustomResourceDefinition\n\n' +
        '---\n# Source: c/charts/s/crds/b.YML\nkind: CustomResourceDefinition # sub\n\n' +
        '---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
    expect(templateOutput(r.manifest, r.hooks, { noHooks: true })).toBe(r.manifest.trimEnd() + '\n');
    expect(templateOutput(r.manifest, r.hooks, { skipTests: true })).toBe(r.manifest.trimEnd() + '\n');
  });

  it('prints hooks after the manifests and filters with --show-only in pattern order', () => {
    const r = renderResources(chart('c'), files);
    const all = templateOutput(r.manifest, r.hooks);
    expect(all).toBe(
      '---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: a\n' +
        '---\n# Source: c/templates/hook.yaml\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n',
    );
    expect(templateOutput(r.manifest, r.hooks, { showOnly: ['templates/hook.yaml', 'templates/c*'] })).toBe(
      '---\n# Source: c/templates/hook.yaml\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n' +
        '---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
    expect(() => templateOutput(r.manifest, r.hooks, { showOnly: ['templates/none.yaml'] })).toThrow(
      'could not find template templates/none.yaml in chart',
    );
    expect(templateOutput('', [])).toBe('\n');
  });

  it('plans --output-dir writes: appends to a file written before, hooks last, release name directory', () => {
    const c = chart('c', { 'crds/a.yaml': 'kind: CustomResourceDefinition' });
    const two = new Map([...files, ['c/templates/cm.yaml', 'kind: ConfigMap\n---\nkind: Secret']]);
    const r = renderResources(c, two, { includeCrds: true });
    expect(
      outputDirPlan(r, { outputDir: 'out', releaseName: 'rel', useReleaseName: true }).map((w) => [w.path, w.append]),
    ).toEqual([
      ['out/c/crds/a.yaml', false],
      ['out/rel/c/templates/cm.yaml', false],
      ['out/rel/c/templates/cm.yaml', true],
      ['out/rel/c/templates/hook.yaml', false],
    ]);
  });

  it('runs an injected engine and marks its errors as render-step errors', () => {
    const release = { name: 'r' };
    const render = () => files;
    expect(helmTemplate(chart('c'), {}, { release, render, showOnly: ['templates/cm.yaml'] })).toBe(
      '---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
    const dir = helmTemplateToDir(chart('c'), {}, { release, render, outputDir: 'o' });
    expect(dir.stdout).toBe('wrote o/c/templates/cm.yaml\nwrote o/c/templates/hook.yaml\n\n');
    const failing = () => {
      throw new Error('template: c/templates/x.yaml:1:3: boom');
    };
    expect(() => helmTemplate(chart('c'), {}, { release, render: failing })).toThrow(RenderStepError);
    const schema = () => {
      throw new Error("values don't meet the specifications of the schema(s) in the following chart(s):\nc:\n- x");
    };
    let err: unknown;
    try {
      helmTemplate(chart('c'), {}, { release, render: schema });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(RenderStepError);
  });
});
