import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { ALL_CONTROLLERS, CONTROLLER_BUNDLE_ENTRY, controllerBundleOptions } from '@flux-ts/embedded';

/** The seven controllers that ship as images (Flux's six plus the optional source-watcher). */
export const APPS = ALL_CONTROLLERS;

/** One of {@link APPS}. */
export type AppName = (typeof APPS)[number];

/** The bundle's entry file, relative to its directory (the image's `/app`). */
export const BUNDLE_ENTRY = CONTROLLER_BUNDLE_ENTRY;

/**
 * The esbuild options that bundle an app's bin with its production dependencies into `<outDir>/main.mjs`: those of
 * `npm start -- --bundle` (libs/embedded's `controllerBundleOptions`, whose TSDoc says why each option is there).
 */
export function bundleOptions(workspace: string, app: AppName, outDir: string): BuildOptions {
  return controllerBundleOptions(workspace, app, outDir);
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
