// buildDependencies: local (file://, through a ConfinedFs) and remote (a repository in memory) dependencies,
// vendored ones left alone, Chart.lock honoured only when its digest matches, Flux's error texts.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfinedFs } from '@flux-ts/artifact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeArchive } from '../chart/archive.ts';
import { loadDir } from '../chart/loader.ts';
import { decodeMetadata } from '../chart/metadata.ts';
import { buildDependencies, hashReq, normalizeRepositoryUrl, type DependencyRepository } from './dependency-manager.ts';
import { loadIndex, type ChartVersion, type IndexFile } from './index-file.ts';

const signal = new AbortController().signal;

function tgz(name: string, version: string): Buffer {
  return writeArchive(name, [
    { name: 'Chart.yaml', data: Buffer.from(`apiVersion: v2\nname: ${name}\nversion: ${version}\n`) },
  ]);
}

/** A repository held in memory: an index of the given versions and their archives; counts its calls. */
class MemoryRepository implements DependencyRepository {
  readonly index: IndexFile;
  readonly archives = new Map<string, Buffer>();
  downloads: string[] = [];
  constructor(charts: Record<string, string[]>) {
    const entries = Object.entries(charts)
      .map(
        ([n, vs]) =>
          `  ${n}:\n${vs.map((v) => `  - {name: ${n}, version: "${v}", urls: ["${n}-${v}.tgz"]}\n`).join('')}`,
      )
      .join('');
    this.index = loadIndex(`apiVersion: v1\nentries:\n${entries}`);
    for (const [n, vs] of Object.entries(charts)) for (const v of vs) this.archives.set(`${n}-${v}.tgz`, tgz(n, v));
  }
  getChartVersion(name: string, constraint: string): Promise<ChartVersion> {
    return Promise.resolve(this.index.resolve(name, constraint));
  }
  downloadChart(cv: ChartVersion): Promise<Uint8Array> {
    const url = cv.urls[0] ?? '';
    this.downloads.push(url);
    const data = this.archives.get(url);
    return data ? Promise.resolve(data) : Promise.reject(new Error(`failed to fetch ${url} : 404 Not Found`));
  }
}

let work: string;
let root: string;
let chartDir: string;
beforeEach(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'helm-deps-')));
  root = join(work, 'source');
  chartDir = join(root, 'charts/app');
  mkdirSync(join(chartDir, 'templates'), { recursive: true });
  mkdirSync(join(root, 'charts/lib'), { recursive: true });
  writeFileSync(join(root, 'charts/lib/Chart.yaml'), 'apiVersion: v2\nname: lib\nversion: 0.3.0\ntype: library\n');
  mkdirSync(join(work, 'outside'));
  writeFileSync(join(work, 'outside/Chart.yaml'), 'apiVersion: v2\nname: outside\nversion: 1.0.0\n');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function writeChart(deps: string, lock?: string): void {
  writeFileSync(join(chartDir, 'Chart.yaml'), `apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n${deps}`);
  if (lock !== undefined) writeFileSync(join(chartDir, 'Chart.lock'), lock);
}

function build(repos: Record<string, DependencyRepository> = {}, calls: string[] = []) {
  const fs = new ConfinedFs(root);
  return buildDependencies(loadDir(chartDir, fs), {
    chartDir,
    fs,
    rootDir: root,
    signal,
    maxChartSize: 1 << 20,
    resolveRepository: (url) => {
      calls.push(url);
      return repos[url];
    },
  });
}

const names = (c: { dependencies(): readonly { metadata: { name: string; version: string } }[] }): string[] =>
  c.dependencies().map((d) => `${d.metadata.name}@${d.metadata.version}`);

