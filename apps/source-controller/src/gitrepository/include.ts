/**
 * Copies the (sub)contents of an included GitRepository's stored artifact into the working directory of the
 * includer (source-controller `Storage.CopyToPath`): the tarball is read from local storage, its digest checked and
 * it is extracted safely with `fetchArtifact`, then `fromPath` is moved to `toPath`.
 */
import { createReadStream } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { ConfinedFs, fetchArtifact } from '@flux-ts/artifact';
import type { Storage } from '@flux-ts/artifact';
import type { RecordedArtifact } from './content-config.ts';

/**
 * Joins `rel` under `root` lexically, clamping `..` at the root (like Go's `securejoin.SecureJoin`), so the result
 * never leaves `root`.
 */
export function secureJoin(root: string, rel: string): string {
  const clean = posix.normalize(`/${rel.replace(/\\/g, '/')}`).replace(/^\/+/, '');
  return clean === '' ? root : join(root, clean);
}

/** Options of {@link copyArtifactToPath}. */
export interface CopyArtifactOptions {
  storage: Storage;
  artifact: RecordedArtifact;
  /** Path inside the artifact to copy ('' = its root). */
  fromPath: string;
  /** Absolute destination (already resolved with {@link secureJoin}); replaced when it exists. */
  toPath: string;
  /**
   * The working directory `toPath` must stay in once its symlinks (committed to the including repository) are
   * resolved; a path that leaves it fails with `fs-security-constraint write …`.
   */
  root: string;
  tmpDir?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Extracts `artifact` from storage and moves `fromPath` of it to `toPath`. */
export async function copyArtifactToPath(opts: CopyArtifactOptions): Promise<void> {
  const { storage, artifact } = opts;
  if (!artifact.digest) throw new Error(`artifact '${artifact.path}' has no digest`);
  const local = storage.localPath(artifact);
  const tmp = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'flux-include-'));
  try {
    const unpack = join(tmp, 'unpack');
    const localFetch: typeof fetch = async () =>
      new Response(Readable.toWeb(createReadStream(local)) as ReadableStream<Uint8Array>, { status: 200 });
    await fetchArtifact({
      url: artifact.url,
      digest: artifact.digest,
      dir: unpack,
      fetch: localFetch,
      retries: 0,
      tmpDir: tmp,
      signal: opts.signal,
    });
    const from = secureJoin(unpack, opts.fromPath);
    await stat(from).catch((err: unknown) => {
      throw new Error(`path '${opts.fromPath}' does not exist in artifact`, { cause: err });
    });
    const to = new ConfinedFs(opts.root).resolve(opts.toPath, 'write');
    await mkdir(dirname(to), { recursive: true });
    await rm(to, { recursive: true, force: true });
    await cp(from, to, { recursive: true });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
