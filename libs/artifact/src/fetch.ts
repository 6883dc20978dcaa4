import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { Parser, extract, type ReadEntry } from 'tar';
import { createDigester, parseDigest } from './digest.ts';
import {
  ArchiveLimitError,
  ArtifactDigestMismatchError,
  ArtifactDownloadError,
  ArtifactNotFoundError,
  UnsafeArchiveError,
  redactUrl,
} from './errors.ts';

/** Default cap on the total uncompressed size of extracted files (100 MiB, as fluxcd/pkg/tar). */
export const DEFAULT_MAX_UNTAR_SIZE = 100 * 1024 * 1024;
/** Default cap on the number of entries (files and directories) extracted. */
export const DEFAULT_MAX_FILES = 100_000;
/** Default retry count (`--http-retry` 9). */
export const DEFAULT_HTTP_RETRIES = 9;

/** Options of {@link fetchArtifact}. */
export interface FetchArtifactOptions {
  /** `status.artifact.url`. */
  url: string;
  /** `status.artifact.digest` (`<algo>:<hex>`; bare hex means sha256). */
  digest: string;
  /** Directory to extract into (created; should be empty). Nothing is written outside it. */
  dir: string;
  /** Cap on the total uncompressed size of regular files (default 100 MiB); also bounds the download. */
  maxSize?: number | undefined;
  /** Cap on the number of entries (default 100000). */
  maxFiles?: number | undefined;
  /** Aborts download and extraction. */
  signal?: AbortSignal | undefined;
  /** The fetch implementation (default `globalThis.fetch`). */
  fetch?: typeof globalThis.fetch | undefined;
  /** Replacement `host[:port]` for the URL (the value of `SOURCE_CONTROLLER_LOCALHOST`; read by the app). */
  hostOverride?: string | undefined;
  /** Retries after the first attempt on network errors, 429 and 5xx except 501 (default 9). */
  retries?: number | undefined;
  /** First retry wait (default 5000 ms); doubles per attempt. */
  retryWaitMinMs?: number | undefined;
  /** Maximum retry wait (default 30000 ms). */
  retryWaitMaxMs?: number | undefined;
  /** Where the temporary download lives (default `os.tmpdir()`). */
  tmpDir?: string | undefined;
}

/** What {@link fetchArtifact} did. */
export interface FetchArtifactResult {
  /** The verified digest, normalised to `<algo>:<hex>`. */
  digest: string;
  /** Bytes downloaded. */
  size: number;
  /** Entries extracted (files and directories). */
  entries: number;
  /** Symlink entries skipped (as Flux does). */
  skippedSymlinks: string[];
}

/**
 * Downloads an artifact, verifies its digest before touching `dir`, then validates every tar entry
 * (no `..`, no absolute paths, no hardlinks or device files; symlinks skipped; caps on size and entry
 * count, enforced while streaming so gzip bombs stop early) and only then extracts it into `dir`.
 * 404 fails at once with {@link ArtifactNotFoundError}; other failures are retried with exponential
 * backoff. Error messages carry the URL without userinfo or query.
 */
export async function fetchArtifact(options: FetchArtifactOptions): Promise<FetchArtifactResult> {
  const expected = parseDigest(options.digest);
  const url = new URL(options.url);
  if (options.hostOverride) url.host = options.hostOverride;
  const maxSize = options.maxSize ?? DEFAULT_MAX_UNTAR_SIZE;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  // tar adds up to ~1 KiB of headers/padding per entry on top of file bytes
  const streamCap = maxSize + (maxFiles + 2) * 1024 + 1024 * 1024;
  const tmp = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'flux-artifact-'));
  try {
    const file = join(tmp, 'artifact.tar.gz');
    const { digest, size } = await download(url, file, expected.algorithm, streamCap, options);
    const want = `${expected.algorithm}:${expected.hex}`;
    if (digest !== want) {
      throw new ArtifactDigestMismatchError(
        `failed to verify artifact from ${redactUrl(url)}: computed digest ${digest} doesn't match ${want}`,
        want,
        digest,
      );
    }
    const scan = await scanArchive(file, { maxSize, maxFiles, streamCap, signal: options.signal });
    await mkdir(options.dir, { recursive: true });
    try {
      await extract({
        file,
        cwd: options.dir,
        strict: true,
        preserveOwner: false,
        preservePaths: false,
        unlink: false,
        noMtime: true,
        // scanArchive already bounded the extracted bytes (fluxcd/pkg tar's max size): node-tar's ratio check
        // (1000:1) would refuse legitimate repetitive files that Flux extracts.
        maxDecompressionRatio: Number.POSITIVE_INFINITY,
        filter: (_path, entry) => 'type' in entry && isFileType(entry.type) !== undefined,
      });
    } catch (err) {
      // node-tar refuses e.g. to extract through a symlink already present in dir (TAR_SYMLINK_ERROR)
      const code = (err as { code?: unknown }).code;
      const message = `failed to extract artifact from ${redactUrl(url)}: ${(err as Error).message}`;
      if (typeof code === 'string' && code.startsWith('TAR_'))
        throw new UnsafeArchiveError(message, '', { cause: err });
      throw new Error(message, { cause: err });
    }
    return { digest, size, entries: scan.entries, skippedSymlinks: scan.symlinks };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function retryable(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

async function download(
  url: URL,
  file: string,
  algo: Parameters<typeof createDigester>[0],
  cap: number,
  options: FetchArtifactOptions,
): Promise<{ digest: string; size: number }> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const retries = options.retries ?? DEFAULT_HTTP_RETRIES;
  const waitMin = options.retryWaitMinMs ?? 5000;
  const waitMax = options.retryWaitMaxMs ?? 30000;
  const safeUrl = redactUrl(url);
  let lastStatus: number | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0)
      await sleep(Math.min(waitMax, waitMin * 2 ** (attempt - 1)), undefined, { signal: options.signal });
    options.signal?.throwIfAborted();
    let resp: Response;
    try {
      resp = await doFetch(url, { signal: options.signal, redirect: 'follow' });
    } catch (err) {
      options.signal?.throwIfAborted();
      lastError = err;
      lastStatus = undefined;
      continue;
    }
    if (resp.status === 200 && resp.body) {
      return saveBody(resp.body, file, algo, cap, safeUrl, options.signal);
    }
    await resp.body?.cancel().catch(() => undefined);
    if (resp.status === 404) {
      throw new ArtifactNotFoundError(`failed to download artifact from ${safeUrl}: status 404 Not Found`);
    }
    if (!retryable(resp.status)) {
      throw new ArtifactDownloadError(
        `failed to download artifact from ${safeUrl}: status ${resp.status}`,
        resp.status,
      );
    }
    lastStatus = resp.status;
    lastError = undefined;
  }
  const why = lastStatus !== undefined ? `status ${lastStatus}` : 'request failed';
  throw new ArtifactDownloadError(
    `failed to download artifact from ${safeUrl}: ${why} after ${retries + 1} attempts`,
    lastStatus,
    lastError === undefined ? undefined : { cause: lastError },
  );
}

