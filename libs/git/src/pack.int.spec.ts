// The streamed clone path (pack.ts) against the git CLI's own checkout of the same commit: file modes, symlinks,
// shared subtrees and blobs, gitlinks, deltas (several similar versions at depth 2), a valid .git, and abort.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { chmod, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startGitHttpServer } from '@flux-ts/testbed';
import type { GitHttpServer } from '@flux-ts/testbed';
import { AbortedError, checkout } from './index.ts';
import { applyDelta } from './pack.ts';

let root: string;
let server: GitHttpServer;
let head: string;
const env = {
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@x',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@x',
};
const git = (cwd: string, ...args: string[]): Promise<string> =>
  run('git', ['-C', cwd, ...args], { env: { ...process.env, ...env } });

function tree(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (rel === '.git') continue;
    const st = lstatSync(join(dir, rel));
    if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(join(dir, rel))}`);
    else if (st.isDirectory()) out.push(`${rel}/`, ...tree(dir, rel));
    else out.push(`${rel} ${(st.mode & 0o111) !== 0 ? 'x' : '-'} ${readFileSync(join(dir, rel), 'utf8')}`);
  }
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-git-pack-'));
  const src = join(root, 'src');
  mkdirSync(join(src, 'a', 'same'), { recursive: true });
  mkdirSync(join(src, 'b', 'same'), { recursive: true });
  const big = Array.from({ length: 400 }, (_, i) => `line ${i} of a file that deltas well\n`).join('');
  await git(root, 'init', '-q', '-b', 'main', src);
  for (let v = 0; v < 3; v++) {
    writeFileSync(join(src, 'a', 'same', 'f.txt'), 'shared\n');
    writeFileSync(join(src, 'b', 'same', 'f.txt'), 'shared\n');
    writeFileSync(join(src, 'dup1.txt'), 'dup\n');
    writeFileSync(join(src, 'dup2.txt'), 'dup\n');
    writeFileSync(join(src, 'big.txt'), big + `version ${v}\n`);
    writeFileSync(join(src, 'big-copy.txt'), big + `copy ${v}\n`);
    writeFileSync(join(src, 'run.sh'), `#!/bin/sh\necho ${v}\n`);
    await chmod(join(src, 'run.sh'), 0o755);
    writeFileSync(join(src, 'empty'), '');
    await git(src, 'add', '-A');
    await git(src, 'commit', '-q', '-m', `v${v}`);
  }
  await symlink('a/same/f.txt', join(src, 'link'));
  await git(src, 'add', '-A');
  // A gitlink (submodule entry) without a .gitmodules: git checks it out as an empty directory.
  await git(
    src,
    'update-index',
    '--add',
    '--cacheinfo',
    `160000,${await git(src, 'rev-parse', 'HEAD').then((s) => s.trim())},sub`,
  );
  await git(src, 'commit', '-q', '-m', 'link');
  head = (await git(src, 'rev-parse', 'HEAD')).trim();
  await git(root, 'clone', '-q', '--bare', src, join(root, 'repos', 'r.git'));
  await git(join(root, 'repos', 'r.git'), 'repack', '-adq', '--depth=10', '--window=10');
  server = await startGitHttpServer({ root: join(root, 'repos') });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('streamed depth-N clone', { timeout: 30_000 }, () => {
  it('writes the same tree as git, with a valid .git', async () => {
    for (const depth of [1, 2]) {
      const ours = join(root, `ours-${depth}`);
      const res = await checkout({ url: `${server.url}/r.git`, dir: ours, ref: { branch: 'main' }, depth });
      expect(res.revision).toBe(`main@sha1:${head}`);
      const theirs = join(root, `git-${depth}`);
      await git(root, 'clone', '-q', '--depth', String(depth), '-b', 'main', `${server.url}/r.git`, theirs);
      expect(tree(ours)).toEqual(tree(theirs));
      expect(tree(ours)).toContain('sub/');
      expect(tree(ours)).toContain('link -> a/same/f.txt');
      await git(ours, 'fsck', '--full', '--no-dangling');
      expect((await git(ours, 'rev-parse', 'HEAD')).trim()).toBe(head);
      expect((await git(ours, 'rev-list', '--count', 'HEAD')).trim()).toBe(String(depth));
    }
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      checkout({ url: `${server.url}/r.git`, dir: join(root, 'aborted'), ref: { branch: 'main' }, signal: ac.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  it('applies copy and insert delta instructions', () => {
    const base = Buffer.from('hello world');
    // source size 11, target size 11: copy 6 bytes from 0, insert "there"
    const delta = Buffer.from([11, 11, 0x90, 6, 5, ...Buffer.from('there')]);
    expect(applyDelta(delta, base).toString()).toBe('hello there');
    expect(() => applyDelta(Buffer.from([10, 1, 1, 65]), base)).toThrow(/delta base/);
  });
});
