import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Storage } from '@flux-ts/artifact';
import { copyArtifactToPath, secureJoin } from './include.ts';

describe('include helpers', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'flux-ts-include-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('secureJoin clamps traversal at the root', () => {
    expect(secureJoin('/w', 'a/b')).toBe('/w/a/b');
    expect(secureJoin('/w', '../../etc')).toBe('/w/etc');
    expect(secureJoin('/w', '/abs/x')).toBe('/w/abs/x');
    expect(secureJoin('/w', '')).toBe('/w');
    expect(secureJoin('/w', '..')).toBe('/w');
  });

  it('copies a sub path of a stored artifact, replacing the target', async () => {
    const base = tmp();
    const storage = new Storage({ basePath: join(base, 'storage'), hostname: 'localhost' });
    const src = join(base, 'src');
    mkdirSync(join(src, 'lib', 'deep'), { recursive: true });
    writeFileSync(join(src, 'lib', 'deep', 'one.txt'), 'one\n');
    writeFileSync(join(src, 'top.txt'), 'top\n');
    const stored = await storage.archive(
      storage.artifactFor('GitRepository', 'ns', 'lib', 'main@sha1:1', '1.tar.gz'),
      src,
    );
    const work = join(base, 'work');
    mkdirSync(join(work, 'vendor', 'lib'), { recursive: true });
    writeFileSync(join(work, 'vendor', 'lib', 'stale.txt'), 'stale\n');
    await copyArtifactToPath({
      storage,
      artifact: stored,
      fromPath: 'lib',
      toPath: join(work, 'vendor', 'lib'),
      tmpDir: base,
    });
    expect(readFileSync(join(work, 'vendor', 'lib', 'deep', 'one.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(work, 'vendor', 'lib', 'stale.txt'))).toBe(false);
    expect(existsSync(join(work, 'vendor', 'lib', 'top.txt'))).toBe(false);
    await expect(
      copyArtifactToPath({ storage, artifact: stored, fromPath: 'nope', toPath: join(work, 'x'), tmpDir: base }),
    ).rejects.toThrow("path 'nope' does not exist in artifact");
    await expect(
      copyArtifactToPath({
        storage,
        artifact: { ...stored, digest: `sha256:${'0'.repeat(64)}` },
        fromPath: '',
        toPath: join(work, 'y'),
        tmpDir: base,
      }),
    ).rejects.toThrow(/digest/i);
  });
});
