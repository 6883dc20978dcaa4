import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArtifactTarball, parseArtifactUrl, parseCreds, parseRepositoryUrl } from './artifact.ts';

const tmp = mkdtempSync(join(tmpdir(), 'flux-ts-cli-artifact-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The entry names of an uncompressed tar. */
function tarNames(tar: Buffer): string[] {
  const names: string[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const name = tar
      .subarray(off, off + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(
      tar
        .subarray(off + 124, off + 136)
        .toString('utf8')
        .replace(/\0.*$/s, '')
        .trim() || '0',
      8,
    );
    names.push(name);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe('OCI artifacts', () => {
  it('parses oci:// URLs as flux does', () => {
    expect(parseArtifactUrl('oci://ghcr.io/org/app:v1')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: 'v1',
    });
    expect(parseRepositoryUrl('oci://localhost:5000/apps/demo')).toEqual({
      registry: 'localhost:5000',
      repository: 'apps/demo',
    });
    expect(() => parseArtifactUrl('ghcr.io/org/app')).toThrow("URL must be in format 'oci://<domain>/<org>/<repo>'");
  });

  it('reads --creds as user:password', () => {
    expect(parseCreds('bot:s3cr:et')).toEqual({ username: 'bot', password: 's3cr:et' });
    expect(parseCreds(undefined)).toBeUndefined();
  });

  it('builds a reproducible tarball of a directory, without ignored paths', async () => {
    const dir = join(tmp, 'src');
    mkdirSync(join(dir, 'apps'), { recursive: true });
    writeFileSync(join(dir, 'apps', 'cm.yaml'), 'kind: ConfigMap\n');
    writeFileSync(join(dir, 'notes.md'), 'notes\n');
    const signal = AbortSignal.timeout(10_000);
    const a = await buildArtifactTarball(dir, [], signal);
    const b = await buildArtifactTarball(dir, [], signal);
    expect(a.equals(b)).toBe(true);
    expect(tarNames(gunzipSync(a))).toEqual(['apps/', 'apps/cm.yaml', 'notes.md']);
    expect(tarNames(gunzipSync(await buildArtifactTarball(dir, ['*.md'], signal)))).toEqual(['apps/', 'apps/cm.yaml']);
    expect(tarNames(gunzipSync(await buildArtifactTarball(join(dir, 'notes.md'), [], signal)))).toEqual(['notes.md']);
  });
});
