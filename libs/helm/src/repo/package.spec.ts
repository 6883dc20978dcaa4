import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadArchiveFiles } from '../chart/archive.ts';
import type { ChartFile } from '../chart/chart.ts';
import { loadArchive, loadFiles } from '../chart/loader.ts';
import { packageChart } from './package.ts';

const f = (name: string, text: string): ChartFile => ({ name, data: Buffer.from(text) });

function chartFiles(extra: ChartFile[] = []): ChartFile[] {
  return [
    f('Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: "1.0"\ndescription: An app\n'),
    f('values.yaml', '# defaults\nreplicas: 1\n'),
    f('templates/cm.yaml', 'kind: ConfigMap\n'),
    f('README.md', 'readme\n'),
    ...extra,
  ];
}

/** The tar entry names (with the top directory) of a .tgz, as archive/tar reads them (ustar prefix, PAX path). */
function tarNames(tgz: Uint8Array): string[] {
  const tar = gunzipSync(tgz);
  const names: string[] = [];
  let pax: string | undefined;
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, b: number): string => h.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 136), 8);
    const body = tar.subarray(off + 512, off + 512 + size).toString('utf8');
    off += 512 + Math.ceil(size / 512) * 512;
    if (str(156, 157) === 'x') {
      pax = /\d+ path=(.*)\n/.exec(body)?.[1];
      continue;
    }
    const prefix = str(345, 500);
    names.push(pax ?? (prefix === '' ? str(0, 100) : `${prefix}/${str(0, 100)}`));
    pax = undefined;
  }
  return names;
}

const fileOf = (tgz: Uint8Array, name: string): string | undefined =>
  loadArchiveFiles(Buffer.from(tgz))
    .find((x) => x.name === name)
    ?.data.toString('utf8');

