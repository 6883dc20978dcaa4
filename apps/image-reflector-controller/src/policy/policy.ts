/**
 * The ImagePolicy choices of upstream `internal/policy`: SemVer (Masterminds ranges, versions parsed as fluxcd/pkg
 * `version.ParseVersion`: strict semver with an optional `v`), Alphabetical and Numerical (asc/desc), and the
 * `filterTags` regex filter with its `extract` template. Error texts are upstream's.
 */
import { compareVersions, newConstraint, satisfies, strictNewVersion } from '@flux-ts/semver';
import type { Constraints, Version } from '@flux-ts/semver';
import type { ImagePolicySpec } from '@flux-ts/api';
import { compileGoRegexp, expandGoTemplate } from './go-regexp.ts';

/** Picks the latest of a list of tags (upstream `Policer`). */
export interface Policer {
  latest(versions: readonly string[]): string;
}

const emptyList = 'version list argument cannot be empty';

/** fluxcd/pkg `version.ParseVersion`: StrictNewVersion after dropping one leading `v`, keeping the original text. */
export function parseFluxVersion(v: string): Version | undefined {
  try {
    const parsed = strictNewVersion(v.startsWith('v') ? v.slice(1) : v);
    return { ...parsed, original: v };
  } catch {
    return undefined;
  }
}

/** The semver policy: the highest version the range accepts. */
export class SemVerPolicy implements Policer {
  readonly range: string;
  readonly #constraint: Constraints;
  /** Throws Masterminds' error when the range does not parse. */
  constructor(range: string) {
    this.range = range;
    this.#constraint = newConstraint(range);
  }
  latest(versions: readonly string[]): string {
    if (versions.length === 0) throw new Error(emptyList);
    let best: Version | undefined;
    for (const ver of versions) {
      const v = parseFluxVersion(ver);
      if (v && satisfies(this.#constraint, v) && (best === undefined || compareVersions(v, best) > 0)) best = v;
    }
    if (best) return best.original;
    throw new Error('unable to determine latest version from provided list');
  }
}

function orderOf(order: string | undefined): 'ASC' | 'DESC' {
  const o = (order ?? '').toUpperCase();
  if (o === '' || o === 'ASC') return 'ASC';
  if (o === 'DESC') return 'DESC';
  throw new Error(`invalid order argument provided: '${o}', must be one of: ASC, DESC`);
}

/** Go's string ordering: byte-wise on UTF-8 (JavaScript's `<` compares UTF-16 units; tags are ASCII). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The alphabetical policy: asc picks the last in byte order, desc the first. */
export class AlphabeticalPolicy implements Policer {
  readonly order: 'ASC' | 'DESC';
  constructor(order?: string) {
    this.order = orderOf(order);
  }
  latest(versions: readonly string[]): string {
    if (versions.length === 0) throw new Error(emptyList);
    let pick = versions[0]!;
    for (const v of versions) {
      const c = compareBytes(v, pick);
      if (this.order === 'ASC' ? c > 0 : c < 0) pick = v;
    }
    return pick;
  }
}

/** Go's `strconv.ParseFloat(s, 64)` for the forms tags take (decimal, exponent, `inf`, `nan`, `0x` hex floats). */
export function parseGoFloat(s: string): number | undefined {
  const t = s.replace(/_/g, (m, i: number) => (i > 0 && i < s.length - 1 ? '' : m));
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (/^[+-]?0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+$/.test(t)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(t)!;
    const mant = parseInt((m[2] ?? '') + (m[3] ?? ''), 16) / 16 ** (m[3] ?? '').length;
    const v = mant * 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  return undefined;
}

/** The numerical policy: tags parsed as float64; asc picks the largest, desc the smallest (the last of equals). */
export class NumericalPolicy implements Policer {
  readonly order: 'ASC' | 'DESC';
  constructor(order?: string) {
    this.order = orderOf(order);
  }
  latest(versions: readonly string[]): string {
    if (versions.length === 0) throw new Error(emptyList);
    let latest = '';
    let pv = 0;
    versions.forEach((version, i) => {
      const cv = parseGoFloat(version);
      if (cv === undefined) throw new Error(`failed to parse invalid numeric value '${version}'`);
      if (i !== 0 && ((this.order === 'ASC' && cv < pv) || (this.order === 'DESC' && cv > pv))) return;
      latest = version;
      pv = cv;
    });
    return latest;
  }
}

/** upstream `PolicerFromSpec`: throws for an invalid choice (the reconciler stalls with InvalidPolicy). */
export function policerFromSpec(choice: ImagePolicySpec['policy']): Policer {
  if (choice.semver) return new SemVerPolicy(choice.semver.range);
  if (choice.alphabetical) return new AlphabeticalPolicy(choice.alphabetical.order);
  if (choice.numerical) return new NumericalPolicy(choice.numerical.order);
  throw new Error('given ImagePolicyChoice object is invalid');
}

/** upstream `RegexFilter`: keeps the tags the pattern matches, keyed by their `extract` expansion. */
export class RegexFilter {
  readonly #re: RegExp;
  readonly #replace: string;
  #filtered = new Map<string, string>();
  /** Throws `invalid regular expression pattern '<p>': …`. */
  constructor(pattern: string, replace: string) {
    try {
      this.#re = compileGoRegexp(pattern);
    } catch (err) {
      throw new Error(`invalid regular expression pattern '${pattern}': ${(err as Error).message}`, { cause: err });
    }
    this.#replace = replace;
  }
  /** Builds the filtered set from `list` (a later tag with the same extraction wins, as Go's map assignment). */
  apply(list: Iterable<string>): void {
    this.#filtered = new Map();
    for (const item of list) {
      const m = this.#re.exec(item);
      if (!m) continue;
      this.#filtered.set(this.#replace !== '' ? expandGoTemplate(this.#replace, m) : item, item);
    }
  }
  /** The extracted tags. */
  items(): string[] {
    return [...this.#filtered.keys()];
  }
  /** The original tag of an extracted one. */
  originalTag(tag: string): string {
    return this.#filtered.get(tag) ?? '';
  }
}
