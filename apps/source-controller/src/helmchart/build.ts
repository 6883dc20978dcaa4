/**
 * Chart builds (source-controller `internal/helm/chart`): the remote builder (a chart version from a chart
 * repository, pulled as is or repackaged with merged values files) and the local builder (a chart directory or
 * archive inside a GitRepository or Bucket artifact, packaged with its dependencies). Both reuse a cached build when
 * the stored artifact already has the resolved name and version. Every read of source content goes through a
 * ConfinedFs rooted at the extracted source.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ConfinedFs } from '@flux-ts/artifact';
import {
  buildDependencies,
  decodeMetadata,
  loadArchive,
  loadDir,
  mergeMaps,
  packageChart,
  readValues,
  toYaml,
  validateMetadata,
} from '@flux-ts/helm';
import type { ChartVersion, DependencyRepository, Values, Chart } from '@flux-ts/helm';
import { ERR_INVALID_METADATA, newVersion, versionString } from '@flux-ts/semver';
import { HelmChartReasons, SourceReasons } from '@flux-ts/api';
import { ChartReferenceError } from '../helm/repositories.ts';

/** A build error reason (upstream `BuildErrorReason`): the condition reason and the summary that prefixes messages. */
export interface BuildErrorReason {
  reason: string;
  summary: string;
}

/** The build error reasons of upstream, with their summaries. */
export const BuildReasons = Object.freeze({
  ChartReference: { reason: SourceReasons.InvalidChartReferenceReason, summary: 'invalid chart reference' },
  ChartPath: { reason: HelmChartReasons.ChartPathErrorReason, summary: 'chart path error' },
  ValuesFilesMerge: { reason: HelmChartReasons.ValuesFilesErrorReason, summary: 'values files merge error' },
  DependencyBuild: { reason: HelmChartReasons.DependencyBuildErrorReason, summary: 'dependency build error' },
  ChartPull: { reason: HelmChartReasons.ChartPullErrorReason, summary: 'chart pull error' },
  ChartMetadataPatch: { reason: HelmChartReasons.MetadataPatchErrorReason, summary: 'chart metadata patch error' },
  ChartPackage: { reason: HelmChartReasons.ChartPackageErrorReason, summary: 'chart package error' },
  ChartVerification: { reason: HelmChartReasons.ChartVerificationErrorReason, summary: 'chart verification error' },
  Unknown: { reason: HelmChartReasons.UnknownReason, summary: 'unknown build error' },
} satisfies Record<string, BuildErrorReason>);

