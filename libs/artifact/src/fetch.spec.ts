import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchArtifact } from './fetch.ts';
import { Storage } from './storage.ts';

let work: string;
let server: Server;
let base: string;
let requests: string[];
let routes: Map<string, (count: number) => { status: number; body?: Buffer }>;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'artifact-fetch-'));
  requests = [];
  routes = new Map();
  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(path);
    const route = routes.get(path);
    const r = route ? route(requests.filter((p) => p === path).length) : { status: 404 };
    res.statusCode = r.status;
    res.end(r.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(work, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function serve(path: string, body: Buffer): void {
  routes.set(path, () => ({ status: 200, body }));
}

/** Hand-built tar entry: header block from node-tar's Header plus padded body. */
function entry(data: HeaderData, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), size: body.length, ...data });
  h.encode();
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([h.block!, body, pad]);
}
const tarGz = (...entries: Buffer[]) => gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));

async function goodArchive(): Promise<Buffer> {
  const src = join(work, 'src');
  await mkdir(join(src, 'deploy'), { recursive: true });
  await writeFile(join(src, 'deploy/app.yaml'), 'kind: Namespace\n');
  await writeFile(join(src, 'kustomization.yaml'), 'resources: [deploy/app.yaml]\n');
  const s = new Storage({ basePath: join(work, 'storage'), hostname: 'x' });
  const a = await s.archive(s.artifactFor('GitRepository', 'ns', 'n', 'r', 'a.tar.gz'), src);
  return readFile(s.localPath(a));
}

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

const fast = { retryWaitMinMs: 1, retryWaitMaxMs: 2 };

