import { createHash } from 'node:crypto';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { list, type ReadEntry } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIgnoreFilter } from './ignore.ts';
import { Storage } from './storage.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'artifact-storage-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function newStorage(extra: Partial<ConstructorParameters<typeof Storage>[0]> = {}): Storage {
  return new Storage({
    basePath: join(work, 'storage'),
    hostname: 'source-controller.flux-system.svc.cluster.local.',
    ...extra,
  });
}

async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'b/sub'), { recursive: true });
  await mkdir(join(root, 'a'), { recursive: true });
  await mkdir(join(root, 'empty'), { recursive: true });
  await writeFile(join(root, 'b/sub/z.yaml'), 'kind: ConfigMap\n');
  await writeFile(join(root, 'a/one.txt'), 'one');
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'run.sh'), 0o755);
  await writeFile(join(root, 'README.md'), '# readme\n');
  await chmod(join(root, 'README.md'), 0o664);
  await symlink('/etc/passwd', join(root, 'link-out'));
  await symlink('a/one.txt', join(root, 'link-in'));
}

interface HeaderFacts {
  path: string;
  type: string;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  uname: string | undefined;
  gname: string | undefined;
  mtime: number | undefined;
  size: number;
}

async function readHeaders(file: string): Promise<HeaderFacts[]> {
  const out: HeaderFacts[] = [];
  await list({
    file,
    onReadEntry: (e: ReadEntry) => {
      out.push({
        path: e.path,
        type: e.type,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        uname: e.uname,
        gname: e.gname,
        mtime: e.mtime?.getTime(),
        size: e.size,
      });
    },
  });
  return out;
}

describe('Storage layout', () => {
  it('builds lowercase-kind paths and http URLs from the advertised address', () => {
    const s = newStorage();
    const a = s.artifactFor('GitRepository', 'flux-system', 'podinfo', 'main@sha1:abc', 'abc.tar.gz');
    expect(a).toEqual({
      path: 'gitrepository/flux-system/podinfo/abc.tar.gz',
      url: 'http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/abc.tar.gz',
      revision: 'main@sha1:abc',
    });
    expect(s.localPath(a)).toBe(join(work, 'storage', 'gitrepository/flux-system/podinfo/abc.tar.gz'));
  });

  it('uses an advertised address with a scheme as-is', () => {
    const s = newStorage({ hostname: 'https://artifacts.example.com/' });
    expect(s.artifactFor('Bucket', 'ns', 'b', 'sha256:x', 'x.tar.gz').url).toBe(
      'https://artifacts.example.com/bucket/ns/b/x.tar.gz',
    );
  });

  it.each(['../escape', 'a/../../x', '/etc/passwd', 'a/..', 'x\0y'])('refuses path %j escaping the root', (p) => {
    expect(() => newStorage().localPath(p)).toThrow(/must stay inside the storage root/);
  });

  it('rejects an unknown digest algorithm', () => {
    expect(() => newStorage({ digestAlgo: 'md5' })).toThrow(/unsupported digest algorithm 'md5'/);
  });
});

