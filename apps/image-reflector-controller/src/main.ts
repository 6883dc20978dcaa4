import { runUnimplementedController } from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { imageReflectorControllerFlags } from './flags.ts';

/** First line of `--help`: an honest statement of what this build does. */
export const imageReflectorControllerNotice =
  'flux-ts image-reflector-controller: the ImageRepository/ImagePolicy reconcilers are not implemented yet; this build only parses its configuration.';

/**
 * Entry point of flux-ts-image-reflector-controller: parses the upstream-compatible flags and resolves the kubeconfig.
 * Returns the exit code: 0 for `--help`, 2 for bad flags, 1 otherwise (no reconciler is implemented yet).
 */
export async function main(argv: readonly string[], env: Env, io: MainIO): Promise<number> {
  return runUnimplementedController({
    controller: 'image-reflector-controller',
    notice: imageReflectorControllerNotice,
    flags: imageReflectorControllerFlags,
    argv,
    env,
    io,
  });
}
