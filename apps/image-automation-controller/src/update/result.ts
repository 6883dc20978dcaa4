/**
 * The result of an update run (upstream `internal/update/result.go`): file → object → changes, with the
 * `Changes()` and `Objects()` views the commit message template calls.
 */

/** The object a change was made in (upstream `ObjectIdentifier`, kyaml's `ResourceIdentifier`). */
export interface ObjectIdentifier {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** One value a setter replaced. */
export interface Change {
  oldValue: string;
  newValue: string;
  /** The setter name: `<ns>:<policy>` or `<ns>:<policy>:<tag|name|digest>`. */
  setter: string;
}

/** The changes made to one object. */
export interface ObjectChanges {
  object: ObjectIdentifier;
  changes: Change[];
}

/** File (relative to the update path, `/`-separated) → the objects changed in it, in file order. */
export interface UpdateResult {
  fileChanges: Map<string, ObjectChanges[]>;
}

/** The identity key of an object (the Go map key of `ObjectChanges`). */
export function objectKey(o: ObjectIdentifier): string {
  return `${o.apiVersion}\u0000${o.kind}\u0000${o.namespace}\u0000${o.name}`;
}

/** Adds a change for a file and object (upstream `Result.AddChange`). */
export function addChange(result: UpdateResult, file: string, object: ObjectIdentifier, change: Change): void {
  let objects = result.fileChanges.get(file);
  if (!objects) {
    objects = [];
    result.fileChanges.set(file, objects);
  }
  const key = objectKey(object);
  let entry = objects.find((o) => objectKey(o.object) === key);
  if (!entry) {
    entry = { object, changes: [] };
    objects.push(entry);
  }
  entry.changes.push(change);
}

/** Every distinct change, in the order first made (upstream `Result.Changes`). */
export function allChanges(result: UpdateResult): Change[] {
  const seen = new Set<string>();
  const out: Change[] = [];
  for (const objects of result.fileChanges.values())
    for (const o of objects)
      for (const c of o.changes) {
        const k = `${c.oldValue}\u0000${c.newValue}\u0000${c.setter}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(c);
      }
  return out;
}

/** Object → changes regardless of file (upstream `Result.Objects`: a later file's entry replaces an earlier one). */
export function allObjects(result: UpdateResult): ObjectChanges[] {
  const byKey = new Map<string, ObjectChanges>();
  for (const objects of result.fileChanges.values()) for (const o of objects) byKey.set(objectKey(o.object), o);
  return [...byKey.values()];
}
