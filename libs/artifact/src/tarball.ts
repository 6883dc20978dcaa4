import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Header, Pax } from 'tar';
import type { IgnoreFilter } from './ignore.ts';

/** Normalised modes written into artifact tarballs. */
export const TarModes = { dir: 0o750, file: 0o600, executable: 0o700 } as const;

const BLOCK = 512;
const ZERO_TIME = new Date(0);

/** Options for {@link reproducibleTar}. */
export interface ReproducibleTarOptions {
  /** Exclusion filter; excluded directories are not descended into. */
  filter?: IgnoreFilter | undefined;
  /** Aborts the walk. */
  signal?: AbortSignal | undefined;
}

function headerBlocks(path: string, type: 'File' | 'Directory', mode: number, size: number): Buffer[] {
  const data = { path, mode, uid: 0, gid: 0, size, mtime: ZERO_TIME, type, uname: '', gname: '' };
  const h = new Header(data);
  const needPax = h.encode();
  if (!h.block) throw new Error(`failed to encode tar header for '${path}'`);
  if (!needPax) return [h.block];
  return [new Pax({ path, size, uid: 0, gid: 0, mtime: ZERO_TIME }).encode(), h.block];
}

/**
 * Streams an uncompressed, reproducible tar of `root` (Flux `Storage.Archive` format): depth-first walk
 * with entries sorted byte-wise per directory, paths relative to `root`, only regular files and
 * directories (symlinks and special files skipped), uid/gid 0, empty uname/gname, zero mtimes, modes
 * dirs 0750 / files 0600 / executables 0700.
 *
 * Entries are encoded with node-tar's Header/Pax classes rather than its Pack stream, because Pack
 * derives modes, owners and times from fs.Stats and cannot pin them.
 */
export async function* reproducibleTar(root: string, options: ReproducibleTarOptions = {}): AsyncGenerator<Buffer> {
  const { filter, signal } = options;
  async function* walk(rel: string): AsyncGenerator<Buffer> {
    signal?.throwIfAborted();
    const abs = rel === '' ? root : join(root, rel);
    const names = (await readdir(abs)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const absPath = join(abs, name);
      const st = await lstat(absPath);
      if (st.isDirectory()) {
        if (filter?.(relPath, true)) continue;
        yield* headerBlocks(`${relPath}/`, 'Directory', TarModes.dir, 0);
        yield* walk(relPath);
      } else if (st.isFile()) {
        if (filter?.(relPath, false)) continue;
        const mode = (st.mode & 0o111) !== 0 ? TarModes.executable : TarModes.file;
        yield* headerBlocks(relPath, 'File', mode, st.size);
        yield* fileBody(absPath, st.size, relPath, signal);
      }
      // symlinks, sockets, fifos and devices are skipped, as in Flux
    }
  }
  yield* walk('');
  yield Buffer.alloc(BLOCK * 2);
}

async function* fileBody(path: string, size: number, relPath: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let read = 0;
  if (size > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: size - 1, signal }) as AsyncIterable<Buffer>) {
      read += chunk.length;
      yield chunk;
    }
  }
  if (read !== size) throw new Error(`failed to archive '${relPath}': file changed size while reading`);
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad > 0) yield Buffer.alloc(pad);
}
