import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CopyOperation } from '@flux-ts/api';
import { Storage } from '@flux-ts/artifact';
import { buildArtifact } from './builder.ts';
import {
  CopyValidationError,
  applyCopyOperations,
  globDestination,
  parseCopyDestination,
  parseCopySource,
  shouldExclude,
  validateCopyOperation,
} from './copy.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function tree(content: Record<string, string>): string {
  const dir = tempDir('sw-src-');
  for (const [p, c] of Object.entries(content)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

/** Every file below `dir` with its content. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const monorepo = {
  'deploy/frontend/kustomization.yaml': 'resources: [deploy.yaml]\n',
  'deploy/frontend/deploy.yaml': 'kind: Deployment\n',
  'deploy/frontend/README.md': '# frontend\n',
  'deploy/backend/deploy.yaml': 'kind: StatefulSet\n',
  'deploy/backend/nested/svc.yaml': 'kind: Service\n',
  'charts/values.yaml': 'a: 1\n',
  '.hidden.yaml': 'x: y\n',
};

async function run(ops: CopyOperation[], sources: Record<string, string>): Promise<Record<string, string>> {
  const staging = tempDir('sw-stage-');
  await applyCopyOperations(ops, new Map(Object.entries(sources)), staging);
  return files(staging);
}

describe('copy operations: globs and cp-like destinations', () => {
  it('`dir/**` copies the content of dir (prefix stripped) at any depth', async () => {
    expect(await run([{ from: '@repo/deploy/backend/**', to: '@artifact/' }], { repo: tree(monorepo) })).toEqual({
      'deploy.yaml': 'kind: StatefulSet\n',
      'nested/svc.yaml': 'kind: Service\n',
    });
  });

  it('`**/*.yaml` keeps the matched paths; `*` stays within one directory', async () => {
    const repo = tree(monorepo);
    expect(Object.keys(await run([{ from: '@repo/deploy/**/*.yaml', to: '@artifact/out/' }], { repo })).sort()).toEqual(
      [
        'out/deploy/backend/deploy.yaml',
        'out/deploy/backend/nested/svc.yaml',
        'out/deploy/frontend/deploy.yaml',
        'out/deploy/frontend/kustomization.yaml',
      ],
    );
    expect(Object.keys(await run([{ from: '@repo/deploy/*/deploy.yaml', to: '@artifact/' }], { repo })).sort()).toEqual(
      ['deploy/backend/deploy.yaml', 'deploy/frontend/deploy.yaml'],
    );
  });

  it('`*` matches dotfiles and takes matching directories whole', async () => {
    const got = await run([{ from: '@repo/*', to: '@artifact/' }], { repo: tree(monorepo) });
    expect(got['.hidden.yaml']).toBe('x: y\n');
    expect(got['deploy/backend/nested/svc.yaml']).toBe('kind: Service\n');
  });

  it('a directory without glob is copied as <to>/<basename>; a file to `to`, or into it when it ends with /', async () => {
    const repo = tree(monorepo);
    expect(Object.keys(await run([{ from: '@repo/deploy/backend', to: '@artifact/apps' }], { repo })).sort()).toEqual([
      'apps/backend/deploy.yaml',
      'apps/backend/nested/svc.yaml',
    ]);
    expect(await run([{ from: '@repo/charts/values.yaml', to: '@artifact/v.yaml' }], { repo })).toEqual({
      'v.yaml': 'a: 1\n',
    });
    expect(await run([{ from: '@repo/charts/values.yaml', to: '@artifact/v/' }], { repo })).toEqual({
      'v/values.yaml': 'a: 1\n',
    });
  });

  it('exclude drops paths (relative to a matched directory) and, for patterns without /, base names', async () => {
    const got = await run([{ from: '@repo/deploy/**', to: '@artifact/', exclude: ['*.md', 'nested/**'] }], {
      repo: tree(monorepo),
    });
    expect(Object.keys(got).sort()).toEqual([
      'backend/deploy.yaml',
      'frontend/deploy.yaml',
      'frontend/kustomization.yaml',
    ]);
    expect(shouldExclude('a/b/c.md', ['*.md'])).toBe(true);
    expect(shouldExclude('a/b/c.md', ['a/*.md'])).toBe(false);
    expect(shouldExclude('nested', ['nested/**'])).toBe(true);
  });

  it('later operations overwrite earlier ones (Overwrite, the default)', async () => {
    const got = await run(
      [
        { from: '@a/values.yaml', to: '@artifact/values.yaml' },
        { from: '@b/values.yaml', to: '@artifact/values.yaml' },
      ],
      { a: tree({ 'values.yaml': 'a: 1\n' }), b: tree({ 'values.yaml': 'b: 2\n' }) },
    );
    expect(got).toEqual({ 'values.yaml': 'b: 2\n' });
  });

  it('copies from several sources into one artifact', async () => {
    const got = await run(
      [
        { from: '@app/deploy/frontend/deploy.yaml', to: '@artifact/app/' },
        { from: '@cfg/env.yaml', to: '@artifact/app/env.yaml' },
      ],
      { app: tree(monorepo), cfg: tree({ 'env.yaml': 'env: prod\n' }) },
    );
    expect(got).toEqual({ 'app/deploy.yaml': 'kind: Deployment\n', 'app/env.yaml': 'env: prod\n' });
  });

  it('computes glob destinations as upstream calculateGlobDestination', () => {
    expect(globDestination('deploy/**', 'deploy/a/b.yaml', 'out')).toBe('out/a/b.yaml');
    expect(globDestination('**/*.yaml', 'deploy/a/b.yaml', 'out')).toBe('out/deploy/a/b.yaml');
    expect(globDestination('*.yaml', 'b.yaml', '')).toBe('b.yaml');
  });
});

describe('copy operations: the Merge strategy', () => {
  it('merges YAML as Helm merges values files (maps deep, lists replaced), all documents of a file', async () => {
    const got = await run(
      [
        { from: '@chart/values.yaml', to: '@artifact/values.yaml' },
        { from: '@env/values-prod.yaml', to: '@artifact/values.yaml', strategy: 'Merge' },
      ],
      {
        chart: tree({ 'values.yaml': 'replicas: 1\nimage:\n  repo: podinfo\n  tag: 6.0.0\nports: [80, 443]\n' }),
        env: tree({ 'values-prod.yaml': 'image:\n  tag: 6.1.0\nports: [8080]\n---\nreplicas: 3\n' }),
      },
    );
    expect(got['values.yaml']).toBe('image:\n  repo: podinfo\n  tag: 6.1.0\nports:\n- 8080\nreplicas: 3\n');
  });

  it('copies as is when the destination does not exist yet', async () => {
    const got = await run([{ from: '@env/v.yaml', to: '@artifact/v.yaml', strategy: 'Merge' }], {
      env: tree({ 'v.yaml': 'b:   1\n' }),
    });
    expect(got).toEqual({ 'v.yaml': 'b:   1\n' });
  });

  it('fails on a document that is not a map', async () => {
    await expect(
      run(
        [
          { from: '@a/v.yaml', to: '@artifact/v.yaml' },
          { from: '@b/v.yaml', to: '@artifact/v.yaml', strategy: 'Merge' },
        ],
        { a: tree({ 'v.yaml': 'a: 1\n' }), b: tree({ 'v.yaml': '- 1\n' }) },
      ),
    ).rejects.toThrow(
      "failed to apply copy operation from '@b/v.yaml' to '@artifact/v.yaml': cannot unmarshal YAML document: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
  });
});

describe('copy operations: the Extract strategy', () => {
  async function tarball(content: Record<string, string>): Promise<string> {
    const storage = new Storage({ basePath: tempDir('sw-tgz-'), hostname: 'localhost' });
    const stored = await storage.archive(storage.artifactFor('Bucket', 'ns', 'x', 'r', 'x.tar.gz'), tree(content));
    return storage.localPath(stored);
  }

  it('extracts tarballs a glob selects (any depth) and skips other files', async () => {
    const src = tree({ 'notes.txt': 'n' });
    mkdirSync(join(src, 'charts'));
    copyFileSync(await tarball({ 'podinfo/Chart.yaml': 'name: podinfo\n' }), join(src, 'charts', 'podinfo-6.0.0.tgz'));
    const got = await run([{ from: '@oci/**', to: '@artifact/charts/', strategy: 'Extract' }], { oci: src });
    expect(got).toEqual({ 'charts/podinfo/Chart.yaml': 'name: podinfo\n' });
  });

  it('refuses a single file that is not a tarball, and a directory', async () => {
    const src = tree({ 'a.yaml': 'a', 'd/b.yaml': 'b' });
    await expect(run([{ from: '@s/a.yaml', to: '@artifact/', strategy: 'Extract' }], { s: src })).rejects.toThrow(
      "extract strategy requires tarball file (.tar.gz or .tgz), got 'a.yaml'",
    );
    await expect(run([{ from: '@s/d', to: '@artifact/', strategy: 'Extract' }], { s: src })).rejects.toThrow(
      "extract strategy is not supported for directories, got 'd'",
    );
  });
});

describe('copy operations: refusals', () => {
  it('a glob matching nothing, or only excluded files, fails with upstream messages', async () => {
    const repo = tree(monorepo);
    await expect(run([{ from: '@repo/nothing/**', to: '@artifact/' }], { repo })).rejects.toThrow(
      "failed to apply copy operation from '@repo/nothing/**' to '@artifact/': no files match pattern 'nothing/**' in source 'repo'",
    );
    await expect(run([{ from: '@repo/charts/*', to: '@artifact/', exclude: ['*.yaml'] }], { repo })).rejects.toThrow(
      "all files matching pattern 'charts/*' in source 'repo' were excluded",
    );
    await expect(run([{ from: '@repo/missing.yaml', to: '@artifact/' }], { repo })).rejects.toThrow(
      "source 'missing.yaml' does not exist",
    );
  });

  it.each([
    [
      '@artifact/../escape.yaml',
      "invalid copy destination '@artifact/../escape.yaml': path '../escape.yaml' is outside the artifact root",
    ],
    [
      '@artifact/a/../../b',
      "invalid copy destination '@artifact/a/../../b': path 'a/../../b' is outside the artifact root",
    ],
    ['@other/x', "invalid copy destination '@other/x': destination must start with '@artifact/'"],
  ])('a destination %j is refused before anything is copied', async (to, message) => {
    expect(() => parseCopyDestination(to)).toThrow(CopyValidationError);
    expect(() => parseCopyDestination(to)).toThrow(message);
    await expect(run([{ from: '@repo/charts/values.yaml', to }], { repo: tree(monorepo) })).rejects.toThrow(message);
  });

  it('a source pattern that leaves the source, or an unknown alias, is refused', () => {
    expect(() => parseCopySource('@repo/../etc/passwd')).toThrow(
      "invalid copy source '@repo/../etc/passwd': path '../etc/passwd' is outside the source root",
    );
    expect(() => validateCopyOperation({ from: '@nope/x', to: '@artifact/' }, new Set(['repo']))).toThrow(
      "invalid copy source '@nope/x': source alias 'nope' not found",
    );
  });

  it('a symlink in a source that points outside it is refused (glob and direct)', async () => {
    const outside = tree({ 'secret.txt': 'token' });
    const repo = tree({ 'a.yaml': 'a' });
    symlinkSync(join(outside, 'secret.txt'), join(repo, 'link.yaml'));
    symlinkSync(outside, join(repo, 'linkdir'));
    await expect(run([{ from: '@repo/*.yaml', to: '@artifact/' }], { repo })).rejects.toThrow(
      /fs-security-constraint stat link\.yaml: path 'link\.yaml' is not in or below/,
    );
    await expect(run([{ from: '@repo/linkdir', to: '@artifact/' }], { repo })).rejects.toThrow(
      /fs-security-constraint stat linkdir: path 'linkdir' is not in or below/,
    );
  });

  it('a symlink in the staging directory is not written through', async () => {
    const outside = tempDir('sw-out-');
    const staging = tempDir('sw-stage-');
    symlinkSync(outside, join(staging, 'out'));
    await expect(
      applyCopyOperations(
        [{ from: '@repo/charts/values.yaml', to: '@artifact/out/values.yaml' }],
        new Map([['repo', tree(monorepo)]]),
        staging,
      ),
    ).rejects.toThrow(/fs-security-constraint/);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('buildArtifact', () => {
  it('stores <dirhash>.tar.gz with revision latest@<digest>, the same for the same content', async () => {
    const storage = new Storage({ basePath: tempDir('sw-storage-'), hostname: 'source-watcher.flux-system.svc' });
    const spec = { name: 'backend', copy: [{ from: '@repo/deploy/backend/**', to: '@artifact/' }] };
    const build = async (content: Record<string, string>) =>
      buildArtifact({
        storage,
        spec,
        sources: new Map([['repo', tree(content)]]),
        namespace: 'apps',
        workspace: tempDir('sw-ws-'),
      });
    const a = await build(monorepo);
    expect(a.path).toMatch(/^externalartifact\/apps\/backend\/\d+\.tar\.gz$/);
    expect(a.url).toBe(`http://source-watcher.flux-system.svc/${a.path}`);
    expect(a.revision).toBe(`latest@${a.digest}`);
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const again = await build({ ...monorepo, 'deploy/frontend/deploy.yaml': 'kind: Changed\n' });
    expect(again).toMatchObject({ path: a.path, digest: a.digest, revision: a.revision });
    const changed = await build({ ...monorepo, 'deploy/backend/deploy.yaml': 'kind: Changed\n' });
    expect(changed.digest).not.toBe(a.digest);
    expect(changed.path).not.toBe(a.path);
  });
});
