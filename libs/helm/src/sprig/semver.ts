// Masterminds/semver v3.3.0, the version Sprig v3.3.0 uses in Helm 3.18: NewVersion (loose: "1", "v1.2"),
// Compare, and constraints (||, AND by space or comma, = != > < >= <= ~ ~> ^, x/X/* wildcards, hyphen ranges,
// prereleases only when the AND group names one) with its error messages.
import { GoFunc, GoInt, GoStruct } from '../template/values.ts';

const LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** A parsed version. */
export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  metadata: string;
  original: string;
}

const U64 = (1n << 64n) - 1n;

function parseSeg(s: string): bigint {
  const v = BigInt(s);
  if (v > U64)
    throw new Error(
      `Error parsing version segment: strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`,
    );
  return v;
}

/** semver.NewVersion. */
export function newVersion(v: string): Version {
  const m = LOOSE.exec(v);
  if (!m) throw new Error('Invalid Semantic Version');
  const sv: Version = {
    major: parseSeg(m[1] ?? '0'),
    minor: m[2] ? parseSeg(m[2].slice(1)) : 0n,
    patch: m[3] ? parseSeg(m[3].slice(1)) : 0n,
    pre: m[5] ?? '',
    metadata: m[8] ?? '',
    original: v,
  };
  if (sv.pre !== '') {
    for (const p of sv.pre.split('.')) {
      if (/^[0-9]+$/.test(p)) {
        if (p.length > 1 && p[0] === '0') throw new Error('Version segment starts with 0');
      } else if (!/^[0-9A-Za-z-]+$/.test(p)) throw new Error('Invalid Prerelease string');
    }
  }
  if (sv.metadata !== '') {
    for (const p of sv.metadata.split('.')) if (!/^[0-9A-Za-z-]+$/.test(p)) throw new Error('Invalid Metadata string');
  }
  return sv;
}

