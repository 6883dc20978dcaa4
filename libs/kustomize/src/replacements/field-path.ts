/** kyaml-style field paths (`spec.containers.[name=app].image`, `*`, list indexes) on plain objects. */

type Container = Record<string, unknown> | unknown[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a path on dots that are not inside brackets (kyaml's SmarterPathSplitter), `a[0]` becoming `a`, `[0]`. */
export const splitFieldPath = (path: string): string[] => {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of path) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '.' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const out: string[] = [];
  for (const p of parts) {
    const m = /^([^[]+)(\[.*\])$/.exec(p);
    if (m) {
      out.push(m[1] as string);
      for (const b of (m[2] as string).match(/\[[^\]]*\]/g) ?? []) out.push(b);
    } else out.push(p);
  }
  return out.filter((p) => p !== '');
};

const scalarText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** A place in a document: a container and the key or index of the value in it. */
export interface FieldRef {
  parent: Container;
  key: string | number;
}

/** What to create for a missing final field (the source value's kind); undefined means "do not create". */
export type CreateKind = 'map' | 'list' | 'scalar' | undefined;

const listPart = (part: string): boolean => /^(\[.*=.*\]|\*|-|\d+|\[\d+\])$/.test(part);

const emptyFor = (kind: CreateKind): unknown => (kind === 'map' ? {} : kind === 'list' ? [] : null);

/**
 * Finds every field a path matches, optionally creating missing fields (kyaml PathMatcher with `Create`).
 * Mutates `root` when creating.
 */
export const matchFieldPath = (
  root: Record<string, unknown>,
  path: readonly string[],
  create: CreateKind = undefined,
  /** kyaml's PathMatcher (replacement targets) treats `[k=v]` values as unanchored regexes; PathGetter does not. */
  regexValues = false,
): FieldRef[] => {
  let current: FieldRef[] = [{ parent: { root } as Record<string, unknown>, key: 'root' }];
  for (const [i, part] of path.entries()) {
    const last = i === path.length - 1;
    const nextKind: CreateKind = last ? create : listPart(path[i + 1] as string) ? 'list' : 'map';
    const next: FieldRef[] = [];
    for (const ref of current) {
      let node = (ref.parent as Record<string | number, unknown>)[ref.key];
      if ((node === null || node === undefined) && create !== undefined) {
        node = listPart(part) ? [] : {};
        (ref.parent as Record<string | number, unknown>)[ref.key] = node;
      }
      if (Array.isArray(node)) {
        const bracket = /^\[(.*)\]$/.exec(part);
        const inner = bracket ? (bracket[1] as string) : part;
        if (part === '*') node.forEach((_, idx) => next.push({ parent: node, key: idx }));
        else if (/^\d+$/.test(inner)) {
          const idx = Number(inner);
          if (idx < node.length) next.push({ parent: node, key: idx });
        } else if (part === '-' && create !== undefined) {
          node.push(emptyFor(nextKind));
          next.push({ parent: node, key: node.length - 1 });
        } else if (bracket && inner.includes('=')) {
          const eq = inner.indexOf('=');
          const k = inner.slice(0, eq);
          const v = inner.slice(eq + 1);
          const rx = regexValues ? new RegExp(v) : undefined;
          const same = (x: unknown): boolean => (rx ? rx.test(scalarText(x)) : scalarText(x) === v);
          let found = false;
          node.forEach((item, idx) => {
            if (
              k === ''
                ? !isObject(item) && same(item)
                : isObject(item) && item[k] !== undefined && item[k] !== null && same(item[k])
            ) {
              found = true;
              next.push({ parent: node, key: idx });
            }
          });
          if (!found && create !== undefined && k !== '') {
            node.push({ [k]: v });
            next.push({ parent: node, key: node.length - 1 });
          }
        }
      } else if (isObject(node)) {
        if (part === '*') {
          for (const k of Object.keys(node)) next.push({ parent: node, key: k });
          continue;
        }
        const key = /^\[(.*)\]$/.test(part) ? part.slice(1, -1) : part;
        if (Object.hasOwn(node, key) && (node[key] !== null || last)) next.push({ parent: node, key });
        else if (create !== undefined) {
          node[key] = emptyFor(nextKind);
          next.push({ parent: node, key });
        }
      }
    }
    current = next;
    if (current.length === 0) return [];
  }
  return current;
};

/** The value at a path (first match), or undefined. */
export const getFieldValue = (root: Record<string, unknown>, path: string): unknown => {
  const refs = matchFieldPath(root, splitFieldPath(path));
  const ref = refs[0];
  return ref === undefined ? undefined : (ref.parent as Record<string | number, unknown>)[ref.key];
};
