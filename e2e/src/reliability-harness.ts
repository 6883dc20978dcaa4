/**
 * Helpers of the reliability suite (reliability.e2e.spec.ts): a git repository pushed to over smart HTTP (raw trees
 * included, to build hostile ones), the processes of a run read from /proc, a controller restarted with the flags
 * it had, hostile tarballs written byte by byte, and a seeded random source so that a failing run can be replayed.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startControllers } from '@flux-ts/embedded';
import type { ControllerProcess, Embedded } from '@flux-ts/embedded';
import { run } from '@flux-ts/testbed';
import { GIT_ENV as E2E_GIT_ENV } from './stack.ts';

/** git without the user's or the system's configuration. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...E2E_GIT_ENV,
  GIT_AUTHOR_NAME: 'reliability',
  GIT_AUTHOR_EMAIL: 'reliability@flux-ts.local',
  GIT_COMMITTER_NAME: 'reliability',
  GIT_COMMITTER_EMAIL: 'reliability@flux-ts.local',
};

/** mulberry32: a small seeded generator, so that the kill moments of a failed run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bare repository served by the embedded git server, and a working clone to commit and push from. */
export class PushedRepo {
  readonly url: string;
  readonly bare: string;
  readonly work: string;

  private constructor(url: string, bare: string, work: string) {
    this.url = url;
    this.bare = bare;
    this.work = work;
  }

  /** Creates `<e.layout.git>/<name>.git` (pushes allowed) and its working clone under `workRoot`. */
  static async create(e: Embedded, name: string, workRoot: string): Promise<PushedRepo> {
    const bare = join(e.layout.git, `${name}.git`);
    await run('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: GIT_ENV });
    await run('git', ['-C', bare, 'config', 'http.receivepack', 'true'], { env: GIT_ENV });
    const work = join(workRoot, name);
    await run('git', ['init', '-q', '-b', 'main', work], { env: GIT_ENV });
    const repo = new PushedRepo(`${e.git.url}/${name}.git`, bare, work);
    await repo.git('remote', 'add', 'origin', repo.url);
    return repo;
  }

  /** Runs git in the working clone. */
  git(...args: string[]): Promise<string> {
    return run('git', ['-C', this.work, ...args], { env: GIT_ENV });
  }

  /**
   * Makes the working tree hold exactly `files` (plus `links`, symlinks to their targets), commits and pushes;
   * returns the commit.
   */
  async push(
    files: Readonly<Record<string, string>>,
    message: string,
    links: Record<string, string> = {},
  ): Promise<string> {
    for (const f of (await this.git('ls-files')).split('\n').filter(Boolean)) unlinkSync(join(this.work, f));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.work, p)), { recursive: true });
      writeFileSync(join(this.work, p), text);
    }
    for (const [p, target] of Object.entries(links)) {
      mkdirSync(dirname(join(this.work, p)), { recursive: true });
      await run('ln', ['-sfn', target, join(this.work, p)]);
    }
    await this.git('add', '-A');
    await this.git('commit', '-q', '--allow-empty', '-m', message);
    await this.git('push', '-q', 'origin', 'main');
    return (await this.git('rev-parse', 'HEAD')).trim();
  }

  /**
   * Commits (on the served side) one blob at `path`, each segment one tree entry, under names git's own tools refuse to
   * write (`..`, `.git`, a name with slashes such as an absolute path): the tree objects are written as raw bytes,
   * as a hostile server-side repository could hold them. Returns the commit.
   */
  async commitRawTree(path: readonly string[], content: string, message: string): Promise<string> {
    const gitIn = (args: string[], input?: string): Promise<string> =>
      run('git', ['-C', this.bare, ...args], { env: GIT_ENV, ...(input !== undefined ? { input } : {}) }).then((o) =>
        o.trim(),
      );
    let id = await gitIn(['hash-object', '-w', '--stdin'], content);
    let mode = '100644';
    for (const name of [...path].reverse()) {
      // git's tree format: "<mode> <name>\0<20-byte id>"; written with Node since `git mktree` refuses '/' in a name
      const tree = Buffer.concat([Buffer.from(`${mode} ${name}\0`, 'utf8'), Buffer.from(id, 'hex')]);
      const file = join(dirname(this.work), `tree-${process.pid}-${Date.now()}`);
      writeFileSync(file, tree);
      id = await gitIn(['hash-object', '-t', 'tree', '--literally', '-w', file]);
      unlinkSync(file);
      mode = '40000';
    }
    const commit = await gitIn(['commit-tree', id, '-m', message]);
    await gitIn(['update-ref', 'refs/heads/main', commit]);
    return commit;
  }
}

