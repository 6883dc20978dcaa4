// Differential against the real helm: `helm dependency build` and buildDependencies vendor the same chart versions
// (repository URLs served locally, a file:// dependency), Helm's Chart.lock digest is what hashReq computes, and a
// lock made before a newer version was published pins both to the locked version.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfinedFs } from '@flux-ts/artifact';
import { helmEnv, installHelm, run } from '@flux-ts/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArchive, loadDir } from '../chart/loader.ts';
import { decodeLock } from '../chart/metadata.ts';
import { buildDependencies, hashReq } from './dependency-manager.ts';
import { HttpChartRepository } from './http-repository.ts';
import { startRepoServer, type RepoServer } from './http-server.spec-helper.ts';

let helm: string;
let work: string;
let repoDir: string;
let server: RepoServer;

function helmRun(args: string[]): Promise<string> {
  return run(helm, args, { env: helmEnv(work) });
}

async function publish(name: string, version: string): Promise<void> {
  const src = join(work, 'src', `${name}-${version}`, name);
  mkdirSync(join(src, 'templates'), { recursive: true });
  writeFileSync(join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
  writeFileSync(join(src, 'templates/cm.yaml'), `kind: ConfigMap\nmetadata: {name: ${name}}\n`);
  await helmRun(['package', src, '-d', repoDir]);
  await helmRun(['repo', 'index', repoDir]);
}

beforeAll(async () => {
  helm = await installHelm();
  work = mkdtempSync(join(tmpdir(), 'helm-deps-int-'));
  repoDir = join(work, 'repo');
  mkdirSync(repoDir);
  for (const v of ['1.0.0', '1.4.2', '1.10.0-rc.1', '2.0.0']) await publish('web', v);
  for (const v of ['0.1.0', '0.2.0', '0.2.7']) await publish('db', v);
  server = await startRepoServer({ dir: repoDir });
  // helm dependency build with a Chart.lock only fetches from repositories it knows.
  await helmRun(['repo', 'add', 'local', server.url]);
}, 300_000);
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A source tree with the parent chart (Chart.yaml dependencies as given) and a local library chart. */
function makeSource(name: string, deps: string): { root: string; chartDir: string } {
  const root = join(work, name);
  const chartDir = join(root, 'charts/parent');
  mkdirSync(join(chartDir, 'templates'), { recursive: true });
  writeFileSync(join(chartDir, 'Chart.yaml'), `apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n${deps}`);
  mkdirSync(join(root, 'charts/lib'), { recursive: true });
  writeFileSync(join(root, 'charts/lib/Chart.yaml'), 'apiVersion: v2\nname: lib\nversion: 0.5.0\n');
  return { root, chartDir };
}

/** name@version of every archive `helm dependency build` vendored into charts/. */
function vendored(chartDir: string): string[] {
  return readdirSync(join(chartDir, 'charts'))
    .map((f) => loadArchive(readFileSync(join(chartDir, 'charts', f))).metadata)
    .map((m) => `${m.name}@${m.version}`)
    .sort();
}

async function ours(root: string, chartDir: string): Promise<string[]> {
  const fs = new ConfinedFs(root);
  const { chart, added } = await buildDependencies(loadDir(chartDir, fs), {
    chartDir,
    fs,
    signal: new AbortController().signal,
    maxChartSize: 1 << 20,
    resolveRepository: (url) => new HttpChartRepository({ url }),
  });
  expect(added).toBe(chart.dependencies().length);
  return chart
    .dependencies()
    .map((c) => `${c.metadata.name}@${c.metadata.version}`)
    .sort();
}

describe('buildDependencies against helm dependency build', () => {
  it('vendors the same versions, and hashReq is the digest helm writes into Chart.lock', async () => {
    const deps = [
      `- {name: web, version: ">=1.0.0 <2.0.0", repository: "${server.url}"}`,
      `- {name: db, version: "~0.2", repository: "${server.url}/"}`,
      `- {name: web, alias: edge, version: ">=1.0.0-0 <2.0.0-0", repository: "${server.url}"}`,
      '- {name: lib, version: "^0.5.0", repository: "file://../lib"}',
    ].join('\n');
    const theirs = makeSource('helm-side', deps + '\n');
    await helmRun(['dependency', 'build', theirs.chartDir]);
    const mine = makeSource('our-side', deps + '\n');
    const helmSet = vendored(theirs.chartDir);
    expect(helmSet).toEqual(['db@0.2.7', 'lib@0.5.0', 'web@1.10.0-rc.1', 'web@1.4.2']);
    expect(await ours(mine.root, mine.chartDir)).toEqual(helmSet);

    const chart = loadDir(theirs.chartDir);
    const lock = decodeLock(readFileSync(join(theirs.chartDir, 'Chart.lock'), 'utf8'));
    const locked = (lock['dependencies'] as Record<string, string>[]).map((d) => ({
      name: d['name'] ?? '',
      version: d['version'] ?? '',
      repository: d['repository'] ?? '',
      condition: '',
      tags: null,
      enabled: false,
      importValues: null,
      alias: '',
    }));
    expect(hashReq(chart.metadata.dependencies, locked)).toBe(lock['digest']);
  }, 300_000);

  it('a matching Chart.lock pins both to the locked versions after a newer one is published', async () => {
    const deps = `- {name: db, version: "^0.1.0 || ^0.2.0", repository: "${server.url}"}\n`;
    const theirs = makeSource('lock-helm', deps);
    await helmRun(['dependency', 'update', theirs.chartDir]);
    expect(vendored(theirs.chartDir)).toEqual(['db@0.2.7']);
    await publish('db', '0.2.9');
    const mine = makeSource('lock-ours', deps);
    cpSync(join(theirs.chartDir, 'Chart.lock'), join(mine.chartDir, 'Chart.lock'));
    rmSync(join(theirs.chartDir, 'charts'), { recursive: true });
    await helmRun(['dependency', 'build', theirs.chartDir]);
    expect(vendored(theirs.chartDir)).toEqual(['db@0.2.7']);
    expect(await ours(mine.root, mine.chartDir)).toEqual(['db@0.2.7']);
    // without the lock both take the newest match
    const fresh = makeSource('lock-none', deps);
    expect(await ours(fresh.root, fresh.chartDir)).toEqual(['db@0.2.9']);
  }, 300_000);
});
