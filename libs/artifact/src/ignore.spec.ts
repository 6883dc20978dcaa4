import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSourceIgnoreFilter, createIgnoreFilter, loadSourceIgnoreLayers, readPatterns } from './ignore.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'artifact-ignore-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(rel: string, content = ''): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), content);
}

describe('readPatterns', () => {
  it('drops comments and blank lines', () => {
    expect(readPatterns('# c\n\n*.txt\n  \n!keep.txt\r\nfoo/ \n')).toEqual(['*.txt', '!keep.txt', 'foo/']);
  });
});

describe('createIgnoreFilter without custom patterns (defaults apply)', () => {
  const f = createIgnoreFilter([]);
  it.each([
    ['.git', true, true],
    ['.gitignore', false, true],
    ['sub/.gitmodules', false, true],
    ['.gitattributes', false, true],
    ['logo.png', false, true],
    ['docs/img/photo.JPG', false, false],
    ['dist/app.tar.gz', false, true],
    ['.github', true, true],
    ['.circleci', true, true],
    ['.travis.yml', false, true],
    ['deep/dir/.sops.yaml', false, true],
    ['deep/.goreleaser.yml', false, true],
    ['.flux.yaml', false, true],
    ['deploy/app.yaml', false, false],
    ['README.md', false, false],
    ['deploy', true, false],
  ] as const)('%s (dir=%s) excluded=%s', (path, isDir, excluded) => {
    expect(f(path, isDir)).toBe(excluded);
  });
});

describe('createIgnoreFilter with custom patterns (defaults dropped, VCS kept)', () => {
  const f = createIgnoreFilter([{ domain: '', patterns: ['*.md'] }]);
  it.each([
    ['logo.png', false, false],
    ['.github', true, false],
    ['.git', true, true],
    ['.gitignore', false, true],
    ['README.md', false, true],
    ['a/b/NOTES.md', false, true],
    ['app.yaml', false, false],
  ] as const)('%s (dir=%s) excluded=%s', (path, isDir, excluded) => {
    expect(f(path, isDir)).toBe(excluded);
  });
});

describe('buildSourceIgnoreFilter', () => {
  it('scopes nested .sourceignore files to their directory and lets spec.ignore win', async () => {
    await put('.sourceignore', '# root rules\n*.txt\n');
    await put('apps/.sourceignore', 'secret.yaml\n!keep.txt\n');
    await put('apps/secret.yaml', 'x');
    await put('secret.yaml', 'x');
    await put('apps/keep.txt', 'x');
    const f = await buildSourceIgnoreFilter(root, { ignore: '/secret.yaml\n!notes.txt\n' });
    expect(f('notes.txt', false)).toBe(false); // spec.ignore negation is the highest priority
    expect(f('other.txt', false)).toBe(true); // root .sourceignore
    expect(f('apps/secret.yaml', false)).toBe(true); // nested .sourceignore
    expect(f('secret.yaml', false)).toBe(true); // spec.ignore anchored to root
    expect(f('infra/secret.yaml', false)).toBe(false); // apps/.sourceignore does not leak out of apps/
    expect(f('apps/keep.txt', false)).toBe(false); // deeper file overrides the root rule
    expect(f('logo.png', false)).toBe(false); // custom patterns exist: defaults dropped
    expect(f('.git', true)).toBe(true); // VCS always
  });

  it('keeps the defaults when there are no custom patterns (empty spec.ignore, comment-only .sourceignore)', async () => {
    await put('.sourceignore', '# nothing here\n');
    const f = await buildSourceIgnoreFilter(root, { ignore: '' });
    expect(f('logo.png', false)).toBe(true);
    expect(f('app.yaml', false)).toBe(false);
  });

  it('loads .sourceignore files recursively, parents first, skipping .git', async () => {
    await put('b/c/.sourceignore', 'c\n');
    await put('a/.sourceignore', 'a\n');
    await put('.sourceignore', 'root\n');
    await put('.git/.sourceignore', 'never\n');
    const layers = await loadSourceIgnoreLayers(root);
    expect(layers).toEqual([
      { domain: '', patterns: ['root'] },
      { domain: 'a', patterns: ['a'] },
      { domain: 'b/c', patterns: ['c'] },
    ]);
  });
});
