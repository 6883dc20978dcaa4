// helm's release storage in Secrets (pkg/storage/driver/secrets.go + util.go): a release is JSON with Helm's field
// names, gzip'd (best compression) and base64'd into the Secret's `release` key (so the Secret's data holds base64
// of that base64: `SDRzSUFBQUFBQUFDLz…`); decoding also accepts an uncompressed payload (no gzip magic), as Helm does.
// Secrets are `sh.helm.release.v1.<name>.v<version>` of type `helm.sh/release.v1`, labelled owner=helm, name,
// status, version (+ createdAt on create, modifiedAt on update; custom labels are the release's labels).
import { gunzipSync, gzipSync, constants } from 'node:zlib';
import { GoFloat, GoInt, JsonNumber } from '../template/values.ts';

/** release.Status values. */
export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

/** release.Info (times as RFC 3339 strings, as Go's time.Time marshals). */
export interface ReleaseInfo {
  first_deployed?: string;
  last_deployed?: string;
  /** Always present in Helm's JSON (`"deleted": ""` when zero, Go's zero time otherwise). */
  deleted: string;
  description?: string;
  status?: ReleaseStatus;
  notes?: string;
  resources?: Record<string, unknown[]>;
}

/** chart.File in a release: data is base64 ([]byte). */
export interface ReleaseFile {
  name: string;
  data: string;
}

/** chart.Chart in a release. */
export interface ReleaseChart {
  metadata: Record<string, unknown> | null;
  lock: Record<string, unknown> | null;
  templates: ReleaseFile[] | null;
  values: Record<string, unknown> | null;
  /** base64 of values.schema.json, or null. */
  schema: string | null;
  files: ReleaseFile[] | null;
}

/** release.Hook. */
export interface ReleaseHook {
  name?: string;
  kind?: string;
  path?: string;
  manifest?: string;
  events?: string[];
  last_run: { started_at?: string; completed_at?: string; phase: string };
  weight?: number;
  delete_policies?: string[];
  output_log_policies?: string[];
}

/** release.Release (labels are not part of the JSON: `json:"-"`; they live on the Secret). */
export interface Release {
  name?: string;
  info?: ReleaseInfo;
  chart?: ReleaseChart;
  config?: Record<string, unknown>;
  manifest?: string;
  hooks?: ReleaseHook[];
  version?: number;
  namespace?: string;
  /** Custom labels (stored on the Secret, not in the JSON). */
  labels?: Record<string, string>;
  /**
   * helm 4's record of how the objects were applied (`"ssa"` server-side apply, `"csa"` client-side; unset means
   * csa). helm 3 reads records with it and ignores it.
   */
  apply_method?: ApplyMethod;
}

/** helm 4's release.ApplyMethod values. */
export type ApplyMethod = 'ssa' | 'csa';

/** The gzip magic Helm checks (0x1f 0x8b 0x08). */
const MAGIC_GZIP = Buffer.from([0x1f, 0x8b, 0x08]);

/** Labels Helm manages itself (filtered out of a release's custom labels). */
export const SYSTEM_LABELS: readonly string[] = ['name', 'owner', 'status', 'version', 'createdAt', 'modifiedAt'];

/** Go's encoding/json of a release: fields in struct order, omitempty as Helm's tags say. */
export function releaseJson(r: Release): string {
  const o: Record<string, unknown> = {};
  if (r.name) o['name'] = r.name;
  if (r.info) {
    const i = r.info;
    const info: Record<string, unknown> = {};
    if (i.first_deployed) info['first_deployed'] = i.first_deployed;
    if (i.last_deployed) info['last_deployed'] = i.last_deployed;
    info['deleted'] = i.deleted;
    if (i.description) info['description'] = i.description;
    if (i.status) info['status'] = i.status;
    if (i.notes) info['notes'] = i.notes;
    if (i.resources && Object.keys(i.resources).length > 0) info['resources'] = i.resources;
    o['info'] = info;
  }
  if (r.chart) {
    o['chart'] = {
      metadata: r.chart.metadata,
      lock: r.chart.lock,
      templates: r.chart.templates,
      values: r.chart.values === null ? null : goValues(r.chart.values),
      schema: r.chart.schema,
      files: r.chart.files,
    };
  }
  if (r.config && Object.keys(r.config).length > 0) o['config'] = goValues(r.config);
  if (r.manifest) o['manifest'] = r.manifest;
  if (r.hooks && r.hooks.length > 0) o['hooks'] = r.hooks;
  if (r.version) o['version'] = r.version;
  if (r.namespace) o['namespace'] = r.namespace;
  if (r.apply_method) o['apply_method'] = r.apply_method;
  return goJsonEscape(JSON.stringify(o));
}

const rawJSON = (JSON as unknown as { rawJSON: (s: string) => unknown }).rawJSON;

