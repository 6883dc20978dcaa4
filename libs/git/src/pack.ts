// The depth-N clone path of checkout(): one upload-pack POST whose pack is streamed to disk, indexed as it arrives and
// checked out while it is still arriving. Hand-written because isomorphic-git's fetch concatenates the whole pack in
// memory, indexes it with pako (inflating most objects twice) and its checkout re-reads every blob through the pack
// cache and stats each file for a .git index one await at a time; an artifact needs none of that (peak RSS grew with
// pack size and a 5000-file clone took several times the git CLI). isomorphic-git still does the ref discovery, the
// repository layout (init, config, refs, loose objects) and the parsing of the commit and tag read afterwards.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, open, rename, rm, symlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import { GitError, NotFoundError } from './errors.ts';
import type { Transport } from './transport.ts';

/** Concurrent file writes of the checkout (libuv's pool has 4 threads; a deeper queue keeps it busy). */
const WRITE_CONCURRENCY = 32;
/** Bytes of resolved objects kept for delta bases (git's delta window is 10 objects, so recent is enough). */
const BASE_CACHE_BYTES = 4 * 1024 * 1024;
const TYPE_COMMIT = 1;
const TYPE_TREE = 2;
const TYPE_BLOB = 3;
const TYPE_TAG = 4;
const TYPE_OFS_DELTA = 6;
const TYPE_REF_DELTA = 7;
const TYPE_NAMES = ['', 'commit', 'tree', 'blob', 'tag'];

interface Resolved {
  type: number;
  data: Buffer;
}

/** A byte-bounded LRU of resolved objects by pack offset (Map keeps insertion order). */
class BaseCache {
  private readonly map = new Map<number, Resolved>();
  private bytes = 0;
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(offset: number): Resolved | undefined {
    const v = this.map.get(offset);
    if (v) {
      this.map.delete(offset);
      this.map.set(offset, v);
    }
    return v;
  }
  set(offset: number, v: Resolved): void {
    if (v.data.length > this.max / 4 || this.map.has(offset)) return;
    this.map.set(offset, v);
    this.bytes += v.data.length;
    for (const [k, old] of this.map) {
      if (this.bytes <= this.max) break;
      this.map.delete(k);
      this.bytes -= old.data.length;
    }
  }
}

