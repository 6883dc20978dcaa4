/**
 * What the Git provider types share (upstream notifier `util.go`, `markdown.go`, `git_change_request_comment.go`):
 * repository addresses, Flux revisions, status names and descriptions, the change-request comment body, and one
 * JSON API call over {@link sendRequest} whose errors name only the host.
 */
import { createHash } from 'node:crypto';
import { EventMetadataKeys } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { redactURL, sendRequest } from '../http.ts';
import type { HttpRequest, TransportSettings } from '../http.ts';
import { NotifierError } from '../types.ts';
import type { ProviderSettings } from '../types.ts';

/** A repository address split as upstream `parseGitAddress` does: `scheme://host` (ssh → https) and the path id. */
export interface GitAddress {
  /** `https://github.com`, `http://127.0.0.1:8080`: scheme and host (with port) only. */
  host: string;
  /** The path without leading slashes and without a `.git` suffix: `org/repo`, `group/sub/project`. */
  id: string;
}

// Hand-written after whilp/git-urls (what upstream uses): no maintained npm package parses the scp-like form the same way.
const SCP = /^(?:([^@/]+)@)?([^:/\s]+):(?!\/\/)(.*)$/;

/**
 * Parses a Git address in its https, ssh:// or scp-like (`git@host:org/repo.git`) form. The error never repeats
 * the address (it may carry credentials).
 */
