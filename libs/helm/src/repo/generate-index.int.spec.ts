// indexDirectory + serializeIndex against the real `helm repo index DIR [--url URL]`: the same index.yaml text once
// the `created`/`generated` timestamps are masked (entries, order, digests, urls, metadata).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmEnv, installHelm, run } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDirectory, serializeIndex } from './generate-index.ts';

let root: string;
let repo: string;
let helm: string;
let env: NodeJS.ProcessEnv;

const helmRun = (args: string[], cwd = root): Promise<string> => run(helm, args, { cwd, env });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-ts-helm-index-'));
  helm = await installHelm();
  env = helmEnv(root);
  repo = join(root, 'repo');
  const work = join(root, 'work');
  for (const d of [repo, work, join(repo, 'sub'), join(repo, 'a', 'b'), join(repo, 'empty')]) {
    mkdirSync(d, { recursive: true });
  }
  for (const c of ['demo', 'other', 'base']) await helmRun(['create', c], work);
  for (const v of ['0.1.0', '0.2.0', '1.0.0-rc.1', '1.0.0+build.7', '0.10.0']) {
    await helmRun(['package', join(work, 'demo'), '--version', v, '-d', repo]);
  }
  await helmRun(['package', join(work, 'other'), '--version', '2.0.0', '-d', join(repo, 'sub')]);
  await helmRun(['package', join(work, 'other'), '--version', '3.0.0', '-d', join(repo, 'a', 'b')]);
  writeFileSync(
    join(work, 'other', 'Chart.yaml'),
    [
      'apiVersion: v2',
      'name: other',
      'version: 2.1.0',
      'appVersion: "2.1"',
      'description: "Other: chart"',
      'keywords: [x, y]',
      'maintainers: [{name: M, email: m@example.com}]',
      'annotations: {b: "2", a: "1"}',
      'dependencies:',
      '- {name: base, version: 0.1.0, repository: "file://../base", alias: core, condition: core.enabled}',
      '',
    ].join('\n'),
  );
  await helmRun(['dependency', 'update', join(work, 'other')]);
  await helmRun(['package', join(work, 'other'), '-d', join(repo, 'sub')]);
  copyFileSync(join(repo, 'demo-0.1.0.tgz'), join(repo, '.hidden.tgz'));
  writeFileSync(join(repo, 'junk.tgz'), 'not a chart\n');
  writeFileSync(join(repo, 'notes.txt'), 'not indexed\n');
}, 180_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const mask = (s: string): string => s.replace(/^(\s*(?:created|generated): )".*"$/gm, '$1"<time>"');

describe('indexDirectory vs helm repo index', { timeout: 60_000 }, () => {
  const urls: Array<string | undefined> = [
    undefined,
    'https://example.com/charts',
    'https://example.com/charts/',
    'http://127.0.0.1:8080/with space/ünï?token=a+b#frag',
    'file:///srv/helm',
    'relative/path',
    'http://bad host:port/x',
    'https://u:p@h:8443/a//b/../c/?q=1&r=a+b#f',
    'http://h/sp ace/%41(x)',
    'http://h:port/x',
  ];

  it.for(urls)('--url %s', async (url) => {
    const out = join(root, `out-${urls.indexOf(url)}`);
    mkdirSync(out);
    const args = ['repo', 'index', repo];
    if (url !== undefined) args.push('--url', url);
    await helmRun(args);
    const theirs = readFileSync(join(repo, 'index.yaml'), 'utf8');
    rmSync(join(repo, 'index.yaml'));
    const index = await indexDirectory(repo, url !== undefined ? { url } : {});
    const ours = serializeIndex(index);
    expect(mask(ours)).toBe(mask(theirs));
    expect(Object.keys(index.entries).sort()).toEqual(['demo', 'other']);
  });

  it('writes an empty index for a directory without charts', async () => {
    const empty = join(root, 'no-charts');
    mkdirSync(empty);
    await helmRun(['repo', 'index', empty]);
    const theirs = readFileSync(join(empty, 'index.yaml'), 'utf8');
    expect(mask(serializeIndex(await indexDirectory(empty)))).toBe(mask(theirs));
  });

  it('gives every entry the given time and the sha256 of its file', async () => {
    const now = new Date('2026-01-02T03:04:05.600Z');
    const index = await indexDirectory(repo, { now, url: 'https://e.example' });
    expect(index.generated).toBe('2026-01-02T03:04:05.6Z');
    const demo = index.entries['demo'] ?? [];
    expect(demo.map((v) => v['version'])).toEqual(['1.0.0+build.7', '1.0.0-rc.1', '0.10.0', '0.2.0', '0.1.0', '0.1.0']);
    expect(demo.every((v) => v['created'] === '2026-01-02T03:04:05.6Z')).toBe(true);
    const sum = (await run('sha256sum', [join(repo, 'demo-0.2.0.tgz')])).split(' ')[0];
    expect(demo.find((v) => v['version'] === '0.2.0')?.['digest']).toBe(sum);
  });
});
