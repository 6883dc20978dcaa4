// Sprig's dict.go: dict, get, set, unset, hasKey, pluck, keys, pick, omit, merge and mergeOverwrite (mergo's rules),
// values, deepCopy and dig.
import { GO_TYPE, GoFunc, isMap, mapGet, typeName, type FuncMap, type GoMap } from '../template/values.ts';
import { entries, isEmpty, strval, typedSlice } from './cast.ts';
import { A, M, S, goPanic, strs } from './util.ts';

function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  const set = (k: string, v: unknown): void => {
    if (dst instanceof Map) dst.set(k, v);
    else dst[k] = v;
  };
  for (const [key, s] of entries(src)) {
    const d = mapGet(dst, key);
    if (s === null || s === undefined) {
      if (overwrite) set(key, null);
      continue;
    }
    if (isMap(s) && d.has && isMap(d.value)) mergeInto(d.value, s, overwrite);
    if (d.has && !isEmpty(d.value)) {
      if (Array.isArray(s)) {
        if (overwrite) set(key, s);
        continue;
      }
      if (isMap(s) && isMap(d.value)) continue;
    }
    if (overwrite || !d.has || isEmpty(d.value)) set(key, s);
  }
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const c = v.map(deepCopy);
    const t = (v as { [GO_TYPE]?: string })[GO_TYPE];
    return t === undefined ? c : typedSlice(t, c);
  }
  if (isMap(v)) {
    const c: Record<string | symbol, unknown> = {};
    for (const [k, e] of entries(v)) c[k] = deepCopy(e);
    const t = (v as { [GO_TYPE]?: string })[GO_TYPE];
    if (t !== undefined) c[GO_TYPE] = t;
    return c;
  }
  return v;
}

const dict = (...v: unknown[]): Record<string, unknown> => {
  const d: Record<string, unknown> = {};
  for (let i = 0; i < v.length; i += 2) d[strval(v[i])] = i + 1 >= v.length ? '' : v[i + 1];
  return d;
};
const dig = (...ps: unknown[]): unknown => {
  if (ps.length < 3) goPanic('dig needs at least three arguments');
  const d = ps[ps.length - 1];
  const def = ps[ps.length - 2];
  const assertMap = (v: unknown): GoMap => {
    if (typeName(v) !== 'map[string]interface {}') {
      goPanic(
        `interface conversion: interface {} is ${v === null || v === undefined ? 'nil' : typeName(v)}, not map[string]interface {}`,
      );
    }
    return v as GoMap;
  };
  const ks = ps.slice(0, -2).map((k) => {
    if (typeof k !== 'string')
      goPanic(`interface conversion: interface {} is ${k === null ? 'nil' : typeName(k)}, not string`);
    return k;
  });
  let cur = assertMap(d);
  for (let i = 0; i < ks.length; i++) {
    const r = mapGet(cur, ks[i] as string);
    if (!r.has) return def;
    if (i === ks.length - 1) return r.value;
    cur = assertMap(r.value);
  }
  return def;
};

/** merge and mergeOverwrite: the sources merged into the destination, which is returned. */
const merge =
  (overwrite: boolean) =>
  (d: GoMap, ...srcs: GoMap[]): GoMap => {
    for (const s of srcs) mergeInto(d, s, overwrite);
    return d;
  };

/** dict.go's functions. */
export function dictFuncs(): FuncMap {
  return {
    dict: new GoFunc([], dict, { variadic: A }),
    get: new GoFunc([M, S], (d: GoMap, k: string) => {
      const r = mapGet(d, k);
      return r.has ? r.value : '';
    }),
    set: new GoFunc([M, S, A], (d: GoMap, k: string, v: unknown) => {
      if (d instanceof Map) d.set(k, v);
      else d[k] = v;
      return d;
    }),
    unset: new GoFunc([M, S], (d: GoMap, k: string) => {
      if (d instanceof Map) d.delete(k);
      else delete d[k];
      return d;
    }),
    hasKey: new GoFunc([M, S], (d: GoMap, k: string) => mapGet(d, k).has),
    pluck: new GoFunc(
      [S],
      (k: string, ...ds: GoMap[]) => ds.flatMap((d) => (mapGet(d, k).has ? [mapGet(d, k).value] : [])),
      {
        variadic: M,
      },
    ),
    keys: new GoFunc([], (...ds: GoMap[]) => strs(ds.flatMap((d) => entries(d).map(([k]) => k))), { variadic: M }),
    pick: new GoFunc(
      [M],
      (d: GoMap, ...ks: string[]) =>
        Object.fromEntries(ks.filter((k) => mapGet(d, k).has).map((k) => [k, mapGet(d, k).value])),
      { variadic: S },
    ),
    omit: new GoFunc(
      [M],
      (d: GoMap, ...ks: string[]) => Object.fromEntries(entries(d).filter(([k]) => !ks.includes(k))),
      {
        variadic: S,
      },
    ),
    merge: new GoFunc([M], merge(false), { variadic: M }),
    mergeOverwrite: new GoFunc([M], merge(true), { variadic: M }),
    mustMerge: new GoFunc([M], merge(false), { variadic: M }),
    mustMergeOverwrite: new GoFunc([M], merge(true), { variadic: M }),
    values: new GoFunc([M], (d: GoMap) => entries(d).map(([, v]) => v)),
    deepCopy: new GoFunc([A], deepCopy),
    mustDeepCopy: new GoFunc([A], deepCopy),
    dig: new GoFunc([], dig, { variadic: A }),
  };
}