/** A failed build: `<summary>: <cause message>`. */
export class BuildError extends Error {
  readonly reason: BuildErrorReason;
  constructor(reason: BuildErrorReason, err: unknown) {
    super(`${reason.summary}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    this.name = 'BuildError';
    this.reason = reason;
  }
}

/** Reasons that only a spec change can fix (upstream `IsPersistentBuildErrorReason`). */
export function isPersistentBuildError(reason: BuildErrorReason): boolean {
  return (
    reason === BuildReasons.ChartReference ||
    reason === BuildReasons.ChartMetadataPatch ||
    reason === BuildReasons.ValuesFilesMerge
  );
}

/** The outcome of a build (upstream `chart.Build`). */
export interface Build {
  name: string;
  version: string;
  /** The packaged chart: `data` when built in this run, or `cachedPath` when the stored artifact is reused. */
  data?: Uint8Array;
  cachedPath?: string;
  packaged: boolean;
  valuesFiles: string[];
  resolvedDependencies: number;
  /** The chart's signature was verified in this build (upstream `VerifiedResult` "verified"). */
  verified?: boolean;
}

/** True when the build has a name, a version and a chart (upstream `Build.Complete`). */
export function buildComplete(b: Build | undefined): b is Build {
  return b !== undefined && b.name !== '' && b.version !== '' && (b.data !== undefined || b.cachedPath !== undefined);
}

/** `new|pulled|packaged '<name>' chart with version '<version>'[ and merged values files [a b]]` (upstream `Build.Summary`). */
export function buildSummary(
  b: Pick<Build, 'name' | 'version' | 'packaged' | 'valuesFiles'> & { done?: boolean },
): string {
  if (!b.name || !b.version) return 'no chart build';
  const action = b.done ? (b.packaged ? 'packaged' : 'pulled') : 'new';
  let s = `${action} '${b.name}' chart with version '${b.version}'`;
  if (b.valuesFiles.length > 0) s += ` and merged values files [${b.valuesFiles.join(' ')}]`;
  return s;
}

/** What every build takes (upstream `BuildOptions`). */
export interface BuildOptions {
  valuesFiles: string[];
  ignoreMissingValuesFiles: boolean;
  /** Rebuild even when the cached chart matches (a new generation). */
  force: boolean;
  /** Semver build metadata to set on the version (`+<…>`). */
  versionMetadata: string;
  /** Local path of the stored artifact, and the values files it was built with. */
  cachedChart?: string | undefined;
  cachedValuesFiles?: string[] | undefined;
  maxChartSize: number;
  signal: AbortSignal;
  /** Verify the chart's signature before using it, at every reconcile (`spec.verify` with a provider). */
  verify?: boolean;
}

/** Masterminds `Version.SetMetadata` then `String()`. */
export function withVersionMetadata(version: string, metadata: string): string {
  const v = newVersion(version);
  if (!/^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/.test(metadata)) throw new Error(ERR_INVALID_METADATA);
  return versionString({ ...v, metadata });
}

async function cachedMatch(opts: BuildOptions, name: string, version: string): Promise<{ path: string } | undefined> {
  if (!opts.cachedChart || opts.force) return undefined;
  try {
    const meta = loadArchive(await readFile(opts.cachedChart)).metadata;
    const sameValues =
      opts.valuesFiles.length === 0 ||
      JSON.stringify(opts.valuesFiles) === JSON.stringify(opts.cachedValuesFiles ?? opts.valuesFiles);
    if (meta.name === name && meta.version === version && sameValues) return { path: opts.cachedChart };
  } catch {
    // an unreadable cache is rebuilt
  }
  return undefined;
}

/** Encodes merged values as `chartutil.Values.Encode` does (sigs.k8s.io/yaml: sorted keys), empty for `{}`. */
function encodeValues(values: Values): string {
  return Object.keys(values).length === 0 ? '' : `${toYaml(values)}\n`;
}

/** Replaces the chart's values.yaml (upstream `OverwriteChartDefaultValues`); false when nothing changed. */
export function overwriteChartDefaultValues(chart: Chart, values: Values | undefined): boolean {
  if (values === undefined) return false;
  const data = Buffer.from(encodeValues(values));
  const raw = chart.raw.find((f) => f.name === 'values.yaml');
  if (!raw) throw new Error('failed to locate values file: values.yaml');
  if (raw.data.equals(data)) return false;
  raw.data = data;
  for (const f of chart.files) if (f.name === 'values.yaml') f.data = data;
  chart.values = values;
  return true;
}

function parseValuesFile(text: string, ref: string): Values {
  try {
    return readValues(text);
  } catch (err) {
    throw new Error(`unmarshaling values from '${ref}' failed: ${(err as Error).message}`, { cause: err });
  }
}

/** upstream `mergeChartValues`: values files inside a chart, merged in order. */
export function mergeChartValues(
  chart: Chart,
  paths: readonly string[],
  ignoreMissing: boolean,
): { values: Values; files: string[] } {
  let merged: Values = {};
  const files: string[] = [];
  for (const p of paths) {
    const clean = posix.normalize(p);
    if (clean === 'values.yaml') {
      merged = mergeMaps(merged, chart.values);
      files.push(p);
      continue;
    }
    const f = chart.files.find((x) => x.name === clean) ?? chart.raw.find((x) => x.name === clean);
    if (!f) {
      if (ignoreMissing) continue;
      throw new Error(`no values file found at path '${p}'`);
    }
    merged = mergeMaps(merged, parseValuesFile(f.data.toString('utf8'), p));
    files.push(p);
  }
  return { values: merged, files };
}

/** upstream `mergeFileValues`: values files relative to the source root, read through the ConfinedFs. */
export function mergeFileValues(
  fs: ConfinedFs,
  paths: readonly string[],
  ignoreMissing: boolean,
): { values: Values; files: string[] } {
  let merged: Values = {};
  const files: string[] = [];
  for (const p of paths) {
    const rel = secureRel(p);
    let isFile = false;
    let exists = false;
    try {
      const st = fs.statSync(rel);
      exists = true;
      isFile = st.isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!exists && ignoreMissing) continue;
    if (!isFile) throw new Error(`no values file found at path '/${rel}' (reference '${p}')`);
    merged = mergeMaps(merged, parseValuesFile(fs.readTextSync(rel), p));
    files.push(p);
  }
  return { values: merged, files };
}

/** A path made relative to the source root with `..` clamped at it (securejoin). */
export function secureRel(p: string): string {
  return posix.normalize(`/${p.replace(/\\/g, '/')}`).replace(/^\/+/, '');
}

/** The chart repository a remote build pulls from. */
export interface RemoteChartSource {
  /** An OCI registry (lookup failures other than references are `Unknown`). */
  readonly oci: boolean;
  /** Resolves the chart version (index lookup or registry tags). */
  getChartVersion(name: string, constraint: string, signal: AbortSignal): Promise<ChartVersion>;
  downloadChart(cv: ChartVersion, opts: { signal: AbortSignal; maxSize: number }): Promise<Uint8Array>;
  /** Verifies the chart's signature (and pins its URL to what was verified); HTTP repositories have none. */
  verifyChart?(cv: ChartVersion, signal: AbortSignal): Promise<void>;
}

/** Errors a chart source throws for an unknown chart or version (persistent: InvalidChartReference). */
export function isReferenceError(err: unknown): boolean {
  return err instanceof ChartReferenceError;
}

/** The remote builder (upstream `remoteChartBuilder.Build`). */
export async function buildRemote(
  remote: RemoteChartSource,
  ref: { name: string; version: string },
  opts: BuildOptions,
): Promise<Build> {
  if (ref.name === '')
    throw new BuildError(BuildReasons.ChartReference, new Error('invalid chart reference: no name set'));
  let cv: ChartVersion;
  try {
    cv = await remote.getChartVersion(ref.name, ref.version, opts.signal);
  } catch (err) {
    const e = new Error(`failed to get chart version for remote reference: ${(err as Error).message}`, { cause: err });
    const reason = isReferenceError(err)
      ? BuildReasons.ChartReference
      : remote.oci
        ? BuildReasons.Unknown
        : BuildReasons.ChartPull;
    throw new BuildError(reason, e);
  }
  if (opts.verify) {
    // Upstream's HTTP ChartRepository.VerifyChart answers "not implemented".
    if (!remote.verifyChart) throw new BuildError(BuildReasons.ChartVerification, new Error('not implemented'));
    try {
      await remote.verifyChart(cv, opts.signal);
    } catch (err) {
      if (opts.signal.aborted) throw err;
      throw new BuildError(BuildReasons.ChartVerification, err);
    }
  }
  const result: Build = {
    name: cv.name,
    version: cv.version,
    packaged: false,
    valuesFiles: [],
    resolvedDependencies: 0,
    ...(opts.verify ? { verified: true } : {}),
  };
  if (opts.versionMetadata !== '') {
    try {
      result.version = withVersionMetadata(cv.version, opts.versionMetadata);
    } catch (err) {
      throw new BuildError(BuildReasons.ChartMetadataPatch, err);
    }
  }
  const requiresPackaging = opts.valuesFiles.length > 0 || opts.versionMetadata !== '';
  const cached = await cachedMatch(opts, result.name, result.version);
  if (cached) {
    return { ...result, cachedPath: cached.path, valuesFiles: [...opts.valuesFiles], packaged: requiresPackaging };
  }
  let data: Uint8Array;
  try {
    data = await remote.downloadChart(cv, { signal: opts.signal, maxSize: opts.maxChartSize });
  } catch (err) {
    throw new BuildError(
      BuildReasons.ChartPull,
      new Error(`failed to download chart for remote reference: ${(err as Error).message}`, { cause: err }),
    );
  }
  let chart: Chart;
  try {
    chart = loadArchive(Buffer.from(data));
  } catch (err) {
    if (!requiresPackaging) throw new BuildError(BuildReasons.ChartPull, err);
    throw new BuildError(
      BuildReasons.ChartPackage,
      new Error(`failed to load downloaded chart: ${(err as Error).message}`, { cause: err }),
    );
  }
  if (!requiresPackaging) return { ...result, data };
  let merged: { values: Values; files: string[] };
  try {
    merged = mergeChartValues(chart, opts.valuesFiles, opts.ignoreMissingValuesFiles);
    overwriteChartDefaultValues(chart, merged.values);
  } catch (err) {
    throw new BuildError(
      BuildReasons.ValuesFilesMerge,
      new Error(`failed to merge chart values: ${(err as Error).message}`, { cause: err }),
    );
  }
  chart.metadata.version = result.version;
  try {
    const pkg = await packageChart(chart, { version: result.version });
    return { ...result, data: pkg.data, packaged: true, valuesFiles: merged.files };
  } catch (err) {
    throw new BuildError(BuildReasons.ChartPackage, err);
  }
}

/** What the local builder resolves dependencies with (upstream `GetChartDownloaderCallback`). */
export type RepositoryResolver = (url: string) => Promise<DependencyRepository | undefined>;

function loadChartMetadata(fs: ConfinedFs, rel: string): { name: string; version: string; isDir: boolean } {
  const st = fs.statSync(rel);
  if (st.isDirectory()) {
    const file = rel === '' ? 'Chart.yaml' : `${rel}/Chart.yaml`;
    let text: string;
    try {
      text = fs.readTextSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`open ${file}: no such file or directory`, { cause: err });
      throw err;
    }
    const md = decodeMetadata(text);
    validateMetadata(md);
    return { name: md.name, version: md.version, isDir: true };
  }
  const md = loadArchive(fs.readFileSync(rel)).metadata;
  return { name: md.name, version: md.version, isDir: false };
}

/** The local builder (upstream `localChartBuilder.Build`): `chartPath` is relative to the source root of `fs`. */
export async function buildLocal(
  fs: ConfinedFs,
  chartPath: string,
  resolve: RepositoryResolver,
  opts: BuildOptions,
): Promise<Build> {
  if (chartPath === '')
    throw new BuildError(BuildReasons.ChartReference, new Error('no path set for local chart reference'));
  const rel = secureRel(chartPath);
  let meta: { name: string; version: string; isDir: boolean };
  try {
    meta = loadChartMetadata(fs, rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BuildError(
        BuildReasons.ChartReference,
        new Error(`lstat ${rel}: no such file or directory`, { cause: err }),
      );
    throw new BuildError(BuildReasons.ChartReference, err);
  }
  const result: Build = {
    name: meta.name,
    version: meta.version,
    packaged: false,
    valuesFiles: [],
    resolvedDependencies: 0,
  };
  if (opts.versionMetadata !== '') {
    try {
      result.version = withVersionMetadata(meta.version, opts.versionMetadata);
    } catch (err) {
      throw new BuildError(
        BuildReasons.ChartMetadataPatch,
        new Error(`failed to set SemVer metadata on chart version: ${(err as Error).message}`, { cause: err }),
      );
    }
  }
  const requiresPackaging = meta.isDir || opts.versionMetadata !== '' || opts.valuesFiles.length > 0;
  const cached = await cachedMatch(opts, result.name, result.version);
  if (cached) {
    return { ...result, cachedPath: cached.path, valuesFiles: [...opts.valuesFiles], packaged: requiresPackaging };
  }
  if (!requiresPackaging) {
    try {
      return { ...result, data: fs.readFileSync(rel) };
    } catch (err) {
      throw new BuildError(BuildReasons.ChartPull, err);
    }
  }
  let merged: { values: Values; files: string[] } | undefined;
  if (opts.valuesFiles.length > 0) {
    try {
      merged = mergeFileValues(fs, opts.valuesFiles, opts.ignoreMissingValuesFiles);
    } catch (err) {
      throw new BuildError(BuildReasons.ValuesFilesMerge, err);
    }
  }
  let chart: Chart;
  try {
    chart = meta.isDir ? loadDir(fs.resolve(rel, 'read'), fs) : loadArchive(fs.readFileSync(rel));
  } catch (err) {
    throw new BuildError(BuildReasons.ChartPackage, err);
  }
  chart.metadata.version = result.version;
  try {
    overwriteChartDefaultValues(chart, merged?.values);
  } catch (err) {
    throw new BuildError(BuildReasons.ValuesFilesMerge, err);
  }
  if (meta.isDir) {
    try {
      const deps = await buildDependencies(chart, {
        chartDir: fs.resolve(rel, 'read'),
        fs,
        resolveRepository: resolve,
        signal: opts.signal,
        maxChartSize: opts.maxChartSize,
      });
      chart = deps.chart;
      result.resolvedDependencies = deps.added;
    } catch (err) {
      throw new BuildError(BuildReasons.DependencyBuild, err);
    }
  }
  try {
    const pkg = await packageChart(chart, { version: result.version });
    return { ...result, data: pkg.data, packaged: true, valuesFiles: merged?.files ?? [] };
  } catch (err) {
    throw new BuildError(BuildReasons.ChartPackage, err);
  }
}
