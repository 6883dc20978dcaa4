import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, symlink as fsSymlink, lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import lockfile from 'proper-lockfile';
import {
  createDigester,
  DEFAULT_DIGEST_ALGORITHM,
  digestFile,
  isDigestAlgorithm,
  parseDigest,
  type DigestAlgorithm,
} from './digest.ts';
import { ArtifactDigestMismatchError, InvalidArtifactPathError } from './errors.ts';
import type { IgnoreFilter } from './ignore.ts';
import { reproducibleTar } from './tarball.ts';

/** An artifact as recorded in `status.artifact` (structurally compatible with `meta.Artifact`). */
export interface Artifact {
  /** Path relative to the storage root: `<lowercase kind>/<namespace>/<name>/<file>`. */
  path: string;
  /** HTTP address on the artifact server. */
  url: string;
  /** Human-readable origin revision (e.g. `main@sha1:<hex>`). */
  revision: string;
  /** `<algo>:<hex>` of the stored file, set once stored. */
  digest?: string | undefined;
  /** Byte count of the stored file, set once stored. */
  size?: number | undefined;
  /** RFC 3339 time of the last store. */
  lastUpdateTime?: string | undefined;
  /** Upstream metadata (e.g. OCI annotations). */
  metadata?: Record<string, string> | undefined;
}

/** An artifact whose file has been written: digest, size and time are known. */
export interface StoredArtifact extends Artifact {
  digest: string;
  size: number;
  lastUpdateTime: string;
}

/** Options of {@link Storage}; mirrors source-controller flags. */
export interface StorageOptions {
  /** `--storage-path`: root directory of all artifacts. */
  basePath: string;
  /** `--storage-adv-addr`: host[:port] (or full `http(s)://` base URL) used in artifact URLs. */
  hostname: string;
  /** `--artifact-retention-ttl` in milliseconds (default 60000). */
  retentionTtlMs?: number | undefined;
  /** `--artifact-retention-records` (default 2). */
  retentionRecords?: number | undefined;
  /** `--artifact-digest-algo` (default sha256). */
  digestAlgo?: DigestAlgorithm | string | undefined;
}

/** Options shared by write operations. */
export interface WriteOptions {
  /** Aborts the operation; the temp file is removed and the previous file is untouched. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Storage.archive}. */
export interface ArchiveOptions extends WriteOptions {
  /** Exclusion filter (see `buildSourceIgnoreFilter`). */
  filter?: IgnoreFilter | undefined;
}

/** Options of {@link Storage.garbageCollect}. */
export interface GarbageCollectOptions {
  /** Aborts the collection. */
  signal?: AbortSignal | undefined;
  /** Overall time limit (default 5000 ms, as in Flux). */
  timeoutMs?: number | undefined;
}

/** Maximum number of files looked at by one garbage collection (as in Flux). */
export const GC_WALK_LIMIT = 1000;
/** Default garbage-collection time limit in milliseconds (as in Flux). */
export const GC_TIMEOUT_MS = 5000;

const TEMP_MARKER = '.tmp-';

/**
 * Local artifact storage of source-controller (fluxcd/pkg `artifact/storage`): layout, atomic
 * writes, reproducible tarballs, digests, per-artifact locks, retention and removal.
 */
export class Storage {
  /** Absolute storage root. */
  readonly basePath: string;
  /** Advertised address used to build artifact URLs. */
  readonly hostname: string;
  /** Retention TTL in milliseconds. */
  readonly retentionTtlMs: number;
  /** Number of newest files kept per object (the current artifact included). */
  readonly retentionRecords: number;
  /** Digest algorithm for stored files. */
  readonly digestAlgo: DigestAlgorithm;

  constructor(options: StorageOptions) {
    const algo = options.digestAlgo ?? DEFAULT_DIGEST_ALGORITHM;
    if (!isDigestAlgorithm(algo)) throw new Error(`invalid storage options: unsupported digest algorithm '${algo}'`);
    this.basePath = resolve(options.basePath);
    this.hostname = options.hostname;
    this.retentionTtlMs = options.retentionTtlMs ?? 60_000;
    this.retentionRecords = options.retentionRecords ?? 2;
    this.digestAlgo = algo;
  }

  /** Relative artifact path `<lowercase kind>/<namespace>/<name>/<fileName>`. */
  artifactPath(kind: string, namespace: string, name: string, fileName: string): string {
    return `${kind.toLowerCase()}/${namespace}/${name}/${fileName}`;
  }

