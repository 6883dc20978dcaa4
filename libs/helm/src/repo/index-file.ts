// Helm's repo.IndexFile (pkg/repo/index.go of Helm 3.18): loading index.yaml (JSON or YAML, strict as
// sigs.k8s.io/yaml's UnmarshalStrict is), dropping invalid entries, SortEntries and Get; plus Flux's
// ChartRepository.getChartVersion (the newest match, ties broken by `created`). Written by hand: the decoding rules
// (Go field matching, the error texts, which YAML scalars become strings) are Go's and no npm library has them.
import {
  checkConstraint,
  compareVersions,
  newConstraint,
  newVersion,
  strictNewVersion,
  type Constraints,
  type Version,
} from '@flux-ts/semver';
import { formatFloat } from '../template/fmt.ts';
import { IndexYamlError, parseIndexYamlFast, parseIndexYamlReference } from './index-yaml.ts';
import {
  API_VERSION_V1,
  emptyMetadata,
  metadataJson,
  validateMetadata,
  ValidationError,
  type Dependency,
  type Maintainer,
  type Metadata,
} from '../chart/metadata.ts';

/** One chart version in an index (helm repo.ChartVersion: the Chart.yaml metadata fields plus urls, created, removed, digest). */
export interface ChartVersion {
  name: string;
  version: string;
  urls: string[];
  digest?: string;
  created?: string;
  apiVersion?: string;
  appVersion?: string;
  description?: string;
  [k: string]: unknown;
}

/** An error of the repository index (its load, or a chart or version it does not have). */
export class IndexError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IndexError';
  }
}

/** repo.ErrNoChartName: the index has no entry of that name (`no chart name found`). */
export class ChartNotFoundError extends IndexError {
  readonly chartName: string;
  constructor(chartName: string) {
    super('no chart name found');
    this.name = 'ChartNotFoundError';
    this.chartName = chartName;
  }
}

/** No version of the chart meets the constraint (`no chart version found for <name>-<constraint>`, or Flux's text). */
export class ChartVersionNotFoundError extends IndexError {
  readonly chartName: string;
  readonly constraint: string;
  constructor(chartName: string, constraint: string, message: string) {
    super(message);
    this.name = 'ChartVersionNotFoundError';
    this.chartName = chartName;
    this.constraint = constraint;
  }
}

/** repo.APIVersionV1, the only index apiVersion Helm writes. */
export const INDEX_API_VERSION = 'v1';

/** A parsed chart repository index (helm repo.IndexFile). */
export class IndexFile {
  apiVersion: string;
  generated?: string;
  entries: Record<string, ChartVersion[]>;
  /** publicKeys, annotations and serverInfo as the index gave them. */
  publicKeys?: string[];
  annotations?: Record<string, string>;
  serverInfo?: Record<string, unknown>;
  /** What Helm logs while loading: one line per entry dropped (`skipping loading invalid entry for chart …`). */
  warnings: string[] = [];

  constructor(apiVersion = INDEX_API_VERSION, entries: Record<string, ChartVersion[]> = {}) {
    this.apiVersion = apiVersion;
    this.entries = Object.assign(Object.create(null) as Record<string, ChartVersion[]>, entries);
  }

  /**
   * Helm's IndexFile.Get: an entry whose version is exactly `constraint` first, else the first entry (the index is
   * sorted newest first) whose version meets the constraint; '' means `*`, which (Masterminds) skips prereleases.
   * Throws ChartNotFoundError, ChartVersionNotFoundError, or Masterminds' `improper constraint: …`.
   */
  get(name: string, constraint: string): ChartVersion {
    const vs = this.#versions(name);
    const cs = parseConstraintOrThrow(constraint === '' ? '*' : constraint);
    if (constraint !== '') {
      const exact = vs.find((v) => v.version === constraint);
      if (exact) return exact;
    }
    for (const cv of vs) {
      const v = tryVersion(cv.version, newVersion);
      if (v && checkConstraint(cs, v)) return cv;
    }
    throw new ChartVersionNotFoundError(name, constraint, `no chart version found for ${name}-${constraint}`);
  }

