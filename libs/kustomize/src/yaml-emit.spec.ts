import { describe, expect, it } from 'vitest';
import { emitDocument, formatNumber, goYamlKeyLess, sortKeys } from './yaml-emit.ts';

describe('goYamlKeyLess', () => {
  it('orders digit runs numerically and letters after other characters', () => {
    expect(sortKeys(['ab', 'a10', 'a2', 'a_b', 'a-b', 'A', '01', '1'])).toEqual([
      '1',
      '01',
      'A',
      'a-b',
      'a_b',
      'a2',
      'a10',
      'ab',
    ]);
    expect(goYamlKeyLess('apiVersion', 'kind')).toBe(true);
    expect(goYamlKeyLess('kind', 'apiVersion')).toBe(false);
  });
});

describe('formatNumber', () => {
  it('prints integers plainly and floats like Go strconv g format', () => {
    expect(formatNumber(1000)).toBe('1000');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(1234567.5)).toBe('1.2345675e+06');
    expect(formatNumber(0.00001)).toBe('1e-05');
    expect(formatNumber(1e21)).toBe('1e+21');
  });
});

describe('emitDocument', () => {
  it('sorts keys, keeps sequences unindented and quotes ambiguous strings', () => {
    const out = emitDocument({ kind: 'X', apiVersion: 'v1', list: ['on', '1', 'plain', ''], m: {} });
    expect(out).toBe('apiVersion: v1\nkind: X\nlist:\n- "on"\n- "1"\n- plain\n- ""\nm: {}\n');
  });
  it('uses literal blocks with chomping indicators for multi-line strings', () => {
    expect(emitDocument({ a: 'x\ny\n', b: 'x\ny', c: 'x\n\n' })).toBe(
      'a: |\n  x\n  y\nb: |-\n  x\n  y\nc: |+\n  x\n\n',
    );
  });
  it('folds long plain scalars at 80 columns', () => {
    const long = Array.from({ length: 20 }, (_, i) => String.fromCharCode(97 + i).repeat(4)).join(' ');
    const out = emitDocument({ k: long });
    expect(out.split('\n')[1]?.startsWith('  ')).toBe(true);
    expect(out.replace(/\n {2}/g, ' ')).toBe(`k: ${long}\n`);
  });
  it('escapes control characters in double quotes', () => {
    expect(emitDocument({ t: 'a\tb', s: "it's", q: '*x' })).toBe("q: '*x'\ns: it's\nt: \"a\\tb\"\n");
  });
});
