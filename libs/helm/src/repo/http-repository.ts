// Flux's ChartRepository (internal/helm/repository/chart_repository.go) over Helm's HTTPGetter: index.yaml and chart
// downloads with Helm's URL resolution (repo.ResolveReferenceURL) and credential rules (basic auth only to the
// repository's scheme and host unless passCredentials), size caps while streaming, sha256 digest checks.
import { createHash } from 'node:crypto';
import { cleanPath } from '../go-path.ts';
import { displayUrl, HttpGetter, type HttpTls } from './http-client.ts';
import { IndexError, loadIndex, type ChartVersion, type IndexFile } from './index-file.ts';
import type { DependencyRepository } from './dependency-manager.ts';

export { HttpStatusError, HttpSizeError } from './http-client.ts';

/** helm.MaxIndexSize of source-controller: 50 MiB. */
export const MAX_INDEX_SIZE = 50 << 20;
/** helm.MaxChartSize of source-controller: 10 MiB. */
export const MAX_CHART_SIZE = 10 << 20;
/** The User-Agent Helm's getter sends by default. */
export const HELM_USER_AGENT = 'Helm/3.18.0';

/** Options of {@link HttpChartRepository}. */
export interface HttpRepositoryOptions {
  /** http(s):// repository URL (index.yaml is below it). */
  url: string;
  username?: string;
  password?: string;
  /** Helm: send basic auth to chart URLs on other hosts too. */
  passCredentials?: boolean;
  tls?: HttpTls;
  timeoutMs?: number;
  userAgent?: string;
}

/** The downloaded chart does not have the sha256 digest its index entry gives. */
export class DigestMismatchError extends Error {
  readonly expected: string;
  readonly actual: string;
  constructor(cv: ChartVersion, url: string, expected: string, actual: string) {
    super(
      `chart ${cv.name}-${cv.version} downloaded from ${url} has digest sha256:${actual}, the index gives sha256:${expected}`,
    );
    this.name = 'DigestMismatchError';
    this.expected = expected;
    this.actual = actual;
  }
}

/** Loading the index failed (Flux's ErrExternal): download, size or parse. */
export class IndexLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IndexLoadError';
  }
}

/**
 * Helm's repo.ResolveReferenceURL: `refURL` as is when absolute, else resolved against `baseURL` taken as a directory;
 * the result carries baseURL's query (not refURL's).
 */
export function resolveReferenceURL(baseURL: string, refURL: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(refURL)) return refURL;
  let base: URL;
  try {
    base = new URL(baseURL);
  } catch (e) {
    throw new Error(`failed to parse ${baseURL.replace(/\/\/[^/@]*@/, '//')} as URL`, { cause: e });
  }
  const query = base.search;
  base.pathname = base.pathname.replace(/\/$/, '') + '/';
  base.search = '';
  const resolved = new URL(refURL, base);
  resolved.search = query;
  return resolved.toString();
}

/** An HTTP(S) chart repository (Flux ChartRepository): its index.yaml and chart archives. */
export class HttpChartRepository implements DependencyRepository {
  readonly url: string;
  readonly #base: URL;
  readonly #opts: HttpRepositoryOptions;
  readonly #getter: HttpGetter;
  #index: Promise<IndexFile> | undefined;

