// Sprig's numeric.go and the arithmetic functions.go maps inline: conversions (atoi, int, int64, float64,
// toDecimal), until/untilStep/seq, int64 arithmetic with Go's wrapping and panics, shopspring/decimal float
// arithmetic (addf, …), max/min, ceil, floor, round, and randInt.
import { GoFunc, type FuncMap, type GoInt } from '../template/values.ts';
import { int64, parseGoInt, strval, toFloat64, toInt64, typedSlice, wrap64 } from './cast.ts';
import type { SprigRandom } from './random.ts';
import { A, I, S, goPanic, n } from './util.ts';

const goInt = (v: number | bigint): bigint => BigInt(v);

/** A decimal m·10^e for shopspring/decimal arithmetic. */
interface Dec {
  m: bigint;
  e: number;
}
function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) goPanic(`Cannot create a Decimal from ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  const s = String(f);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s) as RegExpExecArray;
  const frac = m[3] ?? '';
  return { m: BigInt((m[1] ?? '') + (m[2] ?? '') + frac), e: Number(m[4] ?? 0) - frac.length };
}
const scale = (d: Dec, e: number): bigint => d.m * 10n ** BigInt(d.e - e);
function decAdd(a: Dec, b: Dec, sub = false): Dec {
  const e = Math.min(a.e, b.e);
  return { m: scale(a, e) + (sub ? -scale(b, e) : scale(b, e)), e };
}
function decMul(a: Dec, b: Dec): Dec {
  return { m: a.m * b.m, e: a.e + b.e };
}
function decDiv(a: Dec, b: Dec): Dec {
  if (b.m === 0n) goPanic('decimal division by 0');
  const prec = 16;
  const k = a.e - b.e + prec;
  let num = a.m;
  let den = b.m;
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  let q = num / den;
  const r = num - q * den;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (2n * abs(r) >= abs(den)) q += num < 0n !== den < 0n ? -1n : 1n;
  return { m: q, e: -prec };
}
const decFloat = (d: Dec): number => Number(`${d.m}e${d.e}`);

function goMax(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0 && y === 0) return Object.is(x, -0) ? y : x;
  return x > y ? x : y;
}
function goMin(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0 && y === 0) return Object.is(x, -0) ? x : y;
  return x < y ? x : y;
}

/** untilStep: a []int from start towards stop by step. */
function untilStep(start: number, stop: number, step: number): bigint[] {
  const v: bigint[] = [];
  if (stop < start) {
    if (step >= 0) return typedSlice('[]int', v);
    for (let i = start; i > stop; i += step) v.push(goInt(i));
    return typedSlice('[]int', v);
  }
  if (step <= 0) return typedSlice('[]int', v);
  for (let i = start; i < stop; i += step) v.push(goInt(i));
  return typedSlice('[]int', v);
}

const intArrayToString = (a: bigint[]): string => a.join(' ');

/** seq: 1, 2 or 3 arguments as the seq command reads them. */
function seq(...p: bigint[]): string {
  const q = p.map(n);
  switch (q.length) {
    case 1: {
      const end = q[0] as number;
      const inc = end < 1 ? -1 : 1;
      return intArrayToString(untilStep(1, end + inc, inc));
    }
    case 2: {
      const [start, end] = q as [number, number];
      const step = end < start ? -1 : 1;
      return intArrayToString(untilStep(start, end + step, step));
    }
    case 3: {
      const [start, step, end] = q as [number, number, number];
      let inc = 1;
      if (end < start) {
        inc = -1;
        if (step > 0) return '';
      }
      return intArrayToString(untilStep(start, end + inc, step));
    }
    default:
      return '';
  }
}

/** numeric.go execDecimalOp: float64s through decimals. */
function execDecimal(a: unknown, b: unknown[], op: (x: Dec, y: Dec) => Dec): number {
  let p = decFromFloat(toFloat64(a));
  for (const x of b) p = op(p, decFromFloat(toFloat64(x)));
  return decFloat(p);
}

/** int64 division or remainder, panicking as Go on zero. */
function intDiv(a: unknown, b: unknown, mod: boolean): GoInt {
  const x = toInt64(a);
  const y = toInt64(b);
  if (y === 0n) goPanic('runtime error: integer divide by zero');
  return int64(mod ? x % y : x / y);
}

/** numeric.go round: half up (or at roundOn) at p decimal places. */
function round(a: unknown, p: bigint, ...r: number[]): number {
  const roundOn = r.length > 0 ? (r[0] as number) : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, Number(p));
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  return (div >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** max (biggest) and min of int64s. */
const maxInt = (a: unknown, ...v: unknown[]): GoInt =>
  int64(v.map(toInt64).reduce((x, y) => (y > x ? y : x), toInt64(a)));
const minInt = (a: unknown, ...v: unknown[]): GoInt =>
  int64(v.map(toInt64).reduce((x, y) => (y < x ? y : x), toInt64(a)));
/** maxf and minf: math.Max and math.Min over float64s. */
const maxFloat = (a: unknown, ...v: unknown[]): number => v.map(toFloat64).reduce((x, y) => goMax(x, y), toFloat64(a));
const minFloat = (a: unknown, ...v: unknown[]): number => v.map(toFloat64).reduce((x, y) => goMin(x, y), toFloat64(a));

/** numeric.go's functions and functions.go's inline arithmetic; randInt draws from random. */
export function numericFuncs(random: SprigRandom): FuncMap {
  const randIndex = random.index;
  return {
    atoi: new GoFunc([S], (a: string) => {
      if (!/^[+-]?\d+$/.test(a)) return 0n;
      return parseGoInt(a, 10).value;
    }),
    int64: new GoFunc([A], (v: unknown) => int64(toInt64(v))),
    int: new GoFunc([A], (v: unknown) => toInt64(v)),
    float64: new GoFunc([A], toFloat64),
    seq: new GoFunc([], seq, { variadic: I }),
    toDecimal: new GoFunc([A], (v: unknown) => {
      try {
        const r = parseGoInt(strval(v), 8);
        return int64(r.range ? 0n : r.value);
      } catch {
        return int64(0n);
      }
    }),
    until: new GoFunc([I], (c: bigint) => untilStep(0, n(c), c < 0n ? -1 : 1)),
    untilStep: new GoFunc([I, I, I], (a: bigint, b: bigint, c: bigint) => untilStep(n(a), n(b), n(c))),
    add1: new GoFunc([A], (i: unknown) => int64(toInt64(i) + 1n)),
    add: new GoFunc([], (...i: unknown[]) => int64(i.reduce<bigint>((s, b) => wrap64(s + toInt64(b)), 0n)), {
      variadic: A,
    }),
    sub: new GoFunc([A, A], (a: unknown, b: unknown) => int64(toInt64(a) - toInt64(b))),
    div: new GoFunc([A, A], (a: unknown, b: unknown) => intDiv(a, b, false)),
    mod: new GoFunc([A, A], (a: unknown, b: unknown) => intDiv(a, b, true)),
    mul: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => int64(v.reduce<bigint>((s, b) => wrap64(s * toInt64(b)), toInt64(a))),
      {
        variadic: A,
      },
    ),
    randInt: new GoFunc([I, I], (min: bigint, max: bigint) => {
      if (max - min <= 0n) goPanic('invalid argument to Intn');
      return min + BigInt(randIndex(n(max - min)));
    }),
    add1f: new GoFunc([A], (i: unknown) => execDecimal(i, [1n], (x, y) => decAdd(x, y))),
    addf: new GoFunc([], (...i: unknown[]) => execDecimal(0, i, (x, y) => decAdd(x, y)), { variadic: A }),
    subf: new GoFunc([A], (a: unknown, ...v: unknown[]) => execDecimal(a, v, (x, y) => decAdd(x, y, true)), {
      variadic: A,
    }),
    divf: new GoFunc([A], (a: unknown, ...v: unknown[]) => execDecimal(a, v, decDiv), { variadic: A }),
    mulf: new GoFunc([A], (a: unknown, ...v: unknown[]) => execDecimal(a, v, decMul), { variadic: A }),
    biggest: new GoFunc([A], maxInt, { variadic: A }),
    max: new GoFunc([A], maxInt, { variadic: A }),
    min: new GoFunc([A], minInt, { variadic: A }),
    maxf: new GoFunc([A], maxFloat, { variadic: A }),
    minf: new GoFunc([A], minFloat, { variadic: A }),
    ceil: new GoFunc([A], (a: unknown) => Math.ceil(toFloat64(a))),
    floor: new GoFunc([A], (a: unknown) => Math.floor(toFloat64(a))),
    round: new GoFunc([A, I], round, { variadic: 'float64' }),
  };
}
