// packageChart against the real `helm package`: the same file name, the same tar entries in the same order (but for
// the order of subcharts, random in helm) with the same contents, and the same `helm template` output of both archives.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmEnv, installHelm, run } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDir } from '../chart/loader.ts';
import { packageChart } from './package.ts';

let root: string;
let helm: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-helm-package-'));
  helm = await installHelm();
  env = helmEnv(root);
}, 180_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const helmRun = (args: string[], cwd = root): Promise<string> => run(helm, args, { cwd, env });

function write(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content);
  }
}

/** A fresh work directory with `helm create` charts in it. */
async function workdir(name: string, charts: string[]): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const c of charts) await helmRun(['create', c], dir);
  return dir;
}

/** The files of a .tgz (in archive order) and each one's content, extracted with the system tar. */
async function entries(tgz: string): Promise<{ names: string[]; contents: Map<string, string> }> {
  const names = (await run('tar', ['tzf', tgz])).split('\n').filter((n) => n !== '');
  const out = mkdtempSync(join(root, 'x-'));
  await run('tar', ['xzf', tgz, '-C', out]);
  const contents = new Map(names.map((n) => [n, readFileSync(join(out, n), 'latin1')]));
  return { names, contents };
}

/** Packages `chartDir` with helm and with packageChart; compares file names, entries and `helm template`. */
async function compare(chartDir: string, version?: string): Promise<string[]> {
  const theirsDir = mkdtempSync(join(root, 'helm-out-'));
  const args = ['package', chartDir, '-d', theirsDir];
  if (version !== undefined) args.push('--version', version);
  await helmRun(args);
  const [theirName] = readdirSync(theirsDir);
  const ours = packageChart(loadDir(chartDir), version !== undefined ? { version } : {});
  expect(ours.fileName).toBe(theirName);
  const oursPath = join(mkdtempSync(join(root, 'ours-out-')), ours.fileName);
  writeFileSync(oursPath, ours.data);
  const theirsPath = join(theirsDir, theirName ?? '');
  const [a, b] = await Promise.all([entries(oursPath), entries(theirsPath)]);
  // Helm's loader collects subcharts in a Go map: their order in helm's archive is random, each one's files are not.
  const groups = (names: string[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const n of names) {
      const key = /^[^/]+\/charts\/[^/]+\//.exec(n)?.[0] ?? '';
      m.set(key, [...(m.get(key) ?? []), n]);
    }
    return new Map([...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  };
  expect(groups(a.names)).toEqual(groups(b.names));
  expect(a.names.length).toBe(b.names.length);
  expect(a.contents).toEqual(b.contents);
  const [ta, tb] = await Promise.all([
    helmRun(['template', 'rel', oursPath, '-n', 'ns']),
    helmRun(['template', 'rel', theirsPath, '-n', 'ns']),
  ]);
  expect(ta).toBe(tb);
  expect(ta.length).toBeGreaterThan(0);
  return a.names;
}

describe('packageChart vs helm package', { timeout: 60_000 }, () => {
  it('packages a chart made by helm create', async () => {
    const dir = await workdir('plain', ['demo']);
    const names = await compare(join(dir, 'demo'));
    expect(names).toContain('demo/templates/deployment.yaml');
  });

  it('packages --version with build metadata as Flux sets it', async () => {
    const dir = await workdir('version', ['demo']);
    const names = await compare(join(dir, 'demo'), '1.2.3+abc123def456');
    expect(names[0]).toBe('demo/Chart.yaml');
  });

  it('writes subcharts of charts/ (a directory and an archive) inline', async () => {
    const dir = await workdir('subcharts', ['top', 'sub', 'packed']);
    await helmRun(['package', join(dir, 'packed'), '-d', join(dir, 'top', 'charts')]);
    await helmRun(['create', 'sub'], join(dir, 'top', 'charts'));
    appendFileSync(join(dir, 'top', 'charts', 'sub', 'values.yaml'), 'extra:\n  key: 3\n');
    appendFileSync(join(dir, 'top', 'values.yaml'), 'sub:\n  replicaCount: 4\npacked:\n  replicaCount: 5\n');
    const names = await compare(join(dir, 'top'));
    expect(names).toContain('top/charts/packed/Chart.yaml');
    expect(names).toContain('top/charts/sub/templates/deployment.yaml');
  });

  it('honours .helmignore and keeps other files and values.schema.json', async () => {
    const dir = await workdir('ignore', ['ign']);
    const chart = join(dir, 'ign');
    appendFileSync(join(chart, '.helmignore'), 'secret.txt\ndocs/\n*.bak\n');
    write(chart, {
      'secret.txt': 'no\n',
      'docs/readme.md': '# no\n',
      'values.yaml.bak': 'x: 1\n',
      'files/config.json': '{"a": 1}\n',
      'README.md': 'kept\n',
      'values.schema.json': '{"type": "object", "properties": {"replicaCount": {"type": "integer"}}}\n',
      'templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  c: {{ .Files.Get "files/config.json" | quote }}\n',
    });
    const names = await compare(chart);
    expect(names).toContain('ign/files/config.json');
    expect(names).toContain('ign/values.schema.json');
    expect(names.some((n) => n.includes('secret') || n.includes('docs/') || n.endsWith('.bak'))).toBe(false);
  });

  it('re-marshals Chart.yaml fields and Chart.lock of a chart with dependencies', async () => {
    const dir = await workdir('deps', ['app', 'base', 'extra']);
    const app = join(dir, 'app');
    writeFileSync(
      join(app, 'Chart.yaml'),
      [
        'apiVersion: v2',
        'name: app',
        'description: "An app:  with\ttabs and : colons"',
        'type: application',
        'version: 0.3.0',
        'appVersion: 1.10',
        'kubeVersion: ">=1.20.0-0"',
        'home: https://example.com',
        'icon: https://example.com/icon.png',
        'sources: [https://github.com/x/y]',
        'keywords: [b, a]',
        'deprecated: true',
        'annotations: {zeta: "1", alpha: "yes", "example.com/x": y}',
        'maintainers:',
        '- {name: Z, email: z@example.com}',
        '- {name: A, url: "https://a.example.com"}',
        'dependencies:',
        '- name: base',
        '  version: ~0.1.0',
        '  repository: file://../base',
        '  condition: base.enabled',
        '  tags: [t1]',
        '  import-values: [{child: image, parent: baseImage}]',
        '- name: extra',
        '  alias: more',
        '  version: 0.1.0',
        '  repository: file://../extra',
        '',
      ].join('\n'),
    );
    await helmRun(['dependency', 'update', app]);
    const names = await compare(app);
    expect(names.slice(0, 3)).toEqual(['app/Chart.yaml', 'app/Chart.lock', 'app/values.yaml']);
    expect(names).toContain('app/charts/base/Chart.yaml');
  });

  it('packages a v1 chart with requirements.yaml and requirements.lock', async () => {
    const dir = await workdir('v1', ['base']);
    write(join(dir, 'old'), {
      'Chart.yaml': 'apiVersion: v1\nname: old\nversion: 1.0.0\ndescription: an old chart\n',
      'requirements.yaml': 'dependencies:\n- name: base\n  version: 0.1.0\n  repository: file://../base\n',
      'values.yaml': 'a: 1\nbase:\n  replicaCount: 2\n',
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\ndata: {a: "{{ .Values.a }}"}\n',
    });
    await helmRun(['dependency', 'update', join(dir, 'old')]);
    const names = await compare(join(dir, 'old'));
    expect(names).toContain('old/requirements.yaml');
    expect(names).toContain('old/requirements.lock');
  });

  it('writes long file names (ustar prefix and PAX records)', async () => {
    const dir = await workdir('long', ['lng']);
    const mid = 'templates/' + 'd'.repeat(60) + '/' + 'e'.repeat(50) + '.yaml';
    const huge = 'files/' + 'f'.repeat(90) + '/' + 'g'.repeat(90) + '/' + 'h'.repeat(120) + '.txt';
    write(join(dir, 'lng'), {
      [mid]: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long}\n',
      [huge]: 'long\n',
      'files/ünïcode.txt': 'u\n',
    });
    const names = await compare(join(dir, 'lng'));
    expect(names).toContain(`lng/${mid}`);
    expect(names).toContain(`lng/${huge}`);
  });
});
