import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type {
  BuilderOptions,
  Cache,
  Controller,
  ControllerManager,
  EventSink,
  KubeClient,
  KubeObject,
  Predicate,
} from '@flux-ts/runtime';
import type { ImagePolicy, ImageRepository } from '@flux-ts/api';
import { imageRepositoryGVK } from '../imagerepository/reconciler.ts';
import type { RegistryAccess } from '../registry/options.ts';
import type { TagReader } from '../storage/tag-store.ts';
import { ImagePolicyReconciler, imagePolicyGVK, imageRepositoryKey } from './reconciler.ts';

/** Field index of ImagePolicies by their ImageRepository, `<namespace>/<name>` (upstream `.spec.imageRepository`). */
export const ImageRepositoryIndex = '.spec.imageRepository';

type Repo = KubeObject & Pick<ImageRepository, 'status'>;

/** upstream `imageRepositoryPredicate`: an ImageRepository update whose scan revision changed. */
export const imageRepositoryRevisionChanged: Predicate<Repo> = {
  create: () => false,
  delete: () => false,
  update: (old, o) => {
    const now = o.status?.lastScanResult;
    if (!now) return false;
    const before = old.status?.lastScanResult;
    return !before || before.revision !== now.revision;
  },
};

/** What {@link setupImagePolicyController} wires together. */
export interface ImagePolicyControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  access: RegistryAccess;
  tags: TagReader;
  recorder?: EventSink | undefined;
  controllerName: string;
  noCrossNamespaceRefs?: boolean | undefined;
  objectLevelWorkloadIdentity?: boolean | undefined;
  options?: BuilderOptions | undefined;
}

/** Registers the ImagePolicy controller: its index, the ImageRepository watch and the reconciler. */
export function setupImagePolicyController(deps: ImagePolicyControllerDeps): {
  controller: Controller;
  reconciler: ImagePolicyReconciler;
} {
  const { cache } = deps;
  cache.indexField<ImagePolicy & KubeObject>(imagePolicyGVK, ImageRepositoryIndex, (p) => [imageRepositoryKey(p)]);
  const policies = cache.informerFor(imagePolicyGVK);
  const reconciler = new ImagePolicyReconciler({
    reader: cache,
    apiReader: deps.client,
    patchClient: deps.client,
    access: deps.access,
    tags: deps.tags,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
    noCrossNamespaceRefs: deps.noCrossNamespaceRefs,
    objectLevelWorkloadIdentity: deps.objectLevelWorkloadIdentity,
  });
  const controller = controllerBuilder(deps.manager)
    .named('imagepolicy')
    .for(imagePolicyGVK, { predicates: [predicates.generationChanged] })
    .watches<Repo>(
      imageRepositoryGVK,
      (repo) =>
        policies
          .byIndex(ImageRepositoryIndex, `${repo.metadata.namespace ?? ''}/${repo.metadata.name}`)
          .map(requestFor),
      { predicates: [imageRepositoryRevisionChanged] },
    )
    .withOptions(deps.options ?? {})
    .complete(reconciler.reconcile);
  return { controller, reconciler };
}