export function parseGitAddress(address: string): GitAddress {
  const s = address.trim();
  const hasScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(s);
  if (!hasScheme) {
    const m = SCP.exec(s);
    if (m) return { host: `https://${m[2]!}`, id: trimId(m[3]!) };
    throw new NotifierError('failed parsing URL: not a Git repository address');
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch (err) {
    throw new NotifierError('failed parsing URL: invalid Git repository address', { cause: err });
  }
  let scheme = u.protocol.slice(0, -1);
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git') scheme = 'https';
  return { host: `${scheme}://${u.host}`, id: trimId(safeDecode(u.pathname)) };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function trimId(path: string): string {
  let id = path.replace(/^\/+/, '');
  if (id.endsWith('.git')) id = id.slice(0, -4);
  return id;
}

/** Splits a repository id into exactly `n` parts, or throws upstream's `invalid repository id "<id>"`. */
export function splitRepositoryId(id: string, n: number): string[] {
  const parts = id.split('/');
  if (parts.length !== n) throw new NotifierError(`invalid repository id ${goQuote(id)}`);
  return parts;
}

/**
 * The commit of a Flux revision (`main@sha1:<hex>`, `sha1:<hex>`, legacy `main/<hex>`, a bare `<hex>`), as fluxcd/pkg
 * `ExtractHashFromRevision`: the part after the last `:`, else after the last `/`; it must be 40 characters long.
 */
export function parseRevision(revision: string): string {
  let hash = revision;
  const colon = revision.lastIndexOf(':');
  if (colon !== -1) hash = revision.slice(colon + 1);
  else if (revision.includes('/')) hash = revision.slice(revision.lastIndexOf('/') + 1);
  if (hash.length !== 40) throw new NotifierError(`failed to extract commit hash from '${revision}' revision`);
  return hash;
}

/** The metadata key of a commit set by any Flux object (`event.toolkit.fluxcd.io/commit`, prefix stripped). */
export const COMMIT_METADATA_KEY = 'commit';

/**
 * The revision an event is about: `originRevision`, then `revision` (fluxcd/pkg `Event.GetRevision`), then the
 * `commit` key that any Flux object may carry (notification-controller 1.8).
 */
export function eventRevision(event: FluxEvent): string | undefined {
  const md = event.metadata ?? {};
  for (const key of [EventMetadataKeys.OriginRevision, EventMetadataKeys.Revision, COMMIT_METADATA_KEY]) {
    if (Object.hasOwn(md, key)) return md[key];
  }
  return undefined;
}

/** The commit an event is about, or upstream's `missing revision metadata` / hash errors. */
export function eventCommit(event: FluxEvent): string {
  const rev = eventRevision(event);
  if (rev === undefined) throw new NotifierError('missing revision metadata');
  return parseRevision(rev);
}

/** True for a `commit_status: update` event (the success event of kustomize-controller and helm-controller). */
export function isCommitStatusUpdate(event: FluxEvent): boolean {
  return event.metadata?.[EventMetadataKeys.CommitStatus] === 'update';
}

type CharClass = 1 | 2 | 3 | 4;

function charClass(ch: string): CharClass {
  if (/^\p{Ll}$/u.test(ch)) return 1;
  if (/^\p{Lu}$/u.test(ch)) return 2;
  if (/^\p{Nd}$/u.test(ch)) return 3;
  return 4;
}

/** Splits `CamelCase` words as upstream `splitCamelcase` (fatih/camelcase): `HealthCheckFailed` → Health Check Failed. */
export function splitCamelcase(src: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const ch of src) {
    const cls = charClass(ch);
    if (cls === last) runs[runs.length - 1]!.push(ch);
    else runs.push([ch]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const cur = runs[i]!;
    const next = runs[i + 1]!;
    if (charClass(cur[0]!) === 2 && charClass(next[0]!) === 1) {
      next.unshift(cur.pop()!);
    }
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(''));
}

/** Upstream `formatNameAndDescription`: `kind/name` lowercased, and the reason split into lowercase words. */
export function formatNameAndDescription(event: FluxEvent): { name: string; description: string } {
  const name = `${event.involvedObject.kind}/${event.involvedObject.name}`.toLowerCase();
  const description = splitCamelcase(event.reason).join(' ').toLowerCase();
  return { name, description };
}

/** The default commit status context: `<kind>/<name>/<first block of the Provider UID>`, lowercased. */
export function defaultCommitStatus(providerUID: string, event: FluxEvent): string {
  const uidPart = providerUID.split('-')[0] ?? '';
  return `${event.involvedObject.kind}/${event.involvedObject.name}/${uidPart}`.toLowerCase();
}

/** Hex SHA-1 of a string (Bitbucket status keys are limited to 40 characters). */
export function sha1Hex(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

/** `base64(user:password)` for a Basic Authorization header. */
export function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/** Go's `%q` for the ASCII strings these errors quote. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `strconv.Atoi`/`ParseInt` (base 10) with their error texts; `fn` names the function in the error. */
export function goParseInt(s: string, fn: 'strconv.Atoi' | 'strconv.ParseInt'): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`${fn}: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n || !Number.isSafeInteger(Number(n)))
    throw new Error(`${fn}: parsing ${goQuote(s)}: value out of range`);
  return Number(n);
}

/** The transport of a Git provider: proxy, TLS and timeout of the Provider, no extra headers (as upstream). */
export function gitTransport(s: ProviderSettings): TransportSettings {
  return { proxy: s.proxy, tls: s.tls, timeoutMs: s.timeoutMs, headers: {} };
}

/** The token of a Git provider: the Secret's `token`, else its `password` (upstream `GitHubClientOptions`). */
export function tokenOrPassword(s: ProviderSettings): string {
  return s.token !== '' ? s.token : s.password;
}

/** A JSON API answer. */
export interface ApiResponse {
  status: number;
  json: unknown;
}

/**
 * Sends one API request; a non-2xx answer (except 404 when `allowNotFound`) rejects with `<what>: request to
 * <scheme://host> failed with status code N: <start of the body>`, a transport failure with `<what>: <cause>`.
 */
export async function callAPI(
  t: TransportSettings,
  req: HttpRequest,
  what: string,
  opts: { allowNotFound?: boolean } = {},
): Promise<ApiResponse> {
  let res;
  try {
    res = await sendRequest(req, t);
  } catch (err) {
    throw new NotifierError(`${what}: ${(err as Error).message}`, { cause: err });
  }
  if (opts.allowNotFound && res.status === 404) return { status: 404, json: undefined };
  if (res.status < 200 || res.status >= 300) {
    const snippet = res.body.slice(0, 256).replace(/\s+/g, ' ').trim();
    throw new NotifierError(
      `${what}: request to ${redactURL(req.url)} failed with status code ${res.status}${snippet ? `: ${snippet}` : ''}`,
    );
  }
  if (res.body.trim() === '') return { status: res.status, json: undefined };
  try {
    return { status: res.status, json: JSON.parse(res.body) as unknown };
  } catch (err) {
    throw new NotifierError(`${what}: invalid JSON in the response of ${redactURL(req.url)}`, { cause: err });
  }
}

/** A JSON object's string field, or '' (API answers are untrusted). */
export function str(o: unknown, key: string): string {
  if (o === null || typeof o !== 'object') return '';
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A JSON object's nested object field, or undefined. */
export function obj(o: unknown, key: string): unknown {
  if (o === null || typeof o !== 'object') return undefined;
  return (o as Record<string, unknown>)[key];
}

/** The items of a JSON array answer (or of its `value` list for Azure DevOps), [] otherwise. */
export function items(json: unknown, listKey?: string): unknown[] {
  const v = listKey !== undefined ? obj(json, listKey) : json;
  return Array.isArray(v) ? v : [];
}

/** The change request number of an event (`change_request` metadata), with upstream's errors. */
export function changeRequestNumber(event: FluxEvent, fn: 'strconv.Atoi' | 'strconv.ParseInt'): number {
  const key = EventMetadataKeys.ChangeRequest;
  const md = event.metadata ?? {};
  if (!Object.hasOwn(md, key)) throw new NotifierError(`missing ${goQuote(key)} metadata key`);
  const raw = md[key]!;
  try {
    return goParseInt(raw, fn);
  } catch (err) {
    throw new NotifierError(`invalid ${goQuote(key)} metadata value ${goQuote(raw)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Upstream `formatMarkdownPost`: the event for Markdown engines, metadata sorted, `change_request` left out. */
export function formatMarkdownPost(event: FluxEvent): string {
  const emoji = event.severity === 'error' ? '⚠️' : 'ℹ️';
  const o = event.involvedObject;
  const md = event.metadata ?? {};
  const keys = Object.keys(md)
    .filter((k) => k !== EventMetadataKeys.ChangeRequest)
    .sort();
  const lines = keys.map((k) => `* \`${k}\`: ${md[k]}\n`).join('');
  return `## Flux Status\n\n${emoji} ${o.kind}/${o.namespace}/${o.name}\n\n${event.message}\n\nMetadata:\n${lines}`;
}

/** The hidden marker that identifies the comment of one object: `<!-- <prefix>:<providerUID>/<kind>/<ns>/<name> -->`. */
export function commentKeyMarker(prefix: string, providerUID: string, event: FluxEvent): string {
  const o = event.involvedObject;
  return `<!-- ${prefix}:${providerUID}/${o.kind}/${o.namespace}/${o.name} -->`;
}

/** The comment body: the marker, a blank line, then {@link formatMarkdownPost}. */
export function formatCommentBody(prefix: string, providerUID: string, event: FluxEvent): string {
  return `${commentKeyMarker(prefix, providerUID, event)}\n\n${formatMarkdownPost(event)}`;
}

/** Memoizes an async lookup (the token's user, fetched once per notifier); a failure is forgotten and retried. */
export function memoAsync<T>(fn: (signal: AbortSignal) => Promise<T>): (signal: AbortSignal) => Promise<T> {
  let cached: Promise<T> | undefined;
  return (signal) => {
    if (cached) return cached;
    const p = fn(signal);
    cached = p;
    // void: the caller awaits p and sees its error; this only forgets a failed lookup so the next event retries
    void p.catch(() => {
      if (cached === p) cached = undefined;
    });
    return p;
  };
}
