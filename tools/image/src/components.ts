import * as fs from 'node:fs';
import { join } from 'node:path';
import { build, toYaml } from '@flux-ts/kustomize';
import type { KustomizeFs } from '@flux-ts/kustomize';
import { APPS } from './bundle.ts';

/** The registry deploy/install names its images in (`images:` of deploy/install and deploy/install-extra). */
export const DEFAULT_REGISTRY = 'ghcr.io/flux-ts';
/** The tag deploy/install sets. */
export const DEFAULT_TAG = 'v0.1.0';
/** The optional components `--components-extra` accepts (Flux's). */
export const EXTRA_COMPONENTS = ['source-watcher'] as const;

/** Options of {@link gotkComponents}. */
export interface ComponentsOptions {
  /** The repository root (holds `deploy/`). */
  workspace: string;
  /** Where the images are: `<registry>/<controller>:<tag>`. */
  registry?: string;
  tag?: string;
  /** Optional components to add (`source-watcher`): builds deploy/install-extra instead of deploy/install. */
  extra?: readonly string[];
}

/**
 * What `flux install --export` prints: deploy/install (or deploy/install-extra) built by our kustomize engine
 * through an overlay that sets every controller's image to `<registry>/<controller>:<tag>`. The overlay lives only in
 * the file system handed to the engine (a hand-written layer over node:fs: nothing is written into deploy/).
 */
export async function gotkComponents(opts: ComponentsOptions): Promise<string> {
  const registry = (opts.registry ?? DEFAULT_REGISTRY).replace(/\/+$/, '');
  const tag = opts.tag ?? DEFAULT_TAG;
  for (const e of opts.extra ?? []) {
    if (!(EXTRA_COMPONENTS as readonly string[]).includes(e))
      throw new Error(`unknown extra component '${e}', expected one of: ${EXTRA_COMPONENTS.join(', ')}`);
  }
  const base = (opts.extra ?? []).length > 0 ? 'install-extra' : 'install';
  const deploy = join(opts.workspace, 'deploy');
  const overlayDir = join(deploy, '.gotk-components');
  const overlay = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ../${base}`,
    'images:',
    ...APPS.flatMap((app) => [
      `  - name: ${DEFAULT_REGISTRY}/${app}`,
      `    newName: ${registry}/${app}`,
      `    newTag: ${JSON.stringify(tag)}`,
    ]),
    '',
  ].join('\n');
  const overlayFile = join(overlayDir, 'kustomization.yaml');
  const layered: KustomizeFs = {
    readFileSync: (p) => (p === overlayFile ? Buffer.from(overlay) : fs.readFileSync(p)),
    statSync: (p) => {
      if (p === overlayDir) return { isDirectory: () => true, isFile: () => false };
      if (p === overlayFile) return { isDirectory: () => false, isFile: () => true };
      return fs.statSync(p);
    },
    realpathSync: (p) => (p === overlayDir || p === overlayFile ? p : fs.realpathSync(p)),
  };
  const objects = await build(overlayDir, { fs: layered, remote: false });
  return toYaml(objects);
}
