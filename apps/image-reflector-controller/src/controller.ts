/**
 * Wiring of the image-reflector-controller process from its parsed flags (upstream `main.go`): the Kubernetes
 * client, the informer cache, the manager (leader election, probes, metrics), the event recorder, the tag storage
 * under `--storage-path`, the ECR token cache, and the ImageRepository and ImagePolicy controllers. Nothing here reads
 * argv or the environment.
 */
import type { LookupFunction } from 'node:net';
import { newControllerProcess } from '@flux-ts/runtime';
import type { ControllerProcess, ControllerProcessDeps, FlagConfig } from '@flux-ts/runtime';
import type { imageReflectorControllerFlags } from './flags.ts';
import { setupImagePolicyController } from './imagepolicy/setup.ts';
import { setupImageRepositoryController } from './imagerepository/setup.ts';
import { EcrTokenCache } from './registry/ecr-token-cache.ts';
import type { EcrClientConfig } from './registry/ecr-token-cache.ts';
import { TagStore } from './storage/tag-store.ts';

/** The parsed image-reflector-controller flags. */
export type ImageReflectorControllerConfig = FlagConfig<typeof imageReflectorControllerFlags>;

/** The name upstream uses for the controller (events, leader election, user agent). */
export const ImageReflectorControllerName = 'image-reflector-controller';

/** What {@link createImageReflectorController} needs besides the flags and the common process inputs. */
export interface ImageReflectorControllerDeps extends ControllerProcessDeps {
  /** Where the default logger writes (default stdout). */
  logDestination?: { write(line: string): unknown } | undefined;
  /** Settings of the ECR client (tests: a loopback `endpoint` and static credentials). */
  ecrClientConfig?: EcrClientConfig | undefined;
  /** Host name resolution for registry connections (tests). */
  registryLookup?: LookupFunction | undefined;
}

/** A built, not yet started, image-reflector-controller. */
export interface ImageReflectorController extends ControllerProcess {
  readonly tags: TagStore;
  readonly ecr: EcrTokenCache;
}

/** Builds the image-reflector-controller process from its flags; see the module comment. */
export function createImageReflectorController(
  config: ImageReflectorControllerConfig,
  deps: ImageReflectorControllerDeps,
): ImageReflectorController {
  const parts = newControllerProcess(ImageReflectorControllerName, config, deps);
  const { settings, client, cache, manager, recorder } = parts;
  const tags = new TagStore({ root: config.storagePath, compressionThreshold: config.storageCompressionThreshold });
  const ecr = new EcrTokenCache({ clientConfig: deps.ecrClientConfig });
  const access = {
    reader: client,
    ecr,
    lookup: deps.registryLookup,
    userAgent: `${ImageReflectorControllerName}/flux-ts`,
  };
  const objectLevelWorkloadIdentity = config.featureGates.ObjectLevelWorkloadIdentity;
  setupImageRepositoryController({
    manager,
    cache,
    client,
    access,
    tags,
    recorder,
    controllerName: ImageReflectorControllerName,
    objectLevelWorkloadIdentity,
    options: settings.controller,
  });
  setupImagePolicyController({
    manager,
    cache,
    client,
    access,
    tags,
    recorder,
    controllerName: ImageReflectorControllerName,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    objectLevelWorkloadIdentity,
    options: settings.controller,
  });
  return {
    manager: parts.manager,
    recorder: parts.recorder,
    client: parts.client,
    logger: parts.logger,
    tags,
    ecr,
    run: async (signal) => {
      await tags.init();
      await parts.run(signal);
    },
  };
}
