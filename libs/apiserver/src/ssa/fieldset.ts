/**
 * A set of field paths, stored as a trie keyed by the FieldsV1 path-element encoding of
 * sigs.k8s.io/structured-merge-diff: `f:<field>`, `k:<json of key fields>`, `v:<json value>`, `i:<index>`.
 */

/** One path element, already encoded as in FieldsV1. */
export type PathElement = string;
/** A path from the object root. */
export type FieldPath = readonly PathElement[];

const kindRank = (pe: string): number => {
  switch (pe[0]) {
    case 'f':
      return 0;
    case 'k':
      return 1;
    case 'v':
      return 2;
    default:
      return 3;
  }
};

/** Orders path elements like structured-merge-diff serialises them: fields, keys, values, indexes. */
export const comparePathElements = (a: string, b: string): number => {
  const r = kindRank(a) - kindRank(b);
  if (r !== 0) return r;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
};

/** A mutable set of field paths. */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  /** Adds `path` to the set. */
  insert(path: FieldPath): void {
    let node = this as FieldSet;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (next === undefined) {
        next = new FieldSet();
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }

  /** True if `path` itself is in the set. */
  has(path: FieldPath): boolean {
    const node = this.node(path);
    return node !== undefined && node.member;
  }

  /** True if `path` or any path below it is in the set. */
  hasPrefix(path: FieldPath): boolean {
    const node = this.node(path);
    return node !== undefined && !node.isEmpty();
  }

  private node(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this as FieldSet;
    for (const pe of path) {
      node = node.children.get(pe);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /** True if the set holds no path. */
  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every path in the set, parents before children. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      if (node.member && prefix.length > 0) out.push([...prefix]);
      for (const [pe, child] of node.children) walk(child, [...prefix, pe]);
    };
    walk(this, []);
    return out;
  }

  /**
   * Every path in structured-merge-diff `Set.Iterate` order: at each level the paths that end there come first
   * (sorted), then, child by child (sorted), the paths below.
   */
  sortedPaths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      const keys = [...node.children.keys()].sort(comparePathElements);
      for (const pe of keys) if ((node.children.get(pe) as FieldSet).member) out.push([...prefix, pe]);
      for (const pe of keys) walk(node.children.get(pe) as FieldSet, [...prefix, pe]);
    };
    walk(this, []);
    return out;
  }

  /** A copy of the set. */
  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }

  /** The paths in this set or in `other`. */
  union(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const p of other.paths()) out.insert(p);
    return out;
  }

  /** The paths in this set that are not in `other` (paths only, not what lies below them). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (!other.has(p)) out.insert(p);
    return out;
  }

  /** The paths in this set that are neither in `other` nor below a path of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) {
      let covered = false;
      for (let i = 1; i <= p.length && !covered; i++) covered = other.has(p.slice(0, i));
      if (!covered) out.insert(p);
    }
    return out;
  }

  /** The paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (other.has(p)) out.insert(p);
    return out;
  }

  /** True if both sets hold the same paths. */
  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** The FieldsV1 JSON object of this set (`{"f:spec":{"f:replicas":{}}}`), keys in structured-merge-diff order. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const hasChildren = [...this.children.values()].some((c) => !c.isEmpty());
    if (this.member && hasChildren) out['.'] = {};
    const keys = [...this.children.keys()].sort(comparePathElements);
    for (const pe of keys) {
      const child = this.children.get(pe) as FieldSet;
      if (child.isEmpty()) continue;
      out[pe] = child.toFieldsV1();
    }
    return out;
  }

  /** Decodes a FieldsV1 JSON object. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: unknown, prefix: PathElement[]): void => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      const entries = Object.entries(node as Record<string, unknown>);
      if (entries.length === 0 && prefix.length > 0) set.insert(prefix);
      for (const [k, v] of entries) {
        if (k === '.') {
          if (prefix.length > 0) set.insert(prefix);
          continue;
        }
        walk(v, [...prefix, k]);
      }
    };
    walk(fields, []);
    return set;
  }
}

/** Renders a path like structured-merge-diff's `Path.String()`: `.spec.containers[name="app"].image`. */
export const pathToString = (path: FieldPath): string =>
  path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(key)
            .sort()
            .map((k) => `${k}=${JSON.stringify(key[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
