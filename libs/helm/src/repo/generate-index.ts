// `helm repo index DIR --url URL`: repo.IndexDirectory (the .tgz files of DIR and of its direct subdirectories,
// each loaded as a chart, sha256 digest, URL from urlutil.URLJoin), SortEntries, and IndexFile.WriteFile's YAML
// (sigs.k8s.io/yaml through @flux-ts/goyaml's emitter). Hand-written: Go's Glob order and net/url joining decide the
// result, which no npm library reproduces.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareVersions, parseVersion } from '@flux-ts/semver';
import { loadArchive } from '../chart/loader.ts';
import { metadataJson } from '../chart/metadata.ts';
import { marshalYaml } from '../engine/yaml.ts';
import { cleanPath } from '../go-path.ts';

/** A directory entry as {@link IndexDirectoryOptions.readDir} returns it. */
export interface IndexDirEntry {
  name: string;
  /** True for a directory (a symlink to one counts, as Go's os.Stat follows it). */
  isDirectory: boolean;
}

/** Options of {@link indexDirectory}. */
export interface IndexDirectoryOptions {
  /** `--url`: the base URL of the charts (empty: URLs relative to the index). */
  url?: string;
  /** The `created` and `generated` time (default: now). */
  now?: Date;
  /** Lists a directory (default: node:fs, following symlinks). */
  readDir?: (dir: string) => Promise<IndexDirEntry[]>;
  /** Reads a file (default: node:fs). */
  readFile?: (path: string) => Promise<Uint8Array>;
  signal?: AbortSignal;
}

/** An index as `helm repo index` generates it: entries are ChartVersion JSON objects (metadata, urls, created, digest). */
export interface GeneratedIndex {
  apiVersion: 'v1';
  entries: Record<string, Array<Record<string, unknown>>>;
  generated: string;
}

/** An index file to serialise (repo.IndexFile's JSON fields). */
export interface SerializableIndex {
  apiVersion: string;
  generated: string;
  entries: Record<string, ReadonlyArray<Record<string, unknown>>>;
  serverInfo?: Record<string, unknown>;
  publicKeys?: readonly string[];
  annotations?: Record<string, string>;
}

async function nodeReadDir(dir: string): Promise<IndexDirEntry[]> {
  const out: IndexDirEntry[] = [];
  for (const name of await readdir(dir)) {
    let isDirectory = false;
    try {
      isDirectory = (await stat(join(dir, name))).isDirectory();
    } catch {
      // a dangling symlink: not a directory
    }
    out.push({ name, isDirectory });
  }
  return out;
}

/** Go's filepath.Match of `*.tgz` (`*` matches any name, dot files included). */
const isTgz = (name: string): boolean => name.endsWith('.tgz');

/** Go's sort.Strings order (bytewise). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * repo.IndexDirectory + SortEntries: an index over the .tgz files of `dir` and of its direct subdirectories (Go's
 * Glob order); files that do not load as a chart are skipped, as Helm does (and so are directories named *.tgz,
 * where Helm fails on a chart directory). Entries are sorted by version, newest first.
 */
export async function indexDirectory(dir: string, opts: IndexDirectoryOptions = {}): Promise<GeneratedIndex> {
  const list = opts.readDir ?? nodeReadDir;
  const read = opts.readFile ?? ((p: string) => readFile(p, { signal: opts.signal }));
  const now = goTime(opts.now ?? new Date());
  const baseUrl = opts.url ?? '';
  const top = (await list(dir)).sort((a, b) => byteOrder(a.name, b.name));
  const archives: { parent: string; name: string }[] = [];
  for (const e of top) if (isTgz(e.name) && !e.isDirectory) archives.push({ parent: '', name: e.name });
  for (const d of top) {
    if (!d.isDirectory) continue;
    const inner = (await list(join(dir, d.name))).sort((a, b) => byteOrder(a.name, b.name));
    for (const e of inner) if (isTgz(e.name) && !e.isDirectory) archives.push({ parent: d.name, name: e.name });
  }
  const entries: Record<string, Array<Record<string, unknown>>> = {};
  for (const a of archives) {
    opts.signal?.throwIfAborted();
    const path = a.parent === '' ? join(dir, a.name) : join(dir, a.parent, a.name);
    const data = Buffer.from(await read(path));
    let md;
    try {
      md = loadArchive(data).metadata;
    } catch {
      continue; // "Assume this is not a chart."
    }
    const parentUrl = urlJoinOrPath(baseUrl, a.parent);
    const url = parentUrl === '' ? a.name : urlJoinOrPath(parentUrl, a.name);
    const cv: Record<string, unknown> = {
      ...metadataJson(md),
      urls: [url],
      created: now,
      digest: createHash('sha256').update(data).digest('hex'),
    };
    (entries[md.name] ??= []).push(cv);
  }
  for (const versions of Object.values(entries)) sortVersionsDescending(versions);
  return { apiVersion: 'v1', entries, generated: now };
}

