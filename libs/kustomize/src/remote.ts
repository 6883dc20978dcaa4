// Remote resources: kustomize's repo URL syntax (api/internal/git/repospec.go) and a default fetcher that clones
// git URLs with @flux-ts/git (depth 1, the ref from `?ref=`/`?version=`) and downloads other http(s) URLs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as Git from '@flux-ts/git';
import type { GitAuth, GitRef } from '@flux-ts/git';
import { KustomizeError } from './resource.ts';

/** @flux-ts/git (isomorphic-git, ssh2, openpgp) costs ~350 ms to load: only a build with a remote base pays it. */
const loadGit = (): Promise<typeof Git> => import('@flux-ts/git');

/** A parsed git remote: what to clone, which ref, and the directory inside the repository. */
export interface GitRepoSpec {
  /** URL handed to git (`https://host/org/repo.git`, `ssh://…`, `git@host:org/repo`). */
  cloneUrl: string;
  /** `?ref=` or `?version=`; empty for the remote's default branch. */
  ref: string;
  /** The part after `//` (or after `.git/`): a directory in the repository; may be empty. */
  path: string;
  /** `?timeout=` in milliseconds (kustomize's default 27 s). */
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 27_000;

function parseTimeout(v: string | null): number {
  if (v === null || v === '') return DEFAULT_TIMEOUT_MS;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (!m) return DEFAULT_TIMEOUT_MS;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/**
 * Parses a kustomize remote resource URL as a git repository, or returns undefined when it is not one
 * (e.g. a plain https file URL). Forms: `https://host/org/repo//dir?ref=v1`, `https://host/org/repo.git/dir`,
 * `git@host:org/repo//dir`, `ssh://git@host/org/repo.git//dir`, `git::https://…`, `github.com/org/repo/dir`.
 */
export function parseGitUrl(url: string): GitRepoSpec | undefined {
  let s = url.startsWith('git::') ? url.slice('git::'.length) : url;
  let query = '';
  const q = s.indexOf('?');
  if (q >= 0) {
    query = s.slice(q + 1);
    s = s.slice(0, q);
  }
  const params = new URLSearchParams(query);
  let host: string;
  let rest: string;
  let m: RegExpExecArray | null;
  if ((m = /^(https?|ssh|file):\/\/([^/]*)\/(.*)$/.exec(s))) {
    host = `${m[1]}://${m[2]}/`;
    rest = m[3] ?? '';
  } else if ((m = /^([\w.-]+@[\w.-]+):(.*)$/.exec(s))) {
    host = `${m[1]}:`;
    rest = m[2] ?? '';
  } else if ((m = /^(github\.com|gitlab\.com|bitbucket\.org)\/(.*)$/.exec(s))) {
    host = `https://${m[1]}/`;
    rest = m[2] ?? '';
  } else return undefined;
  let repo: string;
  let sub = '';
  const dbl = rest.indexOf('//');
  const dotGit = /\.git(\/|$)/.exec(rest);
  if (dbl >= 0) {
    repo = rest.slice(0, dbl);
    sub = rest.slice(dbl + 2);
  } else if (dotGit) {
    repo = rest.slice(0, dotGit.index + 4);
    sub = rest.slice(dotGit.index + 5);
  } else if (/^(github\.com|gitlab\.com|bitbucket\.org)/.test(host.replace(/^https:\/\//, ''))) {
    // org/repo, then the path
    const parts = rest.split('/');
    repo = parts.slice(0, 2).join('/');
    sub = parts.slice(2).join('/');
  } else if (params.has('ref') || params.has('version')) {
    repo = rest;
  } else return undefined;
  if (repo === '') return undefined;
  return {
    cloneUrl: host + repo.replace(/\/$/, ''),
    ref: params.get('ref') ?? params.get('version') ?? '',
    path: sub.replace(/^\/+|\/+$/g, ''),
    timeoutMs: parseTimeout(params.get('timeout')),
  };
}

/** Options of {@link createRemoteFetcher}. */
export interface RemoteFetcherOptions {
  /** Parent directory of the temporary clones (default the OS temp dir). */
  tmpDir?: string;
  /** Credentials for the git remotes. */
  auth?: GitAuth;
  /** HTTP GET for https file resources (default global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Aborts every clone and download (each also has its own timeout). */
  signal?: AbortSignal | undefined;
}

/** A remote fetcher that owns temporary directories; `close()` removes them. */
export interface ClosableRemoteFetcher {
  (url: string): Promise<string>;
  close(): void;
}

async function gitRefFor(spec: GitRepoSpec, auth: GitAuth | undefined, signal: AbortSignal): Promise<GitRef> {
  if (/^[0-9a-f]{40}$/.test(spec.ref)) return { commit: spec.ref };
  const { listRefs } = await loadGit();
  const refs = await listRefs({ url: spec.cloneUrl, auth, signal });
  if (spec.ref === '') {
    const head = refs.find((r) => r.ref === 'HEAD')?.target;
    return head ? { name: head } : {};
  }
  for (const full of [spec.ref, `refs/tags/${spec.ref}`, `refs/heads/${spec.ref}`]) {
    if (full.startsWith('refs/') && refs.some((r) => r.ref === full)) return { name: full };
  }
  throw new KustomizeError(`git cloneUrl: ${spec.cloneUrl}: ref '${spec.ref}' not found`);
}

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, t]) : t;
}

/**
 * The default remote fetcher: git URLs are cloned (depth 1) with @flux-ts/git into a temporary directory and the
 * `//subdir` is returned; other http(s) URLs are downloaded into a temporary file.
 */
export function createRemoteFetcher(opts: RemoteFetcherOptions = {}): ClosableRemoteFetcher {
  let root: string | undefined;
  let n = 0;
  const dir = (): string => {
    root ??= mkdtempSync(path.join(opts.tmpDir ?? tmpdir(), 'kustomize-remote-'));
    return path.join(root, String(n++));
  };
  const fetcher = async (url: string): Promise<string> => {
    const spec = parseGitUrl(url);
    if (spec) {
      const target = dir();
      const signal = withTimeout(opts.signal, spec.timeoutMs);
      try {
        const ref = await gitRefFor(spec, opts.auth, signal);
        const { checkout } = await loadGit();
        await checkout({ url: spec.cloneUrl, ref, dir: target, auth: opts.auth, signal });
      } catch (err) {
        throw new KustomizeError(`failed to clone ${url}: ${(err as Error).message}`, { cause: err });
      }
      const sub = path.resolve(target, spec.path);
      if (path.relative(target, sub).startsWith('..')) {
        throw new KustomizeError(`${url}: path '${spec.path}' is outside the repository`);
      }
      return sub;
    }
    if (!/^https?:\/\//.test(url)) throw new KustomizeError(`unsupported remote resource URL: ${url}`);
    const res = await (opts.fetch ?? globalThis.fetch)(url, { signal: withTimeout(opts.signal, DEFAULT_TIMEOUT_MS) });
    if (!res.ok) throw new KustomizeError(`HTTP Error: status code ${res.status} (${res.statusText})`);
    const d = dir();
    mkdirSync(d, { recursive: true });
    const file = path.join(d, path.basename(new URL(url).pathname) || 'resource.yaml');
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    return file;
  };
  return Object.assign(fetcher, {
    close(): void {
      if (root) rmSync(root, { recursive: true, force: true });
      root = undefined;
    },
  });
}