  constructor(opts: HttpRepositoryOptions) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch (e) {
      throw new Error('invalid chart repository URL: not an absolute URL', { cause: e });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new Error(`scheme "${u.protocol.slice(0, -1)}" not supported`);
    }
    this.#opts = { ...opts };
    // Userinfo in the URL is used as credentials (as Go's client does) and kept out of url and messages.
    if ((u.username || u.password) && opts.username === undefined && opts.password === undefined) {
      this.#opts.username = decodeURIComponent(u.username);
      this.#opts.password = decodeURIComponent(u.password);
    }
    u.username = '';
    u.password = '';
    this.#base = u;
    this.url = opts.url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, '$1');
    this.#getter = new HttpGetter({
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      userAgent: opts.userAgent ?? HELM_USER_AGENT,
    });
  }

  /** HTTP requests made so far (each redirect hop counts). */
  get requests(): number {
    return this.#getter.requests;
  }

  /** The index URL: the repository URL's path joined with index.yaml (Go's path.Join), its query kept. */
  get indexUrl(): string {
    const u = new URL(this.#base.toString());
    u.pathname = cleanPath(`${u.pathname}/index.yaml`);
    return u.toString();
  }

  /**
   * GET <url>/index.yaml. Throws `index exceeds the maximum index file size of N bytes` past maxSize,
   * `failed to fetch <url> : <status>` on a status other than 200.
   */
  downloadIndex(opts: { signal: AbortSignal; maxSize: number }): Promise<Uint8Array> {
    return this.#getter.get(this.indexUrl, {
      signal: opts.signal,
      maxSize: opts.maxSize,
      tooLarge: (n) => `index exceeds the maximum index file size of ${n} bytes`,
      ...this.#auth(this.indexUrl),
    });
  }

  /**
   * The parsed index, downloaded once per instance (a failed load is retried on the next call). Errors are
   * IndexLoadError with Flux's text (`failed to cache index: …` / `failed to load index: …`).
   */
  loadIndex(signal: AbortSignal, maxSize = MAX_INDEX_SIZE): Promise<IndexFile> {
    this.#index ??= (async () => {
      let data: Uint8Array;
      try {
        data = await this.downloadIndex({ signal, maxSize });
      } catch (e) {
        throw new IndexLoadError(
          `failed to cache index: failed to cache index to temporary file: ${(e as Error).message}`,
          { cause: e },
        );
      }
      try {
        return loadIndex(data, this.url);
      } catch (e) {
        throw new IndexLoadError(`failed to load index: failed to load index: ${(e as Error).message}`, { cause: e });
      }
    })();
    const p = this.#index;
    p.catch(() => {
      if (this.#index === p) this.#index = undefined;
    });
    return p;
  }

  /** Flux's GetChartVersion: the index (loaded once), then IndexFile.resolve (newest match, Flux's messages). */
  async getChartVersion(name: string, constraint: string, signal: AbortSignal): Promise<ChartVersion> {
    const index = await this.loadIndex(signal);
    return index.resolve(name, constraint);
  }

  /**
   * Flux's DownloadChart: urls[0] resolved against the repository URL, fetched with the credentials when on the
   * repository's host (or passCredentials), size-capped; `cv.digest`, when a sha256, checked.
   */
  async downloadChart(cv: ChartVersion, opts: { signal: AbortSignal; maxSize: number }): Promise<Uint8Array> {
    const ref = cv.urls[0];
    if (ref === undefined) throw new IndexError(`chart '${cv.name}' has no downloadable URLs`);
    const target = resolveReferenceURL(this.#base.toString(), ref);
    const data = await this.#getter.get(target, {
      signal: opts.signal,
      maxSize: opts.maxSize,
      tooLarge: (n) => `chart exceeds the maximum chart size of ${n} bytes`,
      ...this.#auth(target),
    });
    const want = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(cv.digest ?? '')?.[1]?.toLowerCase();
    if (want !== undefined) {
      const got = createHash('sha256').update(data).digest('hex');
      if (got !== want) throw new DigestMismatchError(cv, displayUrl(target), want, got);
    }
    return data;
  }

  /** Closes the client's idle sockets. */
  close(): void {
    this.#getter.close();
  }

  /** getter.HTTPGetter: basic auth when both are set and the target has the repository's scheme and host. */
  #auth(target: string): { authorization?: string } {
    const { username, password } = this.#opts;
    if (!username || !password) return {};
    const t = new URL(target);
    if (!this.#opts.passCredentials && (t.protocol !== this.#base.protocol || t.host !== this.#base.host)) return {};
    return { authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64') };
  }
}
