/**
 * The copy operations of an ArtifactGenerator output artifact (source-watcher `internal/builder/builder.go`,
 * `merge.go`, `extract.go`): `from: @<alias>/<glob>` selects files and directories of a fetched source, `to:
 * @artifact/<path>` places them in the staging directory, with cp-like semantics (a directory source is copied as
 * `<to>/<basename>`; a file goes to `<to>/<basename>` when `to` ends with `/` or is a directory, else to `to`), the
 * strategies Overwrite, Merge (Helm values merge of YAML) and Extract (tarballs), and `exclude` globs.
 *
 * Every read goes through a {@link ConfinedFs} rooted at the source and every write through one rooted at the
 * staging directory, so neither a `..` nor a symlink reaches outside them; tarballs are extracted by
 * `fetchArtifact`'s checked extractor.
 */
import { mkdirSync, createReadStream } from 'node:fs';
import { basename, posix } from 'node:path';
import { Readable } from 'node:stream';
import { ConfinedFs, digestFile, fetchArtifact } from '@flux-ts/artifact';
import type { CopyOperation } from '@flux-ts/api';
import { marshalYaml, mergeMaps, readValues } from '@flux-ts/helm';
import { Minimatch } from 'minimatch';

/** A copy operation that can never succeed: its spec must change (the reconciler stalls with ValidationFailed). */
export class CopyValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyValidationError';
  }
}

/** The aliases' extracted source directories. */
export type SourceDirs = ReadonlyMap<string, string>;

const ArtifactPrefix = '@artifact/';

// doublestar (Go) semantics on minimatch: `*` within a segment, `**` across them, dotfiles matched, no extglobs.
const globOptions = { dot: true, nocomment: true, nonegate: true, noext: true, optimizationLevel: 0 } as const;

function escapes(rel: string): boolean {
  const n = posix.normalize(rel === '' ? '.' : rel);
  return posix.isAbsolute(rel) || n === '..' || n.startsWith('../');
}

/** upstream `parseCopySource`: `@alias/pattern` → alias and pattern; refuses a pattern that leaves the source. */
export function parseCopySource(from: string): { alias: string; pattern: string } {
  if (!from.startsWith('@')) throw new CopyValidationError(`invalid copy source '${from}': source must start with '@'`);
  const slash = from.indexOf('/');
  if (slash < 0) throw new CopyValidationError(`invalid copy source '${from}': source format must be '@alias/pattern'`);
  const alias = from.slice(1, slash);
  const pattern = from.slice(slash + 1);
  if (escapes(pattern))
    throw new CopyValidationError(`invalid copy source '${from}': path '${pattern}' is outside the source root`);
  return { alias, pattern };
}

/** upstream `parseCopyDestinationRelative`: the path under `@artifact/`; refuses one that leaves the artifact. */
export function parseCopyDestination(to: string): string {
  if (!to.startsWith(ArtifactPrefix))
    throw new CopyValidationError(`invalid copy destination '${to}': destination must start with '@artifact/'`);
  const rel = to.slice(ArtifactPrefix.length);
  if (escapes(rel))
    throw new CopyValidationError(`invalid copy destination '${to}': path '${rel}' is outside the artifact root`);
  return rel;
}

/** Checks what can be checked without the sources: `from`, `to`, the alias and the exclude patterns. */
export function validateCopyOperation(op: CopyOperation, aliases: ReadonlySet<string>): void {
  const { alias } = parseCopySource(op.from);
  parseCopyDestination(op.to);
  if (!aliases.has(alias))
    throw new CopyValidationError(`invalid copy source '${op.from}': source alias '${alias}' not found`);
  for (const pattern of op.exclude ?? []) {
    if (pattern === '') throw new CopyValidationError(`invalid exclude pattern '${pattern}'`);
  }
}

/** upstream `containsGlobChars`. */
export function containsGlobChars(p: string): boolean {
  return /[*?[\]]/.test(p);
}

/**
 * upstream `calculateGlobDestination`: for `dir/**` the match loses its `dir/` prefix (cp -r dir/** dest/), any
 * other match keeps its path.
 */
export function globDestination(pattern: string, match: string, dest: string): string {
  if (pattern.endsWith('/**')) {
    const prefix = pattern.slice(0, -3);
    if (match.startsWith(`${prefix}/`)) return posix.join(dest, match.slice(prefix.length + 1));
  }
  return posix.join(dest, match);
}

