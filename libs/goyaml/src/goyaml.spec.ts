import { describe, expect, it } from 'vitest';
import { GO_YAML_V2, YAML_V3, emitDocument, keyLess, resolve, sortKeys, type YamlNode } from './index.ts';

const str = (value: string): YamlNode => ({ kind: 'string', value });
const map = (entries: [string, YamlNode][]): YamlNode => ({ kind: 'mapping', entries });
const seq = (...items: YamlNode[]): YamlNode => ({ kind: 'sequence', items });
const v2 = (s: string): string => emitDocument(map([['v', str(s)]]), GO_YAML_V2);

describe('key order (keyList.Less)', () => {
  it('orders digit runs numerically and letters after other characters (as helm 3.18.0 toYaml does)', () => {
    const keys = ['x1', 'x01', 'x001', 'X', 'x-', 'x_', 'x2y', 'x10y', '10', '9a', 'é'];
    expect(sortKeys(keys)).toEqual(['9a', '10', 'X', 'x-', 'x_', 'x1', 'x01', 'x001', 'x2y', 'x10y', 'é']);
    expect(sortKeys(['a10', 'a9', 'b', 'B', '_z', '10', '9'])).toEqual(['_z', '9', '10', 'B', 'a9', 'a10', 'b']);
    expect(keyLess('apiVersion', 'kind')).toBe(true);
    expect(keyLess('kind', 'apiVersion')).toBe(false);
  });

  it('compares digit runs as int64s in Go, wrapping past 2^63 (as kubectl kustomize and helm 3.18.0 order them)', () => {
    const keys = ['a1', 'a10', 'a9223372036854775807', 'a30000000000000000000', 'a18446744073709551617', 'a2'];
    expect(sortKeys(keys)).toEqual([
      'a30000000000000000000',
      'a1',
      'a18446744073709551617',
      'a2',
      'a10',
      'a9223372036854775807',
    ]);
  });

  it('compares letters by code point (helm 3.18.0 and kubectl put U+FF5A before U+1D400)', () => {
    expect(sortKeys(['\u{1D400}', '\uFF5A', 'z'])).toEqual(['z', '\uFF5A', '\u{1D400}']);
  });
});

describe('resolve (resolve.go)', () => {
  it('reads YAML 1.1 plain scalars', () => {
    expect(resolve('')).toEqual({ tag: 'null', value: null });
    expect(resolve('~')).toEqual({ tag: 'null', value: null });
    expect(resolve('yes')).toEqual({ tag: 'bool', value: true });
    expect(resolve('Off')).toEqual({ tag: 'bool', value: false });
    expect(resolve('-.Inf')).toEqual({ tag: 'float', value: -Infinity });
    expect(resolve('017')).toEqual({ tag: 'int', value: 15n });
    expect(resolve('+0b11')).toEqual({ tag: 'int', value: 3n });
    expect(resolve('0x_1F')).toEqual({ tag: 'int', value: 31n });
    expect(resolve('1__0')).toEqual({ tag: 'int', value: 10n });
    expect(resolve('18446744073709551615')).toEqual({ tag: 'int', value: 18446744073709551615n });
    expect(resolve('08')).toEqual({ tag: 'float', value: 8 });
    expect(resolve('2001-12-14')).toEqual({ tag: 'timestamp', value: '2001-12-14' });
    expect(resolve('<<')).toEqual({ tag: 'str', value: '<<' });
  });

  it('follows strconv where the copies it replaces did not (each checked against helm 3.18.0 values)', () => {
    expect(resolve('.5_0')).toEqual({ tag: 'float', value: 0.5 });
    expect(resolve('.5e1_0')).toEqual({ tag: 'float', value: 5e9 });
    expect(resolve('0b-1')).toEqual({ tag: 'int', value: -1n });
    expect(resolve('0b+1')).toEqual({ tag: 'int', value: 1n });
    for (const s of ['._5', '.5__0', '0b', '-0b', '1e400', '0x10000000000000000', '-0x8000000000000001', '_1']) {
      expect(resolve(s)).toEqual({ tag: 'str', value: s });
    }
  });
});

