import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KustomizationSpec } from '@flux-ts/api';
import { BuildError, buildManifests, resolvePath, toKubeObjects } from './build.ts';
import { durations } from './reconciler.ts';

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ks-build-'));
  dirs.push(dir);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const spec = (s: Partial<KustomizationSpec> = {}): KustomizationSpec =>
  ({ interval: '5m', prune: true, sourceRef: { kind: 'GitRepository', name: 'x' }, ...s }) as KustomizationSpec;
const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

describe('buildManifests', () => {
  it('generates a kustomization for plain manifests and merges targetNamespace and namePrefix', async () => {
    const root = tree({ 'apps/a.yaml': cm('a'), 'apps/sub/b.yml': cm('b'), 'apps/README.md': '# not yaml' });
    const objs = await buildManifests({
      root,
      spec: spec({ path: './apps', targetNamespace: 'team', namePrefix: 'p-' }),
      strictSubstitutions: true,
    });
    expect(objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['team/p-a', 'team/p-b']);
    expect(readFileSync(join(root, 'apps', 'kustomization.yaml'), 'utf8')).toContain('namespace: team');
  });

  it('reports a missing path and a path leaving the artifact', async () => {
    const root = tree({ 'a.yaml': cm('a') });
    await expect(buildManifests({ root, spec: spec({ path: './nope' }), strictSubstitutions: true })).rejects.toThrow(
      'kustomization path not found: stat ./nope: no such file or directory',
    );
    expect(() => resolvePath(root, '../etc')).toThrow(BuildError);
  });

  it('substitutes variables with defaults, honours the opt-out and fails on unset variables in strict mode', async () => {
    const root = tree({
      'a.yaml': cm('a', 'data:\n  v: ${VAR}\n  d: ${DEF:=x}\n'),
      'b.yaml': cm('b', '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  v: ${KEEP}\n'),
    });
    const objs = await buildManifests({ root, spec: spec(), vars: { VAR: 'set' }, strictSubstitutions: true });
    expect(objs.map((o) => (o as { data?: unknown }).data)).toEqual([{ v: 'set', d: 'x' }, { v: '${KEEP}' }]);

    const strict = tree({ 'a.yaml': cm('a', 'data:\n  v: ${UNSET}\n') });
    await expect(
      buildManifests({ root: strict, spec: spec(), vars: { OTHER: '1' }, strictSubstitutions: true }),
    ).rejects.toThrow(/^var substitution failed for 'ConfigMap\/a': variable substitution failed: /);
  });

  it('wraps kustomize errors as kustomize build failed', async () => {
    const root = tree({ 'kustomization.yaml': 'resources:\n  - missing.yaml\n' });
    await expect(buildManifests({ root, spec: spec(), strictSubstitutions: true })).rejects.toThrow(
      /^kustomize build failed: .*missing\.yaml/,
    );
  });

  it('refuses remote bases with --no-remote-bases before fetching anything', async () => {
    const url = 'https://127.0.0.1:1/org/repo//deploy?ref=v1';
    const root = tree({ 'kustomization.yaml': `resources:\n  - ${url}\n` });
    await expect(buildManifests({ root, spec: spec(), strictSubstitutions: true, remoteBases: false })).rejects.toThrow(
      `remote resources are disabled: ${url}`,
    );
    // Allowed, the same base is fetched (and here fails to connect, which names the URL).
    await expect(buildManifests({ root, spec: spec(), strictSubstitutions: true })).rejects.toThrow(
      /^kustomize build failed: .*127\.0\.0\.1:1/,
    );
  });
});

describe('toKubeObjects', () => {
  it('passes the objects through and names one without apiVersion, kind or metadata.name', () => {
    const ok = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
    expect(toKubeObjects([ok])[0]).toBe(ok);
    expect(() => toKubeObjects([ok, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }])).toThrow(
      new BuildError(
        "kustomize build failed: 'ConfigMap.v1.[noGrp]/' is not a Kubernetes object: apiVersion, kind and metadata.name must be strings",
      ),
    );
    expect(() => toKubeObjects([{ kind: 'ConfigMap', metadata: { name: 'b' } }])).toThrow(
      "'ConfigMap.[noVer].[noGrp]/b' is not a Kubernetes object",
    );
  });
});

describe('durations', () => {
  it('defaults retryInterval to interval and timeout to interval-30s (min 30s)', () => {
    expect(durations(spec({ interval: '5m' }))).toEqual({
      interval: 300_000,
      retryInterval: 300_000,
      timeout: 270_000,
    });
    expect(durations(spec({ interval: '40s', retryInterval: '10s' }))).toEqual({
      interval: 40_000,
      retryInterval: 10_000,
      timeout: 30_000,
    });
    expect(durations(spec({ interval: '1m', timeout: '2m' })).timeout).toBe(120_000);
  });
});