function globMatch(pattern: string, p: string): boolean {
  // doublestar's `dir/**` also matches `dir` itself (zero directories); minimatch's does not
  return (
    new Minimatch(pattern, globOptions).match(p) ||
    (pattern.endsWith('/**') && new Minimatch(pattern.slice(0, -3), globOptions).match(p))
  );
}

/**
 * upstream `shouldExclude`: a pattern matches the path, or (without a `/`) the base name. Paths are relative to the
 * source root for what a glob matched, and to the copied directory inside it.
 */
export function shouldExclude(filePath: string, patterns: readonly string[] = []): boolean {
  const name = posix.basename(filePath);
  return patterns.some((p) => globMatch(p, filePath) || (!p.includes('/') && globMatch(p, name)));
}

/** upstream `isTarball`: `.tar.gz` or `.tgz`, case-insensitive. */
export function isTarball(p: string): boolean {
  const lower = p.toLowerCase();
  return lower.endsWith('.tar.gz') || lower.endsWith('.tgz');
}

/** Everything one copy operation touches. */
interface CopyContext {
  op: CopyOperation;
  src: ConfinedFs;
  dst: ConfinedFs;
  signal?: AbortSignal | undefined;
}

function mkdirIn(fs: ConfinedFs, rel: string): void {
  if (rel === '' || rel === '.') return;
  mkdirSync(fs.resolve(rel, 'mkdir'), { recursive: true });
}

