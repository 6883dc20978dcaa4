// Unit tests of what the helm differential suite reaches only indirectly.
import { describe, expect, it } from 'vitest';
import { GoInt } from '../template/values.ts';
import { parseInto, parseLiteralInto } from '../values/strvals.ts';
import { loadArchive, loadFiles } from './loader.ts';
import { writeArchive } from './archive.ts';
import { compileGlob } from './files.ts';
import { goMatch, IgnoreRules } from './helmignore.ts';

describe('filepath.Match and .helmignore', () => {
  it('matches as Go does', () => {
    expect(goMatch('*.txt', 'a.txt')).toBe(true);
    expect(goMatch('*.txt', 'd/a.txt')).toBe(false);
    expect(goMatch('[a-c]?', 'bz')).toBe(true);
    expect(goMatch('[^a]', 'a')).toBe(false);
    expect(goMatch('\\*', '*')).toBe(true);
    expect(() => goMatch('[', 'x')).toThrow('syntax error in pattern');
  });
  it('applies Helm’s rules, including its negation quirk', () => {
    const r = IgnoreRules.parse('logs/\n*.bak\n');
    expect(r.ignore('logs', true)).toBe(true);
    expect(r.ignore('logs', false)).toBe(false);
    expect(r.ignore('x/y.bak', false)).toBe(true);
    expect(IgnoreRules.parse('!keep.txt').ignore('other', false)).toBe(true);
    expect(() => IgnoreRules.parse('a/**/b')).toThrow('double-star (**) syntax is not supported');
  });
});

describe('Files.Glob (gobwas/glob)', () => {
  it('compiles *, **, ?, classes and alternatives', () => {
    expect(compileGlob('files/*')?.test('files/a/b')).toBe(false);
    expect(compileGlob('files/**')?.test('files/a/b')).toBe(true);
    expect(compileGlob('{a,b}.txt')?.test('b.txt')).toBe(true);
    expect(compileGlob('[!a].txt')?.test('a.txt')).toBe(false);
    expect(compileGlob('[')).toBeUndefined();
  });
});

describe('strvals', () => {
  it('infers int64, bool, null and keeps strings', () => {
    const v: Record<string, unknown> = {};
    parseInto('a=1,b=true,c=null,d=01,e=1.5', v);
    expect(v).toEqual({ a: new GoInt('int64', 1n), b: true, c: null, d: '01', e: '1.5' });
  });
  it('--set-literal takes the rest of the string verbatim', () => {
    const v: Record<string, unknown> = {};
    parseLiteralInto('a.b=x,y\\z', v);
    expect(v).toEqual({ a: { b: 'x,y\\z' } });
  });
});

describe('chart archives', () => {
  it('loads a .tgz and rejects unsafe paths', () => {
    const ok = writeArchive('c', [
      { name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\nname: c\nversion: 1.0.0\n') },
    ]);
    expect(loadArchive(ok).name()).toBe('c');
    const evil = writeArchive('c', [{ name: '../../etc/x', data: Buffer.from('x') }]);
    expect(() => loadArchive(evil)).toThrow('chart illegally references parent directory');
    expect(() => loadArchive(Buffer.from('nope'))).toThrow('gzip: invalid header');
  });
  it('reports a missing Chart.yaml and a bad subchart', () => {
    expect(() => loadFiles([])).toThrow('Chart.yaml file is missing');
  });
});
