// go-yaml's keyList.Less (sorter.go) for string keys: the order in which go-yaml writes a map's keys.

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);

/** `n*10 + int64(r-'0')` in Go's int64: wraps past 2^63 (and a non-ASCII digit adds its code point minus '0'). */
const digitStep = (n: bigint, r: string): bigint => BigInt.asIntN(64, n * 10n + BigInt((r.codePointAt(0) ?? 0) - 48));

/** go-yaml's keyList.Less for string keys: letters after other runes, runs of digits compared as numbers. */
export function keyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = digitStep(an, ar[ai] as string);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = digitStep(bn, br[bi] as string);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

/** The keys in go-yaml's order (a new array). */
export function sortKeys(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => (a === b ? 0 : keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0));
}