function readDeltaSize(d: Buffer, pos: { p: number }): number {
  let n = 0;
  let shift = 0;
  let b: number;
  do {
    b = d[pos.p++]!;
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return n;
}

/** git's delta format (pack-format.txt "Deltified representation"); isomorphic-git does not export its applyDelta. */
export function applyDelta(delta: Buffer, base: Buffer): Buffer {
  const pos = { p: 0 };
  const srcSize = readDeltaSize(delta, pos);
  if (srcSize !== base.length) throw new GitError(`corrupt pack: delta base is ${base.length} bytes, not ${srcSize}`);
  const dstSize = readDeltaSize(delta, pos);
  const out = Buffer.allocUnsafe(dstSize);
  let o = 0;
  let p = pos.p;
  while (p < delta.length) {
    const op = delta[p++]!;
    if (op & 0x80) {
      let off = 0;
      let size = 0;
      if (op & 0x01) off = delta[p++]!;
      if (op & 0x02) off |= delta[p++]! << 8;
      if (op & 0x04) off |= delta[p++]! << 16;
      if (op & 0x08) off = (off | (delta[p++]! << 24)) >>> 0;
      if (op & 0x10) size = delta[p++]!;
      if (op & 0x20) size |= delta[p++]! << 8;
      if (op & 0x40) size |= delta[p++]! << 16;
      if (size === 0) size = 0x10000;
      if (off + size > base.length || o + size > dstSize) throw new GitError('corrupt pack: delta copy out of range');
      base.copy(out, o, off, off + size);
      o += size;
    } else if (op) {
      if (p + op > delta.length || o + op > dstSize) throw new GitError('corrupt pack: delta insert out of range');
      delta.copy(out, o, p, p + op);
      o += op;
      p += op;
    } else throw new GitError('corrupt pack: delta opcode 0');
  }
  if (o !== dstSize) throw new GitError(`corrupt pack: delta produced ${o} bytes, not ${dstSize}`);
  return out;
}

function objectId(type: number, data: Buffer): string {
  return createHash('sha1').update(`${TYPE_NAMES[type]} ${data.length}\0`).update(data).digest('hex');
}

/** A pack object's header at `p`: null when `buf` ends first. */
function parseObjectHeader(
  buf: Buffer,
  p: number,
): { type: number; size: number; dataAt: number; baseDistance?: number; baseOid?: string } | null {
  if (p >= buf.length) return null;
  let b = buf[p++]!;
  const type = (b >> 4) & 7;
  let size = b & 15;
  let shift = 4;
  while (b & 0x80) {
    if (p >= buf.length) return null;
    b = buf[p++]!;
    size += (b & 0x7f) * 2 ** shift;
    shift += 7;
  }
  if (type === TYPE_OFS_DELTA) {
    if (p >= buf.length) return null;
    b = buf[p++]!;
    let dist = b & 0x7f;
    while (b & 0x80) {
      if (p >= buf.length) return null;
      b = buf[p++]!;
      dist = (dist + 1) * 128 + (b & 0x7f);
    }
    return { type, size, dataAt: p, baseDistance: dist };
  }
  if (type === TYPE_REF_DELTA) {
    if (p + 20 > buf.length) return null;
    return { type, size, dataAt: p + 20, baseOid: buf.toString('hex', p, p + 20) };
  }
  if (type < TYPE_COMMIT || type > TYPE_TAG) throw new GitError(`corrupt pack: object type ${type}`);
  return { type, size, dataAt: p };
}

/** Inflates the zlib stream at the start of `buf`: null when `buf` ends before the stream does. */
function inflateAt(buf: Buffer, size: number): { data: Buffer; used: number } | null {
  try {
    // chunkSize: one output buffer of the stated size instead of a 16 KiB one per object (less garbage).
    const r = inflateSync(buf, {
      info: true,
      maxOutputLength: Math.max(size, 1),
      chunkSize: Math.max(64, size + 1),
    }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    if (r.buffer.length !== size)
      throw new GitError(`corrupt pack: object inflated to ${r.buffer.length} bytes, not ${size}`);
    return { data: r.buffer, used: r.engine.bytesWritten };
  } catch (err) {
    if ((err as { code?: string }).code === 'Z_BUF_ERROR') return null;
    throw err;
  }
}

interface TreeFile {
  path: string;
  mode: string;
}

/** isomorphic-git's tree-entry checks (git's verify_path): it does not export its tree parser. */
function unsafeName(name: string): boolean {
  const hfsClean = name.replace(/[\u200C-\u200F\u202A-\u202E\u206A-\u206F\uFEFF]/g, '');
  const normalized = (hfsClean.split(':')[0] ?? '').toLowerCase().replace(/[. ]+$/, '');
  return (
    name === '' ||
    name.includes('\\') ||
    name.includes('/') ||
    hfsClean === '.' ||
    hfsClean === '..' ||
    normalized === '.git' ||
    /^\.?git~[1-9]$/.test(normalized)
  );
}

function parseTree(data: Buffer): { mode: string; name: string; oid: string }[] {
  const out: { mode: string; name: string; oid: string }[] = [];
  let p = 0;
  while (p < data.length) {
    const sp = data.indexOf(32, p);
    const nul = sp < 0 ? -1 : data.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new GitError('corrupt tree object');
    let mode = data.toString('latin1', p, sp);
    if (mode === '40000') mode = '040000';
    const name = data.toString('utf8', sp + 1, nul);
    if (unsafeName(name)) throw new git.Errors.UnsafeFilepathError(name);
    out.push({ mode, name, oid: data.toString('hex', nul + 1, nul + 21) });
    p = nul + 21;
  }
  return out;
}

/** isomorphic-git's checkout `filepaths` rule (its `worthWalking`, not exported). */
function worthWalking(filepath: string, root: string): boolean {
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  if (!base || base === '.') return true;
  if (base.length >= filepath.length) return base === filepath || base.startsWith(`${filepath}/`);
  return filepath.startsWith(`${base}/`);
}

/** Bounded-concurrency runner: `run` waits while `limit` tasks are in flight; the first error is kept and rethrown. */
class Pool {
  private readonly inflight = new Set<Promise<void>>();
  private error: unknown;
  private failed = false;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  async run(task: () => Promise<void>): Promise<void> {
    this.check();
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    this.check();
    const p: Promise<void> = task().then(
      () => void this.inflight.delete(p),
      (err: unknown) => {
        this.inflight.delete(p);
        if (!this.failed) {
          this.failed = true;
          this.error = err;
        }
      },
    );
    this.inflight.add(p);
  }
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.race(this.inflight);
    this.check();
  }
  private check(): void {
    if (this.failed) throw this.error;
  }
}

/**
 * Writes the tree of one commit into `dir` from objects as they are indexed. git sends a tree before the entries it
 * lists (traversal order), so each tree is expanded when it arrives and each blob is written the moment it is
 * resolved; whatever came out of order is read back from the pack at the end.
 */
class TreeWriter {
  /** Every tree seen (small next to the blobs; a tree oid may be listed again at another path). */
  private readonly trees = new Map<string, Buffer>();
  /** Trees listed by an expanded tree but not seen yet: oid → path prefixes. */
  private readonly wantedTrees = new Map<string, string[]>();
  /** Blobs listed by an expanded tree and not written yet: oid → paths. */
  private readonly files = new Map<string, TreeFile[]>();
  /** Blobs already resolved (a later listing of one is read back from the pack). */
  private readonly seenBlobs = new Set<string>();
  private readonly late = new Map<string, TreeFile[]>();
  private readonly dirs = new Map<string, Promise<void>>();
  private readonly pool = new Pool(WRITE_CONCURRENCY);
  private rootSeen = false;
  /** The pack has no such commit (e.g. a tag of a tree): nothing is written; the caller reports it. */
  missingCommit = false;
  private readonly dir: string;
  private readonly commit: string;
  private readonly sparse: readonly string[] | undefined;
  private readonly signal: AbortSignal | undefined;
  constructor(dir: string, commit: string, sparse: readonly string[] | undefined, signal: AbortSignal | undefined) {
    this.dir = dir;
    this.commit = commit;
    this.sparse = sparse;
    this.signal = signal;
    this.dirs.set('', Promise.resolve());
  }

  /** Commits and tags seen in the pack (kept for the loose copies isomorphic-git reads afterwards). */
  readonly keep = new Map<string, Resolved>();

  async onObject(type: number, oid: string, data: Buffer): Promise<void> {
    if (type === TYPE_TREE) {
      this.trees.set(oid, data);
      const prefixes = this.wantedTrees.get(oid);
      if (prefixes) {
        this.wantedTrees.delete(oid);
        for (const prefix of prefixes) this.expand(data, prefix);
      }
    } else if (type === TYPE_COMMIT) {
      if (oid !== this.commit) return;
      this.keep.set(oid, { type, data });
      const m = /^tree ([0-9a-f]{40})/.exec(data.toString('latin1', 0, 46));
      if (!m) throw new GitError(`commit ${oid} has no tree`);
      this.rootSeen = true;
      this.want(m[1]!, '');
    } else if (type === TYPE_TAG) this.keep.set(oid, { type, data });
    else if (type === TYPE_BLOB) {
      this.seenBlobs.add(oid);
      const paths = this.files.get(oid);
      if (paths) {
        this.files.delete(oid);
        for (const f of paths) await this.pool.run(() => this.write(f, data));
      }
    }
  }

  private want(treeOid: string, prefix: string): void {
    const data = this.trees.get(treeOid);
    if (data) return this.expand(data, prefix);
    const list = this.wantedTrees.get(treeOid);
    if (list) list.push(prefix);
    else this.wantedTrees.set(treeOid, [prefix]);
  }

  private expand(data: Buffer, prefix: string): void {
    const seen = new Set<string>();
    for (const e of parseTree(data)) {
      if (seen.has(e.name)) throw new git.Errors.UnsafeFilepathError(`${prefix}${e.name}`);
      seen.add(e.name);
      const path = `${prefix}${e.name}`;
      if (this.sparse && !this.sparse.some((base) => worthWalking(path, base))) continue;
      if (e.mode === '040000' || e.mode === '160000') {
        this.mkdir(path, prefix);
        if (e.mode === '040000') this.want(e.oid, `${path}/`);
      } else if (e.mode === '100644' || e.mode === '100755' || e.mode === '120000') {
        const to = this.seenBlobs.has(e.oid) ? this.late : this.files;
        const list = to.get(e.oid);
        if (list) list.push({ path, mode: e.mode });
        else to.set(e.oid, [{ path, mode: e.mode }]);
      } else throw new GitError(`unexpected tree entry mode ${e.mode} for '${path}'`);
    }
  }

  /** Directory `path` (child of `parent/`), made once its parent exists; file writes wait for it. */
  private mkdir(path: string, parentPrefix: string): void {
    const parent = this.dirs.get(parentPrefix.replace(/\/$/, '')) ?? Promise.resolve();
    const p = parent.then(() => mkdir(join(this.dir, path), { recursive: true })).then(() => {});
    p.catch(() => {}); // awaited by the writes below it (and by finish)
    this.dirs.set(path, p);
  }

  /** After the pack: writes what was not written while it streamed. */
  async finish(read: (oid: string) => Promise<Resolved | undefined>): Promise<void> {
    if (!this.rootSeen) {
      this.missingCommit = true;
      return;
    }
    const missing = this.wantedTrees.keys().next();
    if (!missing.done) throw new NotFoundError(`tree ${missing.value} is missing from the fetched pack`);
    for (const [oid, paths] of this.files)
      if (!this.late.has(oid)) this.late.set(oid, paths);
      else this.late.get(oid)!.push(...paths);
    this.files.clear();
    for (const [oid, paths] of this.late) {
      this.signal?.throwIfAborted();
      const obj = await read(oid);
      if (!obj || obj.type !== TYPE_BLOB) throw new NotFoundError(`blob ${oid} is missing from the fetched pack`);
      for (const f of paths) await this.pool.run(() => this.write(f, obj.data));
    }
    this.late.clear();
    await this.pool.drain();
    await Promise.all(this.dirs.values());
  }

  private async write(f: TreeFile, data: Buffer): Promise<void> {
    const slash = f.path.lastIndexOf('/');
    await this.dirs.get(slash < 0 ? '' : f.path.slice(0, slash));
    this.signal?.throwIfAborted();
    const target = join(this.dir, f.path);
    if (f.mode === '120000') {
      await rm(target, { force: true });
      await symlink(data.toString('utf8'), target);
    } else await writeNew(target, data, f.mode === '100755' ? 0o777 : 0o666);
  }
}

/** open/write/close with the callback API: measurably cheaper per file than fs/promises' FileHandle objects. */
function writeNew(path: string, data: Buffer, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.open(path, 'w', mode, (err, fd) => {
      if (err) return reject(err);
      const done = (e: Error | null): void =>
        fs.close(fd, (e2) => {
          if (e || e2) reject(e ?? e2);
          else resolve();
        });
      const writeFrom = (at: number): void => {
        if (at >= data.length) return done(null);
        fs.write(fd, data, at, data.length - at, null, (e, n) => (e ? done(e) : writeFrom(at + n)));
      };
      writeFrom(0);
    });
  });
}

