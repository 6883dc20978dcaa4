/**
 * Wiring of the image-automation-controller process from its parsed flags (upstream `main.go`): the Kubernetes
 * client, the informer cache, the manager (leader election, probes, metrics), the event recorder and the
 * ImageUpdateAutomation controller. `main.ts` and the integration tests both build the process through
 * {@link createImageAutomationController}; nothing here reads argv or the environment.
 */
import { newControllerProcess } from '@flux-ts/runtime';
import type { ControllerProcess, ControllerProcessDeps, FlagConfig } from '@flux-ts/runtime';
import type { imageAutomationControllerFlags } from './flags.ts';
import { setupImageUpdateAutomationController } from './imageupdateautomation/setup.ts';

/** The parsed image-automation-controller flags. */
export type ImageAutomationControllerConfig = FlagConfig<typeof imageAutomationControllerFlags>;

/** The name upstream uses for the controller (events, leader election, user agent). */
export const ImageAutomationControllerName = 'image-automation-controller';

/** What {@link createImageAutomationController} needs besides the flags and the common process inputs. */
export interface ImageAutomationControllerDeps extends ControllerProcessDeps {
  /** Where the default logger writes (default stdout). */
  logDestination?: { write(line: string): unknown } | undefined;
  /** Parent of the per-run working directories (default the OS temp dir). */
  tmpDir?: string | undefined;
}

/** A built, not yet started, image-automation-controller. */
export type ImageAutomationController = ControllerProcess;

/** Builds the image-automation-controller process from its flags; see the module comment. */
export function createImageAutomationController(
  config: ImageAutomationControllerConfig,
  deps: ImageAutomationControllerDeps,
): ImageAutomationController {
  const parts = newControllerProcess(ImageAutomationControllerName, config, deps);
  const { settings, client, cache, manager, recorder } = parts;
  setupImageUpdateAutomationController({
    manager,
    cache,
    secretReader: client,
    patchClient: client,
    recorder,
    fieldManager: ImageAutomationControllerName,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    featureGates: config.featureGates,
    tmpDir: deps.tmpDir,
    options: settings.controller,
  });
  return parts;
}
