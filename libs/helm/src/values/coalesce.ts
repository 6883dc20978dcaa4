// chartutil's coalescing (coalesce.go) and Values helpers (values.go): user values over chart defaults, subchart
// values under their names, globals copied down, `null` deleting a key when coalescing (kept when merging).
import type { Chart } from '../chart/chart.ts';
import { sprintf } from '../template/fmt.ts';
import { GoInt, GoFloat, JsonNumber } from '../template/values.ts';
import type { Values } from './yaml.ts';

/** chartutil.GlobalKey. */
export const GLOBAL_KEY = 'global';

/** Receives the warnings Helm logs while coalescing. */
export type Printf = (msg: string) => void;

const noop: Printf = () => {};

/** Whether v is a map[string]interface{} of the model (istable). */
export function isPlainMap(v: unknown): v is Values {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** copystructure.Copy of values: maps and slices copied, leaves shared. */
export function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isPlainMap(v)) {
    const o: Values = {};
    for (const [k, e] of Object.entries(v)) o[k] = deepCopy(e);
    return o as T;
  }
  return v;
}

function concatPrefix(a: string, b: string): string {
  return a === '' ? b : `${a}.${b}`;
}

function has(m: Values, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, k);
}

/** A value as Go's %v prints it in Helm's warnings (close enough for logs). */
function show(v: unknown): string {
  if (v === null) return '<nil>';
  if (v instanceof GoInt || v instanceof GoFloat) return String(v.value);
  if (v instanceof JsonNumber) return v.value;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** chartutil.CoalesceValues: vals (copied) over the chart's values and its subcharts'. */
export function coalesceValues(chart: Chart, vals: Values | null, printf: Printf = noop): Values {
  return coalesce(printf, chart, deepCopy(vals ?? {}), '', false);
}

/** chartutil.MergeValues: as CoalesceValues, but nulls are kept. */
export function mergeChartValues(chart: Chart, vals: Values | null, printf: Printf = noop): Values {
  return coalesce(printf, chart, deepCopy(vals ?? {}), '', true);
}

function coalesce(printf: Printf, ch: Chart, dest: Values, prefix: string, merge: boolean): Values {
  coalesceChartValues(printf, ch, dest, prefix, merge);
  return coalesceDeps(printf, ch, dest, prefix, merge);
}

function coalesceDeps(printf: Printf, chrt: Chart, dest: Values, prefix: string, merge: boolean): Values {
  for (const sub of chrt.dependencies()) {
    const name = sub.name();
    if (!has(dest, name)) dest[name] = {};
    else if (!isPlainMap(dest[name])) throw new Error(`type mismatch on ${name}: ${sprintf('%t', [dest[name]])}`);
    const dvmap = dest[name] as Values;
    const subPrefix = concatPrefix(prefix, chrt.metadata.name);
    coalesceGlobals(printf, dvmap, dest, subPrefix);
    dest[name] = coalesce(printf, sub, dvmap, subPrefix, merge);
  }
  return dest;
}

function coalesceGlobals(printf: Printf, dest: Values, src: Values, prefix: string): void {
  let dg: Values;
  let sg: Values;
  if (!has(dest, GLOBAL_KEY)) dg = {};
  else if (isPlainMap(dest[GLOBAL_KEY])) dg = dest[GLOBAL_KEY];
  else {
    printf(`warning: skipping globals because destination ${GLOBAL_KEY} is not a table.`);
    return;
  }
  if (!has(src, GLOBAL_KEY)) sg = {};
  else if (isPlainMap(src[GLOBAL_KEY])) sg = src[GLOBAL_KEY];
  else {
    printf(`warning: skipping globals because source ${GLOBAL_KEY} is not a table.`);
    return;
  }
  for (const [key, val] of Object.entries(sg)) {
    if (isPlainMap(val)) {
      const vv: Values = { ...val };
      if (!has(dg, key)) dg[key] = vv;
      else {
        const destv = dg[key];
        if (!isPlainMap(destv)) printf(`Conflict: cannot merge map onto non-map for "${key}". Skipping.`);
        else {
          coalesceTablesFullKey(printf, vv, destv, concatPrefix(prefix, key), true);
          dg[key] = vv;
        }
      }
    } else if (has(dg, key) && isPlainMap(dg[key])) {
      printf(`key ${key} is table. Skipping`);
    } else dg[key] = val;
  }
  dest[GLOBAL_KEY] = dg;
}

function childChartMergeTrue(chrt: Chart, key: string, merge: boolean): boolean {
  return chrt.dependencies().some((s) => s.name() === key) || merge;
}

function coalesceChartValues(printf: Printf, c: Chart, v: Values, prefix: string, merge: boolean): void {
  const subPrefix = concatPrefix(prefix, c.metadata.name);
  const vc = deepCopy(c.values);
  for (const [key, val] of Object.entries(vc)) {
    if (has(v, key)) {
      const value = v[key];
      if (value === null && !merge) delete v[key];
      else if (isPlainMap(value)) {
        if (!isPlainMap(val)) {
          if (val !== null) printf(`warning: skipped value for ${subPrefix}.${key}: Not a table.`);
        } else {
          coalesceTablesFullKey(printf, value, val, concatPrefix(subPrefix, key), childChartMergeTrue(c, key, merge));
        }
      }
    } else v[key] = val;
  }
}

/** chartutil.CoalesceTables: src under dst (dst wins); nulls in dst delete. */
export function coalesceTables(dst: Values | null, src: Values | null): Values | null {
  return coalesceTablesFullKey(noop, dst, src, '', false);
}

/** chartutil.MergeTables: as CoalesceTables, nulls kept. */
export function mergeTables(dst: Values | null, src: Values | null): Values | null {
  return coalesceTablesFullKey(noop, dst, src, '', true);
}

function coalesceTablesFullKey(
  printf: Printf,
  dst: Values | null,
  src: Values | null,
  prefix: string,
  merge: boolean,
): Values | null {
  if (src === null) return dst;
  if (dst === null) return src;
  for (const [key, val] of Object.entries(src)) {
    const fullkey = concatPrefix(prefix, key);
    const ok = has(dst, key);
    const dv = dst[key];
    if (ok && !merge && dv === null) delete dst[key];
    else if (!ok) dst[key] = val;
    else if (isPlainMap(val)) {
      if (isPlainMap(dv)) coalesceTablesFullKey(printf, dv, val, fullkey, merge);
      else printf(`warning: cannot overwrite table with non table for ${fullkey} (${show(val)})`);
    } else if (isPlainMap(dv) && val !== null) {
      printf(`warning: destination for ${fullkey} is a table. Ignoring non-table value (${show(val)})`);
    }
  }
  return dst;
}

/** Values.Table: the map at a dotted path; undefined when there is none (ErrNoTable). */
export function table(v: Values, path: string): Values | undefined {
  let t: Values = v;
  for (const n of path.split('.')) {
    if (!has(t, n)) return undefined;
    const next = t[n];
    if (!isPlainMap(next)) return undefined;
    t = next;
  }
  return t;
}

/** Values.PathValue: a non-table value at a dotted path; `{ found: false }` is ErrNoValue. */
export function pathValue(v: Values, path: string): { found: boolean; value?: unknown } {
  if (path === '') throw new Error('YAML path cannot be empty');
  const parts = path.split('.');
  const key = parts.pop() as string;
  const t = parts.length === 0 ? v : table(v, parts.join('.'));
  if (t === undefined) return { found: false };
  if (has(t, key) && !isPlainMap(t[key])) return { found: true, value: t[key] };
  return { found: false };
}