describe('emitDocument with go-yaml v2 (sigs.k8s.io/yaml)', () => {
  it('keeps sequences unindented, writes empty collections in flow and quotes what would resolve otherwise', () => {
    const doc = map([
      ['kind', str('X')],
      ['list', seq(str('on'), str('1'), str('plain'), str(''), seq(str('a')), map([['k', str('b')]]))],
      ['m', map([])],
      ['nil', { kind: 'scalar', text: 'null' }],
      ['s', seq()],
    ]);
    expect(emitDocument(doc, GO_YAML_V2)).toBe(
      'kind: X\nlist:\n- "on"\n- "1"\n- plain\n- ""\n- - a\n- k: b\nm: {}\nnil: null\ns: []\n',
    );
  });

  it('quotes as helm 3.18.0 toYaml and kubectl kustomize do', () => {
    const plain = ['._5', '0x10000000000000000', '0o7777777777777777777777777', '-0x8000000000000001', '_1', '1e400'];
    const timestamps = ['2001-12-14t21:59:43.10Z', '2001-12-14 21:59:43.10', '2001-12-14T1:2:3Z', '2001-1-1'];
    const notTimestamps = ['2001-13-45', '2001-12-14T21:59:43+5', '2001-2-30', '2002-12-14T21:59:43z'];
    for (const s of [...plain, ...notTimestamps]) expect(v2(s)).toBe(`v: ${s}\n`);
    for (const s of ['.5_0', '0xFFFFFFFFFFFFFFFF', '+_1', '1_', '1:20', '-0b101', ...timestamps]) {
      expect(v2(s)).toBe(`v: "${s}"\n`);
    }
    expect(v2("it's")).toBe("v: it's\n");
    expect(v2('*x')).toBe("v: '*x'\n");
    expect(v2('a\tb')).toBe('v: "a\\tb"\n');
    expect(v2('a\u0085b')).toBe('v: a b\n');
  });

  it('uses literal blocks with chomping and indentation hints', () => {
    const doc = map([
      ['a', str('x\ny\n')],
      ['b', str('x\ny')],
      ['c', str('x\n\n')],
      ['d', str(' x\ny')],
    ]);
    expect(emitDocument(doc, GO_YAML_V2)).toBe('a: |\n  x\n  y\nb: |-\n  x\n  y\nc: |+\n  x\n\nd: |2-\n   x\n  y\n');
  });

  it('folds long scalars at a space past column 80', () => {
    const long = Array.from({ length: 20 }, () => 'word').join(' ');
    expect(v2(long)).toBe(`v: ${long.slice(0, 79)}\n  ${long.slice(80)}\n`);
    expect(v2(`"${long}`)).toBe(`v: '"${long.slice(0, 79)}\n  ${long.slice(80)}'\n`);
  });

  it('indents a top-level scalar as a block node', () => {
    expect(emitDocument(str('x\ny'), GO_YAML_V2)).toBe('|-\n  x\n  y\n');
    expect(emitDocument({ kind: 'scalar', text: '1' }, GO_YAML_V2)).toBe('1\n');
  });
});

describe('characters go-yaml writes its own way (each checked against helm 3.18.0 and kubectl kustomize)', () => {
  it('escapes code points above U+FFFF, which is_printable does not take', () => {
    expect(v2('\u{1F600}')).toBe('v: "\\U0001F600"\n');
    expect(v2('café \u{1F355} pizza')).toBe('v: "café \\U0001F355 pizza"\n');
    expect(v2('#!/bin/sh\necho "\u{1F389}"\n')).toBe('v: "#!/bin/sh\\necho \\"\\U0001F389\\"\\n"\n');
    expect(v2('\u2705 ready')).toBe('v: \u2705 ready\n');
    expect(emitDocument(map([['a\u{1F600}', str('x')]]), YAML_V3)).toBe('"a\\U0001F600": x\n');
    // an escape is ten columns wide when folding
    const long = `${'\u{1F680}'.repeat(9)} ${'word '.repeat(16)}end`;
    expect(v2(long)).toBe(`v: "${'\\U0001F680'.repeat(9)}\n  ${'word '.repeat(15)}word\n  end"\n`);
  });

  it('escapes every character of a string that starts with a BOM (is_bom ignores its index)', () => {
    expect(v2('\uFEFF')).toBe('v: "\\uFEFF"\n');
    expect(v2('\uFEFFa b\u00e9\u00a0"\u{1F600}')).toBe('v: "\\uFEFF\\x61\\x20\\x62\\xE9\\_\\"\\U0001F600"\n');
    expect(v2('x\uFEFFy')).toBe('v: "x\\uFEFFy"\n');
    expect(v2(`\uFEFF${'a '.repeat(50)}`)).toBe(`v: "\\uFEFF${'\\x61\\x20'.repeat(50)}"\n`);
  });

  it('indents the line after a line separator in single-quoted and literal scalars', () => {
    expect(v2('a\u2028b')).toBe("v: 'a\u2028  b'\n");
    expect(v2('x\u2029')).toBe("v: 'x\u2029'\n");
    expect(emitDocument(map([['m', map([['v', str('one\u2029two\nthree')]])]]), GO_YAML_V2)).toBe(
      'm:\n  v: |-\n    one\u2029    two\n    three\n',
    );
    expect(v2('a\u2028b\tc')).toBe('v: "a\\Lb\\tc"\n');
  });

  it('reads its strings back from JSON with go-yaml v2 (sigs.k8s.io/yaml): a NEL folds, unreadable text fails', () => {
    expect(v2('a \u0085  b')).toBe('v: a b\n');
    expect(v2('a\u0085\u0085b')).toBe('v: |-\n  a\n  b\n');
    expect(v2('a\u0085\nb')).toBe('v: "a \\nb"\n');
    expect(v2('x\u0085---y')).toBe('v: x ---y\n');
    expect(emitDocument(map([['v', str('a\u0085b')]]), YAML_V3)).toBe('v: "a\\Nb"\n');
    for (const s of ['a\x7Fb', 'a\x80b', 'a\uFFFEb', 'a\uFFFF']) {
      expect(() => v2(s)).toThrow('yaml: control characters are not allowed');
    }
    expect(() => v2('x\u0085--- y')).toThrow('found unexpected document indicator');
    expect(() => emitDocument(map([['k\u0085', str('v')]]), GO_YAML_V2)).toThrow("did not find expected ','");
  });
});

describe('emitDocument with yaml.v3 (SetIndent(2))', () => {
  it('indents sequences in mappings and does not fold', () => {
    const long = Array.from({ length: 30 }, () => 'word').join(' ');
    const doc = map([['l', seq({ kind: 'scalar', text: '1' }, map([['a', seq(str('x'))]]), str(long))]]);
    expect(emitDocument(doc, YAML_V3)).toBe(`l:\n  - 1\n  - a:\n      - x\n  - ${long}\n`);
  });
});
