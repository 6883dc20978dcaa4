/**
 * A file system confined to an extracted artifact (fluxcd/pkg `kustomize/filesys` fsSecure): every path it is given
 * is made absolute, its symlinks resolved, and refused unless the result is in or below one of its roots. Every
 * consumer of source content (kustomize builds, SOPS decryption, Helm charts from Git or Bucket sources) reads and
 * writes through it, so nothing in a source can reach a host file, `/proc` or the controller's credentials.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Code of {@link FsSecurityError} (what callers test instead of the class, across package copies). */
export const FS_SECURITY_CONSTRAINT = 'ERR_FS_SECURITY_CONSTRAINT';

/**
 * A path that leaves the confined roots. The message is fluxcd/pkg's ConstraintError:
 * `fs-security-constraint <op> <path>: path '<path>' is not in or below '<root>'`.
 */
export class FsSecurityError extends Error {
  /** Always {@link FS_SECURITY_CONSTRAINT}. */
  readonly code = FS_SECURITY_CONSTRAINT;
  /** The operation refused (`read`, `write`, `open`, `abs`, `stat`, `walk`, …). */
  readonly op: string;
  /** The path as the caller gave it. */
  readonly path: string;
  constructor(op: string, p: string, root: string) {
    super(`fs-security-constraint ${op} ${p}: path '${p}' is not in or below '${root}'`);
    this.name = 'FsSecurityError';
    this.op = op;
    this.path = p;
  }
}

/** Options of {@link ConfinedFs}. */
export interface ConfinedFsOptions {
  /** More roots that reads and writes may reach (e.g. the directory remote bases are cloned into). */
  allow?: readonly string[];
}

function realDir(dir: string): string {
  return fs.realpathSync(path.resolve(dir));
}

/**
 * node:fs, synchronous, confined to `root` (and the `allow` roots). Paths are resolved against `root` when relative;
 * a path whose symlink-resolved location is outside every root throws {@link FsSecurityError}. A path that does not
 * exist is judged by its nearest existing ancestor (resolved) plus the rest, so a write cannot go through a link to a
 * directory outside; a dangling symlink is refused, as its target cannot be judged before it exists.
 */
export class ConfinedFs {
  /** The root, absolute and symlink-resolved. */
  readonly root: string;
  readonly #roots: readonly string[];

  /** @throws Error when `root` (or an `allow` root) does not exist */
  constructor(root: string, opts: ConfinedFsOptions = {}) {
    this.root = realDir(root);
    this.#roots = [this.root, ...(opts.allow ?? []).map(realDir)];
  }

  #inside(real: string): boolean {
    return this.#roots.some((r) => real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  }

  /** The symlink-resolved absolute location of `p`, or undefined when it leaves every root. */
  locate(p: string): string | undefined {
    const abs = path.resolve(this.root, p);
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      if (isLink(abs)) return undefined; // dangling (or looping) symlink
      let dir = path.dirname(abs);
      const rest = [path.basename(abs)];
      for (;;) {
        try {
          real = path.join(fs.realpathSync(dir), ...rest);
          break;
        } catch {
          if (isLink(dir)) return undefined;
          const up = path.dirname(dir);
          if (up === dir) return undefined;
          rest.unshift(path.basename(dir));
          dir = up;
        }
      }
    }
    return this.#inside(real) ? real : undefined;
  }

  /**
   * The resolved location of `p` for `op`.
   * @throws FsSecurityError when it leaves the roots
   */
  resolve(p: string, op: string): string {
    const real = this.locate(p);
    if (real === undefined) throw new FsSecurityError(op, p, this.root);
    return real;
  }

  /** `fs.readFileSync` (op `read`). */
  readFileSync(p: string): Buffer {
    return fs.readFileSync(this.resolve(p, 'read'));
  }

  /** `fs.readFileSync(p, 'utf8')` (op `read`). */
  readTextSync(p: string): string {
    return fs.readFileSync(this.resolve(p, 'read'), 'utf8');
  }

  /** `fs.statSync`, following symlinks inside the roots (op `stat`). */
  statSync(p: string): fs.Stats {
    return fs.statSync(this.resolve(p, 'stat'));
  }

  /** `fs.lstatSync` of the entry itself (its parent directories resolved and checked; op `stat`). */
  lstatSync(p: string): fs.Stats {
    const abs = path.resolve(this.root, p);
    const parent = this.locate(path.dirname(abs));
    if (parent === undefined) throw new FsSecurityError('stat', p, this.root);
    return fs.lstatSync(path.join(parent, path.basename(abs)));
  }

  /** `fs.realpathSync` (op `abs`, as fsSecure's CleanedAbs). */
  realpathSync(p: string): string {
    return this.resolve(p, 'abs');
  }

  /** `fs.existsSync`: false for paths outside the roots, as fsSecure's Exists. */
  existsSync(p: string): boolean {
    const real = this.locate(p);
    return real !== undefined && fs.existsSync(real);
  }

  /** `fs.readdirSync` with file types (op `open`); entries that are symlinks are reported as such, not followed. */
  readdirSync(p: string): fs.Dirent[] {
    return fs.readdirSync(this.resolve(p, 'open'), { withFileTypes: true });
  }

  /** `fs.writeFileSync` (op `write`); a symlink is never written through to a place outside. */
  writeFileSync(p: string, data: string | Uint8Array, mode?: number): void {
    fs.writeFileSync(this.resolve(p, 'write'), data, mode === undefined ? undefined : { mode });
  }

  /** `fs.chmodSync` (op `chmod`). */
  chmodSync(p: string, mode: number): void {
    fs.chmodSync(this.resolve(p, 'chmod'), mode);
  }
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
