// chart.Metadata (Chart.yaml), chart.Dependency, chart.Maintainer and chart.Lock: decoding as sigs.k8s.io/yaml
// does into Go structs (numbers and booleans into string fields are formatted, type mismatches are json errors),
// Helm's Validate() with its messages, and the JSON encoding Helm uses (json tags, omitempty).
import { parseDocument } from 'yaml';
import { goYamlTags } from '../values/yaml.ts';
import { formatFloat, isPrint } from '../template/fmt.ts';
import { parseVersion } from './semver.ts';

/** chart.Maintainer. */
export interface Maintainer {
  name: string;
  email: string;
  url: string;
}

/** chart.Dependency (Chart.yaml `dependencies`, requirements.yaml for v1). */
export interface Dependency {
  name: string;
  version: string;
  repository: string;
  condition: string;
  tags: string[] | null;
  enabled: boolean;
  importValues: unknown[] | null;
  alias: string;
}

/** chart.Metadata with Go's zero values ('' / null / false). */
export interface Metadata {
  name: string;
  home: string;
  sources: string[] | null;
  version: string;
  description: string;
  keywords: string[] | null;
  maintainers: (Maintainer | null)[] | null;
  icon: string;
  apiVersion: string;
  condition: string;
  tags: string;
  appVersion: string;
  deprecated: boolean;
  annotations: Record<string, string> | null;
  kubeVersion: string;
  dependencies: (Dependency | null)[] | null;
  type: string;
}

/** chart.Lock (Chart.lock / requirements.lock), kept as decoded. */
export type Lock = Record<string, unknown>;

export const API_VERSION_V1 = 'v1';
export const API_VERSION_V2 = 'v2';

/** A chart.ValidationError (`validation: …`). */
export class ValidationError extends Error {
  constructor(msg: string) {
    super(`validation: ${msg}`);
  }
}

/** Raw YAML as go-yaml gives it (YAML 1.1, no timestamps), with JS numbers (ints as bigint). */
export function rawYaml(text: string): unknown {
  const doc = parseDocument(text, {
    version: '1.1',
    intAsBigInt: true,
    uniqueKeys: false,
    merge: true,
    customTags: goYamlTags,
  });
  if (doc.errors.length > 0) throw new Error(`error converting YAML to JSON: yaml: ${doc.errors[0]?.message ?? ''}`);
  return doc.toJS({ maxAliasCount: -1 });
}

/** The JSON kind encoding/json names in `cannot unmarshal <kind> into …`. */
export function jsonKind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || typeof v === 'number') return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

