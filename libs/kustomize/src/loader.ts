import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { KustomizeError } from './resource.ts';

/**
 * The subset of node:fs the engine uses; inject another implementation (e.g. memfs to build from memory, or a file
 * system confined to an artifact). A `statSync` error whose `code` is neither `ENOENT` nor `ENOTDIR` (such as a
 * confined file system's refusal) is reported as it is, not as a missing file.
 */
export interface KustomizeFs {
  readFileSync(p: string): Uint8Array;
  statSync(p: string): { isDirectory(): boolean; isFile(): boolean };
  realpathSync?(p: string): string;
}

/** How far file references may reach: only inside the kustomization's directory, or anywhere. */
export type LoadRestrictions = 'rootOnly' | 'none';

/** Returns node:fs as a KustomizeFs. */
export function defaultFs(): KustomizeFs {
  return nodeFs;
}

/** Resolves and reads files relative to one kustomization root, enforcing load restrictions. */
export class Loader {
  readonly root: string;
  readonly fs: KustomizeFs;
  readonly restrictions: LoadRestrictions;

  constructor(root: string, fs: KustomizeFs, restrictions: LoadRestrictions) {
    this.root = root;
    this.fs = fs;
    this.restrictions = restrictions;
  }

  /** Absolute, symlink-resolved path of `rel`; throws like kustomize when it does not exist. */
  realPath(rel: string): string {
    const abs = path.resolve(this.root, rel);
    try {
      this.fs.statSync(abs);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      throw new KustomizeError(
        `evalsymlink failure on '${abs}' : lstat ${this.firstMissing(abs)}: no such file or directory`,
        {
          cause: err,
        },
      );
    }
    return this.fs.realpathSync ? this.fs.realpathSync(abs) : abs;
  }

  /** The shortest missing prefix of `abs` (Go's filepath.EvalSymlinks stops at the first missing component). */
  firstMissing(abs: string): string {
    const parts = abs.split(path.sep).filter((p) => p !== '');
    let cur = path.parse(abs).root;
    for (const p of parts) {
      cur = path.join(cur, p);
      if (!this.exists(cur)) return cur;
    }
    return abs;
  }

  /**
   * Checks that `abs` (symlinks resolved) is in or below the root under rootOnly; the message names `shown` (the
   * path as written, made absolute), as kustomize does.
   */
  checkRestriction(abs: string, shown = abs): void {
    if (this.restrictions !== 'rootOnly') return;
    const rel = path.relative(this.root, abs);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return;
    throw new KustomizeError(`security; file '${shown}' is not in or below '${this.root}'`);
  }

  /** Reads a file relative to the root (restricted). */
  readFile(rel: string): Uint8Array {
    const abs = this.realPath(rel);
    this.checkRestriction(abs, path.resolve(this.root, rel));
    if (this.isDir(abs)) throw new KustomizeError(`'${abs}' is a directory, expected a file`);
    return this.fs.readFileSync(abs);
  }

  /** Reads a UTF-8 text file relative to the root (restricted). */
  readText(rel: string): string {
    return new TextDecoder().decode(this.readFile(rel));
  }

  /** Whether an absolute path is a directory. */
  isDir(abs: string): boolean {
    try {
      return this.fs.statSync(abs).isDirectory();
    } catch {
      return false;
    }
  }

  /** Whether an absolute path exists. */
  exists(abs: string): boolean {
    try {
      this.fs.statSync(abs);
      return true;
    } catch {
      return false;
    }
  }

  /** A loader rooted at another directory with the same settings. */
  child(root: string): Loader {
    return new Loader(root, this.fs, this.restrictions);
  }
}

/** A stat error that means "not there" (kustomize's evalsymlink failure), as opposed to a refusal. */
function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === undefined || code === 'ENOENT' || code === 'ENOTDIR';
}
