// The part of Masterminds/semver v3 Helm needs for charts: NewVersion (loose: `v` prefix, missing minor/patch) and
// constraints (`=`, `!=`, `>`, `<`, `>=`, `<=`, `~`, `~>`, `^`, wildcards `x`/`X`/`*`, ranges `a - b`, `,` and
// spaces for AND, `||` for OR; a version with a prerelease only satisfies a constraint that has one).

/** A parsed semantic version. */
export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  original: string;
}

const VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** semver.NewVersion; undefined when invalid. */
export function parseVersion(s: string): Version | undefined {
  const m = VERSION.exec(s);
  if (m === null) return undefined;
  const pre = m[5] ?? '';
  for (const seg of pre === '' ? [] : pre.split('.')) if (/^0[0-9]+$/.test(seg)) return undefined;
  return {
    major: BigInt(m[1] ?? '0'),
    minor: BigInt((m[2] ?? '.0').slice(1)),
    patch: BigInt((m[3] ?? '.0').slice(1)),
    pre,
    original: s,
  };
}

function cmpPre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^[0-9]+$/.test(x);
    const ny = /^[0-9]+$/.test(y);
    if (nx && ny) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (nx !== ny) return nx ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares two versions (build metadata ignored). */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return cmpPre(a.pre, b.pre);
}

interface Bound {
  op: string;
  v: Version;
  /** Which parts were wildcards or missing (x, y, z). */
  dirty: [boolean, boolean, boolean];
  hasPre: boolean;
}

type Constraint = Bound[][];

const PART = /^(x|X|\*|[0-9]+)$/;

function parsePartial(s: string): { v: Version; dirty: [boolean, boolean, boolean] } | undefined {
  const m = /^v?([^.\-+]+)(?:\.([^.\-+]+))?(?:\.([^.\-+]+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(s);
  if (m === null) return undefined;
  const parts = [m[1], m[2], m[3]];
  const dirty: [boolean, boolean, boolean] = [false, false, false];
  const nums: bigint[] = [];
  let wild = false;
  for (let i = 0; i < 3; i++) {
    const p = parts[i];
    if (p === undefined || wild) {
      dirty[i] = true;
      nums.push(0n);
      continue;
    }
    if (!PART.test(p)) return undefined;
    if (p === 'x' || p === 'X' || p === '*') {
      dirty[i] = true;
      wild = true;
      nums.push(0n);
    } else nums.push(BigInt(p));
  }
  return {
    v: { major: nums[0] ?? 0n, minor: nums[1] ?? 0n, patch: nums[2] ?? 0n, pre: m[4] ?? '', original: s },
    dirty,
  };
}

/** semver.NewConstraint; undefined when invalid (Helm then treats the range as incompatible). */
export function parseConstraint(s: string): Constraint | undefined {
  const ors = s.split('||');
  const out: Constraint = [];
  for (const or of ors) {
    let text = or.trim();
    if (text === '') return undefined;
    const ands: Bound[] = [];
    text = text.replace(/\s*-\s+/g, ' - ');
    const hy = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    const items: string[] = [];
    if (hy) items.push(`>=${hy[1]}`, `<=${hy[2]}`);
    else {
      text = text.replace(/(=>|=<|>=|<=|!=|~>|[=<>~^])\s+/g, '$1');
      items.push(...text.split(/[\s,]+/).filter((x) => x !== ''));
    }
    for (const it of items) {
      const m = /^(=>|=<|>=|<=|!=|~>|[=<>~^])?(.*)$/.exec(it);
      if (m === null) return undefined;
      const p = parsePartial(m[2] ?? '');
      if (p === undefined) return undefined;
      ands.push({ op: m[1] ?? '', v: p.v, dirty: p.dirty, hasPre: p.v.pre !== '' });
    }
    out.push(ands);
  }
  return out;
}

function v(major: bigint, minor: bigint, patch: bigint): Version {
  return { major, minor, patch, pre: '', original: '' };
}

function check(b: Bound, x: Version): boolean {
  const c = compareVersions(x, b.v);
  const [dx, dy, dz] = b.dirty;
  const upperOf = (): Version => {
    if (dx) return v(b.v.major + 1n, 0n, 0n);
    if (dy) return v(b.v.major + 1n, 0n, 0n);
    return v(b.v.major, b.v.minor + 1n, 0n);
  };
  switch (b.op) {
    case '':
    case '=':
      if (dx) return true;
      if (dy) return x.major === b.v.major;
      if (dz) return x.major === b.v.major && x.minor === b.v.minor;
      return c === 0;
    case '!=':
      if (dx) return false;
      if (dy) return x.major !== b.v.major;
      if (dz) return !(x.major === b.v.major && x.minor === b.v.minor);
      return c !== 0;
    case '>':
      if (dx) return false;
      if (dy) return x.major > b.v.major;
      if (dz) return x.major > b.v.major || (x.major === b.v.major && x.minor > b.v.minor);
      return c > 0;
    case '<':
      return c < 0;
    case '>=':
    case '=>':
      return c >= 0;
    case '<=':
    case '=<':
      if (dx) return true;
      if (dy) return x.major <= b.v.major;
      if (dz) return x.major < b.v.major || (x.major === b.v.major && x.minor <= b.v.minor);
      return c <= 0;
    case '~':
    case '~>':
      if (c < 0) return false;
      return compareVersions(x, upperOf()) < 0;
    case '^': {
      if (c < 0) return false;
      let up: Version;
      if (b.v.major > 0n || dy) up = v(b.v.major + 1n, 0n, 0n);
      else if (b.v.minor > 0n || dz) up = v(0n, b.v.minor + 1n, 0n);
      else up = v(0n, 0n, b.v.patch + 1n);
      return compareVersions(x, up) < 0;
    }
    default:
      return false;
  }
}

/** Whether version satisfies the constraint. */
export function satisfies(c: Constraint, x: Version): boolean {
  return c.some((ands) => {
    if (x.pre !== '' && !ands.some((b) => b.hasPre)) return false;
    return ands.every((b) => check(b, x));
  });
}

/** chartutil.IsCompatibleRange: false when either does not parse. */
export function isCompatibleRange(constraint: string, version: string): boolean {
  const x = parseVersion(version);
  const c = parseConstraint(constraint);
  if (x === undefined || c === undefined) return false;
  return satisfies(c, x);
}
