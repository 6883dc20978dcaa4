/**
 * The tag database of image-reflector-controller in upstream's `FluxStorage` layout (internal/storage/filesystem.go):
 * one file per ImageRepository, `<storage>/imagerepository/<namespace>/<name>/tags.txt`, one tag a line, gzip-compressed
 * as `tags.txt.gz` from `--storage-compression-threshold` bytes on; the revision is `sha256:<hex>` of the lines.
 * Files are written atomically (temp file + rename), so a restart reads the last complete scan and does not rescan
 * at once. Nothing is kept in memory between calls: a reader streams the file line by line.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip, gzipSync, constants as zlib } from 'node:zlib';

const PLAIN = 'tags.txt';
const GZIP = 'tags.txt.gz';
const KIND_DIR = 'imagerepository';
/** The storage format marker upstream writes with `FluxStorage`. */
const VERSION_FILE = '.storage-version';
const VERSION = '2';

/** Which ImageRepository a tag list belongs to. */
export interface RepoIdentity {
  namespace: string;
  name: string;
}

/** Reads the stored tags of a repository (what ImagePolicy needs). */
export interface TagReader {
  /** Streams the tags; yields nothing when none are stored. */
  tags(repo: RepoIdentity): AsyncIterable<string>;
  /** True when a tag list is stored (possibly empty). */
  has(repo: RepoIdentity): Promise<boolean>;
}

/** The file-per-repository tag database; see the module comment. */
export class TagStore implements TagReader {
  readonly #root: string;
  readonly #threshold: number;

  constructor(opts: { root: string; compressionThreshold: number }) {
    this.#root = opts.root;
    this.#threshold = opts.compressionThreshold;
  }

  /** Creates the storage root and its format marker. */
  async init(): Promise<void> {
    await mkdir(this.#root, { recursive: true, mode: 0o700 });
    await writeFile(join(this.#root, VERSION_FILE), `${VERSION}\n`, { mode: 0o600 });
  }

  #dir(repo: RepoIdentity): string {
    if (!repo.namespace || !repo.name || /[/\\]|^\.\.?$/.test(repo.namespace) || /[/\\]|^\.\.?$/.test(repo.name))
      throw new Error('repo namespace and name are required');
    return join(this.#root, KIND_DIR, repo.namespace, repo.name);
  }

  /** Stores the tags (in the given order); returns the revision `sha256:<hex>`. */
  async setTags(repo: RepoIdentity, tags: readonly string[]): Promise<string> {
    const dir = this.#dir(repo);
    const serialized = Buffer.from(tags.length ? `${tags.join('\n')}\n` : '', 'utf8');
    const revision = `sha256:${createHash('sha256').update(serialized).digest('hex')}`;
    const compressed = serialized.byteLength >= this.#threshold;
    const file = compressed ? GZIP : PLAIN;
    const payload = compressed ? gzipSync(serialized, { level: zlib.Z_BEST_COMPRESSION }) : serialized;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `.${file}.${process.pid}.${Date.now()}.tmp`);
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(payload);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(dir, file));
      await rm(join(dir, compressed ? PLAIN : GZIP), { force: true });
    } catch (err) {
      throw new Error(`failed to write tags: ${(err as Error).message}`, { cause: err });
    }
    return revision;
  }

  async #variant(repo: RepoIdentity): Promise<{ path: string; gz: boolean } | undefined> {
    const dir = this.#dir(repo);
    const found: { path: string; gz: boolean; mtime: number }[] = [];
    for (const [name, gz] of [
      [PLAIN, false],
      [GZIP, true],
    ] as const) {
      try {
        const s = await stat(join(dir, name));
        found.push({ path: join(dir, name), gz, mtime: s.mtimeMs });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    found.sort((a, b) => b.mtime - a.mtime);
    return found[0];
  }

  async has(repo: RepoIdentity): Promise<boolean> {
    return (await this.#variant(repo)) !== undefined;
  }

  async *tags(repo: RepoIdentity): AsyncIterable<string> {
    const v = await this.#variant(repo);
    if (!v) return;
    const file = createReadStream(v.path);
    const input: Readable = v.gz ? file.pipe(createGunzip()) : file;
    if (v.gz) file.on('error', (err) => input.destroy(err));
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line !== '') yield line;
    } finally {
      lines.close();
      input.destroy();
      file.destroy();
    }
  }

  /** Reads all stored tags into an array. */
  async allTags(repo: RepoIdentity): Promise<string[]> {
    const out: string[] = [];
    for await (const t of this.tags(repo)) out.push(t);
    return out;
  }

  /** Removes the stored tags of a repository (its deletion). */
  async delete(repo: RepoIdentity): Promise<void> {
    try {
      await rm(this.#dir(repo), { recursive: true, force: true });
    } catch (err) {
      throw new Error(`failed to delete tags: ${(err as Error).message}`, { cause: err });
    }
  }
}