class Decoder {
  first: Error | undefined;
  fail(v: unknown, field: string, goType: string): void {
    this.first ??= new Error(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${goType}`,
    );
  }
  str(v: unknown, field: string): string {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    // sigs.k8s.io/yaml formats YAML scalars decoded into a string target.
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return formatFloat(v, 'g', -1, 32);
    if (typeof v === 'boolean') return String(v);
    this.fail(v, field, 'string');
    return '';
  }
  bool(v: unknown, field: string): boolean {
    if (v === null || v === undefined) return false;
    if (typeof v === 'boolean') return v;
    this.fail(v, field, 'bool');
    return false;
  }
  strs(v: unknown, field: string): string[] | null {
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) {
      this.fail(v, field, '[]string');
      return null;
    }
    return v.map((e) => this.str(e, field));
  }
  obj(v: unknown, field: string, goType: string): Record<string, unknown> | null {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(v, field, goType);
      return null;
    }
    return v as Record<string, unknown>;
  }
}

function decodeMaintainer(d: Decoder, v: unknown): Maintainer | null {
  const o = d.obj(v, 'Metadata.maintainers', 'chart.Maintainer');
  if (o === null) return null;
  return {
    name: d.str(o['name'], 'Metadata.maintainers.name'),
    email: d.str(o['email'], 'Metadata.maintainers.email'),
    url: d.str(o['url'], 'Metadata.maintainers.url'),
  };
}

function decodeDependency(d: Decoder, v: unknown, struct: string): Dependency | null {
  const o = d.obj(v, `${struct}.dependencies`, 'chart.Dependency');
  if (o === null) return null;
  const f = `${struct}.dependencies`;
  const iv = o['import-values'];
  let importValues: unknown[] | null = null;
  if (iv !== null && iv !== undefined) {
    if (Array.isArray(iv)) importValues = iv.map(normalizeImport);
    else d.fail(iv, `${f}.import-values`, '[]interface {}');
  }
  return {
    name: d.str(o['name'], `${f}.name`),
    version: d.str(o['version'], `${f}.version`),
    repository: d.str(o['repository'], `${f}.repository`),
    condition: d.str(o['condition'], `${f}.condition`),
    tags: d.strs(o['tags'], `${f}.tags`),
    enabled: d.bool(o['enabled'], `${f}.enabled`),
    importValues,
    alias: d.str(o['alias'], `${f}.alias`),
  };
}

function normalizeImport(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(normalizeImport);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, normalizeImport(e)]));
  }
  return v;
}

/** Decodes YAML text into a Metadata (over an existing one, as yaml.Unmarshal into a non-nil struct does). */
export function decodeMetadata(text: string, into?: Metadata): Metadata {
  const raw = rawYaml(text);
  const md: Metadata = into ?? emptyMetadata();
  if (raw === null || raw === undefined) return md;
  const d = new Decoder();
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(raw)} into Go value of type chart.Metadata`,
    );
  }
  const o = raw as Record<string, unknown>;
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  if (has('name')) md.name = d.str(o['name'], 'Metadata.name');
  if (has('home')) md.home = d.str(o['home'], 'Metadata.home');
  if (has('sources')) md.sources = d.strs(o['sources'], 'Metadata.sources');
  if (has('version')) md.version = d.str(o['version'], 'Metadata.version');
  if (has('description')) md.description = d.str(o['description'], 'Metadata.description');
  if (has('keywords')) md.keywords = d.strs(o['keywords'], 'Metadata.keywords');
  if (has('maintainers')) {
    const m = o['maintainers'];
    if (m === null || m === undefined) md.maintainers = null;
    else if (!Array.isArray(m)) d.fail(m, 'Metadata.maintainers', '[]*chart.Maintainer');
    else md.maintainers = m.map((e) => decodeMaintainer(d, e));
  }
  if (has('icon')) md.icon = d.str(o['icon'], 'Metadata.icon');
  if (has('apiVersion')) md.apiVersion = d.str(o['apiVersion'], 'Metadata.apiVersion');
  if (has('condition')) md.condition = d.str(o['condition'], 'Metadata.condition');
  if (has('tags')) md.tags = d.str(o['tags'], 'Metadata.tags');
  if (has('appVersion')) md.appVersion = d.str(o['appVersion'], 'Metadata.appVersion');
  if (has('deprecated')) md.deprecated = d.bool(o['deprecated'], 'Metadata.deprecated');
  if (has('annotations')) {
    const a = d.obj(o['annotations'], 'Metadata.annotations', 'map[string]string');
    md.annotations =
      a === null ? null : Object.fromEntries(Object.entries(a).map(([k, v]) => [k, d.str(v, 'Metadata.annotations')]));
  }
  if (has('kubeVersion')) md.kubeVersion = d.str(o['kubeVersion'], 'Metadata.kubeVersion');
  if (has('dependencies')) {
    const deps = o['dependencies'];
    if (deps === null || deps === undefined) md.dependencies = null;
    else if (!Array.isArray(deps)) d.fail(deps, 'Metadata.dependencies', '[]*chart.Dependency');
    else md.dependencies = deps.map((e) => decodeDependency(d, e, 'Metadata'));
  }
  if (has('type')) md.type = d.str(o['type'], 'Metadata.type');
  if (d.first) throw d.first;
  return md;
}

/** A Metadata with Go's zero values. */
export function emptyMetadata(): Metadata {
  return {
    name: '',
    home: '',
    sources: null,
    version: '',
    description: '',
    keywords: null,
    maintainers: null,
    icon: '',
    apiVersion: '',
    condition: '',
    tags: '',
    appVersion: '',
    deprecated: false,
    annotations: null,
    kubeVersion: '',
    dependencies: null,
    type: '',
  };
}

