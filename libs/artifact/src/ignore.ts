import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';

/** The file name of per-directory ignore files (gitignore syntax). */
export const SOURCE_IGNORE_FILE = '.sourceignore';

/** VCS patterns that are always excluded from artifacts. */
export const VCS_PATTERNS: readonly string[] = ['.git/', '.gitignore', '.gitmodules', '.gitattributes'];

/**
 * Patterns excluded only when no custom pattern (`.sourceignore` or `spec.ignore`) exists:
 * media and archives, CI configuration, and a few tool files.
 */
export const DEFAULT_EXCLUDED_PATTERNS: readonly string[] = [
  '*.jpg',
  '*.jpeg',
  '*.gif',
  '*.png',
  '*.wmv',
  '*.flv',
  '*.tar.gz',
  '*.zip',
  '.github/',
  '.circleci/',
  '.travis.yml',
  '.gitlab-ci.yml',
  'appveyor.yml',
  '.drone.yml',
  'cloudbuild.yaml',
  'codeship-services.yml',
  'codeship-steps.yml',
  '**/.goreleaser.yml',
  '**/.sops.yaml',
  '**/.flux.yaml',
];

/**
 * Decides whether a path is excluded. `relPath` is relative to the archive root, POSIX separators,
 * no leading `./`; `isDir` tells whether it names a directory. Returns true to exclude.
 */
export type IgnoreFilter = (relPath: string, isDir: boolean) => boolean;

/** A set of gitignore patterns scoped to a directory (`''` is the root). */
export interface IgnoreLayer {
  /** Directory the patterns apply to, relative to the root, POSIX separators, no trailing slash. */
  domain: string;
  /** The pattern lines (comments and blank lines removed). */
  patterns: string[];
}

/** Splits gitignore text into pattern lines, dropping blank lines and `#` comments. */
export function readPatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(?<!\\)\s+$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Loads every `.sourceignore` under `root` (recursively, sorted walk, `.git` skipped); each becomes a
 * layer scoped to its own directory. Parents come before children.
 */
export async function loadSourceIgnoreLayers(root: string, signal?: AbortSignal): Promise<IgnoreLayer[]> {
  const layers: IgnoreLayer[] = [];
  const walk = async (rel: string): Promise<void> => {
    signal?.throwIfAborted();
    const abs = rel === '' ? root : join(root, rel);
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    const file = entries.find((e) => e.name === SOURCE_IGNORE_FILE && e.isFile());
    if (file) {
      const patterns = readPatterns(await readFile(join(abs, file.name), 'utf8'));
      if (patterns.length > 0) layers.push({ domain: rel, patterns });
    }
    for (const e of entries) {
      if (e.isDirectory() && e.name !== '.git') await walk(rel === '' ? e.name : `${rel}/${e.name}`);
    }
  };
  await walk('');
  return layers;
}

/**
 * Builds a filter from ordered layers: later layers win (like later lines in one gitignore file); a
 * layer only sees paths inside its domain. The VCS patterns are always applied first; the default
 * list is added only when `layers` holds no pattern at all.
 */
export function createIgnoreFilter(layers: readonly IgnoreLayer[]): IgnoreFilter {
  const custom = layers.some((l) => l.patterns.length > 0);
  const base = [...VCS_PATTERNS, ...(custom ? [] : DEFAULT_EXCLUDED_PATTERNS)];
  const compiled = [{ domain: '', patterns: base }, ...layers].map((l) => ({
    prefix: l.domain === '' ? '' : `${l.domain}/`,
    // go-git's gitignore matcher (used by Flux) is case-sensitive; the ignore package is not by default
    matcher: ignore({ allowRelativePaths: false, ignoreCase: false }).add(l.patterns),
  }));
  return (relPath, isDir) => {
    const p = isDir && !relPath.endsWith('/') ? `${relPath}/` : relPath;
    for (let i = compiled.length - 1; i >= 0; i--) {
      const layer = compiled[i];
      if (!layer || !p.startsWith(layer.prefix) || p === layer.prefix) continue;
      const r = layer.matcher.test(p.slice(layer.prefix.length));
      if (r.ignored) return true;
      if (r.unignored) return false;
    }
    return false;
  };
}

/**
 * The source-controller filter for a checkout at `root`: VCS patterns, then (only without custom
 * patterns) the defaults, then every `.sourceignore` scoped to its directory, then `spec.ignore`
 * (`ignore`, highest priority).
 */
export async function buildSourceIgnoreFilter(
  root: string,
  options: { ignore?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<IgnoreFilter> {
  const layers = await loadSourceIgnoreLayers(root, options.signal);
  if (options.ignore !== undefined) {
    const patterns = readPatterns(options.ignore);
    if (patterns.length > 0) layers.push({ domain: '', patterns });
  }
  return createIgnoreFilter(layers);
}