/** Pack index v2 (`git index-pack` layout) so that the clone's .git stays readable by git and isomorphic-git. */
function packIndex(oids: string[], offsets: number[], crcs: number[], packSha: Buffer): Buffer {
  const order = oids.map((_, i) => i).sort((a, b) => (oids[a]! < oids[b]! ? -1 : oids[a]! > oids[b]! ? 1 : 0));
  const n = order.length;
  const large = offsets.filter((o) => o >= 0x80000000).length;
  const buf = Buffer.alloc(8 + 1024 + n * 28 + large * 8 + 40);
  buf.writeUInt32BE(0xff744f63, 0);
  buf.writeUInt32BE(2, 4);
  const fan = new Array<number>(256).fill(0);
  for (const oid of oids) fan[parseInt(oid.slice(0, 2), 16)]!++;
  let acc = 0;
  for (let i = 0; i < 256; i++) buf.writeUInt32BE((acc += fan[i]!), 8 + i * 4);
  let p = 8 + 1024;
  for (const i of order) p += buf.write(oids[i]!, p, 'hex');
  for (const i of order) p = buf.writeUInt32BE(crcs[i]!, p);
  let l = 0;
  const largeAt = p + n * 4;
  for (const i of order) {
    const off = offsets[i]!;
    if (off < 0x80000000) p = buf.writeUInt32BE(off, p);
    else {
      p = buf.writeUInt32BE((0x80000000 | l) >>> 0, p);
      buf.writeBigUInt64BE(BigInt(off), largeAt + l * 8);
      l++;
    }
  }
  p = largeAt + l * 8;
  p += packSha.copy(buf, p);
  createHash('sha1').update(buf.subarray(0, p)).digest().copy(buf, p);
  return buf;
}

