import { groupOf, requestFor } from './types.ts';
import type { GroupVersionKind, KubeObject } from '../client/types.ts';
import type { Request } from './types.ts';

/** Maps an object of a watched kind to the requests it should trigger. */
export type MapFunc<T extends KubeObject = KubeObject> = (obj: T) => Request[];

/** Enqueues the object itself (`For`). */
export function enqueueForObject<T extends KubeObject>(): MapFunc<T> {
  return (obj) => [requestFor(obj)];
}

/**
 * Enqueues the controller owner of the object when it is of `owner`'s group and kind (controller-runtime
 * `EnqueueRequestForOwner` with `OnlyControllerOwner`), in the object's namespace.
 */
export function enqueueForOwner<T extends KubeObject>(
  owner: GroupVersionKind,
  opts: { onlyController?: boolean } = {},
): MapFunc<T> {
  const group = groupOf(owner.apiVersion);
  const onlyController = opts.onlyController ?? true;
  return (obj) =>
    (obj.metadata.ownerReferences ?? [])
      .filter((ref) => ref.kind === owner.kind && groupOf(ref.apiVersion) === group)
      .filter((ref) => !onlyController || ref.controller === true)
      .map((ref) => ({ namespace: obj.metadata.namespace ?? '', name: ref.name }));
}