function isDir(fs: ConfinedFs, rel: string): boolean {
  try {
    return fs.statSync(rel).isDirectory();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * upstream `mergeFileWithRoots` with `loadYAML`: every document of both files merged into one map (Helm's values
 * merge: nested maps merged, anything else replaced), written as sigs.k8s.io/yaml marshals it.
 */
function loadYaml(fs: ConfinedFs, rel: string): Record<string, unknown> {
  const text = fs.readTextSync(rel);
  let out: Record<string, unknown> = {};
  // k8s.io/apimachinery's YAMLReader splits on lines that start with `---`
  for (const doc of text.split(/^---.*$/m)) {
    try {
      out = mergeMaps(out, readValues(doc, 'float64'));
    } catch (err) {
      throw new Error(`cannot unmarshal YAML document: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

function copyFile(ctx: CopyContext, srcRel: string, destRel: string): void {
  ctx.signal?.throwIfAborted();
  const exists = ctx.dst.existsSync(destRel);
  if (ctx.op.strategy === 'Merge' && exists && !isDir(ctx.dst, destRel)) {
    const merged = mergeMaps(loadYaml(ctx.dst, destRel), loadYaml(ctx.src, srcRel));
    ctx.dst.writeFileSync(destRel, marshalYaml(merged), 0o644);
    return;
  }
  mkdirIn(ctx.dst, posix.dirname(destRel));
  const st = ctx.src.statSync(srcRel);
  ctx.dst.writeFileSync(destRel, ctx.src.readFileSync(srcRel));
  ctx.dst.chmodSync(destRel, st.mode & 0o777);
}

/** upstream `copyDirWithRoots`: the tree below `srcRel` into `destRel`, excluded paths (relative to it) skipped. */
function copyDir(ctx: CopyContext, srcRel: string, destRel: string): void {
  mkdirIn(ctx.dst, destRel);
  const walk = (rel: string): void => {
    for (const e of ctx.src.readdirSync(rel === '' ? srcRel : posix.join(srcRel, rel))) {
      ctx.signal?.throwIfAborted();
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (shouldExclude(childRel, ctx.op.exclude)) continue;
      const from = posix.join(srcRel, childRel);
      const to = posix.join(destRel, childRel);
      if (ctx.src.statSync(from).isDirectory()) {
        mkdirIn(ctx.dst, to);
        walk(childRel);
      } else copyFile(ctx, from, to);
    }
  };
  walk('');
}

function copyEntry(ctx: CopyContext, srcRel: string, destRel: string): void {
  if (ctx.src.statSync(srcRel).isDirectory()) copyDir(ctx, srcRel, destRel);
  else copyFile(ctx, srcRel, destRel);
}

/** upstream `extractTarball`: the tarball's entries below `destRel`, through the checked extractor of fetchArtifact. */
async function extractTarball(ctx: CopyContext, srcRel: string, destRel: string): Promise<void> {
  const file = ctx.src.resolve(srcRel, 'read');
  mkdirIn(ctx.dst, destRel);
  const dir = ctx.dst.resolve(destRel === '' ? '.' : destRel, 'write');
  const { digest } = await digestFile(file, 'sha256', ctx.signal);
  try {
    await fetchArtifact({
      url: `http://source-watcher.local/${encodeURIComponent(basename(file))}`,
      digest,
      dir,
      retries: 0,
      signal: ctx.signal,
      // the tarball is local: the fetcher's digest check, entry validation and caps apply to its bytes as read here
      fetch: async () => new Response(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>),
    });
  } catch (err) {
    throw new Error(`failed to extract tarball '${srcRel}' to '${destRel}': ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** upstream `applySingleSourceCopy`: a path without glob characters, copied like `cp -r`. */
async function copySingle(ctx: CopyContext, srcPattern: string, dest: string, destIsDir: boolean): Promise<void> {
  const srcRel = posix.normalize(srcPattern === '' ? '.' : srcPattern).replace(/\/+$/, '') || '.';
  if (!ctx.src.existsSync(srcRel)) {
    // a path that leaves the source (a symlink out of it) is refused as such, not reported as missing
    ctx.src.resolve(srcRel, 'stat');
    throw new Error(`source '${srcRel}' does not exist`);
  }
  if (ctx.src.statSync(srcRel).isDirectory()) {
    if (ctx.op.strategy === 'Extract')
      throw new Error(`extract strategy is not supported for directories, got '${srcRel}'`);
    copyDir(ctx, srcRel, posix.join(dest, srcRel === '.' ? '' : basename(srcRel)));
    return;
  }
  if (shouldExclude(srcRel, ctx.op.exclude)) return;
  if (ctx.op.strategy === 'Extract') {
    if (!isTarball(srcRel))
      throw new Error(`extract strategy requires tarball file (.tar.gz or .tgz), got '${srcRel}'`);
    await extractTarball(ctx, srcRel, dest);
    return;
  }
  const target = destIsDir || isDir(ctx.dst, dest || '.') ? posix.join(dest, basename(srcRel)) : dest;
  copyFile(ctx, srcRel, target);
}

/**
 * The entries of the source a glob selects, top-down: a matching directory is taken whole (its content is not
 * matched again), a non-matching one is descended into. With Extract only files are taken (any depth).
 */
function globEntries(src: ConfinedFs, pattern: string, filesOnly: boolean): string[] {
  const mm = new Minimatch(pattern, globOptions);
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of src.readdirSync(rel === '' ? '.' : rel)) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      const dir = src.statSync(childRel).isDirectory();
      if (dir && (filesOnly || !mm.match(childRel))) walk(childRel);
      else if (mm.match(childRel)) out.push(childRel);
    }
  };
  walk('');
  return out;
}

/** upstream `applyCopyOperation`: one operation from its source directory into the staging directory. */
export async function applyCopyOperation(
  op: CopyOperation,
  sources: SourceDirs,
  stagingDir: string,
  signal?: AbortSignal,
): Promise<void> {
  const { alias, pattern } = parseCopySource(op.from);
  const dest = posix
    .normalize(parseCopyDestination(op.to) || '.')
    .replace(/^\.$/, '')
    .replace(/\/+$/, '');
  const srcDir = sources.get(alias);
  if (srcDir === undefined) throw new Error(`source alias '${alias}' not found`);
  const ctx: CopyContext = { op, src: new ConfinedFs(srcDir), dst: new ConfinedFs(stagingDir), signal };
  if (!containsGlobChars(pattern)) {
    await copySingle(ctx, pattern, dest, op.to.endsWith('/'));
    return;
  }
  const matches = globEntries(ctx.src, pattern, op.strategy === 'Extract');
  if (matches.length === 0) throw new Error(`no files match pattern '${pattern}' in source '${alias}'`);
  const kept = matches.filter((m) => !shouldExclude(m, op.exclude));
  if (kept.length === 0) throw new Error(`all files matching pattern '${pattern}' in source '${alias}' were excluded`);
  for (const match of kept) {
    signal?.throwIfAborted();
    if (op.strategy === 'Extract') {
      if (isTarball(match)) await extractTarball(ctx, match, dest);
    } else copyEntry(ctx, match, globDestination(pattern, match, dest));
  }
}

/** upstream `applyCopyOperations`: the operations in order; the first failure names its operation. */
export async function applyCopyOperations(
  ops: readonly CopyOperation[],
  sources: SourceDirs,
  stagingDir: string,
  signal?: AbortSignal,
): Promise<void> {
  for (const op of ops) {
    signal?.throwIfAborted();
    try {
      await applyCopyOperation(op, sources, stagingDir, signal);
    } catch (err) {
      throw new Error(`failed to apply copy operation from '${op.from}' to '${op.to}': ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