/**
 * Indexes a pack as its bytes arrive (`push`), writing them to `file`: object ids, CRCs, offsets; deltas are resolved
 * against a bounded cache of recent objects, falling back to reading the base back from the file.
 */
class PackIndexer {
  private window = Buffer.alloc(0);
  /** Pack offset of window[0]. */
  private windowAt = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the window must hold before parsing resumes (grows ×2 for an object larger than the window). */
  private need = 12;
  private count = -1;
  private parsed = 0;
  private written = 0;
  private readonly hash = createHash('sha1');
  private held = Buffer.alloc(0);
  readonly oids: string[] = [];
  readonly offsets: number[] = [];
  readonly ends: number[] = [];
  readonly crcs: number[] = [];
  private readonly byOffset = new Map<number, number>();
  private readonly byOid = new Map<string, number>();
  /** Deltas whose base was not resolved yet (a ref-delta's base may come later in the pack). */
  private readonly deferred: number[] = [];
  private readonly cache = new BaseCache(BASE_CACHE_BYTES);

  private readonly fh: FileHandle;
  private readonly onObject: (type: number, oid: string, data: Buffer) => Promise<void>;
  private readonly signal: AbortSignal | undefined;
  constructor(
    fh: FileHandle,
    onObject: (type: number, oid: string, data: Buffer) => Promise<void>,
    signal: AbortSignal | undefined,
  ) {
    this.fh = fh;
    this.onObject = onObject;
    this.signal = signal;
  }