async function saveBody(
  body: ReadableStream<Uint8Array>,
  file: string,
  algo: Parameters<typeof createDigester>[0],
  cap: number,
  safeUrl: string,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const digester = createDigester(algo);
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > cap) {
        cb(new ArchiveLimitError(`failed to download artifact from ${safeUrl}: size exceeds limit of ${cap} bytes`));
        return;
      }
      digester.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    // Readable.fromWeb's types differ between DOM and node:stream/web ReadableStream; they are the same at runtime.
    const source = Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]);
    await pipeline(source, meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }), { signal });
  } catch (err) {
    if (err instanceof ArchiveLimitError) throw err;
    signal?.throwIfAborted();
    throw new ArtifactDownloadError(`failed to download artifact from ${safeUrl}: reading body failed`, 200, {
      cause: err,
    });
  }
  return { digest: digester.digest(), size };
}

function isFileType(type: string): 'file' | 'dir' | undefined {
  if (type === 'File' || type === 'OldFile' || type === 'ContiguousFile') return 'file';
  if (type === 'Directory') return 'dir';
  return undefined;
}

function unsafePath(path: string): string | undefined {
  if (path === '' || path.includes('\0')) return 'empty or NUL in path';
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) return 'absolute path';
  if (path.split(/[\\/]/).includes('..')) return 'path traversal';
  return undefined;
}

/**
 * Reads the whole (verified) archive without writing anything and throws on the first unsafe entry or
 * exceeded cap. Hand-driven node-tar Parser because extract() strips rather than rejects bad paths.
 */
async function scanArchive(
  file: string,
  limits: { maxSize: number; maxFiles: number; streamCap: number; signal?: AbortSignal | undefined },
): Promise<{ entries: number; symlinks: string[] }> {
  const parser = new Parser({ strict: true });
  let problem: Error | undefined;
  let entries = 0;
  let total = 0;
  const symlinks: string[] = [];
  parser.on('entry', (entry: ReadEntry) => {
    entry.resume();
    if (problem) return;
    const path = entry.path;
    const bad = unsafePath(path);
    if (bad) {
      problem = new UnsafeArchiveError(`unsafe archive entry '${path}': ${bad}`, path);
      return;
    }
    if (entry.type === 'SymbolicLink') {
      symlinks.push(path);
      return;
    }
    const kind = isFileType(entry.type);
    if (!kind) {
      problem = new UnsafeArchiveError(`unsafe archive entry '${path}': type ${entry.type} is not allowed`, path);
      return;
    }
    entries++;
    if (kind === 'file') total += entry.size;
    if (entries > limits.maxFiles) {
      problem = new ArchiveLimitError(`archive has more than ${limits.maxFiles} entries`);
    } else if (total > limits.maxSize) {
      problem = new ArchiveLimitError(`archive uncompressed size exceeds limit of ${limits.maxSize} bytes`);
    }
  });
  const done = new Promise<void>((resolveDone, rejectDone) => {
    parser.on('end', () => resolveDone());
    parser.on('error', (err: Error) => rejectDone(err));
  });
  done.catch(() => undefined);
  let streamed = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      streamed += chunk.length;
      if (streamed > limits.streamCap) {
        cb(new ArchiveLimitError(`archive decompressed size exceeds limit of ${limits.streamCap} bytes`));
        return;
      }
      parser.write(chunk);
      cb(problem ?? null);
    },
    final(cb) {
      parser.end();
      cb(problem ?? null);
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), sink, { signal: limits.signal });
    await done;
  } catch (err) {
    if (problem) throw problem;
    if (err instanceof ArchiveLimitError || err instanceof UnsafeArchiveError) throw err;
    limits.signal?.throwIfAborted();
    throw new UnsafeArchiveError('invalid archive: not a readable gzip tarball', '', { cause: err });
  }
  if (problem) throw problem;
  return { entries, symlinks };
}