describe('packageChart', () => {
  it("writes chartutil.Save's entries in its order, subcharts inline under charts/", () => {
    const sub = ['Chart.yaml', 'values.yaml', 'templates/x.yaml'];
    const chart = loadFiles(
      chartFiles([
        f('Chart.lock', 'dependencies: []\ndigest: sha256:abc\ngenerated: "2026-01-02T03:04:05.120000Z"\n'),
        f('values.schema.json', '{"type":"object"}'),
        f('charts/sub/Chart.yaml', 'apiVersion: v2\nname: sub\nversion: 1.0.0\n'),
        f('charts/sub/values.yaml', 'a: 1\n'),
        f('charts/sub/templates/x.yaml', 'x: 1\n'),
      ]),
    );
    const p = packageChart(chart);
    expect(p.fileName).toBe('app-0.1.0.tgz');
    expect(tarNames(p.data)).toEqual([
      'app/Chart.yaml',
      'app/Chart.lock',
      'app/values.yaml',
      'app/values.schema.json',
      'app/templates/cm.yaml',
      'app/README.md',
      ...sub.map((n) => `app/charts/sub/${n}`),
    ]);
    expect(fileOf(p.data, 'values.yaml')).toBe('# defaults\nreplicas: 1\n');
    expect(fileOf(p.data, 'Chart.lock')).toBe(
      'dependencies: []\ndigest: sha256:abc\ngenerated: "2026-01-02T03:04:05.12Z"\n',
    );
    const back = loadArchive(Buffer.from(p.data));
    expect(back.dependencies().map((d) => d.name())).toEqual(['sub']);
    expect(back.values).toEqual(chart.values);
  });

  it('re-marshals Chart.yaml as sigs.k8s.io/yaml does (sorted keys, omitempty, quoting)', () => {
    const chart = loadFiles([
      f(
        'Chart.yaml',
        [
          'name: app',
          'version: 1.0.0',
          'apiVersion: v2',
          'appVersion: 1.10',
          'description: "yes"',
          'keywords: []',
          'annotations: {z: "1", a: b}',
          'maintainers: [{name: M, url: "https://m"}]',
          'dependencies:',
          '- {name: d, repository: "", version: 2, import-values: [x], enabled: true}',
          '',
        ].join('\n'),
      ),
    ]);
    expect(fileOf(packageChart(chart).data, 'Chart.yaml')).toBe(
      [
        'annotations:',
        '  a: b',
        '  z: "1"',
        'apiVersion: v2',
        'appVersion: "1.1"',
        'dependencies:',
        '- enabled: true',
        '  import-values:',
        '  - x',
        '  name: d',
        '  repository: ""',
        '  version: "2"',
        'description: "yes"',
        'maintainers:',
        '- name: M',
        '  url: https://m',
        'name: app',
        'version: 1.0.0',
        '',
      ].join('\n'),
    );
  });

  it('overrides the version (helm package --version, Flux build metadata) without touching the chart', () => {
    const chart = loadFiles(chartFiles());
    const p = packageChart(chart, { version: '0.1.0+abc123def456', appVersion: '9' });
    expect(p.fileName).toBe('app-0.1.0+abc123def456.tgz');
    const md = loadArchive(Buffer.from(p.data)).metadata;
    expect([md.version, md.appVersion]).toEqual(['0.1.0+abc123def456', '9']);
    expect([chart.metadata.version, chart.metadata.appVersion]).toEqual(['0.1.0', '1.0']);
  });

  it('rejects an invalid version and invalid metadata', () => {
    const chart = loadFiles(chartFiles());
    expect(() => packageChart(chart, { version: 'one' })).toThrow('Invalid Semantic Version');
    chart.metadata.type = 'plugin';
    expect(() => packageChart(chart)).toThrow(
      'chart validation: validation: chart.metadata.type must be application or library',
    );
  });

  it("replaces values.yaml as Flux's OverwriteChartDefaultValues does", () => {
    const chart = loadFiles(chartFiles());
    const values = { replicas: 3, image: { tag: '1.0', pullPolicy: 'Always' }, list: [1.5, 'on', null] };
    const p = packageChart(chart, { values });
    expect(fileOf(p.data, 'values.yaml')).toBe(
      'image:\n  pullPolicy: Always\n  tag: "1.0"\nlist:\n- 1.5\n- "on"\n- null\nreplicas: 3\n',
    );
    expect(fileOf(packageChart(chart, { values: {} }).data, 'values.yaml')).toBe('');
    expect(fileOf(packageChart(chart, { valuesYaml: 'a: b # kept\n' }).data, 'values.yaml')).toBe('a: b # kept\n');
    const noValues = loadFiles(chartFiles().filter((x) => x.name !== 'values.yaml'));
    expect(() => packageChart(noValues, { values })).toThrow('failed to locate values file: values.yaml');
    expect(tarNames(packageChart(noValues).data)).not.toContain('app/values.yaml');
  });

  it('writes a v1 chart without Chart.yaml dependencies or Chart.lock, keeping requirements files', () => {
    const chart = loadFiles([
      f('Chart.yaml', 'apiVersion: v1\nname: old\nversion: 1.0.0\n'),
      f('requirements.yaml', 'dependencies:\n- name: dep\n  version: 1.0.0\n  repository: https://r\n'),
      f('requirements.lock', 'dependencies: []\ndigest: x\n'),
    ]);
    expect(chart.metadata.dependencies?.length).toBe(1);
    const p = packageChart(chart);
    expect(tarNames(p.data)).toEqual(['old/Chart.yaml', 'old/requirements.yaml', 'old/requirements.lock']);
    expect(fileOf(p.data, 'Chart.yaml')).toBe('apiVersion: v1\nname: old\nversion: 1.0.0\n');
  });

  it('re-marshals Chart.lock: dependencies through chart.Dependency, generated as RFC 3339 with nanoseconds', () => {
    const lock = [
      'dependencies:',
      '- {name: a, version: 1, repository: "file://../a", unknown: x}',
      'digest: sha256:1',
      'generated: "2026-01-02T03:04:05.000000000+00:00"',
      '',
    ].join('\n');
    const p = packageChart(loadFiles(chartFiles([f('Chart.lock', lock)])));
    expect(fileOf(p.data, 'Chart.lock')).toBe(
      'dependencies:\n- name: a\n  repository: file://../a\n  version: "1"\ndigest: sha256:1\ngenerated: "2026-01-02T03:04:05Z"\n',
    );
    const bare = packageChart(loadFiles(chartFiles([f('Chart.lock', 'digest: d\n')])));
    expect(fileOf(bare.data, 'Chart.lock')).toBe('dependencies: null\ndigest: d\ngenerated: "0001-01-01T00:00:00Z"\n');
  });

  it('refuses an invalid values.schema.json', () => {
    const chart = loadFiles(chartFiles([f('values.schema.json', '{nope')]));
    expect(() => packageChart(chart)).toThrow('Invalid JSON in values.schema.json');
  });

  it("is deterministic and carries Helm's gzip header", () => {
    const a = packageChart(loadFiles(chartFiles())).data;
    const b = packageChart(loadFiles(chartFiles())).data;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // FLG = FEXTRA|FCOMMENT, MTIME 0, OS 255, then XLEN 41, the extra field and the comment "Helm".
    expect([...a.subarray(0, 12)]).toEqual([0x1f, 0x8b, 8, 0x14, 0, 0, 0, 0, 0, 0xff, 41, 0]);
    expect(Buffer.from(a.subarray(12 + 41, 12 + 46)).toString('latin1')).toBe('Helm\0');
  });

  it('stores long names with a ustar prefix or a PAX record, and reads them back', () => {
    const mid = `templates/${'d'.repeat(60)}/${'e'.repeat(50)}.yaml`;
    const huge = `files/${'f'.repeat(90)}/${'h'.repeat(120)}.txt`;
    const uni = 'files/ünï.txt';
    const p = packageChart(loadFiles(chartFiles([f(mid, 'x: 1\n'), f(huge, 'long\n'), f(uni, 'u\n')])));
    expect(tarNames(p.data)).toEqual(expect.arrayContaining([`app/${mid}`, `app/${huge}`, `app/${uni}`]));
    expect(fileOf(p.data, huge)).toBe('long\n');
    expect(fileOf(p.data, mid)).toBe('x: 1\n');
    expect(fileOf(p.data, uni)).toBe('u\n');
  });
});