  /**
   * Flux's ChartRepository.getChartVersion: an exact match first, else the newest version (strict semver, `v`
   * allowed) meeting the constraint ('' or `*`: the newest stable), equal versions ordered by `created`. Throws
   * ChartNotFoundError, ChartVersionNotFoundError (`no '<name>' chart with version matching '<ver>' found`) or
   * Masterminds' constraint error.
   */
  resolve(name: string, ver: string): ChartVersion {
    const vs = this.#versions(name);
    if (ver !== '') {
      const exact = vs.find((v) => v.version === ver);
      if (exact) return exact;
    }
    const cs = parseConstraintOrThrow(ver === '' || ver === '*' ? '*' : ver);
    const matched: { v: Version; cv: ChartVersion; created: bigint; at: number }[] = [];
    for (const cv of vs) {
      const v = tryVersion(cv.version, fluxParseVersion);
      if (!v || !checkConstraint(cs, v)) continue;
      matched.push({ v, cv, created: createdNanos(cv.created), at: matched.length });
    }
    if (matched.length === 0) {
      throw new ChartVersionNotFoundError(name, ver, `no '${name}' chart with version matching '${ver}' found`);
    }
    // sort.SliceStable with a "not less" function: descending, ties by created (newest first), and what is still
    // equal in reverse order (what Go's insertion sort makes of `!less`, exact up to 20 matches).
    matched.sort((a, b) => {
      const d = compareVersions(b.v, a.v);
      if (d !== 0) return d;
      if (a.created !== b.created) return a.created < b.created ? 1 : -1;
      return b.at - a.at;
    });
    return (matched[0] as (typeof matched)[number]).cv;
  }

  /** IndexFile.Has: an entry of that name and exact version (or constraint) exists. */
  has(name: string, version: string): boolean {
    try {
      this.get(name, version);
      return true;
    } catch {
      return false;
    }
  }

  /** Helm's SortEntries: each chart's versions newest first; unparsable versions last; equal versions keep their order. */
  sortEntries(): void {
    for (const name of Object.keys(this.entries)) {
      const vs = this.entries[name] as ChartVersion[];
      const parsed = new Map(vs.map((cv) => [cv, tryVersion(cv.version, newVersion)]));
      vs.sort((a, b) => {
        const pa = parsed.get(a);
        const pb = parsed.get(b);
        if (!pa || !pb) return !pa && !pb ? 0 : !pa ? 1 : -1;
        return compareVersions(pb, pa);
      });
    }
  }

  #versions(name: string): ChartVersion[] {
    if (!Object.prototype.hasOwnProperty.call(this.entries, name)) throw new ChartNotFoundError(name);
    const vs = this.entries[name] as ChartVersion[];
    if (vs.length === 0) throw new ChartVersionNotFoundError(name, '', 'no chart version found');
    return vs;
  }
}

function parseConstraintOrThrow(c: string): Constraints {
  try {
    return newConstraint(c);
  } catch (e) {
    throw new IndexError((e as Error).message, { cause: e });
  }
}

function tryVersion(v: string, parse: (s: string) => Version): Version | undefined {
  try {
    return parse(v);
  } catch {
    return undefined;
  }
}