describe('Storage.archive', () => {
  it('writes a reproducible tarball: same tree, same bytes, regardless of mtimes and owners', async () => {
    const src = join(work, 'src');
    await makeTree(src);
    const s = newStorage();
    const a = s.artifactFor('GitRepository', 'default', 'repo', 'main@sha1:1', 'one.tar.gz');
    const first = await s.archive(a, src);
    const bytes1 = await readFile(s.localPath(first));
    // touch everything: new mtimes must not change the digest
    for (const p of ['b/sub/z.yaml', 'a/one.txt', 'run.sh', 'README.md', 'a', 'b', '.']) {
      await utimes(join(src, p), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    }
    const b = s.artifactFor('GitRepository', 'default', 'repo', 'main@sha1:1', 'two.tar.gz');
    const second = await s.archive(b, src);
    const bytes2 = await readFile(s.localPath(second));
    expect(second.digest).toBe(first.digest);
    expect(bytes2.equals(bytes1)).toBe(true);
    expect(first.digest).toBe(`sha256:${createHash('sha256').update(bytes1).digest('hex')}`);
    expect(first.size).toBe(bytes1.length);
    expect(Date.parse(first.lastUpdateTime)).not.toBeNaN();
  });

  it('normalises headers: sorted relative paths, uid/gid 0, empty names, zero mtime, fixed modes, no symlinks', async () => {
    const src = join(work, 'src');
    await makeTree(src);
    const s = newStorage();
    const stored = await s.archive(s.artifactFor('GitRepository', 'default', 'repo', 'r', 'x.tar.gz'), src);
    const headers = await readHeaders(s.localPath(stored));
    expect(headers.map((h) => h.path)).toEqual([
      'README.md',
      'a/',
      'a/one.txt',
      'b/',
      'b/sub/',
      'b/sub/z.yaml',
      'empty/',
      'run.sh',
    ]);
    for (const h of headers) {
      expect(h.uid).toBe(0);
      expect(h.gid).toBe(0);
      expect(h.uname ?? '').toBe('');
      expect(h.gname ?? '').toBe('');
      expect(h.mtime).toBe(0);
      expect(['File', 'Directory']).toContain(h.type);
    }
    const modeOf = (p: string) => headers.find((h) => h.path === p)?.mode;
    expect(modeOf('a/')).toBe(0o750);
    expect(modeOf('README.md')).toBe(0o600);
    expect(modeOf('run.sh')).toBe(0o700);
    expect(headers.find((h) => h.path === 'b/sub/z.yaml')?.size).toBe('kind: ConfigMap\n'.length);
  });

  it('handles paths longer than 100 bytes (pax) reproducibly', async () => {
    const src = join(work, 'src');
    const deep = join(src, 'x'.repeat(120), 'y'.repeat(150));
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, 'file.txt'), 'deep');
    const s = newStorage();
    const a1 = await s.archive(s.artifactFor('Bucket', 'd', 'n', 'r', '1.tar.gz'), src);
    const a2 = await s.archive(s.artifactFor('Bucket', 'd', 'n', 'r', '2.tar.gz'), src);
    expect(a1.digest).toBe(a2.digest);
    const headers = await readHeaders(s.localPath(a1));
    expect(headers.map((h) => h.path)).toContain(`${'x'.repeat(120)}/${'y'.repeat(150)}/file.txt`);
  });

  it('applies the ignore filter and does not descend into excluded directories', async () => {
    const src = join(work, 'src');
    await makeTree(src);
    await mkdir(join(src, '.git/objects'), { recursive: true });
    await writeFile(join(src, '.git/HEAD'), 'ref: refs/heads/main\n');
    const s = newStorage();
    const filter = createIgnoreFilter([{ domain: '', patterns: ['b/', '*.md'] }]);
    const stored = await s.archive(s.artifactFor('GitRepository', 'd', 'n', 'r', 'f.tar.gz'), src, { filter });
    const paths = (await readHeaders(s.localPath(stored))).map((h) => h.path);
    expect(paths).toEqual(['a/', 'a/one.txt', 'empty/', 'run.sh']);
  });

  it('writes atomically: mode 0600, no temp file left, failed write keeps the previous file', async () => {
    const src = join(work, 'src');
    await makeTree(src);
    const s = newStorage();
    const a = s.artifactFor('GitRepository', 'd', 'n', 'r', 'f.tar.gz');
    const stored = await s.archive(a, src);
    const before = await readFile(s.localPath(stored));
    expect((await stat(s.localPath(stored))).mode & 0o777).toBe(0o600);
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('boom'));
      },
    });
    await expect(s.copy(a, failing)).rejects.toThrow(/failed to write artifact 'gitrepository\/d\/n\/f.tar.gz'/);
    expect((await readFile(s.localPath(stored))).equals(before)).toBe(true);
    expect(await readdir(join(work, 'storage/gitrepository/d/n'))).toEqual(['f.tar.gz']);
  });

  it('aborts an archive via the signal and leaves no file', async () => {
    const src = join(work, 'src');
    await makeTree(src);
    const s = newStorage();
    const a = s.artifactFor('GitRepository', 'd', 'n', 'r', 'f.tar.gz');
    await expect(s.archive(a, src, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(await s.exists(a)).toBe(false);
    expect(await readdir(join(work, 'storage/gitrepository/d/n'))).toEqual([]);
  });
});

