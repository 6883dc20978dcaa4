// Flux's DependencyManager (internal/helm/chart/dependency_manager.go): the dependencies a chart lists but does not
// vendor in charts/ are added, local ones (file://) loaded through a ChartFs confined to the source, remote ones from
// the repository the caller resolves for their URL. Chart.lock is honoured when its digest (Helm's resolver.HashReq)
// matches the dependencies, as `helm dependency build` checks it.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { checkConstraint, newConstraint, newVersion, type Constraints } from '@flux-ts/semver';
import type { Chart } from '../chart/chart.ts';
import { loadArchive, loadDir, type ChartFs } from '../chart/loader.ts';
import { API_VERSION_V1, dependencyJson, type Dependency } from '../chart/metadata.ts';
import type { ChartVersion } from './index-file.ts';

/** What the dependency manager needs from any repository (HTTP, or OCI: same shape). */
export interface DependencyRepository {
  getChartVersion(name: string, constraint: string, signal: AbortSignal): Promise<ChartVersion>;
  downloadChart(cv: ChartVersion, opts: { signal: AbortSignal; maxSize: number }): Promise<Uint8Array>;
}

/** Options of {@link buildDependencies}. */
export interface BuildDependenciesOptions {
  /** The chart's directory, as `fs` reads it (file:// paths are relative to it). */
  chartDir: string;
  /** The file system local dependencies are read through (a ConfinedFs for source content). */
  fs: ChartFs;
  /** The repository of a dependency's (normalized) repository URL: http(s)://, oci:// or an `@alias`/`alias:` name. */
  resolveRepository(url: string): Promise<DependencyRepository | undefined> | DependencyRepository | undefined;
  signal: AbortSignal;
  maxChartSize: number;
  /** Stripped from local paths in messages (Flux shows them relative to the source root). */
  rootDir?: string;
}

/** Flux's repository.NormalizeURL: oci URLs without trailing slashes, others with exactly one. */
export function normalizeRepositoryUrl(url: string): string {
  if (url === '') return '';
  if (url.includes('oci://')) return url.replace(/\/+$/, '');
  return url.replace(/\/+$/, '') + '/';
}

/** Go's encoding/json string escaping (HTML-safe: <, >, & and U+2028/9 as \u escapes). */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** json.Marshal of a value as Go holds it (maps with sorted keys). */
function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${goJsonString(k)}:${goJson(o[k])}`)
    .join(',')}}`;
}

/** json.Marshal of a chart.Dependency (struct field order, omitempty). */
function dependencyGoJson(d: Dependency | null): string {
  const o = dependencyJson(d) as Record<string, unknown> | null;
  if (o === null) return 'null';
  return `{${Object.entries(o)
    .map(([k, e]) => `${goJsonString(k)}:${goJson(e)}`)
    .join(',')}}`;
}

function depsGoJson(deps: readonly (Dependency | null)[] | null): string {
  return deps === null ? 'null' : `[${deps.map(dependencyGoJson).join(',')}]`;
}

function sha256(s: string): string {
  return 'sha256:' + createHash('sha256').update(s).digest('hex');
}

/** Helm's resolver.HashReq: the digest Chart.lock records for (dependencies, locked dependencies). */
export function hashReq(
  req: readonly (Dependency | null)[] | null,
  lock: readonly (Dependency | null)[] | null,
): string {
  return sha256(`[${depsGoJson(req)},${depsGoJson(lock)}]`);
}