/** Values of the model as encoding/json writes them: map keys sorted, json.Number and integers as digits. */
export function goValues(v: unknown): unknown {
  if (v instanceof JsonNumber) return rawJSON(v.value);
  if (v instanceof GoInt) return rawJSON(v.value.toString());
  if (typeof v === 'bigint') return rawJSON(v.toString());
  if (v instanceof GoFloat) return v.value;
  if (Array.isArray(v)) return v.map(goValues);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = goValues((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

/** encoding/json escapes <, >, & and U+2028/9 (HTML-safe) where JSON.stringify does not. */
function goJsonEscape(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** encodeRelease: base64(gzip(JSON)) with best compression. */
export function encodeRelease(r: Release): string {
  const gz = gzipSync(Buffer.from(releaseJson(r), 'utf8'), { level: constants.Z_BEST_COMPRESSION });
  return gz.toString('base64');
}

function strictBase64(s: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new Error('illegal base64 data at input byte 0');
  }
  return Buffer.from(s, 'base64');
}

/** decodeRelease: base64, gunzip when the gzip magic is there, JSON. */
export function decodeRelease(data: string): Release {
  let b = strictBase64(data);
  if (b.length > 3 && b.subarray(0, 3).equals(MAGIC_GZIP)) b = gunzipSync(b);
  return JSON.parse(b.toString('utf8')) as Release;
}

/** The storage key of a release revision: `sh.helm.release.v1.<name>.v<version>`. */
export function releaseKey(name: string, version: number): string {
  return `sh.helm.release.v1.${name}.v${version}`;
}

/** A core/v1 Secret as the driver reads and writes it (data values base64, as in the API). */
export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [k: string]: unknown;
  };
  type: string;
  data: Record<string, string>;
}

/** The Secret type of Helm releases. */
export const RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

/** newSecretsObject: the Secret for a release (custom labels, then Helm's own). */
export function releaseToSecret(r: Release, extraLabels: Record<string, string> = {}): SecretObject {
  const name = r.name ?? '';
  const version = r.version ?? 0;
  const labels: Record<string, string> = { ...extraLabels, ...(r.labels ?? {}) };
  labels['name'] = name;
  labels['owner'] = 'helm';
  labels['status'] = r.info?.status ?? 'unknown';
  labels['version'] = String(version);
  const meta: SecretObject['metadata'] = { name: releaseKey(name, version), labels };
  if (r.namespace) meta.namespace = r.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta,
    type: RELEASE_SECRET_TYPE,
    data: { release: Buffer.from(encodeRelease(r), 'utf8').toString('base64') },
  };
}

/** Decodes a release Secret; its custom labels (all but the system ones) become the release's labels. */
export function secretToRelease(s: SecretObject): Release {
  const raw = s.data?.['release'];
  if (raw === undefined) throw new Error(`secret ${s.metadata.name} has no release data`);
  const r = decodeRelease(Buffer.from(raw, 'base64').toString('utf8'));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.metadata.labels ?? {})) if (!SYSTEM_LABELS.includes(k)) labels[k] = v;
  r.labels = labels;
  return r;
}

/** The minimal Secrets client the driver needs (one namespace). */
export interface SecretsClient {
  get(name: string): Promise<SecretObject | undefined>;
  list(labelSelector: Record<string, string>): Promise<SecretObject[]>;
  create(secret: SecretObject): Promise<void>;
  update(secret: SecretObject): Promise<void>;
  delete(name: string): Promise<void>;
}

/** driver.ErrReleaseNotFound. */
export class ReleaseNotFoundError extends Error {
  constructor() {
    super('release: not found');
  }
}

/** driver.ErrReleaseExists. */
export class ReleaseExistsError extends Error {
  constructor() {
    super('release: already exists');
  }
}

/** The Secrets storage driver (driver.Secrets) over an injected client; `now` gives Unix seconds. */
export class SecretsDriver {
  private readonly client: SecretsClient;
  private readonly now: () => number;
  constructor(client: SecretsClient, opts: { now?: () => number } = {}) {
    this.client = client;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The driver's name. */
  name(): string {
    return 'Secret';
  }

  async get(key: string): Promise<Release> {
    const s = await this.client.get(key);
    if (s === undefined) throw new ReleaseNotFoundError();
    return secretToRelease(s);
  }

  /** Every release (owner=helm) that passes the filter. */
  async list(filter: (r: Release) => boolean = () => true): Promise<Release[]> {
    const items = await this.client.list({ owner: 'helm' });
    return items.map(secretToRelease).filter(filter);
  }

  /** Releases whose Secrets have the labels (plus owner=helm); ReleaseNotFoundError when none. */
  async query(labels: Record<string, string>): Promise<Release[]> {
    const items = await this.client.list({ ...labels, owner: 'helm' });
    if (items.length === 0) throw new ReleaseNotFoundError();
    return items.map(secretToRelease);
  }

  async create(key: string, r: Release): Promise<void> {
    const s = releaseToSecret(r, { createdAt: String(this.now()) });
    s.metadata.name = key;
    if ((await this.client.get(key)) !== undefined) throw new ReleaseExistsError();
    await this.client.create(s);
  }

  async update(key: string, r: Release): Promise<void> {
    const s = releaseToSecret(r, { modifiedAt: String(this.now()) });
    s.metadata.name = key;
    await this.client.update(s);
  }

  async delete(key: string): Promise<Release> {
    const r = await this.get(key);
    await this.client.delete(key);
    return r;
  }

  /** storage.History: every revision of a release, sorted by version. */
  async history(name: string): Promise<Release[]> {
    const rs = await this.query({ name });
    return rs.sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
  }

  /** storage.Deployed: the last deployed revision. */
  async deployed(name: string): Promise<Release> {
    const rs = await this.query({ name, status: 'deployed' });
    rs.sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
    return rs[rs.length - 1] as Release;
  }

  /** storage.Last: the highest revision. */
  async last(name: string): Promise<Release> {
    const rs = await this.history(name);
    return rs[rs.length - 1] as Release;
  }
}
