import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { ALL_CONTROLLERS } from '@flux-ts/embedded';

/** The seven controllers that ship as images (Flux's six plus the optional source-watcher). */
export const APPS = ALL_CONTROLLERS;

/** One of {@link APPS}. */
export type AppName = (typeof APPS)[number];

/** The bundle's entry file, relative to its directory (the image's `/app`). */
export const BUNDLE_ENTRY = 'main.mjs';

/**
 * Prepended to the bundle. The bundle is ESM, but CommonJS packages in it call `require` for Node's built-ins (and,
 * in a `try`, for optional native addons such as ssh2's `sshcrypto.node`, left out: they are built for another
 * Node ABI, and the packages fall back to JavaScript, as they do in the workspace).
 */
const BANNER =
  "import { createRequire as __fluxTsCreateRequire } from 'node:module';\n" +
  'const require = __fluxTsCreateRequire(import.meta.url);';

/**
 * The esbuild options that bundle an app's bin with its production dependencies into `<outDir>/main.mjs`.
 * `__dirname`/`__filename` of CommonJS packages become the bundle's own: Node refuses both beside top-level await,
 * and the paths they build are read only by code our controllers never run (pino transports' workers, gRPC's
 * channelz and ORCA protos, ssh2's Windows pageant helper); the image test starts the controllers to prove it.
 */
export function bundleOptions(workspace: string, app: AppName, outDir: string): BuildOptions {
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

/** What {@link bundleApp} wrote. */
export interface BundleResult {
  /** The directory holding `main.mjs` and its licence notices. */
  dir: string;
  /** Bytes of `main.mjs`. */
  bytes: number;
  /** Input files bundled. */
  inputs: number;
}

/** Bundles one app's bin into `outDir` (see {@link bundleOptions}); esbuild's errors reject the promise. */
export async function bundleApp(workspace: string, app: AppName, outDir: string): Promise<BundleResult> {
  const result = await build(bundleOptions(workspace, app, outDir));
  const inputs = Object.keys(result.metafile?.inputs ?? {}).length;
  return { dir: outDir, bytes: readFileSync(join(outDir, BUNDLE_ENTRY)).byteLength, inputs };
}
