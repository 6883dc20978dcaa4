// `helm package` of a loaded chart: chartutil.Save's archive (Chart.yaml re-marshalled through sigs.k8s.io/yaml,
// Chart.lock for v2 charts, the raw values.yaml, values.schema.json, templates, other files, then every subchart
// inline as `<name>/charts/<dep>/…`), with the version override of `helm package --version` and Flux's
// OverwriteChartDefaultValues. Hand-written: the entry order and file contents must be Helm's, which no tar
// library decides; the archive itself is chart/archive.ts's deterministic writer (mtime 0, Helm's gzip header).
import { writeArchive } from '../chart/archive.ts';
import type { Chart, ChartFile } from '../chart/chart.ts';
import {
  API_VERSION_V1,
  API_VERSION_V2,
  decodeMetadata,
  dependencyJson,
  metadataJson,
  validateMetadata,
  type Lock,
  type Metadata,
} from '../chart/metadata.ts';
import { parseVersion } from '../chart/semver.ts';
import { marshalYaml } from '../engine/yaml.ts';

/** Options of {@link packageChart}. */
export interface PackageOptions {
  /** Replaces Chart.yaml `version` (`helm package --version`; Flux sets e.g. `1.2.3+abc123def456`). */
  version?: string;
  /** Replaces Chart.yaml `appVersion` (`helm package --app-version`). */
  appVersion?: string;
  /** New default values: written as values.yaml as Flux's OverwriteChartDefaultValues does (sigs.k8s.io/yaml). */
  values?: Record<string, unknown>;
  /** New values.yaml text, written as given (takes precedence over `values`). */
  valuesYaml?: string;
}

/** A packaged chart: the .tgz bytes and Helm's file name `<name>-<version>.tgz`. */
export interface PackagedChart {
  data: Uint8Array;
  fileName: string;
}

const VALUES_FILE = 'values.yaml';
const SCHEMA_FILE = 'values.schema.json';

/**
 * `helm package` of a loaded chart (pkg/action Package.Run + chartutil.Save): the .tgz with entries `<name>/…`.
 * The chart is not modified. Throws `Invalid Semantic Version` for a bad `version`, `chart validation: …` when the
 * metadata does not validate, and Flux's `failed to locate values file: values.yaml` when values are to be replaced
 * in a chart without values.yaml.
 */
export function packageChart(chart: Chart, opts: PackageOptions = {}): PackagedChart {
  const md: Metadata = structuredClone(chart.metadata);
  if (opts.version !== undefined && opts.version !== '') md.version = opts.version;
  if (parseVersion(md.version) === undefined) throw new Error('Invalid Semantic Version');
  if (opts.appVersion !== undefined && opts.appVersion !== '') md.appVersion = opts.appVersion;
  try {
    validateMetadata(md);
  } catch (e) {
    throw new Error(`chart validation: ${(e as Error).message}`, { cause: e });
  }
  let raw = chart.raw;
  const newValues = valuesData(opts);
  if (newValues !== undefined) {
    if (!raw.some((f) => f.name === VALUES_FILE)) throw new Error(`failed to locate values file: ${VALUES_FILE}`);
    raw = raw.map((f) => (f.name === VALUES_FILE ? { name: f.name, data: newValues } : f));
  }
  const files: ChartFile[] = [];
  writeContents(files, chart, md, raw, '');
  const top = md.name;
  return {
    data: new Uint8Array(writeArchive(top, files)),
    fileName: `${md.name}-${md.version}.tgz`,
  };
}

/** The new values.yaml bytes, or undefined when the values are kept. */
function valuesData(opts: PackageOptions): Buffer | undefined {
  if (opts.valuesYaml !== undefined) return Buffer.from(opts.valuesYaml);
  if (opts.values === undefined) return undefined;
  // chartutil.Values.Encode (sigs.k8s.io/yaml.Marshal); empty values give an empty file.
  return Buffer.from(Object.keys(opts.values).length > 0 ? marshalYaml(opts.values) : '');
}

/** writeTarContents: the files of one chart under `prefix` (names relative to the archive's top directory). */
function writeContents(out: ChartFile[], c: Chart, md: Metadata, raw: readonly ChartFile[], prefix: string): void {
  const add = (name: string, data: Buffer): void => {
    out.push({ name: prefix + name, data });
  };
  // v1 charts keep their dependencies in requirements.yaml: Chart.yaml is written without them.
  const json = metadataJson(md.apiVersion === API_VERSION_V1 ? { ...md, dependencies: null } : md);
  add('Chart.yaml', Buffer.from(marshalYaml(json)));
  if (md.apiVersion === API_VERSION_V2 && c.lock !== null)
    add('Chart.lock', Buffer.from(marshalYaml(lockJson(c.lock))));
  for (const f of raw) if (f.name === VALUES_FILE) add(VALUES_FILE, f.data);
  if (c.schema !== null) {
    if (!isValidJson(c.schema)) throw new Error(`Invalid JSON in ${SCHEMA_FILE}`);
    add(SCHEMA_FILE, c.schema);
  }
  for (const f of c.templates) add(f.name, f.data);
  for (const f of c.files) add(f.name, f.data);
  for (const dep of c.dependencies()) {
    writeContents(out, dep, dep.metadata, dep.raw, `${prefix}charts/${dep.name()}/`);
  }
}

function isValidJson(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** The JSON encoding/json makes of a chart.Lock (generated, digest, dependencies; no omitempty). */
function lockJson(lock: Lock): Record<string, unknown> {
  const deps = lock['dependencies'];
  let dependencies: unknown = null;
  if (Array.isArray(deps)) {
    const text = JSON.stringify({ dependencies: deps }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
    dependencies = (decodeMetadata(text).dependencies ?? []).map(dependencyJson);
  }
  const digest = lock['digest'];
  return {
    generated: rfc3339Nano(lock['generated']),
    digest: typeof digest === 'string' ? digest : '',
    dependencies,
  };
}

const RFC3339 = /^(\d{4}-\d\d-\d\d)[Tt](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$/;

/** time.Time's JSON form after parsing an RFC 3339 text: RFC3339Nano, a zero offset as `Z`. */
export function rfc3339Nano(v: unknown): string {
  if (v === null || v === undefined) return '0001-01-01T00:00:00Z';
  const m = RFC3339.exec(String(v));
  if (!m) return String(v);
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[4] ?? 'Z';
  const z = /^[Zz]$/.test(zone) || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  return `${m[1] ?? ''}T${m[2] ?? ''}${frac === '' ? '' : '.' + frac}${z}`;
}
