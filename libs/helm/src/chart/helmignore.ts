// helm's pkg/ignore: .helmignore rules (Go filepath.Match patterns, `!` negation with Helm's own semantics, a
// trailing `/` for directories, a leading `/` for the root, no `**`), plus the default `templates/.?*`.

/** The name of the ignore file. */
export const HELM_IGNORE = '.helmignore';

/** Go's filepath.ErrBadPattern. */
export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

/** Go's path/filepath.Match with '/' as separator; throws BadPatternError. */
export function goMatch(pattern: string, name: string): boolean {
  const p = [...pattern];
  const n = [...name];
  // Validate the whole pattern first as Go reports ErrBadPattern even after a mismatch.
  const ok = matchAt(p, 0, n, 0);
  validate(p);
  return ok;
}

function validate(p: string[]): void {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      i++;
      if (i >= p.length) throw new BadPatternError();
    } else if (p[i] === '[') {
      const r = classEnd(p, i);
      if (r < 0) throw new BadPatternError();
      i = r;
    }
  }
}

/** Index of the `]` closing the class at i, or -1 if malformed. */
function classEnd(p: string[], i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  let first = true;
  for (;;) {
    if (j >= p.length) return -1;
    if (p[j] === ']' && !first) return j;
    first = false;
    let lo = p[j];
    if (lo === '\\') {
      j++;
      lo = p[j];
    }
    if (lo === undefined || lo === '-' || (lo === ']' && false)) return -1;
    j++;
    if (p[j] === '-') {
      j++;
      let hi = p[j];
      if (hi === '\\') {
        j++;
        hi = p[j];
      }
      if (hi === undefined || hi === ']' || hi === '-') return -1;
      j++;
    }
  }
}

function classMatch(p: string[], i: number, c: string): boolean {
  let j = i + 1;
  let negated = false;
  if (p[j] === '^') {
    negated = true;
    j++;
  }
  let matched = false;
  let first = true;
  while (!(p[j] === ']' && !first)) {
    first = false;
    let lo = p[j] as string;
    if (lo === '\\') lo = p[++j] as string;
    j++;
    let hi = lo;
    if (p[j] === '-') {
      j++;
      hi = p[j] as string;
      if (hi === '\\') hi = p[++j] as string;
      j++;
    }
    const cc = c.codePointAt(0) ?? 0;
    if ((lo.codePointAt(0) ?? 0) <= cc && cc <= (hi.codePointAt(0) ?? 0)) matched = true;
  }
  return matched !== negated;
}

function matchAt(p: string[], pi: number, n: string[], ni: number): boolean {
  while (pi < p.length) {
    const c = p[pi] as string;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) return !n.slice(ni).includes('/');
      for (let k = ni; k <= n.length; k++) {
        if (matchAt(p, pi, n, k)) return true;
        if (n[k] === '/') break;
      }
      return false;
    }
    if (ni >= n.length) return false;
    if (c === '?') {
      if (n[ni] === '/') return false;
      pi++;
      ni++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(p, pi);
      if (end < 0) throw new BadPatternError();
      if (n[ni] === '/' || !classMatch(p, pi, n[ni] as string)) return false;
      pi = end + 1;
      ni++;
      continue;
    }
    let lit = c;
    if (c === '\\') {
      pi++;
      if (pi >= p.length) throw new BadPatternError();
      lit = p[pi] as string;
    }
    if (n[ni] !== lit) return false;
    pi++;
    ni++;
  }
  return ni === n.length;
}

interface Pattern {
  raw: string;
  negate: boolean;
  mustDir: boolean;
  match: (path: string) => boolean;
}

function safeMatch(rule: string, n: string): boolean {
  try {
    return goMatch(rule, n);
  } catch {
    return false;
  }
}

/** Parsed .helmignore rules. */
export class IgnoreRules {
  private readonly patterns: Pattern[] = [];

  /** ignore.Parse: one rule a line; throws on `**` and bad patterns. */
  static parse(text: string): IgnoreRules {
    const r = new IgnoreRules();
    for (const line of text.split('\n')) r.parseRule(line);
    return r;
  }

  /** AddDefaults: `templates/.?*`. */
  addDefaults(): void {
    this.parseRule('templates/.?*');
  }

  private parseRule(line: string): void {
    let rule = line.trim();
    if (rule === '' || rule.startsWith('#')) return;
    if (rule.includes('**')) throw new Error('double-star (**) syntax is not supported');
    goMatch(rule, 'abc');
    const p: Pattern = { raw: rule, negate: false, mustDir: false, match: () => false };
    if (rule.startsWith('!')) {
      p.negate = true;
      rule = rule.slice(1);
    }
    if (rule.endsWith('/')) {
      p.mustDir = true;
      rule = rule.slice(0, -1);
    }
    const r = rule;
    if (r.startsWith('/')) p.match = (n) => safeMatch(r.slice(1), n);
    else if (r.includes('/')) p.match = (n) => safeMatch(r, n);
    else p.match = (n) => safeMatch(r, n.slice(n.lastIndexOf('/') + 1));
    this.patterns.push(p);
  }

  /** Rules.Ignore: whether a path (relative, '/'-separated) is ignored. */
  ignore(path: string, isDir: boolean): boolean {
    if (path === '' || path === '.' || path === './') return false;
    for (const p of this.patterns) {
      if (p.negate) {
        if (p.mustDir && !isDir) return true;
        if (!p.match(path)) return true;
        continue;
      }
      if (p.mustDir && !isDir) continue;
      if (p.match(path)) return true;
    }
    return false;
  }
}