  async push(chunk: Buffer): Promise<void> {
    this.signal?.throwIfAborted();
    await this.fh.write(chunk, 0, chunk.length, this.written);
    this.written += chunk.length;
    // The pack checksum covers everything but its last 20 bytes, which are the checksum.
    const all = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const cut = Math.max(0, all.length - 20);
    this.hash.update(all.subarray(0, cut));
    this.held = Buffer.from(all.subarray(cut));
    if (this.count >= 0 && this.parsed === this.count) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.window.length + this.pendingBytes < this.need) return;
    await this.parse(false);
  }

  private async parse(final: boolean): Promise<void> {
    if (this.pendingBytes) {
      this.window = Buffer.concat([this.window, ...this.pending]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const buf = this.window;
    let p = 0;
    if (this.count < 0) {
      if (buf.length < 12) {
        if (final) throw new GitError('corrupt pack: truncated header');
        return;
      }
      if (buf.toString('latin1', 0, 4) !== 'PACK') throw new GitError('invalid pack: no PACK signature');
      const version = buf.readUInt32BE(4);
      if (version !== 2 && version !== 3) throw new GitError(`unsupported pack version ${version}`);
      this.count = buf.readUInt32BE(8);
      p = 12;
    }
    while (this.parsed < this.count) {
      const offset = this.windowAt + p;
      const h = parseObjectHeader(buf, p);
      const z = h && inflateAt(buf.subarray(h.dataAt), h.size);
      if (!h || !z) {
        if (final) throw new GitError('corrupt pack: truncated object');
        this.need = Math.max(2 * (buf.length - p), 65536);
        break;
      }
      const end = h.dataAt + z.used;
      const i = this.oids.length;
      this.oids.push('');
      this.offsets.push(offset);
      this.ends.push(this.windowAt + end);
      this.crcs.push(crc32(buf.subarray(p, end)));
      this.byOffset.set(offset, i);
      p = end;
      this.parsed++;
      let obj: Resolved | undefined;
      if (h.type === TYPE_OFS_DELTA || h.type === TYPE_REF_DELTA) {
        const baseAt =
          h.baseOid !== undefined ? this.byOid.get(h.baseOid) : this.byOffset.get(offset - h.baseDistance!);
        const base = baseAt === undefined ? undefined : await this.load(baseAt);
        if (base) obj = { type: base.type, data: applyDelta(z.data, base.data) };
        else this.deferred.push(i);
      } else obj = { type: h.type, data: z.data };
      if (obj) await this.resolved(i, obj);
      if ((this.parsed & 255) === 0) this.signal?.throwIfAborted();
    }
    this.window = buf.subarray(p);
    this.windowAt += p;
    if (this.parsed === this.count) this.need = Infinity;
    else if (this.window.length >= this.need) this.need = this.window.length + 1;
    else this.need = Math.max(this.need, 12);
  }

  private async resolved(i: number, obj: Resolved): Promise<void> {
    const oid = objectId(obj.type, obj.data);
    this.oids[i] = oid;
    this.byOid.set(oid, i);
    this.cache.set(this.offsets[i]!, obj);
    await this.onObject(obj.type, oid, obj.data);
  }

  /** The resolved content of object `i`: from the cache, else read back from the pack file. */
  async load(i: number): Promise<Resolved | undefined> {
    const offset = this.offsets[i]!;
    const hit = this.cache.get(offset);
    if (hit) return hit;
    const end = this.ends[i]!;
    const raw = Buffer.allocUnsafe(end - offset);
    await this.fh.read(raw, 0, raw.length, offset);
    const h = parseObjectHeader(raw, 0);
    const z = h && inflateAt(raw.subarray(h.dataAt), h.size);
    if (!h || !z) throw new GitError(`corrupt pack: object at ${offset} is truncated`);
    let obj: Resolved;
    if (h.type === TYPE_OFS_DELTA || h.type === TYPE_REF_DELTA) {
      const baseAt = h.baseOid !== undefined ? this.byOid.get(h.baseOid) : this.byOffset.get(offset - h.baseDistance!);
      const base = baseAt === undefined ? undefined : await this.load(baseAt);
      if (!base) return undefined;
      obj = { type: base.type, data: applyDelta(z.data, base.data) };
    } else obj = { type: h.type, data: z.data };
    this.cache.set(offset, obj);
    return obj;
  }

  async loadOid(oid: string): Promise<Resolved | undefined> {
    const i = this.byOid.get(oid);
    return i === undefined ? undefined : this.load(i);
  }

  /** After the last byte: checks the count and checksum, resolves deferred deltas; returns the pack checksum. */
  async end(): Promise<Buffer> {
    if (this.count < 0 || this.parsed < this.count) await this.parse(true);
    if (this.held.length !== 20) throw new GitError('corrupt pack: truncated checksum');
    const sum = this.hash.digest();
    if (!sum.equals(this.held)) throw new GitError('corrupt pack: checksum mismatch');
    if (this.written - 20 !== this.windowAt) throw new GitError('corrupt pack: trailing data');
    let left = this.deferred.slice();
    while (left.length) {
      const next: number[] = [];
      for (const i of left) {
        this.signal?.throwIfAborted();
        const obj = await this.load(i);
        if (obj) await this.resolved(i, obj);
        else next.push(i);
      }
      if (next.length === left.length) throw new GitError(`corrupt pack: ${next.length} deltas without a base`);
      left = next;
    }
    return sum;
  }
}

/** pkt-line reader over an async byte stream. */
class PktReader {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<Uint8Array>;
  constructor(it: AsyncIterator<Uint8Array>) {
    this.it = it;
  }
  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n) {
      const r = await this.it.next();
      if (r.done) return false;
      this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : Buffer.from(r.value);
    }
    return true;
  }
  /** The next packet's payload; null for a flush packet; undefined at the end of the stream. */
  async next(): Promise<Buffer | null | undefined> {
    if (!(await this.fill(4))) {
      if (this.buf.length) throw new GitError('truncated pkt-line in the upload-pack response');
      return undefined;
    }
    const len = parseInt(this.buf.toString('latin1', 0, 4), 16);
    if (Number.isNaN(len)) throw new GitError('invalid pkt-line in the upload-pack response');
    if (len < 4) {
      this.buf = this.buf.subarray(4);
      return null;
    }
    if (!(await this.fill(len))) throw new GitError('truncated pkt-line in the upload-pack response');
    const out = this.buf.subarray(4, len);
    this.buf = this.buf.subarray(len);
    return out;
  }
}