describe('Storage copy, digest and verify', () => {
  it.each([
    ['sha256', 'sha256'],
    ['sha1', 'sha1'],
    ['sha384', 'sha384'],
    ['sha512', 'sha512'],
  ] as const)('copyFromPath stores bytes with a %s digest', async (algo, nodeAlgo) => {
    const s = newStorage({ digestAlgo: algo });
    const file = join(work, 'index.yaml');
    await writeFile(file, 'apiVersion: v1\nentries: {}\n');
    const a = s.artifactFor('HelmRepository', 'd', 'n', 'sha256:x', 'index-x.yaml');
    const stored = await s.copyFromPath(a, file);
    const bytes = await readFile(file);
    expect(stored.digest).toBe(`${algo}:${createHash(nodeAlgo).update(bytes).digest('hex')}`);
    expect(stored.size).toBe(bytes.length);
    expect((await readFile(s.localPath(stored))).equals(bytes)).toBe(true);
    await expect(s.verify(stored)).resolves.toBeUndefined();
  });

  it('supports blake3 (known test vector of the empty input)', async () => {
    const s = newStorage({ digestAlgo: 'blake3' });
    const stored = await s.copy(s.artifactFor('Bucket', 'd', 'n', 'r', 'e.bin'), Readable.from([]));
    expect(stored.digest).toBe('blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    await expect(s.verify(stored)).resolves.toBeUndefined();
  });

  it('verify fails after the stored file is tampered with', async () => {
    const s = newStorage();
    const stored = await s.copy(s.artifactFor('Bucket', 'd', 'n', 'r', 'f.bin'), Readable.from([Buffer.from('good')]));
    await writeFile(s.localPath(stored), 'evil');
    await expect(s.verify(stored)).rejects.toMatchObject({
      name: 'ArtifactDigestMismatchError',
      code: 'DigestMismatch',
    });
    expect(await s.exists(stored)).toBe(true);
    expect(await s.exists({ path: 'bucket/d/n/missing' })).toBe(false);
  });
});

describe('Storage.lock', () => {
  it('serialises holders of the same artifact lock and uses <file>.lock', async () => {
    const s = newStorage();
    const a = s.artifactFor('GitRepository', 'd', 'n', 'r', 'f.tar.gz');
    const release1 = await s.lock(a);
    expect((await stat(`${s.localPath(a)}.lock`)).isDirectory()).toBe(true);
    const order: string[] = [];
    const second = s.lock(a).then(async (release2) => {
      order.push('second acquired');
      await release2();
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push('first releasing');
    await release1();
    await second;
    expect(order).toEqual(['first releasing', 'second acquired']);
    await expect(stat(`${s.localPath(a)}.lock`)).rejects.toThrow();
  });
});

describe('Storage.garbageCollect', () => {
  const MIN = 60_000;
  // ages in ms of the files in the object dir; "cur" is the current artifact
  const cases: { name: string; ttl: number; records: number; files: Record<string, number>; deleted: string[] }[] = [
    { name: 'nothing old', ttl: MIN, records: 2, files: { cur: 0, a: 1000 }, deleted: [] },
    {
      name: 'beyond records though young',
      ttl: MIN,
      records: 2,
      files: { cur: 0, a: 1000, b: 2000, c: 3000 },
      deleted: ['b', 'c'],
    },
    { name: 'expired though within records', ttl: MIN, records: 5, files: { cur: 0, a: 2 * MIN }, deleted: ['a'] },
    { name: 'current kept even if expired', ttl: MIN, records: 1, files: { cur: 10 * MIN, a: 1000 }, deleted: ['a'] },
    {
      name: 'mixed',
      ttl: MIN,
      records: 3,
      files: { cur: 0, a: 1000, b: 2000, c: 3000, d: 2 * MIN },
      deleted: ['c', 'd'],
    },
    { name: 'lock files never collected', ttl: MIN, records: 1, files: { cur: 0, 'cur.lock': 5 * MIN }, deleted: [] },
  ];
  it.each(cases)('$name', async ({ ttl, records, files, deleted }) => {
    const s = newStorage({ retentionTtlMs: ttl, retentionRecords: records });
    const current = s.artifactFor('GitRepository', 'd', 'n', 'r', 'cur');
    const dir = await s.mkdirFor(current);
    const now = Date.now();
    for (const [name, age] of Object.entries(files)) {
      await writeFile(join(dir, name), name);
      const t = new Date(now - age);
      await utimes(join(dir, name), t, t);
    }
    const removed = await s.garbageCollect(current);
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([...deleted].sort());
    const left = (await readdir(dir)).sort();
    expect(left).toEqual(
      Object.keys(files)
        .filter((f) => !deleted.includes(f))
        .sort(),
    );
  });

  it('looks at no more than 1000 files per run', async () => {
    const s = newStorage({ retentionRecords: 1 });
    const current = s.artifactFor('GitRepository', 'd', 'n', 'r', 'cur');
    const dir = await s.mkdirFor(current);
    await writeFile(join(dir, 'cur'), 'cur');
    for (let i = 0; i < 1010; i++) await writeFile(join(dir, `f${i}`), '');
    const removed = await s.garbageCollect(current);
    expect(removed.length).toBeGreaterThanOrEqual(998);
    expect(removed.length).toBeLessThanOrEqual(1000);
    expect((await readdir(dir)).length).toBe(1011 - removed.length);
  });

  it('fails when aborted', async () => {
    const s = newStorage();
    const current = s.artifactFor('GitRepository', 'd', 'n', 'r', 'cur');
    await s.mkdirFor(current);
    await expect(s.garbageCollect(current, { signal: AbortSignal.abort() })).rejects.toThrow(
      /failed to garbage collect artifacts of 'gitrepository\/d\/n'/,
    );
  });
});

describe('Storage.symlink', () => {
  it('points a relative link at the artifact, replaces it atomically, and GC ignores it', async () => {
    const s = newStorage({ retentionRecords: 1 });
    const v1 = await s.copy(
      s.artifactFor('HelmChart', 'd', 'c', '1.0.0', 'c-1.0.0.tgz'),
      Readable.from([Buffer.from('v1')]),
    );
    const link = await s.symlink(v1, 'latest.tar.gz');
    expect(await readlink(link)).toBe('c-1.0.0.tgz');
    const v2 = await s.copy(
      s.artifactFor('HelmChart', 'd', 'c', '1.1.0', 'c-1.1.0.tgz'),
      Readable.from([Buffer.from('v2')]),
    );
    await s.symlink(v2, 'latest.tar.gz');
    expect(await readFile(link, 'utf8')).toBe('v2');
    await s.garbageCollect(v2);
    expect((await readdir(dirname(link))).sort()).toEqual(['c-1.1.0.tgz', 'latest.tar.gz']);
    await expect(s.symlink(v2, '../x')).rejects.toThrow(/invalid symlink name/);
  });
});

describe('Storage.removeAll', () => {
  it('removes the whole object directory and only it', async () => {
    const s = newStorage();
    const a = s.artifactFor('GitRepository', 'd', 'n', 'r', 'f.tar.gz');
    const other = s.artifactFor('GitRepository', 'd', 'other', 'r', 'f.tar.gz');
    await s.copy(a, Readable.from([Buffer.from('x')]));
    await s.copy(other, Readable.from([Buffer.from('y')]));
    expect(await s.removeAll('GitRepository', 'd', 'n')).toBe(join(work, 'storage/gitrepository/d/n'));
    expect(await s.exists(a)).toBe(false);
    expect(await s.exists(other)).toBe(true);
    expect(await s.removeAll('GitRepository', 'd', 'n')).toBeUndefined();
  });
});
