import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adler32, dirFiles, dirHash, hashDir } from './dirhash.ts';

describe('adler32', () => {
  it.each([
    ['', 1],
    ['abc', 0x024d0127],
    ['Wikipedia', 0x11e60398],
  ])('of %j is RFC 1950 Adler-32 (%i)', (text, want) => {
    expect(adler32(Buffer.from(text))).toBe(want);
  });

  it('is the same when fed in pieces as in one go, also past the reduction block', () => {
    const data = Buffer.alloc(20_000, 0xff);
    expect(adler32(data.subarray(7_000), adler32(data.subarray(0, 7_000)))).toBe(adler32(data));
  });
});

describe('dirHash', () => {
  const files: Record<string, string> = { 'p/b.yaml': 'b', 'p/a.yaml': 'a', 'p/sub/c.yaml': 'c' };
  const open = (name: string): Buffer => Buffer.from(files[name] ?? '');

  it('is upstream DirHash: sorted "<adler32 hex>  <name>" lines, Adler-32 in decimal', () => {
    const lines = ['p/a.yaml', 'p/b.yaml', 'p/sub/c.yaml']
      .map((n) => `${adler32(open(n)).toString(16)}  ${n}\n`)
      .join('');
    expect(dirHash(Object.keys(files), open)).toBe(String(adler32(Buffer.from(lines))));
  });

  it('does not depend on the order files are listed in', () => {
    expect(dirHash(['p/sub/c.yaml', 'p/a.yaml', 'p/b.yaml'], open)).toBe(dirHash(Object.keys(files), open));
  });

  it('refuses a file name with a newline, as upstream', () => {
    expect(() => dirHash(['a\nb'], () => Buffer.from(''))).toThrow('filenames with newlines are not supported');
  });
});

describe('hashDir', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tree = (content: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-hash-'));
    dirs.push(dir);
    for (const [p, c] of Object.entries(content)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    return dir;
  };

  it('lists files with the prefix, directories left out', () => {
    expect(dirFiles(tree({ 'a.yaml': '1', 'x/y/b.yaml': '2' }), 'app').sort()).toEqual([
      'app/a.yaml',
      'app/x/y/b.yaml',
    ]);
  });

  it('is stable for the same content and changes with a byte, a name or the prefix', () => {
    const base = hashDir(tree({ 'a.yaml': 'one', 'x/b.yaml': 'two' }), 'app');
    expect(hashDir(tree({ 'x/b.yaml': 'two', 'a.yaml': 'one' }), 'app')).toBe(base);
    expect(hashDir(tree({ 'a.yaml': 'one', 'x/b.yaml': 'twO' }), 'app')).not.toBe(base);
    expect(hashDir(tree({ 'a.yaml': 'one', 'y/b.yaml': 'two' }), 'app')).not.toBe(base);
    expect(hashDir(tree({ 'a.yaml': 'one', 'x/b.yaml': 'two' }), 'other')).not.toBe(base);
    expect(base).toMatch(/^\d+$/);
  });
});