function pkt(line: string): Buffer {
  const body = Buffer.from(line);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export interface ShallowFetchOptions {
  t: Transport;
  dir: string;
  /** The ref fetched (`refs/heads/main`) and the oid it advertised (a tag object for annotated tags). */
  refName: string;
  want: string;
  /** The commit to check out (the advertised oid, peeled). */
  commit: string;
  depth: number;
  sparse: readonly string[] | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Whether {@link shallowFetchCheckout} can serve this remote: it needs `shallow` and a side band (every git server
 * since 2009); otherwise the caller uses isomorphic-git's fetch. The advertisement is the cached one (no request).
 */
export async function shallowFetchCapabilities(t: Transport): Promise<string[] | undefined> {
  const info = await git.getRemoteInfo({ http: t.http, url: t.url, headers: { ...t.headers } });
  // v1 capabilities come as `name` or `name=value` strings.
  const caps = new Set((info.capabilities as unknown as string[]).map((c) => c.split('=')[0]));
  const band = caps.has('side-band-64k') ? 'side-band-64k' : caps.has('side-band') ? 'side-band' : undefined;
  if (!band || !caps.has('shallow')) return undefined;
  return [band, ...(caps.has('ofs-delta') ? ['ofs-delta'] : []), ...(caps.has('no-progress') ? ['no-progress'] : [])];
}

/**
 * Fetches `want` at `depth` into the repository just initialised in `dir` and checks out `commit` (detached HEAD, no .git index):
 * one upload-pack POST, the pack streamed to `.git/objects/pack` with its index, the files written while it arrives.
 * Returns false when the pack has no commit `commit` (nothing written; the caller checks out what it finds instead).
 */
export async function shallowFetchCheckout(opts: ShallowFetchOptions, capabilities: string[]): Promise<boolean> {
  const { t, dir, signal } = opts;
  const gitdir = join(dir, '.git');
  const body = Buffer.concat([
    pkt(`want ${opts.want} ${capabilities.join(' ')} agent=flux-ts\n`),
    pkt(`deepen ${opts.depth}\n`),
    Buffer.from('0000'),
    pkt('done\n'),
  ]);
  const res = await t.http.request({
    method: 'POST',
    url: `${t.url}/git-upload-pack`,
    headers: {
      ...t.headers,
      'content-type': 'application/x-git-upload-pack-request',
      accept: 'application/x-git-upload-pack-result',
    },
    // An array, not a stream: isomorphic-git's node client then sends a Content-Length (as its own fetch does).
    body: [body] as unknown as AsyncIterableIterator<Uint8Array>,
    ...(signal ? { signal } : {}),
  });
  const it = res.body?.[Symbol.asyncIterator]();
  if (res.statusCode !== 200 || !it) {
    let text = '';
    if (it)
      for (let r = await it.next(); !r.done && text.length < 4096; r = await it.next())
        text += Buffer.from(r.value).toString('utf8');
    throw new git.Errors.HttpError(res.statusCode, res.statusMessage, text);
  }
  const reader = new PktReader(it);
  const shallows: string[] = [];
  let written = false;
  try {
    for (;;) {
      const line = await reader.next();
      if (line === undefined) throw new GitError('upload-pack response ended before the pack');
      if (line === null) continue;
      const s = line.toString('utf8').trim();
      if (s.startsWith('shallow ')) shallows.push(s.slice(8, 48));
      else if (s.startsWith('unshallow ')) continue;
      else if (s.startsWith('ERR ')) throw new GitError(`remote error: ${s.slice(4)}`);
      else if (s === 'NAK' || s.startsWith('ACK')) break;
      else throw new GitError(`unexpected upload-pack response line '${s.slice(0, 80)}'`);
    }

    const packDir = join(gitdir, 'objects', 'pack');
    const tmp = join(packDir, `tmp_pack_${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'w+');
    let closed = false;
    try {
      const writer = new TreeWriter(dir, opts.commit, opts.sparse, signal);
      const indexer = new PackIndexer(fh, (type, oid, data) => writer.onObject(type, oid, data), signal);
      for (;;) {
        const p = await reader.next();
        if (p === undefined) throw new GitError('upload-pack response ended before its final flush');
        if (p === null) break;
        const band = p[0];
        if (band === 1) await indexer.push(p.subarray(1));
        else if (band === 3) throw new GitError(`remote error: ${p.subarray(1).toString('utf8').trim()}`);
      }
      const sum = await indexer.end();
      await writer.finish((oid) => indexer.loadOid(oid));
      written = !writer.missingCommit;
      await fh.close();
      closed = true;
      const base = join(packDir, `pack-${sum.toString('hex')}`);
      await writeFile(`${base}.idx`, packIndex(indexer.oids, indexer.offsets, indexer.crcs, sum));
      await rename(tmp, `${base}.pack`);
      // Loose copies of the commit and tag: isomorphic-git reads them without loading the pack into memory.
      for (const [, o] of writer.keep)
        await git.writeObject({
          fs,
          dir,
          type: TYPE_NAMES[o.type] as 'commit' | 'tag',
          object: o.data,
          format: 'content',
        });
    } finally {
      if (!closed) {
        await fh.close().catch(() => {});
        await rm(tmp, { force: true });
      }
    }
  } finally {
    // Releases the response (socket or ssh channel) when it was not read to its end.
    try {
      await it.return?.();
    } catch {
      // already ended or failed: nothing to release
    }
  }
  if (shallows.length) await writeFile(join(gitdir, 'shallow'), shallows.join('\n') + '\n');
  await git.writeRef({
    fs,
    dir,
    ref: `refs/remotes/origin/${opts.refName.replace(/^refs\//, '')}`,
    value: opts.want,
    force: true,
  });
  await git.writeRef({ fs, dir, ref: 'HEAD', value: opts.commit, force: true });
  return written;
}
