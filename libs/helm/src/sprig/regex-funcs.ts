// Sprig's regex.go on Go's regexp (./regex.ts): regexMatch, regexFindAll, regexFind, regexReplaceAll,
// regexReplaceAllLiteral, regexSplit (each with its must form: an invalid pattern fails instead of giving the zero
// value) and regexQuoteMeta.
import { GoFunc, type FuncMap, type ParamType } from '../template/values.ts';
import { GoRegexp, quoteMeta } from './regex.ts';
import { S, n, strs } from './util.ts';

/** f on the compiled pattern; an invalid pattern throws (must) or gives zero. */
const regex =
  (f: (r: GoRegexp, ...a: never[]) => unknown, must: boolean, zero: unknown) =>
  (expr: string, ...a: never[]): unknown => {
    let r: GoRegexp;
    try {
      r = new GoRegexp(expr);
    } catch (e) {
      if (must) throw e;
      return zero;
    }
    return f(r, ...a);
  };

/** The function and its must form. */
const regexPair = (
  name: string,
  params: ParamType[],
  f: (r: GoRegexp, ...a: never[]) => unknown,
  zero: unknown,
): FuncMap => ({
  [name]: new GoFunc(['string', ...params], regex(f, false, zero)),
  ['must' + name[0]?.toUpperCase() + name.slice(1)]: new GoFunc(['string', ...params], regex(f, true, zero)),
});

/** regex.go's functions. */
export function regexFuncs(): FuncMap {
  return {
    ...regexPair('regexMatch', ['string'], (r: GoRegexp, s: string) => r.matchString(s), false),
    ...regexPair(
      'regexFindAll',
      ['string', 'int'],
      (r: GoRegexp, s: string, k: bigint) => strs(r.findAllString(s, n(k))),
      strs([]),
    ),
    ...regexPair('regexFind', ['string'], (r: GoRegexp, s: string) => r.findString(s), ''),
    ...regexPair(
      'regexReplaceAll',
      ['string', 'string'],
      (r: GoRegexp, s: string, repl: string) => r.replaceAll(s, (mm) => r.expand(repl, mm)),
      '',
    ),
    ...regexPair(
      'regexReplaceAllLiteral',
      ['string', 'string'],
      (r: GoRegexp, s: string, repl: string) => r.replaceAll(s, () => repl),
      '',
    ),
    ...regexPair(
      'regexSplit',
      ['string', 'int'],
      (r: GoRegexp, s: string, k: bigint) => strs(r.split(s, n(k))),
      strs([]),
    ),
    regexQuoteMeta: new GoFunc([S], quoteMeta),
  };
}
