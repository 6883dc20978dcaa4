// Masterminds/semver v3.3.0 constraints: `||` OR groups of AND constraints (space or comma), the operators
// `=` `!=` `>` `<` `>=` `=>` `<=` `=<` `~` `~>` `^`, `x`/`X`/`*` wildcards and missing parts, hyphen ranges
// (`1.2 - 1.4.5`), and v3.3.0's prerelease rule: a version with a prerelease meets a constraint only when that
// constraint's own version has a prerelease (`!=` without wildcards excepted). Errors are Masterminds'
// (`improper constraint: …`).
import { comparePrerelease, compareVersions, newVersion, type Version } from './version.ts';

/** One parsed constraint of an AND group. */
export interface Constraint {
  /** The version compared against (wildcards and missing parts zeroed). */
  con: Version;
  /** The version text as written (`1.x`). */
  orig: string;
  /** The operator as written (`''`, `>=`, `~>`, …). */
  op: string;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

/** `*semver.Constraints`: OR groups of AND constraints. */
export interface Constraints {
  groups: Constraint[][];
}

const CV =
  'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
// Go's \s is [\t\n\f\r ].
const S = '[\\t\\n\\f\\r ]';
const constraintRe = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const rangeRe = new RegExp(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`, 'g');
const findRe = new RegExp(`(${OPS})${S}*(${CV})`, 'g');
const validRe = new RegExp(`^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`);
const isX = (x: string): boolean => x === 'x' || x === 'X' || x === '*';

// Go's regexp is leftmost-first like JavaScript's, so the alternation order of OPS picks the same operator.
function rewriteRange(c: string): string {
  let o = c;
  for (const m of c.matchAll(rangeRe)) o = o.replace(m[0], () => `>= ${m[1]}, <= ${m[11]} `);
  return o;
}

function parseOne(c: string): Constraint {
  if (c.length === 0) {
    return { con: newVersion('0.0.0'), orig: c, op: '', minorDirty: false, patchDirty: false, dirty: true };
  }
  const m = constraintRe.exec(c);
  if (!m) throw new Error(`improper constraint: ${c}`);
  const [, op = '', orig = '', m3 = '', m4 = '', m5 = '', m6 = ''] = m;
  let ver = orig;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(m3) || m3 === '') {
    ver = `0.0.0${m6}`;
    dirty = true;
  } else if (isX(m4.replace(/^\./, '')) || m4 === '') {
    minorDirty = true;
    dirty = true;
    ver = `${m3}.0.0${m6}`;
  } else if (isX(m5.replace(/^\./, '')) || m5 === '') {
    dirty = true;
    patchDirty = true;
    ver = `${m3}${m4}.0${m6}`;
  }
  let con: Version;
  try {
    con = newVersion(ver);
  } catch {
    throw new Error('constraint Parser Error');
  }
  return { con, orig, op, minorDirty, patchDirty, dirty };
}

/** semver.NewConstraint. Throws `improper constraint: <group>` (or `constraint Parser Error`). */
export function newConstraint(c: string): Constraints {
  const groups: Constraint[][] = [];
  for (const v of rewriteRange(c).split('||')) {
    if (!validRe.test(v)) throw new Error(`improper constraint: ${v}`);
    let cs = [...v.matchAll(findRe)].map((m) => m[0]);
    if (cs.length === 0) cs = [v];
    groups.push(cs.map(parseOne));
  }
  return { groups };
}

function tilde(v: Version, c: Constraint): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  return v.minor === c.con.minor || c.minorDirty;
}

// "If there is a pre-release on the version but the constraint isn't looking for them assume that pre-releases are
// not compatible" (issue 21): every operator but a `!=` without wildcards.
function check(v: Version, c: Constraint): boolean {
  if (v.pre !== '' && c.con.pre === '' && (c.op !== '!=' || c.dirty)) return false;
  const d = (): number => compareVersions(v, c.con);
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : d() === 0;
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
      return d() !== 0;
    case '>':
      if (!c.dirty) return d() === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return d() === 1;
    case '<':
      return d() < 0;
    case '>=':
    case '=>':
      return d() >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return d() <= 0;
      if (v.major > c.con.major) return false;
      return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      if (d() < 0) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (v.minor > 0n) return false;
      return c.con.patch === v.patch;
    default:
      return false;
  }
}

/** Constraints.Check: some OR group whose every constraint the version meets. */
export function checkConstraint(cs: Constraints, v: Version): boolean {
  return cs.groups.some((g) => g.every((c) => check(v, c)));
}

/** Constraint.string: operator and version as written. */
export function constraintsString(cs: Constraints): string {
  return cs.groups.map((g) => g.map((c) => c.op + c.orig).join(' ')).join(' || ');
}
