// repo.IndexFile: loading (YAML and JSON, strictness, invalid entries), SortEntries, Get and Flux's resolve.
import { describe, expect, it } from 'vitest';
import { ChartNotFoundError, ChartVersionNotFoundError, IndexError, IndexFile, loadIndex } from './index-file.ts';

function entry(name: string, version: string, extra = ''): string {
  return `  - apiVersion: v2\n    name: ${name}\n    version: "${version}"\n    urls:\n    - ${name}-${version}.tgz\n${extra}`;
}

const VERSIONS = ['1.0.0', '1.2.0', '1.2.5', '1.10.0-alpha.1', '2.0.0-rc.1', '0.9.0', '1.3.0-beta', '1.3.0'];
const INDEX = `apiVersion: v1\ngenerated: "2026-12-07T17:23:23.2Z"\nentries:\n  app:\n${VERSIONS.map((v) => entry('app', v)).join('')}`;

describe('loadIndex', () => {
  it('reads a YAML index and sorts each chart newest first, prereleases in their place', () => {
    const index = loadIndex(INDEX);
    expect(index.apiVersion).toBe('v1');
    expect(index.generated).toBe('2026-12-07T17:23:23.2Z');
    expect(index.entries['app']?.map((cv) => cv.version)).toEqual([
      '2.0.0-rc.1',
      '1.10.0-alpha.1',
      '1.3.0',
      '1.3.0-beta',
      '1.2.5',
      '1.2.0',
      '1.0.0',
      '0.9.0',
    ]);
    expect(index.entries['app']?.[0]).toEqual({
      apiVersion: 'v2',
      name: 'app',
      version: '2.0.0-rc.1',
      urls: ['app-2.0.0-rc.1.tgz'],
    });
  });

  it('reads the same index as JSON (bytes), where unknown fields are ignored', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      unknownTop: true,
      entries: { app: VERSIONS.map((v) => ({ name: 'app', version: v, urls: [`app-${v}.tgz`], extra: 1 })) },
    });
    const index = loadIndex(new TextEncoder().encode(json));
    expect(index.entries['app']?.map((cv) => cv.version)).toEqual(
      loadIndex(INDEX).entries['app']?.map((cv) => cv.version),
    );
    // apiVersion of an entry defaults to v1
    expect(index.entries['app']?.[0]?.apiVersion).toBe('v1');
  });

  it('refuses an empty index and one without apiVersion with Helm texts', () => {
    expect(() => loadIndex('')).toThrow(new IndexError('empty index.yaml file'));
    expect(() => loadIndex(`entries:\n  app:\n${entry('app', '1.0.0')}`)).toThrow('no API version specified');
    expect(() => loadIndex('{"entries":{}}')).toThrow('no API version specified');
  });

  it('is strict in YAML: unknown fields, duplicate keys and type errors fail the whole index', () => {
    expect(() => loadIndex(`apiVersion: v1\nentries:\n  app:\n${entry('app', '1.0.0', '    foo: bar\n')}`)).toThrow(
      'error unmarshaling JSON: while decoding JSON: json: unknown field "foo"',
    );
    expect(() => loadIndex(`apiVersion: v1\nfoo: 1\nentries: {}\n`)).toThrow('json: unknown field "foo"');
    expect(() => loadIndex(`apiVersion: v1\nentries:\n  app:\n${entry('app', '1.0.0', '    name: b\n')}`)).toThrow(
      'error converting YAML to JSON: yaml: unmarshal errors:\n  line 9: key "name" already set in map',
    );
    expect(() =>
      loadIndex(`apiVersion: v1\nentries:\n  app:\n${entry('app', '1.0.0', '    description: 12\n')}`),
    ).toThrow(
      'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field ChartVersion.entries.Metadata.description of type string',
    );
    expect(() =>
      loadIndex(`apiVersion: v1\nentries:\n  app:\n${entry('app', '1.0.0', '    created: "2026-12-07"\n')}`),
    ).toThrow(
      'error unmarshaling JSON: while decoding JSON: parsing time "2026-12-07" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"',
    );
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill('*' + String.fromCharCode(96 + i))
          .join(',')}]`,
      );
    expect(() => loadIndex(`apiVersion: v1\nserverInfo:\n${bomb.map((l) => '  ' + l).join('\n')}\n`)).toThrow(
      'error converting YAML to JSON: yaml: document contains excessive aliasing',
    );
  });

  it('formats a YAML scalar into the top-level apiVersion, and matches field names case-insensitively', () => {
    const index = loadIndex(`apiVersion: 1\nentries:\n  app:\n  - Name: app\n    VERSION: 1.0.0\n    urls: [a.tgz]\n`);
    expect(index.apiVersion).toBe('1');
    expect(index.get('app', '').version).toBe('1.0.0');
  });

  it('drops entries that fail validation (with a warning) and null entries, keeps the JFrog duplicate-dependency case', () => {
    const deps = '    dependencies:\n    - name: x\n      repository: ""\n    - name: x\n      repository: ""\n';
    const index = loadIndex(
      `apiVersion: v1\nentries:\n  app:\n  - null\n${entry('app', '1.2.x')}${entry('app', '1.0.0')}${entry('app', '1.1.0', deps)}${entry('app', '')}  broken:\n${entry('broken', 'nope')}`,
      'http://repo.example',
    );
    expect(index.entries['app']?.map((cv) => cv.version)).toEqual(['1.1.0', '1.0.0']);
    expect(index.entries['broken']).toEqual([]);
    expect(index.warnings).toContain(
      'skipping loading invalid entry for chart "app" "1.2.x" from http://repo.example: validation: chart.metadata.version "1.2.x" is invalid',
    );
    expect(index.warnings).toContain(
      'skipping loading invalid entry for chart "app" from http://repo.example: empty entry',
    );
    expect(index.warnings).toContain(
      'skipping loading invalid entry for chart "app" "" from http://repo.example: validation: chart.metadata.version is required',
    );
    expect(() => index.get('broken', '')).toThrow(
      new ChartVersionNotFoundError('broken', '', 'no chart version found'),
    );
  });
});

describe('IndexFile.get (Helm)', () => {
  const index = loadIndex(INDEX);
  it.each([
    ['', '1.3.0'],
    ['*', '1.3.0'],
    ['~1.2', '1.2.5'],
    ['>=1.0.0-0', '2.0.0-rc.1'],
    ['1.x', '1.3.0'],
    ['1.2.0', '1.2.0'],
    ['<1.0.0', '0.9.0'],
    ['^1.3.0-0', '1.10.0-alpha.1'],
    ['1.3.0-beta', '1.3.0-beta'],
    ['>1.2.0 <1.3.0', '1.2.5'],
    ['0.9.0 || 1.0.0', '1.0.0'],
  ])('%j picks %s', (constraint, want) => {
    expect(index.get('app', constraint).version).toBe(want);
  });

  it('throws Helm errors for a missing chart, a missing version and an improper constraint', () => {
    expect(() => index.get('nope', '')).toThrow(new ChartNotFoundError('nope'));
    expect(() => index.get('nope', '')).toThrow('no chart name found');
    expect(() => index.get('app', '9')).toThrow('no chart version found for app-9');
    expect(() => index.get('app', '>=3.0.0-0')).toThrow(ChartVersionNotFoundError);
    expect(() => index.get('app', 'not a version')).toThrow('improper constraint: not a version');
    expect(index.has('app', '1.2.0')).toBe(true);
    expect(index.has('app', '1.2.1')).toBe(false);
  });

  it('prefers an exact version string over the constraint reading of it', () => {
    const i = loadIndex(`apiVersion: v1\nentries:\n  app:\n${entry('app', 'v1.0.0')}${entry('app', '1.0.0+b')}`);
    expect(i.get('app', 'v1.0.0').version).toBe('v1.0.0');
    expect(i.get('app', '1.0.0+b').version).toBe('1.0.0+b');
  });
});

describe('IndexFile.resolve (Flux getChartVersion)', () => {
  it('picks the newest match, ties between build metadata broken by created', () => {
    const i = loadIndex(
      `apiVersion: v1\nentries:\n  app:\n${entry('app', '1.0.0+a', '    created: "2026-01-01T00:00:00Z"\n')}${entry('app', '1.0.0+b', '    created: "2026-01-02T00:00:00.5+01:00"\n')}${entry('app', '1.0.0+c', '    created: "2026-01-01T12:00:00Z"\n')}${entry('app', '0.1.0')}`,
    );
    expect(i.resolve('app', '').version).toBe('1.0.0+b');
    expect(i.resolve('app', '*').version).toBe('1.0.0+b');
    expect(i.resolve('app', '<1.0.0').version).toBe('0.1.0');
    expect(i.resolve('app', '1.0.0+c').version).toBe('1.0.0+c');
    expect(() => i.resolve('app', '2.x')).toThrow("no 'app' chart with version matching '2.x' found");
    expect(() => i.resolve('other', '')).toThrow('no chart name found');
  });

  it('skips versions that are not strict semver (Flux parses strictly, `v` allowed)', () => {
    const i = loadIndex(`apiVersion: v1\nentries:\n  app:\n${entry('app', '2.0')}${entry('app', 'v1.5.0')}`);
    expect(i.get('app', '').version).toBe('2.0');
    expect(i.resolve('app', '').version).toBe('v1.5.0');
  });
});

describe('IndexFile', () => {
  it('sortEntries keeps equal versions in their order and puts unparsable ones last', () => {
    const i = new IndexFile('v1', {
      app: ['x', '1.0.0+1', '2.0.0', '1.0.0+2'].map((version) => ({ name: 'app', version, urls: [] })),
    });
    i.sortEntries();
    expect(i.entries['app']?.map((cv) => cv.version)).toEqual(['2.0.0', '1.0.0+1', '1.0.0+2', 'x']);
  });
});
