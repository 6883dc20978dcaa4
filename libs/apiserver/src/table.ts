/** Server-side printing: `meta.k8s.io/v1 Table` from printer columns, with a small JSONPath evaluator. */
import type { ResourceDef } from './resources.ts';
import { getPath, humanDuration, isObj, type Obj } from './util.ts';

type Seg =
  | { t: 'field'; name: string }
  | { t: 'index'; i: number }
  | { t: 'all' }
  | { t: 'filter'; path: string[]; op: '==' | '!='; value: string };

/** Parse the CRD `jsonPath` subset Kubernetes printer columns use (`.a.b[0]`, `[*]`, `[?(@.type=="Ready")]`). */
export const parseJsonPath = (expr: string): Seg[] => {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const segs: Seg[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '.') {
      i++;
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') name += s[i++];
      if (name !== '') segs.push({ t: 'field', name });
    } else if (ch === '[') {
      const end = s.indexOf(']', i);
      const inner = s.slice(i + 1, end < 0 ? s.length : end);
      i = end < 0 ? s.length : end + 1;
      if (inner === '*') segs.push({ t: 'all' });
      else if (/^-?\d+$/.test(inner)) segs.push({ t: 'index', i: Number(inner) });
      else {
        const m = inner.match(/^\?\(@\.([\w.\-/]+)\s*(==|!=)\s*["']?([^"']*)["']?\)$/);
        if (m)
          segs.push({ t: 'filter', path: (m[1] as string).split('.'), op: m[2] as '==' | '!=', value: m[3] ?? '' });
        else if (/^['"].*['"]$/.test(inner)) segs.push({ t: 'field', name: inner.slice(1, -1) });
      }
    } else {
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') name += s[i++];
      if (name !== '') segs.push({ t: 'field', name });
    }
  }
  return segs;
};

/** Evaluate a parsed JSONPath; returns all matches. */
export const evalJsonPath = (o: unknown, segs: Seg[]): unknown[] => {
  let cur: unknown[] = [o];
  for (const seg of segs) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (seg.t === 'field') {
        if (isObj(v) && v[seg.name] !== undefined) next.push(v[seg.name]);
      } else if (seg.t === 'index') {
        if (Array.isArray(v)) {
          const x = v[seg.i < 0 ? v.length + seg.i : seg.i];
          if (x !== undefined) next.push(x);
        }
      } else if (seg.t === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (isObj(v)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const x of v) {
          const got = getPath(x, seg.path);
          const eq = got !== undefined && String(got) === seg.value;
          if (seg.op === '==' ? eq : got !== undefined && !eq) next.push(x);
        }
      }
    }
    cur = next;
  }
  return cur;
};

const nameColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** Column definitions for a resource. */
export const tableColumns = (def: ResourceDef): Obj[] => [
  nameColumn,
  ...def.columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description ?? c.name,
    priority: c.priority ?? 0,
  })),
];

const cellValue = (def: ResourceDef, o: Obj, now: number): unknown[] => {
  const cells: unknown[] = [getPath(o, 'metadata.name')];
  for (const c of def.columns) {
    if (c.cell) {
      cells.push(c.cell(o, now));
      continue;
    }
    const found = evalJsonPath(o, parseJsonPath(c.jsonPath ?? ''));
    const v = found[0];
    if (v === undefined || v === null) cells.push(null);
    else if (c.type === 'date' && typeof v === 'string') cells.push(humanDuration(now - Date.parse(v)));
    else if (isObj(v) || Array.isArray(v)) cells.push(JSON.stringify(v));
    else cells.push(v);
  }
  return cells;
};

/** `includeObject` modes of Table requests. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

const rowObject = (o: Obj, include: IncludeObject): Obj | undefined => {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o['metadata'] };
};

/** Build a Table of objects. */
export const toTable = (
  def: ResourceDef,
  objs: Obj[],
  listMeta: Obj,
  include: IncludeObject,
  now: number,
  withColumns = true,
): Obj => ({
  kind: 'Table',
  apiVersion: 'meta.k8s.io/v1',
  metadata: listMeta,
  ...(withColumns ? { columnDefinitions: tableColumns(def) } : { columnDefinitions: [] }),
  rows: objs.map((o) => {
    const obj = rowObject(o, include);
    return { cells: cellValue(def, o, now), ...(obj ? { object: obj } : {}) };
  }),
});
