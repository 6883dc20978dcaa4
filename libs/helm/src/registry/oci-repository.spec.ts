import { describe, expect, it } from 'vitest';
import { chartOciAnnotations, helmChartTags, lastMatchingVersionOrConstraint, versionToTag } from './oci-repository.ts';
import type { Metadata } from '../chart/metadata.ts';

describe('helmChartTags (Helm registry Client.Tags)', () => {
  it('keeps strict semver tags, turns _ back into +, sorts newest first', () => {
    expect(
      helmChartTags(['latest', '1.0.0', 'v2.0.0', '1.2', '1.10.0', '1.2.0-rc.1', '1.2.0_build.5', 'sha256-abc.sig']),
    ).toEqual(['1.10.0', '1.2.0+build.5', '1.2.0-rc.1', '1.0.0']);
  });
});

describe('lastMatchingVersionOrConstraint (Flux)', () => {
  const tags = ['2.0.0', '2.0.0-rc.1', '1.10.0', '1.2.0', '1.0.0'];
  it.each([
    ['', '2.0.0'],
    ['*', '2.0.0'],
    ['1.x', '1.10.0'],
    ['~1.2', '1.2.0'],
    ['>=2.0.0-0', '2.0.0'],
    ['<2.0.0-0 >1.9.0', '1.10.0'],
    ['2.0.0-rc.1', '2.0.0-rc.1'],
  ])('%j -> %s', (c, want) => {
    expect(lastMatchingVersionOrConstraint(tags, c)).toBe(want);
  });

  it('reports no match and bad constraints', () => {
    expect(() => lastMatchingVersionOrConstraint(tags, '>=3')).toThrow(
      'could not locate a version matching provided version string >=3',
    );
    expect(() => lastMatchingVersionOrConstraint(tags, 'not a constraint')).toThrow(/improper constraint/);
  });
});

describe('chartOciAnnotations (Helm generateOCIAnnotations)', () => {
  it('maps chart attributes, skips blanks, keeps title and version over chart annotations', () => {
    const meta = {
      name: 'demo',
      version: '1.0.0+x',
      description: '  ',
      home: 'https://h',
      sources: ['https://s1', 'https://s2'],
      maintainers: [
        { name: 'A', email: 'a@x', url: '' },
        { name: 'B', email: '', url: '' },
      ],
      annotations: { 'org.opencontainers.image.title': 'other', category: 'db' },
    } as unknown as Metadata;
    expect(chartOciAnnotations(meta, '2026-01-01T00:00:00Z')).toEqual({
      'org.opencontainers.image.title': 'demo',
      'org.opencontainers.image.version': '1.0.0+x',
      'org.opencontainers.image.url': 'https://h',
      'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
      'org.opencontainers.image.source': 'https://s1',
      'org.opencontainers.image.authors': 'A (a@x), B',
      category: 'db',
    });
    expect(versionToTag('1.0.0+x.y+z')).toBe('1.0.0_x.y_z');
  });
});