/** Decodes Chart.lock / requirements.lock. */
export function decodeLock(text: string): Lock {
  const raw = rawYaml(text);
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(raw)} into Go value of type chart.Lock`,
    );
  }
  return raw as Lock;
}

/** chart's sanitizeString: whitespace → space, non-printable runes dropped. */
export function sanitizeString(s: string): string {
  // Printable ASCII (space included) is kept as is: the common case, without the per-character walk.
  if (/^[\x20-\x7e]*$/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0;
    if (/\s/u.test(ch) || r === 0x85) out += ' ';
    else if (isPrint(r)) out += ch;
  }
  return out;
}

const ALIAS = /^[a-zA-Z0-9_-]+$/;

function validateDependency(d: Dependency | null): void {
  if (d === null) throw new ValidationError('dependencies must not contain empty or null nodes');
  d.name = sanitizeString(d.name);
  d.version = sanitizeString(d.version);
  d.repository = sanitizeString(d.repository);
  d.condition = sanitizeString(d.condition);
  if (d.tags) d.tags = d.tags.map(sanitizeString);
  if (d.alias !== '' && !ALIAS.test(d.alias)) {
    throw new ValidationError(`dependency ${JSON.stringify(d.name)} has disallowed characters in the alias`);
  }
}

function baseName(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

/** Metadata.Validate (sanitizes strings in place, as Helm does). */
export function validateMetadata(md: Metadata): void {
  md.name = sanitizeString(md.name);
  md.description = sanitizeString(md.description);
  md.home = sanitizeString(md.home);
  md.icon = sanitizeString(md.icon);
  md.condition = sanitizeString(md.condition);
  md.tags = sanitizeString(md.tags);
  md.appVersion = sanitizeString(md.appVersion);
  md.kubeVersion = sanitizeString(md.kubeVersion);
  if (md.sources) md.sources = md.sources.map(sanitizeString);
  if (md.keywords) md.keywords = md.keywords.map(sanitizeString);
  if (md.apiVersion === '') throw new ValidationError('chart.metadata.apiVersion is required');
  if (md.name === '') throw new ValidationError('chart.metadata.name is required');
  if (md.name !== baseName(md.name)) {
    throw new ValidationError(`chart.metadata.name ${JSON.stringify(md.name)} is invalid`);
  }
  if (md.version === '') throw new ValidationError('chart.metadata.version is required');
  if (parseVersion(md.version) === undefined) {
    throw new ValidationError(`chart.metadata.version ${JSON.stringify(md.version)} is invalid`);
  }
  if (md.type !== '' && md.type !== 'application' && md.type !== 'library') {
    throw new ValidationError('chart.metadata.type must be application or library');
  }
  for (const m of md.maintainers ?? []) {
    if (m === null) throw new ValidationError('maintainers must not contain empty or null nodes');
    m.name = sanitizeString(m.name);
    m.email = sanitizeString(m.email);
    m.url = sanitizeString(m.url);
  }
  const seen = new Set<string>();
  for (const d of md.dependencies ?? []) {
    validateDependency(d);
    const key = (d as Dependency).alias !== '' ? (d as Dependency).alias : (d as Dependency).name;
    if (seen.has(key)) throw new ValidationError(`more than one dependency with name or alias ${JSON.stringify(key)}`);
    seen.add(key);
  }
}

/** The JSON object Go's encoding/json makes of a Maintainer. */
function maintainerJson(m: Maintainer | null): unknown {
  if (m === null) return null;
  const o: Record<string, unknown> = {};
  if (m.name !== '') o['name'] = m.name;
  if (m.email !== '') o['email'] = m.email;
  if (m.url !== '') o['url'] = m.url;
  return o;
}

/** The JSON object of a Dependency (json tags, omitempty). */
export function dependencyJson(d: Dependency | null): unknown {
  if (d === null) return null;
  const o: Record<string, unknown> = { name: d.name };
  if (d.version !== '') o['version'] = d.version;
  o['repository'] = d.repository;
  if (d.condition !== '') o['condition'] = d.condition;
  if (d.tags && d.tags.length > 0) o['tags'] = d.tags;
  if (d.enabled) o['enabled'] = true;
  if (d.importValues && d.importValues.length > 0) o['import-values'] = d.importValues;
  if (d.alias !== '') o['alias'] = d.alias;
  return o;
}

/** The JSON object of a Metadata, fields in Go's order with omitempty. */
export function metadataJson(md: Metadata): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const s = (k: string, v: string): void => {
    if (v !== '') o[k] = v;
  };
  s('name', md.name);
  s('home', md.home);
  if (md.sources && md.sources.length > 0) o['sources'] = md.sources;
  s('version', md.version);
  s('description', md.description);
  if (md.keywords && md.keywords.length > 0) o['keywords'] = md.keywords;
  if (md.maintainers && md.maintainers.length > 0) o['maintainers'] = md.maintainers.map(maintainerJson);
  s('icon', md.icon);
  s('apiVersion', md.apiVersion);
  s('condition', md.condition);
  s('tags', md.tags);
  s('appVersion', md.appVersion);
  if (md.deprecated) o['deprecated'] = true;
  if (md.annotations && Object.keys(md.annotations).length > 0) {
    const a = md.annotations;
    o['annotations'] = Object.fromEntries(
      Object.keys(a)
        .sort()
        .map((k) => [k, a[k]]),
    );
  }
  s('kubeVersion', md.kubeVersion);
  if (md.dependencies && md.dependencies.length > 0) o['dependencies'] = md.dependencies.map(dependencyJson);
  s('type', md.type);
  return o;
}

/** Decodes the JSON of a Metadata (a stored release's chart.metadata). */
export function metadataFromJson(v: unknown): Metadata {
  return decodeMetadata(JSON.stringify(v ?? {}));
}
