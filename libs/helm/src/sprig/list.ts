// Sprig's list.go: list (and tuple), push/append, prepend, first, rest, last, initial, reverse, compact, uniq,
// without, has, slice, concat, chunk, sortAlpha — each also as its must form, with Sprig's error texts.
import { GO_TYPE, GoFunc, type FuncMap } from '../template/values.ts';
import { deepEqual, goKind, isEmpty, sliceItems, strval, toInt64, typedSlice } from './cast.ts';
import { strslice } from './strings.ts';
import { A, I, goPanic, n, strs } from './util.ts';

function kindName(v: unknown): string {
  if (v === null || v === undefined) goPanic('runtime error: invalid memory address or nil pointer dereference');
  return goKind(v);
}

function listOf(v: unknown, what: string, fmt = (k: string): string => `Cannot find ${what} on type ${k}`): unknown[] {
  const items = sliceItems(v);
  if (items === undefined) throw new Error(fmt(kindName(v)));
  return items;
}

const list = (...v: unknown[]): unknown[] => v;
const first = (l: unknown): unknown => {
  const items = listOf(l, 'first');
  return items.length === 0 ? null : items[0];
};
const last = (l: unknown): unknown => {
  const items = listOf(l, 'last');
  return items.length === 0 ? null : items[items.length - 1];
};
const rest = (l: unknown): unknown => {
  const items = listOf(l, 'rest');
  return items.length === 0 ? [] : items.slice(1);
};
const initial = (l: unknown): unknown => {
  const items = listOf(l, 'initial');
  return items.length === 0 ? [] : items.slice(0, -1);
};
const push = (l: unknown, v: unknown): unknown[] => [...listOf(l, '', (k) => `Cannot push on type ${k}`), v];
const prepend = (l: unknown, v: unknown): unknown[] => [v, ...listOf(l, '', (k) => `Cannot prepend on type ${k}`)];
const reverse = (l: unknown): unknown[] => [...listOf(l, 'reverse')].reverse();
const compact = (l: unknown): unknown[] =>
  listOf(l, '', (k) => `Cannot compact on type ${k}`).filter((x) => !isEmpty(x));
const uniq = (l: unknown): unknown[] => {
  const out: unknown[] = [];
  for (const x of listOf(l, 'uniq')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
};
const without = (l: unknown, ...omit: unknown[]): unknown[] =>
  listOf(l, 'without').filter((x) => !omit.some((y) => deepEqual(x, y)));
const has = (needle: unknown, hay: unknown): boolean => {
  if (hay === null || hay === undefined) return false;
  return listOf(hay, 'has').some((x) => deepEqual(needle, x));
};
const sliceFn = (l: unknown, ...idx: unknown[]): unknown => {
  const items = sliceItems(l);
  if (items === undefined) throw new Error(`list should be type of slice or array but ${kindName(l)}`);
  if (items.length === 0) return null;
  const start = idx.length > 0 ? Number(toInt64(idx[0])) : 0;
  const end = idx.length < 2 ? items.length : Number(toInt64(idx[1]));
  if (start < 0 || end < start || end > items.length) goPanic('reflect.Value.Slice: slice index out of bounds');
  const out = items.slice(start, end);
  const t = (l as { [GO_TYPE]?: string })[GO_TYPE];
  return t === undefined ? out : typedSlice(t, out);
};
const concat = (...lists: unknown[]): unknown => {
  let res: unknown[] = [];
  for (const l of lists) {
    const items = sliceItems(l);
    if (items === undefined) goPanic(`Cannot concat type ${kindName(l)} as list`);
    res = [...res, ...items];
  }
  return res;
};
const chunk = (size: bigint, l: unknown): unknown[] => {
  const items = listOf(l, '', (k) => `Cannot chunk type ${k}`);
  const sz = n(size);
  const len = items.length;
  const cs = Math.floor((len - 1) / sz) + 1;
  const out: unknown[] = [];
  for (let i = 0; i < cs; i++) {
    let clen = sz;
    if (i === cs - 1) {
      clen = Math.floor(len % sz);
      if (clen === 0) clen = sz;
    }
    out.push(items.slice(i * sz, i * sz + clen));
  }
  return typedSlice('[][]interface {}', out);
};
const sortAlpha = (l: unknown): string[] => {
  if (sliceItems(l) !== undefined) {
    return strs([...strslice(l)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  }
  return strs([strval(l)]);
};

/** list.go's functions. */
export function listFuncs(): FuncMap {
  return {
    tuple: new GoFunc([], list, { variadic: A }),
    list: new GoFunc([], list, { variadic: A }),
    append: new GoFunc([A, A], push),
    push: new GoFunc([A, A], push),
    mustAppend: new GoFunc([A, A], push),
    mustPush: new GoFunc([A, A], push),
    prepend: new GoFunc([A, A], prepend),
    mustPrepend: new GoFunc([A, A], prepend),
    first: new GoFunc([A], first),
    mustFirst: new GoFunc([A], first),
    rest: new GoFunc([A], rest),
    mustRest: new GoFunc([A], rest),
    last: new GoFunc([A], last),
    mustLast: new GoFunc([A], last),
    initial: new GoFunc([A], initial),
    mustInitial: new GoFunc([A], initial),
    reverse: new GoFunc([A], reverse),
    mustReverse: new GoFunc([A], reverse),
    uniq: new GoFunc([A], uniq),
    mustUniq: new GoFunc([A], uniq),
    without: new GoFunc([A], without, { variadic: A }),
    mustWithout: new GoFunc([A], without, { variadic: A }),
    has: new GoFunc([A, A], has),
    mustHas: new GoFunc([A, A], has),
    slice: new GoFunc([A], sliceFn, { variadic: A }),
    mustSlice: new GoFunc([A], sliceFn, { variadic: A }),
    concat: new GoFunc([], concat, { variadic: A }),
    chunk: new GoFunc([I, A], chunk),
    mustChunk: new GoFunc([I, A], chunk),
    compact: new GoFunc([A], compact),
    mustCompact: new GoFunc([A], compact),
    sortAlpha: new GoFunc([A], sortAlpha),
  };
}