/** A process of this machine, from /proc. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every process whose command line could be read. */
export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      // the comm field may hold spaces and parentheses: the fields after the last ')' are fixed
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(name), ppid: Number(fields[1]), argv });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The pids of the live processes with `arg` on their command line (a run's kubeconfig path names its controllers). */
export function pidsWithArg(arg: string): number[] {
  return processes()
    .filter((p) => p.argv.includes(arg))
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/**
 * Starts the controller at `index` of `e.controllers` again with the flags it had (they follow `--kubeconfig <path>`
 * on its command line), in place, so that `e.stop()` stops the new process.
 */
export function restartController(e: Embedded, workspace: string, index: number): ControllerProcess {
  const old = e.controllers[index];
  if (!old) throw new Error(`no controller at index ${index}`);
  const argv = old.child.spawnargs;
  const at = argv.indexOf('--kubeconfig');
  const [started] = startControllers({
    workspace,
    kubeconfig: e.layout.kubeconfig,
    logsDir: e.layout.logs,
    controllers: [{ name: old.name, args: argv.slice(at + 2) }],
  });
  if (!started) throw new Error(`${old.name} did not start`);
  e.controllers[index] = started;
  return started;
}

/** `sha256:<hex>` of what `url` serves. */
export async function digestOf(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return `sha256:${createHash('sha256')
    .update(Buffer.from(await res.arrayBuffer()))
    .digest('hex')}`;
}

/** One tar entry of {@link tarGz}. */
export interface TarEntry {
  path: string;
  /** ustar type flag: '0' file, '1' hard link, '2' symlink, '5' directory. */
  type?: '0' | '1' | '2' | '5';
  body?: Buffer | string;
  linkpath?: string;
  /** The size the header declares (default: the body's), for a header that lies. */
  size?: number;
}

/**
 * One ustar header block. Hand-written rather than node-tar's writer: that one normalizes away the very paths these
 * archives must carry (a leading '/', '..'), and e2e's manifest is not this suite's to extend.
 */
export function tarHeader(e: TarEntry): Buffer {
  const h = Buffer.alloc(512);
  const field = (value: string, at: number, len: number): void => void h.write(value, at, len, 'utf8');
  const octal = (n: number, at: number, len: number): void =>
    field(`${n.toString(8).padStart(len - 1, '0')}\0`, at, len);
  const size = e.size ?? (e.body === undefined ? 0 : Buffer.byteLength(e.body));
  field(e.path, 0, 100);
  octal(e.type === '5' ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(0, 136, 12);
  field('        ', 148, 8);
  field(e.type ?? '0', 156, 1);
  field(e.linkpath ?? '', 157, 100);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A gzipped tarball of `entries` (bodies padded to 512 bytes, two zero blocks at the end). */
export function tarGz(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    blocks.push(tarHeader(e));
    if (e.body !== undefined) {
      const body = Buffer.from(e.body);
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/**
 * A gzip bomb: a tar header declaring a `mib` MiB file, then that many MiB of zeros as concatenated gzip members
 * (one compressed MiB repeated), so the file is about a thousandth of what it inflates to.
 */
export function gzipBomb(path: string, mib: number): Buffer {
  const header = gzipSync(tarHeader({ path, size: mib * 1024 * 1024 }));
  const mebibyte = gzipSync(Buffer.alloc(1024 * 1024));
  return Buffer.concat([header, ...Array.from({ length: mib }, () => mebibyte), gzipSync(Buffer.alloc(1024))]);
}

/** Every path under `dir` (recursive, symlinks not followed) whose last segment contains `marker`. */
export function findNamed(dir: string, marker: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // removed while we walked (a controller's temporary directory)
    }
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.name.includes(marker)) found.push(path);
      if (entry.isDirectory()) walk(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}
