import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
      root: work,
      tmpDir: base,
    });
    expect(readFileSync(join(work, 'vendor', 'lib', 'deep', 'one.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(work, 'vendor', 'lib', 'stale.txt'))).toBe(false);
    expect(existsSync(join(work, 'vendor', 'lib', 'top.txt'))).toBe(false);
    await expect(
      copyArtifactToPath({
        storage,
        artifact: stored,
        fromPath: 'nope',
        toPath: join(work, 'x'),
        root: work,
        tmpDir: base,
      }),
    ).rejects.toThrow("path 'nope' does not exist in artifact");
    await expect(
      copyArtifactToPath({
        storage,
        artifact: { ...stored, digest: `sha256:${'0'.repeat(64)}` },
        fromPath: '',
        toPath: join(work, 'y'),
        root: work,
        tmpDir: base,
      }),
    ).rejects.toThrow(/digest/i);
  });

  it('never writes through a symlink of the including repository that leads outside it', async () => {
    const base = realpathSync(tmp());
    const storage = new Storage({ basePath: join(base, 'storage'), hostname: 'localhost' });
    const src = join(base, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'payload.txt'), 'payload\n');
    const stored = await storage.archive(
      storage.artifactFor('GitRepository', 'ns', 'lib', 'main@sha1:1', '1.tar.gz'),
      src,
    );
    const work = join(base, 'work');
    const victim = join(base, 'victim');
    mkdirSync(work);
    mkdirSync(victim);
    writeFileSync(join(victim, 'x'), 'host file\n');
    symlinkSync(victim, join(work, 'evil')); // committed to the including repository as a symlink
    const toPath = secureJoin(work, 'evil/x');
    await expect(
      copyArtifactToPath({ storage, artifact: stored, fromPath: '', toPath, root: work, tmpDir: base }),
    ).rejects.toThrow(`fs-security-constraint write ${toPath}: path '${toPath}' is not in or below '${work}'`);
    expect(readFileSync(join(victim, 'x'), 'utf8')).toBe('host file\n');
    expect(readdirSync(victim)).toEqual(['x']);
  });
});
