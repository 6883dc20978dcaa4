/** `status.inventory` of a Kustomization: entries `{ id: '<ns>_<name>_<group>_<kind>', v: '<version>' }`. */
import type { KubeObject } from '@flux-ts/runtime';
import type { ChangeSet } from './change-set.ts';
import { objMetadataOf, objMetadataToId, parseObjMetadataId, versionOfApiVersion } from './object-ref.ts';
import type { ObjMetadata } from './object-ref.ts';

/** One inventory entry. */
export interface InventoryEntry {
  id: string;
  v: string;
}

/** `status.inventory`. */
export interface Inventory {
  entries: InventoryEntry[];
}

/** The inventory of a set of objects (order kept, duplicates dropped). */
export function inventoryOf(objects: readonly Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>[]): Inventory {
  const seen = new Set<string>();
  const entries: InventoryEntry[] = [];
  for (const o of objects) {
    const id = objMetadataToId(objMetadataOf(o));
    if (seen.has(id)) continue;
    seen.add(id);
    entries.push({ id, v: versionOfApiVersion(o.apiVersion) });
  }
  return { entries };
}

/** The inventory of a change set (every entry, whatever its action). */
export function inventoryOfChangeSet(cs: ChangeSet): Inventory {
  const seen = new Set<string>();
  const entries: InventoryEntry[] = [];
  for (const e of cs.entries) {
    const id = objMetadataToId(e.objMetadata);
    if (seen.has(id)) continue;
    seen.add(id);
    entries.push({ id, v: versionOfApiVersion(e.groupVersion) });
  }
  return { entries };
}

/** Entries of `old` missing from `current` (what a prune deletes), by id. */
export function staleEntries(old: Inventory | undefined, current: Inventory): InventoryEntry[] {
  const keep = new Set(current.entries.map((e) => e.id));
  return (old?.entries ?? []).filter((e) => !keep.has(e.id));
}

/** An entry as an object reference with its apiVersion (`apps/v1`), ready for a client `get`/`delete`. */
export function entryRef(entry: InventoryEntry): ObjMetadata & { apiVersion: string } {
  const m = parseObjMetadataId(entry.id);
  return { ...m, apiVersion: m.group === '' ? entry.v : `${m.group}/${entry.v}` };
}