/** Helm's resolver.HashV2Req: the digest Helm 2 wrote into requirements.lock. */
export function hashV2Req(req: readonly (Dependency | null)[] | null): string {
  return sha256(`{"dependencies":${depsGoJson(req)}}`);
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The dependencies of a decoded Chart.lock as chart.Dependency values. */
function lockDependencies(lock: Record<string, unknown>): (Dependency | null)[] | null {
  const deps = lock['dependencies'];
  if (!Array.isArray(deps)) return null;
  return deps.map((d: unknown) => {
    if (d === null || typeof d !== 'object') return null;
    const o = d as Record<string, unknown>;
    return {
      name: str(o['name']),
      version: str(o['version']),
      repository: str(o['repository']),
      condition: str(o['condition']),
      tags: Array.isArray(o['tags']) ? o['tags'].map(str) : null,
      enabled: o['enabled'] === true,
      importValues: Array.isArray(o['import-values']) ? o['import-values'] : null,
      alias: str(o['alias']),
    };
  });
}

/** The dependencies to satisfy: the locked ones when Chart.lock's digest matches Chart.yaml's, else Chart.yaml's. */
function requestedDependencies(chart: Chart): Dependency[] {
  const req = chart.metadata.dependencies;
  const own = (req ?? []).filter((d): d is Dependency => d !== null);
  const lock = chart.lock;
  if (lock === null) return own;
  const locked = lockDependencies(lock);
  const digest = str(lock['digest']);
  const v1 = chart.metadata.apiVersion === API_VERSION_V1;
  if (digest === hashReq(req, locked) || (v1 && digest === hashV2Req(req))) {
    return (locked ?? []).filter((d): d is Dependency => d !== null);
  }
  return own;
}

/**
 * Flux's collectMissing: the requested dependencies (keyed by alias or name) with no chart of that name in charts/;
 * none when there are as many vendored charts as requested dependencies.
 */
function collectMissing(chart: Chart, reqs: readonly Dependency[]): Map<string, Dependency> {
  const missing = new Map<string, Dependency>();
  const current = chart.dependencies();
  if (current.length === reqs.length) return missing;
  for (const dep of reqs) {
    const name = dep.alias !== '' ? dep.alias : dep.name;
    if (current.some((c) => c.name() === name)) continue;
    missing.set(name, dep);
  }
  return missing;
}

function isLocalDep(dep: Dependency): boolean {
  return dep.repository === '' || dep.repository.startsWith('file://');
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isNotFound(e: unknown): boolean {
  return (
    (e as NodeJS.ErrnoException | null)?.code === 'ENOENT' || (e as NodeJS.ErrnoException | null)?.code === 'ENOTDIR'
  );
}

function addLocalDependency(chart: Chart, dep: Dependency, opts: BuildDependenciesOptions): void {
  const shown = (p: string): string =>
    opts.rootDir !== undefined && p.startsWith(opts.rootDir) ? p.slice(opts.rootDir.length) : p;
  if (dep.repository === '') {
    // Helm reads such a dependency from charts/<name>, which collectMissing found empty.
    throw new Error(`directory ${join('charts', dep.name)} not found`);
  }
  // url.Parse + filepath.Join(chartDir, host, path): the text after file:// is a path below the chart directory.
  const local = join(opts.chartDir, decodeURIComponent(dep.repository.slice('file://'.length).replace(/[?#].*$/, '')));
  let isDir: boolean;
  try {
    isDir = opts.fs.statSync(local).isDirectory();
  } catch (e) {
    if (isNotFound(e)) {
      throw new Error(`no chart found at '${shown(local)}' (reference '${dep.repository}')`, { cause: e });
    }
    throw e;
  }
  let constraint: Constraints;
  try {
    constraint = newConstraint(dep.version);
  } catch (e) {
    throw new Error(`invalid version/constraint format '${dep.version}': ${errMsg(e)}`, { cause: e });
  }
  let ch: Chart;
  try {
    ch = isDir ? loadDir(local, opts.fs) : loadArchive(Buffer.from(opts.fs.readFileSync(local)));
  } catch (e) {
    throw new Error(`failed to load chart from '${shown(local)}' (reference '${dep.repository}'): ${errMsg(e)}`, {
      cause: e,
    });
  }
  const ver = newVersion(ch.metadata.version);
  if (!checkConstraint(constraint, ver)) {
    throw new Error(`can't get a valid version for constraint '${dep.version}'`);
  }
  chart.addDependency(ch);
}

async function addRemoteDependency(
  chart: Chart,
  dep: Dependency,
  repo: DependencyRepository,
  opts: BuildDependenciesOptions,
): Promise<void> {
  let cv: ChartVersion;
  try {
    cv = await repo.getChartVersion(dep.name, dep.version, opts.signal);
  } catch (e) {
    throw new Error(
      `failed to get chart '${dep.name}' version '${dep.version}' from '${dep.repository}': ${errMsg(e)}`,
      { cause: e },
    );
  }
  let data: Uint8Array;
  try {
    data = await repo.downloadChart(cv, { signal: opts.signal, maxSize: opts.maxChartSize });
  } catch (e) {
    throw new Error(`chart download of version '${cv.version}' failed: ${errMsg(e)}`, { cause: e });
  }
  let ch: Chart;
  try {
    ch = loadArchive(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    throw new Error(`failed to load downloaded archive of version '${cv.version}': ${errMsg(e)}`, { cause: e });
  }
  chart.addDependency(ch);
}

/**
 * Flux's DependencyManager.Build (`helm dependency build` semantics): each dependency of Chart.yaml (or of a
 * Chart.lock whose digest matches) not vendored in charts/ is added to `chart`: `file://` paths loaded through
 * `fs` (a path leaving the source is refused by it), repository URLs through `resolveRepository` (one lookup per
 * normalized URL). Dependencies are added one at a time, in Chart.yaml order. Returns the number added.
 */
export async function buildDependencies(
  chart: Chart,
  opts: BuildDependenciesOptions,
): Promise<{ chart: Chart; added: number }> {
  const missing = collectMissing(chart, requestedDependencies(chart));
  const repos = new Map<string, DependencyRepository>();
  const resolve = async (url: string): Promise<DependencyRepository> => {
    const n = normalizeRepositoryUrl(url);
    const known = repos.get(n);
    if (known) return known;
    let repo: DependencyRepository | undefined;
    try {
      repo = await opts.resolveRepository(n);
    } catch (e) {
      throw new Error(`failed to get chart repository for URL '${n}': ${errMsg(e)}`, { cause: e });
    }
    if (repo === undefined) throw new Error(`no chart repository for URL '${n}'`);
    repos.set(n, repo);
    return repo;
  };
  for (const [name, dep] of missing) {
    opts.signal.throwIfAborted();
    if (isLocalDep(dep)) {
      try {
        addLocalDependency(chart, dep, opts);
      } catch (e) {
        throw new Error(`failed to add local dependency '${name}': ${errMsg(e)}`, { cause: e });
      }
      continue;
    }
    try {
      await addRemoteDependency(chart, dep, await resolve(dep.repository), opts);
    } catch (e) {
      throw new Error(`failed to add remote dependency '${name}': ${errMsg(e)}`, { cause: e });
    }
  }
  return { chart, added: missing.size };
}
