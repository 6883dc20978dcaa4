/**
 * The prune step (garbage collection): with `spec.prune`, deletes what the last inventory had and this apply did
 * not (only objects that still carry this Kustomization's owner labels), then records the new inventory. A failed
 * prune keeps the stale entries in the inventory, to be retried, and is PruneFailed.
 */
import { PruneFailedReason } from '@flux-ts/api';
import { GenericError, Result, errMessage } from '@flux-ts/runtime';
import { inventoryOfChangeSet, staleEntries } from '@flux-ts/ssa';
import type { ChangeSet, Inventory } from '@flux-ts/ssa';
import type { KustomizationObject, KustomizationState } from '../state.ts';

/** Prunes and sets `status.inventory`. */
export async function reconcilePrune(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const manager = state.manager;
  if (!manager) throw new Error('internal error: nothing applied');
  obj.status ??= {};
  const oldInventory = obj.status.inventory as Inventory | undefined;
  const newInventory = inventoryOfChangeSet(state.changeSet);
  if (obj.spec.prune) {
    const stale = staleEntries(oldInventory, newInventory);
    if (stale.length > 0) {
      let pruned: ChangeSet;
      try {
        pruned = await manager.deleteAll(stale, { ownerLabels: state.owner, signal: state.signal ?? state.ctx.signal });
      } catch (err) {
        obj.status.inventory = { entries: [...newInventory.entries, ...stale] };
        throw new GenericError(`prune failed: ${errMessage(err)}`, PruneFailedReason, { cause: err });
      }
      if (pruned.changes().length > 0) state.log.info({ output: pruned.toMap() }, 'garbage collection completed');
      state.changeSet.append(pruned);
    }
  }
  obj.status.inventory = newInventory;
  return Result.Success;
}
