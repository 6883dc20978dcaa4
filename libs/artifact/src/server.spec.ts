import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildArtifactServer } from './server.ts';
import { Storage } from './storage.ts';

let work: string;
let storage: Storage;
let app: FastifyInstance;
const content = Buffer.from('artifact-bytes');

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'artifact-server-'));
  storage = new Storage({ basePath: join(work, 'storage'), hostname: 'localhost:9090' });
  await storage.copy(storage.artifactFor('GitRepository', 'ns', 'repo', 'r', 'abc.tar.gz'), Readable.from([content]));
  await writeFile(join(work, 'secret.txt'), 'outside');
  await mkdir(join(work, 'storage/helmrepository/ns/h'), { recursive: true });
  await writeFile(join(work, 'storage/helmrepository/ns/h/index-1.yaml'), 'entries: {}\n');
  await symlink('index-1.yaml', join(work, 'storage/helmrepository/ns/h/index.yaml'));
  await symlink(join(work, 'secret.txt'), join(work, 'storage/helmrepository/ns/h/escape.yaml'));
  await writeFile(join(work, 'storage/gitrepository/ns/repo/.abc.tar.gz.tmp-1'), 'partial');
  app = await buildArtifactServer({ storage });
});
afterEach(async () => {
  await app.close();
  await rm(work, { recursive: true, force: true });
});

describe('buildArtifactServer', () => {
  it('answers GET / for readiness', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ok');
  });

  it('serves a stored artifact with GET and HEAD', async () => {
    const get = await app.inject({ method: 'GET', url: '/gitrepository/ns/repo/abc.tar.gz' });
    expect(get.statusCode).toBe(200);
    expect(get.rawPayload.equals(content)).toBe(true);
    const head = await app.inject({ method: 'HEAD', url: '/gitrepository/ns/repo/abc.tar.gz' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(content.length));
    expect(head.body).toBe('');
  });

  it('follows symlinks that stay inside the storage root', async () => {
    const res = await app.inject({ method: 'GET', url: '/helmrepository/ns/h/index.yaml' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('entries: {}\n');
  });

  it.each([
    '/../secret.txt',
    '/gitrepository/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/gitrepository/%2E%2E/%2e%2e/secret.txt',
    '/gitrepository%2f..%2f..%2fsecret.txt',
    '/..%5c..%5csecret.txt',
    '/ABSOLUTE',
    '//etc/passwd',
    '/helmrepository/ns/h/escape.yaml',
    '/gitrepository/ns/repo/.abc.tar.gz.tmp-1',
    '/gitrepository/ns/repo',
    '/gitrepository/ns/repo/missing.tar.gz',
    '/%zz',
    '/a%00b',
  ])('answers 404 for %s', async (template) => {
    const url = template.replace('/ABSOLUTE', `/${encodeURIComponent(join(work, 'secret.txt'))}`);
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('outside');
    }
  });
});