describe('fetchArtifact', () => {
  it('downloads, verifies and extracts an artifact', async () => {
    const bytes = await goodArchive();
    serve('/gitrepository/ns/n/a.tar.gz', bytes);
    const dir = join(work, 'out');
    const res = await fetchArtifact({
      url: `${base}/gitrepository/ns/n/a.tar.gz`,
      digest: sha256(bytes),
      dir,
      ...fast,
    });
    expect(res).toEqual({ digest: sha256(bytes), size: bytes.length, entries: 3, skippedSymlinks: [] });
    expect(await listTree(dir)).toEqual(['deploy', 'deploy/app.yaml', 'kustomization.yaml']);
    expect(await readFile(join(dir, 'deploy/app.yaml'), 'utf8')).toBe('kind: Namespace\n');
  });

  it('accepts a bare hex digest as sha256 and honours the host override', async () => {
    const bytes = await goodArchive();
    serve('/a.tar.gz', bytes);
    const dir = join(work, 'out');
    const hex = sha256(bytes).slice('sha256:'.length);
    const res = await fetchArtifact({
      url: 'http://source-controller.flux-system.svc.cluster.local./a.tar.gz',
      hostOverride: new URL(base).host,
      digest: hex,
      dir,
      ...fast,
    });
    expect(res.digest).toBe(sha256(bytes));
    expect(requests).toEqual(['/a.tar.gz']);
  });

  it('rejects a digest mismatch before writing anything', async () => {
    const bytes = await goodArchive();
    serve('/a.tar.gz', bytes);
    const dir = join(work, 'out');
    const wrong = sha256(Buffer.from('something else'));
    await expect(fetchArtifact({ url: `${base}/a.tar.gz`, digest: wrong, dir, ...fast })).rejects.toMatchObject({
      name: 'ArtifactDigestMismatchError',
      expected: wrong,
      actual: sha256(bytes),
    });
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('fails at once on 404 with a typed error and no credentials in the message', async () => {
    const dir = join(work, 'out');
    const err = await fetchArtifact({
      url: `${base}/missing.tar.gz?token=s3cr3t`,
      digest: sha256(Buffer.from('x')),
      dir,
      retries: 5,
      ...fast,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ArtifactNotFoundError', code: 'NotFound' });
    expect((err as Error).message).toBe(
      `failed to download artifact from ${base}/missing.tar.gz: status 404 Not Found`,
    );
    expect(requests).toEqual(['/missing.tar.gz']);
  });

  it('retries 500 responses and then succeeds', async () => {
    const bytes = await goodArchive();
    routes.set('/flaky.tar.gz', (n) => (n < 3 ? { status: 500 } : { status: 200, body: bytes }));
    const res = await fetchArtifact({
      url: `${base}/flaky.tar.gz`,
      digest: sha256(bytes),
      dir: join(work, 'out'),
      ...fast,
    });
    expect(res.digest).toBe(sha256(bytes));
    expect(requests).toEqual(['/flaky.tar.gz', '/flaky.tar.gz', '/flaky.tar.gz']);
  });

  it('gives up after retries+1 attempts with the last status', async () => {
    routes.set('/down.tar.gz', () => ({ status: 503 }));
    const err = await fetchArtifact({
      url: `${base}/down.tar.gz`,
      digest: sha256(Buffer.from('x')),
      dir: join(work, 'out'),
      retries: 2,
      ...fast,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ArtifactDownloadError', status: 503 });
    expect((err as Error).message).toMatch(/status 503 after 3 attempts/);
    expect(requests).toHaveLength(3);
  });

  it('stops waiting between retries when the signal aborts', async () => {
    const controller = new AbortController();
    routes.set('/slow.tar.gz', () => {
      controller.abort(new Error('shutting down'));
      return { status: 500 };
    });
    await expect(
      fetchArtifact({
        url: `${base}/slow.tar.gz`,
        digest: sha256(Buffer.from('x')),
        dir: join(work, 'out'),
        signal: controller.signal,
        retryWaitMinMs: 600_000,
        retryWaitMaxMs: 600_000,
      }),
    ).rejects.toThrow(/shutting down/);
    expect(requests).toEqual(['/slow.tar.gz']);
  });

  it('does not leak userinfo when the request cannot be made', async () => {
    const err = await fetchArtifact({
      url: 'http://user:hunter2@127.0.0.1:1/a.tar.gz',
      digest: sha256(Buffer.from('x')),
      dir: join(work, 'out'),
      retries: 1,
      ...fast,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ArtifactDownloadError' });
    expect((err as Error).message).not.toContain('hunter2');
    expect((err as Error).message).not.toContain('user');
  });

  describe('malicious archives', () => {
    const cases: {
      name: string;
      archive: () => Buffer;
      error: RegExp;
      opts?: { maxSize?: number; maxFiles?: number };
    }[] = [
      {
        name: 'traversal entry after a good one',
        archive: () =>
          tarGz(
            entry({ path: 'ok.txt', type: 'File' }, Buffer.from('ok')),
            entry({ path: '../evil.txt', type: 'File' }, Buffer.from('pwned')),
          ),
        error: /unsafe archive entry '..\/evil.txt': path traversal/,
      },
      {
        name: 'nested traversal',
        archive: () => tarGz(entry({ path: 'a/../../evil.txt', type: 'File' }, Buffer.from('pwned'))),
        error: /path traversal/,
      },
      {
        name: 'absolute path',
        archive: () => tarGz(entry({ path: '/tmp/evil.txt', type: 'File' }, Buffer.from('pwned'))),
        error: /unsafe archive entry '\/tmp\/evil.txt': absolute path/,
      },
      {
        name: 'hardlink',
        archive: () => tarGz(entry({ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' })),
        error: /type Link is not allowed/,
      },
      {
        name: 'character device',
        archive: () => tarGz(entry({ path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 })),
        error: /type CharacterDevice is not allowed/,
      },
      {
        name: 'fifo',
        archive: () => tarGz(entry({ path: 'pipe', type: 'FIFO' })),
        error: /type FIFO is not allowed/,
      },
      {
        name: 'file larger than maxSize (gzip bomb)',
        archive: () => tarGz(entry({ path: 'zeros', type: 'File' }, Buffer.alloc(8 * 1024 * 1024))),
        error: /uncompressed size exceeds limit of 1048576 bytes/,
        opts: { maxSize: 1024 * 1024 },
      },
      {
        name: 'zero-block stream bomb',
        archive: () =>
          gzipSync(
            Buffer.concat([entry({ path: 'a', type: 'File' }, Buffer.from('a')), Buffer.alloc(16 * 1024 * 1024)]),
          ),
        error: /decompressed size exceeds limit/,
        opts: { maxSize: 1024 * 1024, maxFiles: 10 },
      },
      {
        name: 'too many files',
        archive: () =>
          tarGz(...Array.from({ length: 6 }, (_, i) => entry({ path: `f${i}`, type: 'File' }, Buffer.from('x')))),
        error: /more than 5 entries/,
        opts: { maxFiles: 5 },
      },
      {
        name: 'not a tarball',
        archive: () => gzipSync(Buffer.from('hello world, not a tar')),
        error: /invalid archive|Unrecognized archive format/,
      },
    ];
    it.each(cases)('rejects $name without writing anything', async ({ archive, error, opts }) => {
      const bytes = archive();
      serve('/bad.tar.gz', bytes);
      const parent = join(work, 'parent');
      const dir = join(parent, 'out');
      await mkdir(parent);
      await expect(
        fetchArtifact({ url: `${base}/bad.tar.gz`, digest: sha256(bytes), dir, ...fast, ...opts }),
      ).rejects.toThrow(error);
      expect(await listTree(parent)).toEqual([]);
      await expect(readFile(join(work, 'evil.txt'))).rejects.toThrow(/ENOENT/);
    });

    it('extracts a legitimate, highly compressible file: size bounds it, not the compression ratio', async () => {
      // 4 MiB of one byte compresses over 1000:1, which node-tar's default ratio check refuses (issue 26).
      const content = Buffer.alloc(4 * 1024 * 1024, 'a');
      const bytes = tarGz(entry({ path: 'repetitive.yaml', type: 'File' }, content));
      expect(content.length / bytes.length).toBeGreaterThan(1000);
      serve('/repetitive.tar.gz', bytes);
      const dir = join(work, 'out');
      const res = await fetchArtifact({ url: `${base}/repetitive.tar.gz`, digest: sha256(bytes), dir, ...fast });
      expect(res.entries).toBe(1);
      expect((await readFile(join(dir, 'repetitive.yaml'))).equals(content)).toBe(true);
    });

    it('does not write through a symlink already present in dir', async () => {
      const bytes = tarGz(entry({ path: 'x/evil.txt', type: 'File' }, Buffer.from('pwned')));
      serve('/pre.tar.gz', bytes);
      const outside = join(work, 'outside');
      const dir = join(work, 'out');
      await mkdir(outside);
      await mkdir(dir);
      await symlink(outside, join(dir, 'x'));
      await expect(
        fetchArtifact({ url: `${base}/pre.tar.gz`, digest: sha256(bytes), dir, ...fast }),
      ).rejects.toMatchObject({
        name: 'UnsafeArchiveError',
        message: expect.stringMatching(/Cannot extract through symbolic link/),
      });
      expect(await readdir(outside)).toEqual([]);
    });

    it('skips symlinks, so a later entry through the link name stays inside dir', async () => {
      const bytes = tarGz(
        entry({ path: 'link', type: 'SymbolicLink', linkpath: '../..' }),
        entry({ path: 'abs', type: 'SymbolicLink', linkpath: '/etc' }),
        entry({ path: 'link/evil.txt', type: 'File' }, Buffer.from('contained')),
      );
      serve('/sym.tar.gz', bytes);
      const parent = join(work, 'parent');
      const dir = join(parent, 'out');
      const res = await fetchArtifact({ url: `${base}/sym.tar.gz`, digest: sha256(bytes), dir, ...fast });
      expect(res.skippedSymlinks).toEqual(['link', 'abs']);
      expect(await listTree(parent)).toEqual(['out', 'out/link', 'out/link/evil.txt']);
      expect(await readFile(join(dir, 'link/evil.txt'), 'utf8')).toBe('contained');
      await expect(readFile(join(work, 'evil.txt'))).rejects.toThrow(/ENOENT/);
    });
  });
});