/** IndexFile.SortEntries for one chart: newest first (sort.Reverse of Masterminds LessThan; unparsable last). */
function sortVersionsDescending(versions: Array<Record<string, unknown>>): void {
  const parsed = new Map(versions.map((v) => [v, parseVersion(String(v['version'] ?? ''))]));
  versions.sort((x, y) => {
    const a = parsed.get(x);
    const b = parsed.get(y);
    if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : 1) : -1;
    return compareVersions(b, a);
  });
}

/** IndexFile.WriteFile's YAML: sigs.k8s.io/yaml.Marshal of the index (keys sorted; empty optional fields left out). */
export function serializeIndex(index: SerializableIndex): string {
  const o: Record<string, unknown> = {};
  if (index.serverInfo && Object.keys(index.serverInfo).length > 0) o['serverInfo'] = index.serverInfo;
  o['apiVersion'] = index.apiVersion;
  o['generated'] = index.generated;
  o['entries'] = index.entries;
  if (index.publicKeys && index.publicKeys.length > 0) o['publicKeys'] = index.publicKeys;
  if (index.annotations && Object.keys(index.annotations).length > 0) o['annotations'] = index.annotations;
  return marshalYaml(o);
}

/** A time as encoding/json writes a time.Time (RFC3339Nano, UTC as `Z`). */
function goTime(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** urlutil.URLJoin, or path.Join when the base URL does not parse (as IndexDirectory and MustAdd fall back). */
function urlJoinOrPath(base: string, ...paths: string[]): string {
  return urlJoin(base, ...paths) ?? joinPath(base, ...paths);
}

/** Go's path.Join. */
function joinPath(...elems: string[]): string {
  const s = elems.filter((e) => e !== '').join('/');
  return s === '' ? '' : cleanPath(s);
}

/** stringContainsCTLByte. */
function hasCtl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Go's url.PathUnescape-style decoding; undefined on a bad escape. */
function unescape(s: string): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return Buffer.from(
      s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
}

/** net/url's escape(s, encodePath). */
function escapePath(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * urlutil.URLJoin: url.Parse(base), Path = path.Join(Path, paths…), String(); undefined where url.Parse fails.
 * Covers net/url's parsing and printing of hierarchical URLs (scheme, authority, path, query, fragment).
 */
function urlJoin(base: string, ...paths: string[]): string | undefined {
  if (hasCtl(base)) return undefined;
  let rest = base;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    if (unescape(fragment) === undefined) return undefined;
  }
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = (sm[1] ?? '').toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (rest.startsWith(':')) return undefined;
  let query: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') return base; // opaque URL: Path is not printed
    const seg = rest.split('/')[0] ?? '';
    if (seg.includes(':')) return undefined;
  }
  let authority: string | undefined;
  if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
    const slash = rest.indexOf('/', 2);
    authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.slice(host.indexOf(':'));
    if (host.includes(':') && port !== '' && !/^:\d*$/.test(port)) return undefined;
  }
  const rawPath = rest;
  const oldPath = unescape(rawPath);
  if (oldPath === undefined) return undefined;
  const newPath = joinPath(oldPath, ...paths);
  let escaped = newPath === oldPath && escapePath(oldPath) !== rawPath ? rawPath : escapePath(newPath);
  let out = scheme !== '' ? `${scheme}:` : '';
  if (authority !== undefined) {
    if (authority !== '' || newPath !== '') out += `//${authority}`;
    if (escaped !== '' && !escaped.startsWith('/') && authority !== '') escaped = '/' + escaped;
  }
  if (out === '' && (escaped.split('/')[0] ?? '').includes(':')) out = './';
  out += escaped;
  if (query !== undefined && (query !== '' || base.endsWith('?'))) out += `?${query}`;
  if (fragment !== '') out += `#${fragment}`;
  return out;
}
