/**
 * Bundled controllers for the process runtime (issue 22, the bundle lever): each app's bin bundled once by esbuild
 * into one ESM file, cached under a directory keyed by the sources, and run instead of the type-stripped sources.
 * bench `idle-bundle` measures what it saves (bench/README.md).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { ALL_CONTROLLERS } from '../controller-names.ts';
import { CONTROLLER_NODE_FLAGS } from '../controllers.ts';
import type { EntrypointResolver } from './process-runtime.ts';
import { imageApp } from './pod-spec.ts';

/**
 * Prepended to a bundle. The bundle is ESM, but CommonJS packages in it call `require` for Node's built-ins (and,
 * in a `try`, for optional native addons such as ssh2's `sshcrypto.node`, left out: they are built for another
 * Node ABI, and the packages fall back to JavaScript, as they do in the workspace).
 */
const BANNER =
  "import { createRequire as __fluxTsCreateRequire } from 'node:module';\n" +
  'const require = __fluxTsCreateRequire(import.meta.url);';

/** A controller bundle's file name in its directory. */
export const CONTROLLER_BUNDLE_ENTRY = 'main.mjs';

/**
 * The esbuild options that bundle an app's bin with its production dependencies into `<outDir>/main.mjs`.
 * `__dirname`/`__filename` of CommonJS packages become the bundle's own: Node refuses both beside top-level await,
 * and the paths they build are read only by code our controllers never run (pino transports' workers, gRPC's
 * channelz and ORCA protos, ssh2's Windows pageant helper); tools/image's test starts the controllers to prove it.
 */
export function controllerBundleOptions(workspace: string, app: string, outDir: string): BuildOptions {
  return {
    entryPoints: { main: join(workspace, 'apps', app, 'bin', `flux-ts-${app}.js`) },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // The workspace packages export their TypeScript sources under this condition (docs/ARCHITECTURE.md).
    conditions: ['@flux-ts/source'],
    external: ['*.node'],
    define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
    banner: { js: BANNER },
    // The licence notices of the bundled packages, next to the bundle (main.mjs.LEGAL.txt).
    legalComments: 'external',
    logLevel: 'silent',
    metafile: true,
  };
}

const SKIP = new Set(['node_modules', 'out-tsc', 'dist', '.test-results', 'coverage']);

/** Adds path, size and mtime of every non-test file under `dir` to the hash. */
function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) hashTree(h, p);
    } else if (!/\.(spec|int\.spec)\.ts$|\.spec-helper\.ts$/.test(e.name)) {
      hashFile(h, p);
    }
  }
}

function hashFile(h: ReturnType<typeof createHash>, file: string): void {
  if (!existsSync(file)) return;
  const s = statSync(file);
  h.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
}

/**
 * The cache key of the bundles: a hash of the path, size and mtime of every source file of `apps/` and `libs/`
 * (tests left out) and of package-lock.json. A walk of stats, not of contents: a few tens of milliseconds.
 */
export function controllerSourcesKey(workspace: string): string {
  const h = createHash('sha256');
  for (const top of ['apps', 'libs']) {
    const root = join(workspace, top);
    if (!existsSync(root)) continue;
    for (const p of readdirSync(root).sort()) {
      hashTree(h, join(root, p, 'src'));
      hashTree(h, join(root, p, 'bin'));
      hashFile(h, join(root, p, 'package.json'));
    }
  }
  hashFile(h, join(workspace, 'package-lock.json'));
  return h.digest('hex').slice(0, 16);
}

/** Options of {@link bundledEntrypoint}. */
export interface BundledEntrypointOptions {
  /** Workspace root (holds `apps/` and `libs/`). */
  workspace: string;
  /** Holds `<key>/<app>/main.mjs`; older keys are removed. */
  cacheDir: string;
  /** The apps to bundle (default every controller). */
  apps?: readonly string[];
}

/** The resolver of {@link bundledEntrypoint} and whether it had to bundle. */
export interface BundledEntrypoint {
  entrypoint: EntrypointResolver;
  /** True when the cache was missing or stale and the apps were bundled now. */
  built: boolean;
  /** The bundles' directory (`<cacheDir>/<key>`). */
  dir: string;
}

/**
 * Bundles the controllers into `cacheDir` unless bundles of the same sources are there, and returns an
 * {@link EntrypointResolver} that runs an image `…/<app>[:tag]` from its bundle under this Node with
 * {@link CONTROLLER_NODE_FLAGS} (undefined for an app with no bundle). esbuild's errors reject.
 */
export async function bundledEntrypoint(opts: BundledEntrypointOptions): Promise<BundledEntrypoint> {
  const apps: readonly string[] = opts.apps ?? ALL_CONTROLLERS;
  const key = controllerSourcesKey(opts.workspace);
  const dir = join(opts.cacheDir, key);
  const built = !existsSync(join(dir, '.complete'));
  if (built) {
    mkdirSync(opts.cacheDir, { recursive: true });
    for (const old of readdirSync(opts.cacheDir)) rmSync(join(opts.cacheDir, old), { recursive: true, force: true });
    const tmp = `${dir}.tmp`;
    await Promise.all(apps.map((app) => build(controllerBundleOptions(opts.workspace, app, join(tmp, app)))));
    mkdirSync(join(tmp, '.complete'));
    renameSync(tmp, dir);
  }
  const entrypoint: EntrypointResolver = (image) => {
    const bundle = join(dir, imageApp(image), CONTROLLER_BUNDLE_ENTRY);
    return existsSync(bundle) ? [process.execPath, ...CONTROLLER_NODE_FLAGS, bundle] : undefined;
  };
  return { entrypoint, built, dir };
}
