/** Field semantics used by strategic merge patch and server-side apply. */

/** List semantics for server-side apply (`x-kubernetes-list-type` / `+listType`). */
export interface ListSemantics {
  listType: 'atomic' | 'set' | 'map';
  /** Key fields of a `map` list (`x-kubernetes-list-map-keys` / `+listMapKey`). */
  keys?: string[];
  /** Values used for a key field an item omits (the OpenAPI default of that key, e.g. `protocol: TCP`). */
  keyDefaults?: Record<string, unknown>;
}

/** Strategic merge patch strategy of a field (`patchStrategy` struct tag). */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

/** Semantics of one field. Everything is optional; an absent value means the default. */
export interface FieldTypeInfo {
  /** List semantics; lists without it are atomic (the Kubernetes default). */
  list?: ListSemantics;
  /**
   * Map semantics (`x-kubernetes-map-type` / `+mapType` / `+structType`); objects default to granular.
   * On a list path it describes the list's items (items share the list's path), e.g. atomic `ownerReferences` items.
   */
  mapType?: 'granular' | 'atomic';
  /** True for a real map (`map[string]T`, `additionalProperties`), as opposed to a struct. */
  isMap?: boolean;
  /** Strategic merge patch merge key of a list of objects. */
  patchMergeKey?: string;
  /** Strategic merge patch strategy. */
  patchStrategy?: PatchStrategy;
  /**
   * `x-kubernetes-preserve-unknown-fields`: what lies below is untyped, so structured-merge-diff deduces
   * it: every object is a granular map, every list atomic.
   */
  preserveUnknownFields?: boolean;
}

/**
 * Field semantics of one kind. A field is addressed by the property names from the object root;
 * the items of a list are addressed by the list's own path (`['spec','template','spec','containers','ports']`
 * is the ports list of every container), the entries of a map by their key.
 */
export interface TypeInfo {
  /** The semantics of the field at `path`, if any are known. */
  field(path: readonly string[]): FieldTypeInfo | undefined;
}

/** One rule of a type-info table: a dotted path (`*` matches any single property name) and its semantics. */
export type TypeInfoTable = Readonly<Record<string, FieldTypeInfo>>;

interface TrieNode {
  info?: FieldTypeInfo;
  children: Map<string, TrieNode>;
}

const insert = (root: TrieNode, path: readonly string[], info: FieldTypeInfo): void => {
  let node = root;
  for (const seg of path) {
    let next = node.children.get(seg);
    if (next === undefined) {
      next = { children: new Map() };
      node.children.set(seg, next);
    }
    node = next;
  }
  node.info = { ...node.info, ...info };
};

const lookup = (node: TrieNode, path: readonly string[], i: number): FieldTypeInfo | undefined => {
  if (i === path.length) return node.info;
  const seg = path[i] as string;
  const exact = node.children.get(seg);
  if (exact !== undefined) {
    const found = lookup(exact, path, i + 1);
    if (found !== undefined) return found;
  }
  const wild = node.children.get('*');
  return wild === undefined ? undefined : lookup(wild, path, i + 1);
};

/** Builds a {@link TypeInfo} from tables of dotted paths; later tables override earlier ones. */
export const typeInfoFromTable = (...tables: readonly TypeInfoTable[]): TypeInfo => {
  const root: TrieNode = { children: new Map() };
  for (const table of tables) {
    for (const [key, info] of Object.entries(table)) insert(root, key === '' ? [] : key.split('.'), info);
  }
  return { field: (path) => lookup(root, path, 0) };
};

/** A {@link TypeInfo} that knows nothing: every list atomic, every object a granular map. */
export const emptyTypeInfo: TypeInfo = { field: () => undefined };

/** Prefixes every key of a table with `prefix` (a dotted path). */
export const prefixTable = (prefix: string, table: TypeInfoTable): TypeInfoTable =>
  Object.fromEntries(Object.entries(table).map(([k, v]) => [k === '' ? prefix : `${prefix}.${k}`, v]));