  /** The URL of a relative path: `http://<adv>/<path>`, or `<adv>/<path>` when adv carries a scheme. */
  artifactURL(path: string): string {
    const rel = path.replace(/^\/+/, '');
    if (/^https?:\/\//.test(this.hostname)) return `${this.hostname.replace(/\/+$/, '')}/${rel}`;
    return `http://${this.hostname}/${rel}`;
  }

  /** A new (not yet stored) artifact for an object and file name. */
  artifactFor(kind: string, namespace: string, name: string, revision: string, fileName: string): Artifact {
    const path = this.artifactPath(kind, namespace, name, fileName);
    return { path, url: this.artifactURL(path), revision };
  }

  /** Returns a copy of `artifact` with its URL rebuilt from the current advertised address. */
  withCurrentURL<T extends Artifact>(artifact: T): T {
    return { ...artifact, url: this.artifactURL(artifact.path) };
  }

  /**
   * Absolute local path of an artifact (or relative path). Throws {@link InvalidArtifactPathError}
   * for absolute paths, `..` segments, NUL bytes or anything resolving outside the storage root.
   */
  localPath(artifact: Pick<Artifact, 'path'> | string): string {
    const rel = typeof artifact === 'string' ? artifact : artifact.path;
    if (rel.includes('\0') || isAbsolute(rel) || rel.startsWith('/') || rel.split(/[\\/]/).includes('..')) {
      throw new InvalidArtifactPathError(`invalid artifact path '${rel}': must stay inside the storage root`);
    }
    const full = resolve(this.basePath, posix.normalize(rel));
    if (full !== this.basePath && !full.startsWith(this.basePath + sep)) {
      throw new InvalidArtifactPathError(`invalid artifact path '${rel}': must stay inside the storage root`);
    }
    return full;
  }

  /** Creates the object directory of an artifact. */
  async mkdirFor(artifact: Pick<Artifact, 'path'>): Promise<string> {
    const dir = dirname(this.localPath(artifact));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** True when the artifact's file exists as a regular file. */
  async exists(artifact: Pick<Artifact, 'path'>): Promise<boolean> {
    try {
      return (await lstat(this.localPath(artifact))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Writes a reproducible gzip tarball of `dir` (see `reproducibleTar`) atomically to the artifact's
   * path and returns the artifact with digest, size and lastUpdateTime set.
   */
  async archive(artifact: Artifact, dir: string, options: ArchiveOptions = {}): Promise<StoredArtifact> {
    const st = await stat(dir).catch((err: unknown) => {
      throw new Error(`failed to archive '${dir}': cannot stat directory`, { cause: err });
    });
    if (!st.isDirectory()) throw new Error(`failed to archive '${dir}': not a directory`);
    // gzip header written by zlib carries no name and a zero mtime, so bytes only depend on content.
    const tar = Readable.from(reproducibleTar(dir, { filter: options.filter, signal: options.signal }));
    return this.writeAtomic(artifact, [tar, createGzip({ level: 9 })], options.signal);
  }

  /** Stores the bytes of `source` atomically as the artifact's file; returns the stored artifact. */
  async copy(
    artifact: Artifact,
    source: NodeJS.ReadableStream | Readable,
    options: WriteOptions = {},
  ): Promise<StoredArtifact> {
    return this.writeAtomic(artifact, [source], options.signal);
  }

  /** Stores a copy of the file at `path` atomically; returns the stored artifact. */
  async copyFromPath(artifact: Artifact, path: string, options: WriteOptions = {}): Promise<StoredArtifact> {
    return this.writeAtomic(artifact, [createReadStream(path)], options.signal);
  }

  /**
   * Recomputes the digest of the stored file with the algorithm of `artifact.digest` and throws
   * {@link ArtifactDigestMismatchError} when it differs.
   */
  async verify(artifact: Artifact, signal?: AbortSignal): Promise<void> {
    if (!artifact.digest) throw new Error(`failed to verify artifact '${artifact.path}': no digest recorded`);
    const expected = parseDigest(artifact.digest);
    const { digest } = await digestFile(this.localPath(artifact), expected.algorithm, signal);
    const want = `${expected.algorithm}:${expected.hex}`;
    if (digest !== want) {
      throw new ArtifactDigestMismatchError(
        `failed to verify artifact '${artifact.path}': computed digest ${digest} doesn't match ${want}`,
        want,
        digest,
      );
    }
  }

  /**
   * Takes the per-artifact lock `<file>.lock` (proper-lockfile: a lock directory created with mkdir,
   * safe across processes on one filesystem). Resolves to the release function.
   */
  async lock(artifact: Pick<Artifact, 'path'>): Promise<() => Promise<void>> {
    const file = this.localPath(artifact);
    await this.mkdirFor(artifact);
    return lockfile.lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      stale: 30_000,
      retries: { retries: 50, minTimeout: 20, maxTimeout: 500 },
      // proper-lockfile throws asynchronously by default when a lock is taken over as stale; that must not
      // crash the controller, and writes stay consistent anyway thanks to the atomic rename.
      onCompromised: () => undefined,
    });
  }

  /**
   * Points `<object dir>/<linkName>` at the artifact's file (relative symlink, replaced atomically), as
   * Flux does for `index.yaml` (HelmRepository) and `latest.tar.gz` (HelmChart). Returns the link's
   * absolute path.
   */
  async symlink(artifact: Pick<Artifact, 'path'>, linkName: string): Promise<string> {
    if (linkName.includes('/') || linkName.includes('\\') || linkName === '..' || linkName === '.') {
      throw new InvalidArtifactPathError(`invalid symlink name '${linkName}'`);
    }
    const target = this.localPath(artifact);
    const dir = await this.mkdirFor(artifact);
    const link = join(dir, linkName);
    const tmp = join(dir, `.${linkName}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
    try {
      await fsSymlink(basename(target), tmp);
      await rename(tmp, link);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`failed to link '${linkName}' to artifact '${artifact.path}'`, { cause: err });
    }
    return link;
  }

  /**
   * Deletes old files in the current artifact's object directory (Flux retention): a file other than
   * the current artifact (and `.lock`s) is deleted when older than the TTL, or when it is not among
   * the `retentionRecords` newest files (the current artifact counts as one). At most
   * {@link GC_WALK_LIMIT} files are looked at; the whole run is limited to `timeoutMs`.
   * Returns the absolute paths deleted.
   */
  async garbageCollect(current: Pick<Artifact, 'path'>, options: GarbageCollectOptions = {}): Promise<string[]> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? GC_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const currentPath = this.localPath(current);
    try {
      const garbage = await this.garbageFiles(currentPath, signal);
      const deleted: string[] = [];
      for (const file of garbage) {
        signal.throwIfAborted();
        await rm(file, { force: true });
        deleted.push(file);
      }
      return deleted;
    } catch (err) {
      throw new Error(`failed to garbage collect artifacts of '${dirname(current.path)}'`, { cause: err });
    }
  }

  /**
   * Removes the whole object directory `<kind>/<ns>/<name>` (on object deletion). Returns the removed
   * directory, or undefined when it did not exist.
   */
  async removeAll(kind: string, namespace: string, name: string): Promise<string | undefined> {
    const dir = this.localPath(`${kind.toLowerCase()}/${namespace}/${name}`);
    const existed = await lstat(dir).then(
      () => true,
      () => false,
    );
    await rm(dir, { recursive: true, force: true });
    return existed ? dir : undefined;
  }

  private async garbageFiles(currentPath: string, signal: AbortSignal): Promise<string[]> {
    const now = Date.now();
    const files: { path: string; mtimeMs: number }[] = [];
    const walk = async (dir: string): Promise<boolean> => {
      signal.throwIfAborted();
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        signal.throwIfAborted();
        if (files.length >= GC_WALK_LIMIT) return false;
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (extname(e.name) === '.lock') continue;
          if (!(await walk(p))) return false;
          continue;
        }
        if (!e.isFile() || extname(e.name) === '.lock' || e.name.includes(TEMP_MARKER)) continue;
        const st = await lstat(p).catch(() => undefined);
        if (st) files.push({ path: p, mtimeMs: st.mtimeMs });
      }
      return true;
    };
    await walk(dirname(currentPath));
    const garbage = new Set<string>();
    for (const f of files) {
      if (f.path !== currentPath && now - f.mtimeMs > this.retentionTtlMs) garbage.add(f.path);
    }
    // newest first; keep at most retentionRecords files in total
    // the current artifact always takes one of the retained slots, whatever its age
    const sorted = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : 1));
    let kept = files.some((f) => f.path === currentPath) ? 1 : 0;
    for (const f of sorted) {
      if (f.path === currentPath || garbage.has(f.path)) continue;
      if (kept < this.retentionRecords) kept++;
      else garbage.add(f.path);
    }
    return [...garbage].sort();
  }

  private async writeAtomic(
    artifact: Artifact,
    sources: (NodeJS.ReadableStream | NodeJS.ReadWriteStream)[],
    signal?: AbortSignal,
  ): Promise<StoredArtifact> {
    const target = this.localPath(artifact);
    const dir = await this.mkdirFor(artifact);
    const tmp = join(dir, `.${basename(target)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
    const digester = createDigester(this.digestAlgo);
    let size = 0;
    const hash = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        digester.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true });
      const streams: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[] = [
        ...sources,
        hash,
        out,
      ];
      await pipeline(streams, { signal });
      await chmod(tmp, 0o600);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`failed to write artifact '${artifact.path}'`, { cause: err });
    }
    return { ...artifact, digest: digester.digest(), size, lastUpdateTime: new Date().toISOString() };
  }
}