describe('buildDependencies', () => {
  it('adds local (directory and archive) and remote dependencies, one repository lookup per normalized URL', async () => {
    mkdirSync(join(root, 'packed'));
    writeFileSync(join(root, 'packed/db-2.1.0.tgz'), tgz('db', '2.1.0'));
    const repo = new MemoryRepository({ web: ['1.0.0', '1.4.0', '2.0.0-rc.1'], cache: ['3.0.0'] });
    writeChart(
      [
        '- {name: lib, version: "~0.3", repository: "file://../lib"}',
        '- {name: db, version: ">=2", repository: "file://../../packed/db-2.1.0.tgz"}',
        '- {name: web, version: "^1.0.0", repository: "https://charts.example/stable"}',
        '- {name: cache, version: "*", repository: "https://charts.example/stable//"}',
      ].join('\n') + '\n',
    );
    const calls: string[] = [];
    const { chart, added } = await build({ 'https://charts.example/stable/': repo }, calls);
    expect(added).toBe(4);
    expect(names(chart)).toEqual(['lib@0.3.0', 'db@2.1.0', 'web@1.4.0', 'cache@3.0.0']);
    expect(chart.dependencies().every((d) => d.parent === chart)).toBe(true);
    expect(calls).toEqual(['https://charts.example/stable/']);
    expect(repo.downloads).toEqual(['web-1.4.0.tgz', 'cache-3.0.0.tgz']);
  });

  it('refuses a file:// path that leaves the source through the ChartFs', async () => {
    writeChart('- {name: outside, version: "*", repository: "file://../../../outside"}\n');
    await expect(build()).rejects.toThrow(
      `failed to add local dependency 'outside': fs-security-constraint stat ${join(work, 'outside')}: path '${join(work, 'outside')}' is not in or below '${root}'`,
    );
  });

  it('reports a missing local chart and a local version outside the constraint as Flux does', async () => {
    writeChart('- {name: gone, version: "*", repository: "file://../gone"}\n');
    await expect(build()).rejects.toThrow(
      "failed to add local dependency 'gone': no chart found at '/charts/gone' (reference 'file://../gone')",
    );
    writeChart('- {name: lib, version: "^1.0.0", repository: "file://../lib"}\n');
    await expect(build()).rejects.toThrow(
      "failed to add local dependency 'lib': can't get a valid version for constraint '^1.0.0'",
    );
  });

  it('leaves vendored dependencies alone and adds only the missing ones (alias counts as the name)', async () => {
    mkdirSync(join(chartDir, 'charts'));
    writeFileSync(join(chartDir, 'charts/web-1.0.0.tgz'), tgz('web', '1.0.0'));
    const repo = new MemoryRepository({ web: ['1.0.0', '1.4.0'] });
    writeChart(
      '- {name: web, version: "1.x", repository: "https://r.example"}\n- {name: web, alias: front, version: "1.x", repository: "https://r.example"}\n',
    );
    const { chart, added } = await build({ 'https://r.example/': repo });
    expect(added).toBe(1);
    expect(names(chart)).toEqual(['web@1.0.0', 'web@1.4.0']);
    // as many vendored charts as dependencies: nothing is missing
    writeChart('- {name: other, version: "1.x", repository: "https://r.example"}\n');
    expect((await build({ 'https://r.example/': repo })).added).toBe(0);
  });

  it('uses Chart.lock versions when its digest matches, Chart.yaml constraints when it does not', async () => {
    const deps = '- {name: web, version: "^1.0.0", repository: "https://r.example"}\n';
    const md = decodeMetadata(`dependencies:\n${deps}`);
    const locked = [{ ...(md.dependencies?.[0] ?? { name: '' }), version: '1.0.0' }];
    const lockDeps = locked.map((d) => ({
      name: d.name,
      version: d.version,
      repository: 'https://r.example',
      condition: '',
      tags: null,
      enabled: false,
      importValues: null,
      alias: '',
    }));
    const digest = hashReq(md.dependencies, lockDeps);
    const lock = (dg: string): string =>
      `dependencies:\n- name: web\n  repository: https://r.example\n  version: 1.0.0\ndigest: ${dg}\ngenerated: "2026-01-01T00:00:00Z"\n`;
    const repo = new MemoryRepository({ web: ['1.0.0', '1.4.0'] });
    writeChart(deps, lock(digest));
    expect(names((await build({ 'https://r.example/': repo })).chart)).toEqual(['web@1.0.0']);
    writeChart(deps, lock('sha256:' + '0'.repeat(64)));
    expect(names((await build({ 'https://r.example/': repo })).chart)).toEqual(['web@1.4.0']);
  });

  it('wraps repository errors with Flux texts', async () => {
    const repo = new MemoryRepository({ web: ['1.0.0'] });
    writeChart('- {name: web, version: "2.x", repository: "https://r.example"}\n');
    await expect(build({ 'https://r.example/': repo })).rejects.toThrow(
      "failed to add remote dependency 'web': failed to get chart 'web' version '2.x' from 'https://r.example': no 'web' chart with version matching '2.x' found",
    );
    writeChart('- {name: web, version: "1.x", repository: "https://unknown.example/x"}\n');
    await expect(build({})).rejects.toThrow(
      "failed to add remote dependency 'web': no chart repository for URL 'https://unknown.example/x/'",
    );
    repo.archives.clear();
    writeChart('- {name: web, version: "1.x", repository: "@stable"}\n');
    await expect(build({ '@stable/': repo })).rejects.toThrow(
      "failed to add remote dependency 'web': chart download of version '1.0.0' failed: failed to fetch web-1.0.0.tgz : 404 Not Found",
    );
  });

  it('normalizes repository URLs as Flux does', () => {
    expect(normalizeRepositoryUrl('https://a.example/charts')).toBe('https://a.example/charts/');
    expect(normalizeRepositoryUrl('https://a.example/charts///')).toBe('https://a.example/charts/');
    expect(normalizeRepositoryUrl('oci://r.example/charts/')).toBe('oci://r.example/charts');
    expect(normalizeRepositoryUrl('')).toBe('');
  });
});
