import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadIndex, loadIndexReference } from './index-file.ts';
import { parseIndexYamlFast, parseIndexYamlReference } from './index-yaml.ts';

/** The reference parse's tree, or its error text. */
function reference(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parseIndexYamlReference(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** loadIndex's result or error text. */
function outcome(load: typeof loadIndex, text: string): unknown {
  try {
    const i = load(text, 'https://charts.example.com');
    return { ...i };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const entry = (name: string, version: string, extra = ''): string =>
  `  - name: ${name}\n    version: ${version}\n    apiVersion: v2\n    urls:\n    - ${name}-${version}.tgz\n${extra}`;

/** A helm-written index with varied (valid and invalid) entries. */
function index(charts: number): string {
  let s = 'apiVersion: v1\nentries:\n';
  for (let c = 0; c < charts; c++) {
    s += `  chart-${c}:\n`;
    for (let v = 0; v < 4; v++) {
      s += entry(
        `chart-${c}`,
        v === 3 && c % 5 === 0 ? '1.x' : `${c}.${v}.0`,
        `    appVersion: "${v}.0"\n    created: "2026-11-0${v + 1}T10:00:00.123456789Z"\n` +
          `    description: 'R&D *fast* chart: it''s "${c}"'\n    digest: ${'ab'.repeat(32)}\n` +
          `    annotations:\n      category: Database\n      images: |\n        - image: x:${v}\n` +
          `    keywords: [a, "b", 'c']\n    maintainers:\n    - name: M\n      email: m@example.com\n` +
          `    dependencies:\n    - name: common\n      version: 2.x.x\n      repository: oci://r/c\n      tags: [t]\n`,
      );
    }
  }
  return s + 'generated: "2026-12-07T17:00:00Z"\n';
}

const SCALARS = [
  '~',
  'null',
  'Null',
  '',
  'y',
  'Y',
  'n',
  'yes',
  'No',
  'on',
  'OFF',
  'true',
  'False',
  '0x1F',
  '0o17',
  '017',
  '08',
  '1_000',
  '1e3',
  '1E+3',
  '.5',
  '-.inf',
  '+.Inf',
  '.NaN',
  '1.',
  '-0',
  '+12',
  '0b101',
  '-0b11',
  '1.10',
  '1.0',
  '2.x',
  '12:30',
  '190:20:30',
  '2026-12-07',
  '2026-12-07T10:00:00Z',
  '2026-12-07 10:00:00',
  '2026-02-30',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '-9223372036854775809',
  '1__0',
  '0x_1',
  '._1',
  '.1_0',
  'v1.2.3',
  '1.2.3',
  '1e',
  'nul',
  'yess',
  '+',
  '.',
];

/** Inputs the two parsers must agree on (the fast one may decline any of them). */
const TRICKY = [
  index(3),
  `serverInfo:\n${SCALARS.map((s, i) => `  k${i}: ${s}\n`).join('')}`,
  `serverInfo:\n  list: [${SCALARS.filter((s) => s !== '').join(', ')}]\n`,
  `serverInfo:\n${SCALARS.filter((s) => s !== '')
    .map((s) => `  ${s}: v\n`)
    .join('')}`,
  'serverInfo:\n  "true": 1\n  \'~\': 2\n  "1.0": 3\n',
  'a: &x {b: 1}\nc: *x\n',
  'a: &x\n  b: 1\nc:\n  <<: *x\n  d: 2\n',
  'a:\n  <<: {b: 1}\n  c: 2\n',
  '%YAML 1.1\n---\napiVersion: v1\n',
  'apiVersion: v1\n---\napiVersion: v2\n',
  '---\napiVersion: v1\n...\n',
  'a: !!str 12\nb: !!int "12"\n',
  'a: !foo x\n',
  'a: ! 12\n',
  'a: |\n  x\n   y\n\n\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  keep\n\n',
  'a: "\\x41\\u263A\\t\\N\\_"\nb: \'it\'\'s\'\nc: "multi\n  line"\nd: plain\n  continued\n',
  'a: {b: 1, c: [x, y, {d: e}], "f": null}\n',
  '',
  '# only a comment\n',
  '\uFEFFapiVersion: v1\n',
  'apiVersion: v1\r\nentries: {}\r\n',
  'a:\n\tb: 1\n',
  'a: 1\na: 2\n',
  'a: {b: 1, b: 2}\n',
  `${'k'.repeat(1100)}: v\n`,
  '? complex\n: value\n',
  '? [a, b]\n: value\n',
  'a: b: c\n',
  'a: value # comment\nb: "#not a comment"\n',
  '- a\n- b\n',
  'plain text\n',
  '__proto__: {a: 1}\nb: 2\n',
  'a: [1, 2\n',
  'a: "unterminated\n',
  'a: @b\n',
  'a: `b\n',
  'a: b\n  c: d\n',
];

describe('parseIndexYamlFast against the reference parse', () => {
  it('gives the same tree on every input it accepts, and declines those it must', () => {
    const declined: number[] = [];
    TRICKY.forEach((text, i) => {
      const fast = parseIndexYamlFast(text);
      if (fast === undefined) {
        declined.push(i);
        return;
      }
      expect({ i, ...reference(text) }).toEqual({ i, value: fast.value });
    });
    // declined: keys that read as non-strings (3, 4), anchors and merge keys (5-7), a directive (8), two documents
    // (9), unknown tags (11, 12), tab indentation (21), duplicate keys (22, 23), a key over 1024 characters (24), a
    // collection key (26) and broken YAML (27, 32-36)
    expect(declined).toEqual([3, 4, 5, 6, 7, 8, 9, 11, 12, 21, 22, 23, 24, 26, 27, 32, 33, 34, 35, 36]);
    // a helm-written index, with `&` and `*` inside strings, is read by js-yaml
    expect(declined).not.toContain(0);
  });

  it('reads every plain scalar as go-yaml v2 does (strings, null, bools, ints as bigint, floats)', () => {
    const fast = parseIndexYamlFast(`serverInfo:\n${SCALARS.map((s, i) => `  k${i}: ${s}\n`).join('')}`);
    const v = (fast?.value as { serverInfo: Record<string, unknown> }).serverInfo;
    const at = (s: string): unknown => v[`k${SCALARS.indexOf(s)}`];
    expect([at('~'), at(''), at('y'), at('No'), at('on'), at('0x1F'), at('017'), at('1_000'), at('1.10')]).toEqual([
      null,
      null,
      true,
      false,
      true,
      31n,
      15n,
      1000n,
      1.1,
    ]);
    expect([at('12:30'), at('2026-12-07'), at('2026-02-30'), at('v1.2.3'), at('18446744073709551616')]).toEqual([
      '12:30',
      '2026-12-07',
      '2026-02-30',
      'v1.2.3',
      18446744073709551616,
    ]);
    expect([at('9223372036854775808'), at('-.inf'), at('.NaN')]).toEqual([9223372036854775808n, -Infinity, NaN]);
  });
});

describe('loadIndex against loadIndexReference', () => {
  it('gives the same index (entries, warnings) or the same error on whole indexes', { timeout: 60_000 }, () => {
    const good = index(6);
    const variants = [
      good,
      good.replace('apiVersion: v1\n', 'apiVersion: 1.10\n'),
      good.replace('appVersion: "1.0"', 'appVersion: 1.0'),
      good.replace('version: 2.1.0', 'version: 2.10'),
      good.replace('    name: chart-1\n', '    name: chart-1\n    name: b\n'),
      good.replace('    name: chart-1\n', '    name: chart-1\n    foo: bar\n'),
      good.replace('apiVersion: v1\n', 'apiVersion: v1\nserverInfo: &s {a: 1}\nannotations:\n  <<: *s\n'),
      good.replace('entries:\n', 'entries:\n  yes:\n  - name: yes\n    version: 1.0.0\n    urls: [a]\n'),
      good.replace('    description:', '    deprecated: yes\n    description:'),
      good.replace('generated: "2026-12-07T17:00:00Z"', 'generated: 2026-12-07T17:00:00Z'),
      good + '---\napiVersion: v2\n',
      'apiVersion: v1\nentries:\n  a:\n  -\n  - ~\n  b: []\n  c:\n',
      'apiVersion: [v1]\n',
      '- apiVersion: v1\n',
    ];
    variants.forEach((text, i) => {
      expect({ i, r: outcome(loadIndex, text) }).toEqual({ i, r: outcome(loadIndexReference, text) });
    });
    // the good index loads (its `1.x` versions dropped with a warning each), through js-yaml
    const r = loadIndex(good);
    expect(Object.keys(r.entries)).toHaveLength(6);
    expect(r.warnings).toHaveLength(2);
    expect(parseIndexYamlFast(good)).toBeDefined();
    expect(isDeepStrictEqual(loadIndex(new TextEncoder().encode(good)), loadIndexReference(good))).toBe(true);
  });
});