/** fluxcd/pkg/version.ParseVersion: StrictNewVersion after trimming a leading `v`, then NewVersion. */
function fluxParseVersion(v: string): Version {
  strictNewVersion(v.startsWith('v') ? v.slice(1) : v);
  return newVersion(v);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** A time.Time as nanoseconds since the epoch (0 for none), for Flux's `created` tie-break. */
function createdNanos(s: string | undefined): bigint {
  if (s === undefined) return -62135596800n * 1_000_000_000n; // time.Time{} (year 1)
  const m = RFC3339.exec(s);
  if (!m) return 0n;
  const secs = BigInt(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000);
  const frac = BigInt(((m[7] ?? '.').slice(1) + '000000000').slice(0, 9));
  const off = m[9] ? (m[9] === '-' ? -1n : 1n) * (BigInt(+m[10]!) * 3600n + BigInt(+m[11]!) * 60n) : 0n;
  return (secs - off) * 1_000_000_000n + frac;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding: encoding/json into repo.IndexFile (the JSON form), or sigs.k8s.io/yaml's UnmarshalStrict (the YAML form:
// unknown fields and duplicate keys are errors; only top-level string fields get YAML scalars formatted).

type Raw = unknown;

const RFC3339_LAYOUT: [string, RegExp][] = [
  ['2006', /^\d{4}/],
  ['-', /^-/],
  ['01', /^\d{2}/],
  ['-', /^-/],
  ['02', /^\d{2}/],
  ['T', /^T/],
  ['15', /^\d{2}/],
  [':', /^:/],
  ['04', /^\d{2}/],
  [':', /^:/],
  ['05', /^\d{2}(?:\.\d+)?/],
  ['Z07:00', /^(?:Z|[+-]\d{2}:\d{2})/],
];

/** time.Parse(time.RFC3339, v)'s error (the layout element that fails, or the extra text), undefined when valid. */
function rfc3339Error(v: string): string | undefined {
  if (RFC3339.test(v)) return undefined;
  const head = `parsing time ${JSON.stringify(v)}`;
  let rest = v;
  for (const [elem, re] of RFC3339_LAYOUT) {
    const m = re.exec(rest);
    if (!m) return `${head} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(rest)} as "${elem}"`;
    rest = rest.slice(m[0].length);
  }
  return rest === '' ? `${head}: out of range` : `${head}: extra text: ${JSON.stringify(rest)}`;
}

class Decode {
  first: Error | undefined;
  readonly prefix: string;
  readonly strict: boolean;
  constructor(prefix: string, strict: boolean) {
    this.prefix = prefix;
    this.strict = strict;
  }
  fail(msg: string): void {
    this.first ??= new IndexError(this.prefix + msg);
  }
  typeError(v: Raw, field: string, goType: string): void {
    this.fail(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${goType}`);
  }
  unknown(key: string): void {
    if (this.strict) this.fail(`json: unknown field ${JSON.stringify(key)}`);
  }
  str(v: Raw, field: string, format = false): string {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (format) {
      if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      if (typeof v === 'number') return formatFloat(v, 'g', -1, 32);
    }
    this.typeError(v, field, 'string');
    return '';
  }
  bool(v: Raw, field: string): boolean {
    if (v === null || v === undefined) return false;
    if (typeof v === 'boolean') return v;
    this.typeError(v, field, 'bool');
    return false;
  }
  strs(v: Raw, field: string, format = false): string[] | null {
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) {
      this.typeError(v, field, '[]string');
      return null;
    }
    return v.map((e) => this.str(e, field, format));
  }
  obj(v: Raw, field: string, goType: string): Record<string, Raw> | null {
    if (v === null || v === undefined) return null;
    if (!isObject(v)) {
      this.typeError(v, field, goType);
      return null;
    }
    return v;
  }
  time(v: Raw): string | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.fail('Time.UnmarshalJSON: input is not a JSON string');
      return undefined;
    }
    const err = rfc3339Error(v);
    if (err !== undefined) {
      this.fail(err);
      return undefined;
    }
    return v;
  }
  /** Go's field matching: the exact json name, else a case-insensitive one; undefined for an unknown key. */
  fields<T extends string>(o: Record<string, Raw>, known: readonly T[], each: (field: T, v: Raw) => void): void {
    const names = fieldNames(known);
    for (const k in o) {
      const f = names.exact.get(k) ?? names.folded.get(k.toLowerCase());
      if (f === undefined) this.unknown(k);
      else each(f, o[k]);
    }
  }
}

/** A struct's json names, exactly and lower-cased (the first of equal ones), for {@link Decode.fields}. */
interface FieldNames<T extends string> {
  exact: Map<string, T>;
  folded: Map<string, T>;
}

const FIELD_NAMES = new WeakMap<readonly string[], FieldNames<string>>();

function fieldNames<T extends string>(known: readonly T[]): FieldNames<T> {
  let n = FIELD_NAMES.get(known) as FieldNames<T> | undefined;
  if (n === undefined) {
    n = { exact: new Map(known.map((k) => [k, k])), folded: new Map() };
    for (const k of known) if (!n.folded.has(k.toLowerCase())) n.folded.set(k.toLowerCase(), k);
    FIELD_NAMES.set(known, n as FieldNames<string>);
  }
  return n;
}

function isObject(v: Raw): v is Record<string, Raw> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function jsonKind(v: Raw): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || typeof v === 'number') return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

const META_FIELDS = [
  'name',
  'home',
  'sources',
  'version',
  'description',
  'keywords',
  'maintainers',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'deprecated',
  'annotations',
  'kubeVersion',
  'dependencies',
  'type',
] as const;
const CV_FIELDS = ['urls', 'created', 'removed', 'digest', 'checksum', 'engine', 'tillerVersion', 'url'] as const;
const ENTRY_FIELDS = [...META_FIELDS, ...CV_FIELDS] as const;
const INDEX_FIELDS = ['serverInfo', 'apiVersion', 'generated', 'entries', 'publicKeys', 'annotations'] as const;
const MAINTAINER_FIELDS = ['name', 'email', 'url'] as const;
const DEPENDENCY_FIELDS = [
  'name',
  'version',
  'repository',
  'condition',
  'tags',
  'enabled',
  'import-values',
  'alias',
] as const;

function decodeMaintainer(d: Decode, v: Raw): Maintainer | null {
  const o = d.obj(v, 'ChartVersion.entries.Metadata.maintainers', 'chart.Maintainer');
  if (o === null) return null;
  const m: Maintainer = { name: '', email: '', url: '' };
  d.fields(o, MAINTAINER_FIELDS, (f, e) => {
    m[f] = d.str(e, `Maintainer.entries.Metadata.maintainers.${f}`);
  });
  return m;
}

/** A chart.Dependency from decoded JSON/YAML (`struct` names the Go struct in error texts). */
function decodeDependency(d: Decode, v: Raw, field: string): Dependency | null {
  const o = d.obj(v, field, 'chart.Dependency');
  if (o === null) return null;
  const dep: Dependency = {
    name: '',
    version: '',
    repository: '',
    condition: '',
    tags: null,
    enabled: false,
    importValues: null,
    alias: '',
  };
  const at = (f: string): string => `Dependency.${field.slice(field.indexOf('.') + 1)}.${f}`;
  d.fields(o, DEPENDENCY_FIELDS, (f, e) => {
    if (f === 'tags') dep.tags = d.strs(e, at(f));
    else if (f === 'enabled') dep.enabled = d.bool(e, at(f));
    else if (f === 'import-values') {
      if (e === null || e === undefined) dep.importValues = null;
      else if (Array.isArray(e)) dep.importValues = e.map(plainJson);
      else d.typeError(e, at(f), '[]interface {}');
    } else dep[f] = d.str(e, at(f));
  });
  return dep;
}

/** A decoded value as encoding/json would hold it in an interface{} (numbers as float64). */
function plainJson(v: Raw): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plainJson);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, plainJson(e)]));
  return v;
}

interface DecodedEntry {
  md: Metadata;
  extra: { urls: string[]; created?: string; removed: boolean; digest: string; deprecatedFields: [string, string][] };
}

function decodeEntry(d: Decode, o: Record<string, Raw>): DecodedEntry {
  const md = emptyMetadata();
  const extra: DecodedEntry['extra'] = { urls: [], removed: false, digest: '', deprecatedFields: [] };
  const mf = (f: string): string => `ChartVersion.entries.Metadata.${f}`;
  d.fields(o, ENTRY_FIELDS, (f, v) => {
    switch (f) {
      case 'sources':
      case 'keywords':
        md[f] = d.strs(v, mf(f));
        break;
      case 'deprecated':
        md.deprecated = d.bool(v, mf(f));
        break;
      case 'maintainers':
        if (v === null || v === undefined) md.maintainers = null;
        else if (!Array.isArray(v)) d.typeError(v, mf(f), '[]*chart.Maintainer');
        else md.maintainers = v.map((e) => decodeMaintainer(d, e));
        break;
      case 'annotations': {
        const a = d.obj(v, mf(f), 'map[string]string');
        md.annotations =
          a === null ? null : Object.fromEntries(Object.entries(a).map(([k, e]) => [k, d.str(e, mf(f))]));
        break;
      }
      case 'dependencies':
        if (v === null || v === undefined) md.dependencies = null;
        else if (!Array.isArray(v)) d.typeError(v, mf(f), '[]*chart.Dependency');
        else md.dependencies = v.map((e) => decodeDependency(d, e, 'ChartVersion.entries.Metadata.dependencies'));
        break;
      case 'urls':
        extra.urls = d.strs(v, `ChartVersion.entries.${f}`) ?? [];
        break;
      case 'created':
        extra.created = d.time(v);
        break;
      case 'removed':
        extra.removed = d.bool(v, `ChartVersion.entries.${f}`);
        break;
      case 'digest':
        extra.digest = d.str(v, `ChartVersion.entries.${f}`);
        break;
      case 'checksum':
      case 'engine':
      case 'tillerVersion':
      case 'url': {
        const s = d.str(v, `ChartVersion.entries.${f}`);
        if (s !== '') extra.deprecatedFields.push([f, s]);
        break;
      }
      default:
        md[f] = d.str(v, mf(f));
    }
  });
  return { md, extra };
}

function chartVersionOf(e: DecodedEntry): ChartVersion {
  const cv = metadataJson(e.md) as ChartVersion;
  cv.name = e.md.name;
  cv.version = e.md.version;
  cv.urls = e.extra.urls;
  if (e.extra.created !== undefined) cv.created = e.extra.created;
  if (e.extra.removed) cv['removed'] = true;
  if (e.extra.digest !== '') cv.digest = e.extra.digest;
  for (const [k, v] of e.extra.deprecatedFields) cv[k] = v;
  return cv;
}

/** ignoreSkippableChartValidationError: JFrog indexes strip aliases, which makes duplicate dependency names. */
function skippable(err: unknown): boolean {
  return (
    err instanceof ValidationError && err.message.startsWith('validation: more than one dependency with name or alias')
  );
}

/** The `yaml` library's tree of the YAML form, its errors as IndexErrors. */
function referenceYaml(text: string): Raw {
  try {
    return parseIndexYamlReference(text);
  } catch (e) {
    if (e instanceof IndexYamlError) throw new IndexError(e.message, { cause: e.cause });
    throw e;
  }
}

/** What a JSON text can start with after its whitespace (JSON.parse of anything else fails: not tried on YAML). */
const JSON_START = /^[ \t\n\r]*[{["\-0-9tfn]/;

function isJson(text: string): { ok: true; value: Raw } | { ok: false } {
  if (!JSON_START.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as Raw };
  } catch {
    return { ok: false };
  }
}

/**
 * Helm's repo.loadIndex: JSON (when the bytes are valid JSON) or strict YAML; `empty index.yaml file` and
 * `no API version specified` errors; entries failing Chart.yaml validation dropped (a warning each, as Helm logs);
 * null entries dropped too (Helm 3.18 panics on them); entries sorted newest first.
 */
export function loadIndex(data: Uint8Array | string, source = 'index.yaml'): IndexFile {
  const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
  if (text.length === 0) throw new IndexError('empty index.yaml file');
  const j = isJson(text);
  if (j.ok) return decodeIndex(j.value, true, source);
  // js-yaml gives the same tree as the reference parse when it gives one; a failing index is decided (and its error
  // text made) by the reference parse alone.
  const fast = parseIndexYamlFast(text);
  if (fast !== undefined) {
    try {
      return decodeIndex(fast.value, false, source);
    } catch {
      // fall through to the reference parse
    }
  }
  return decodeIndex(referenceYaml(text), false, source);
}

/**
 * {@link loadIndex} with the YAML form always read by the reference parser (the `yaml` library, 4-15x slower on
 * large indexes): the same results, for differential tests and benchmarks.
 */
export function loadIndexReference(data: Uint8Array | string, source = 'index.yaml'): IndexFile {
  const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
  if (text.length === 0) throw new IndexError('empty index.yaml file');
  const j = isJson(text);
  return decodeIndex(j.ok ? j.value : referenceYaml(text), j.ok, source);
}

/** encoding/json (JSON form) or UnmarshalStrict's JSON step (YAML form) into repo.IndexFile, then Helm's checks. */
function decodeIndex(raw: Raw, json: boolean, source: string): IndexFile {
  const j = { ok: json };
  const d = new Decode(j.ok ? '' : 'error unmarshaling JSON: while decoding JSON: ', !j.ok);
  const index = new IndexFile('');
  if (raw !== null && raw !== undefined && !isObject(raw)) {
    throw new IndexError(`${d.prefix}json: cannot unmarshal ${jsonKind(raw)} into Go value of type repo.IndexFile`);
  }
  const decoded: [string, DecodedEntry | null][] = [];
  d.fields(raw ?? {}, INDEX_FIELDS, (f, v) => {
    switch (f) {
      case 'apiVersion':
        index.apiVersion = d.str(v, 'IndexFile.apiVersion', !j.ok);
        break;
      case 'generated':
        index.generated = d.time(v);
        break;
      case 'publicKeys': {
        const keys = d.strs(v, 'IndexFile.publicKeys', !j.ok);
        if (keys) index.publicKeys = keys;
        break;
      }
      case 'annotations': {
        const a = d.obj(v, 'IndexFile.annotations', 'map[string]string');
        if (a) {
          index.annotations = Object.fromEntries(
            Object.entries(a).map(([k, e]) => [k, d.str(e, 'IndexFile.annotations', !j.ok)]),
          );
        }
        break;
      }
      case 'serverInfo': {
        const s = d.obj(v, 'IndexFile.serverInfo', 'map[string]interface {}');
        if (s) index.serverInfo = plainJson(s) as Record<string, unknown>;
        break;
      }
      case 'entries': {
        const es = d.obj(v, 'IndexFile.entries', 'map[string]repo.ChartVersions');
        for (const [name, list] of Object.entries(es ?? {})) {
          if (list === null || list === undefined) {
            decoded.push([name, null]);
            continue;
          }
          if (!Array.isArray(list)) {
            d.typeError(list, 'IndexFile.entries', 'repo.ChartVersions');
            continue;
          }
          if (list.length === 0) decoded.push([name, null]);
          for (const e of list) {
            if (e === null || e === undefined) {
              index.warnings.push(`skipping loading invalid entry for chart "${name}" from ${source}: empty entry`);
              continue;
            }
            const o = d.obj(e, 'IndexFile.entries', 'repo.ChartVersion');
            if (o) decoded.push([name, decodeEntry(d, o)]);
          }
        }
        break;
      }
    }
  });
  if (d.first) throw d.first;
  for (const [name, e] of decoded) {
    const list = (index.entries[name] ??= []);
    if (e === null) continue;
    if (e.md.apiVersion === '') e.md.apiVersion = API_VERSION_V1;
    try {
      validateMetadata(e.md);
    } catch (err) {
      if (!skippable(err)) {
        index.warnings.push(
          `skipping loading invalid entry for chart "${name}" "${e.md.version}" from ${source}: ${(err as Error).message}`,
        );
        continue;
      }
    }
    list.push(chartVersionOf(e));
  }
  index.sortEntries();
  if (index.apiVersion === '') throw new IndexError('no API version specified');
  return index;
}