/** Version.String. */
export function versionString(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre) s += '-' + v.pre;
  if (v.metadata) s += '+' + v.metadata;
  return s;
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function isUint(s: string): boolean {
  return /^[0-9]+$/.test(s) && BigInt(s) <= U64;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (o === '') return isUint(s) ? 1 : -1;
  if (s === '') return isUint(o) ? -1 : 1;
  const sn = isUint(s);
  const on = isUint(o);
  if (!sn && !on) return s > o ? 1 : -1;
  if (!sn) return 1;
  if (!on) return -1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const a = v.split('.');
  const b = o.split('.');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = comparePrePart(a[i] ?? '', b[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** Version.Compare. */
export function compareVersions(v: Version, o: Version): number {
  const d = cmp(v.major, o.major) || cmp(v.minor, o.minor) || cmp(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  return comparePrerelease(v.pre, o.pre);
}

interface Constraint {
  con: Version;
  orig: string;
  op: string;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

const CV =
  'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
// Go's \s is [\t\n\f\r ].
const S = '[\\t\\n\\f\\r ]';
const constraintRe = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const rangeRe = new RegExp(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`, 'g');
const validRe = new RegExp(`^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`);
const isX = (x: string): boolean => x === 'x' || x === 'X' || x === '*';

/** Go's leftmost-first alternation picks the first alternative of OPS that lets the whole match succeed; RE2
 * finds leftmost-first matches too, so a JavaScript search with the same alternation order agrees. */
function findConstraints(v: string): string[] {
  const re = new RegExp(`(${OPS})${S}*(${CV})`, 'g');
  return [...v.matchAll(re)].map((m) => m[0]);
}

function parseConstraint(c: string): Constraint {
  if (c.length === 0) {
    return { con: newVersion('0.0.0'), orig: c, op: '', minorDirty: false, patchDirty: false, dirty: true };
  }
  const m = constraintRe.exec(c);
  if (!m) throw new Error(`improper constraint: ${c}`);
  const [, op = '', orig = '', m3 = '', m4 = '', m5 = '', , m7 = ''] = m;
  let ver = orig;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(m3) || m3 === '') {
    ver = `0.0.0${m7}`;
    dirty = true;
  } else if (isX(m4.replace(/^\./, '')) || m4 === '') {
    minorDirty = true;
    dirty = true;
    ver = `${m3}.0.0${m7}`;
  } else if (isX(m5.replace(/^\./, '')) || m5 === '') {
    dirty = true;
    patchDirty = true;
    ver = `${m3}${m4}.0${m7}`;
  }
  let con: Version;
  try {
    con = newVersion(ver);
  } catch {
    throw new Error('constraint parser error');
  }
  return { con, orig, op, minorDirty, patchDirty, dirty };
}

/** semver.NewConstraint: OR groups of AND constraints, and whether each group mentions a prerelease. */
export function newConstraint(c: string): { groups: Constraint[][]; pre: boolean[] } {
  rangeRe.lastIndex = 0;
  let o = c;
  for (const m of c.matchAll(rangeRe)) o = o.replace(m[0], `>= ${m[1]}, <= ${m[11]} `);
  const groups: Constraint[][] = [];
  const pre: boolean[] = [];
  for (const v of o.split('||')) {
    if (!validRe.test(v)) throw new Error(`improper constraint: ${v}`);
    let cs = findConstraints(v);
    if (cs.length === 0) cs = [v];
    const g = cs.map(parseConstraint);
    groups.push(g);
    pre.push(g.some((x) => x.con.pre !== ''));
  }
  return { groups, pre };
}

function check(v: Version, c: Constraint, includePre: boolean): boolean {
  if (v.pre !== '' && !includePre) return false;
  const lt = (): boolean => compareVersions(v, c.con) < 0;
  const tilde = (): boolean => {
    if (lt()) return false;
    if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
    if (v.major !== c.con.major) return false;
    if (v.minor !== c.con.minor && !c.minorDirty) return false;
    return true;
  };
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde() : compareVersions(v, c.con) === 0;
    case '!=':
      if (c.dirty) {
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (c.con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== '' || c.con.pre !== '') return comparePrerelease(v.pre, c.con.pre) !== 0;
          return false;
        }
      }
      return compareVersions(v, c.con) !== 0;
    case '>':
      if (!c.dirty) return compareVersions(v, c.con) === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return compareVersions(v, c.con) === 1;
    case '<':
      return lt();
    case '>=':
    case '=>':
      return compareVersions(v, c.con) >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return compareVersions(v, c.con) <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      return tilde();
    case '^':
      if (lt()) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (c.con.major === 0n && v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (c.con.minor === 0n && v.minor > 0n) return false;
      return c.con.patch === v.patch;
    default:
      return false;
  }
}

/** Constraints.Check. */
export function checkConstraint(c: ReturnType<typeof newConstraint>, v: Version): boolean {
  return c.groups.some((g, i) => g.every((x) => check(v, x, c.pre[i] ?? false)));
}

/** A *semver.Version value for templates: Major, Minor, Patch (uint64), Prerelease, Metadata, Original, String. */
export function versionValue(v: Version): GoStruct {
  const u = (n: bigint): GoInt => new GoInt('uint64', n);
  return new GoStruct('*semver.Version', new Map(), {
    Major: new GoFunc([], () => u(v.major)),
    Minor: new GoFunc([], () => u(v.minor)),
    Patch: new GoFunc([], () => u(v.patch)),
    Prerelease: new GoFunc([], () => v.pre),
    Metadata: new GoFunc([], () => v.metadata),
    Original: new GoFunc([], () => v.original),
    String: new GoFunc([], () => versionString(v)),
    Compare: new GoFunc(['any'], (o: unknown) => {
      const ov = (o as { [VERSION]?: Version })[VERSION];
      if (ov === undefined) throw new Error('wrong type');
      return BigInt(compareVersions(v, ov));
    }),
  });
}

/** The Version behind a versionValue. */
export const VERSION: unique symbol = Symbol('semver.Version');
