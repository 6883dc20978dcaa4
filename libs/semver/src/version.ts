// Masterminds/semver v3.3.0 versions (the release Helm 3.18 and Flux build with): NewVersion (lenient: `v` prefix,
// missing minor/patch, leading zeros in the numbers), StrictNewVersion, String and Compare, with Go's error texts.

/** A parsed version (`*semver.Version`); the numbers are uint64, hence bigint. */
export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Prerelease without the `-` (`rc.1`), `''` when none. */
  pre: string;
  /** Build metadata without the `+`, `''` when none; ignored by comparisons. */
  metadata: string;
  /** The text that was parsed. */
  original: string;
}

/** ErrInvalidSemVer. */
export const ERR_INVALID_SEMVER = 'Invalid Semantic Version';
/** ErrEmptyString. */
export const ERR_EMPTY_STRING = 'Version string empty';
/** ErrInvalidCharacters. */
export const ERR_INVALID_CHARACTERS = 'Invalid characters in version';
/** ErrSegmentStartsZero. */
export const ERR_SEGMENT_STARTS_ZERO = 'Version segment starts with 0';
/** ErrInvalidMetadata. */
export const ERR_INVALID_METADATA = 'Invalid Metadata string';
/** ErrInvalidPrerelease. */
export const ERR_INVALID_PRERELEASE = 'Invalid Prerelease string';

// looseSemVerRegex, anchored.
const LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

const U64 = (1n << 64n) - 1n;
const NUM = /^[0-9]*$/;
const ALLOWED = /^[0-9A-Za-z-]*$/;

/** strconv.ParseUint(s, 10, 64) with Go's error text. */
function parseUint(s: string): bigint {
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > U64) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
}

function segment(s: string): bigint {
  try {
    return parseUint(s);
  } catch (e) {
    throw new Error(`Error parsing version segment: ${(e as Error).message}`, { cause: e });
  }
}

function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new Error(ERR_SEGMENT_STARTS_ZERO);
    } else if (!ALLOWED.test(part)) throw new Error(ERR_INVALID_PRERELEASE);
  }
}

function validateMetadata(m: string): void {
  for (const part of m.split('.')) if (!ALLOWED.test(part)) throw new Error(ERR_INVALID_METADATA);
}

/**
 * semver.NewVersion: `v` prefix allowed, minor and patch default to 0, leading zeros in the numbers accepted
 * (`01.2` is 1.2.0); a numeric prerelease identifier must not start with 0. Throws Masterminds' errors.
 */
export function newVersion(v: string): Version {
  const m = LOOSE.exec(v);
  if (!m) throw new Error(ERR_INVALID_SEMVER);
  const sv: Version = {
    major: segment(m[1] ?? ''),
    minor: m[2] ? segment(m[2].slice(1)) : 0n,
    patch: m[3] ? segment(m[3].slice(1)) : 0n,
    pre: m[5] ?? '',
    metadata: m[8] ?? '',
    original: v,
  };
  if (sv.pre !== '') validatePrerelease(sv.pre);
  if (sv.metadata !== '') validateMetadata(sv.metadata);
  return sv;
}

/** semver.StrictNewVersion: exactly `X.Y.Z[-pre][+meta]`, no `v`, no leading zeros. Throws Masterminds' errors. */
export function strictNewVersion(v: string): Version {
  if (v.length === 0) throw new Error(ERR_EMPTY_STRING);
  const first = v.indexOf('.');
  const second = first < 0 ? -1 : v.indexOf('.', first + 1);
  if (second < 0) throw new Error(ERR_INVALID_SEMVER);
  const parts = [v.slice(0, first), v.slice(first + 1, second), v.slice(second + 1)];
  let metadata = '';
  let pre = '';
  let rest = parts[2] ?? '';
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    metadata = rest.slice(plus + 1);
    rest = rest.slice(0, plus);
    validateMetadata(metadata);
  }
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    pre = rest.slice(dash + 1);
    rest = rest.slice(0, dash);
    validatePrerelease(pre);
  }
  parts[2] = rest;
  for (const p of parts) {
    if (!NUM.test(p)) throw new Error(ERR_INVALID_CHARACTERS);
    if (p.length > 1 && p[0] === '0') throw new Error(ERR_SEGMENT_STARTS_ZERO);
  }
  const [major, minor, patch] = parts.map(parseUint) as [bigint, bigint, bigint];
  return { major, minor, patch, pre, metadata, original: v };
}

/** Version.String: `X.Y.Z[-pre][+meta]`, without the `v` of the original. */
export function versionString(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre) s += '-' + v.pre;
  if (v.metadata) s += '+' + v.metadata;
  return s;
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

// strconv.ParseUint(s, 10, 64) == nil, as comparePrePart tests it.
function isUint(s: string): boolean {
  return /^[0-9]+$/.test(s) && BigInt(s) <= U64;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  // A missing identifier sorts first (1.0.0-alpha < 1.0.0-alpha.beta).
  if (s === '') return -1;
  if (o === '') return 1;
  const sn = isUint(s);
  const on = isUint(o);
  if (!sn && !on) return s > o ? 1 : -1;
  if (!sn) return 1;
  if (!on) return -1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

/** comparePrerelease: identifier by identifier, numbers numerically and below alphanumerics. */
export function comparePrerelease(v: string, o: string): number {
  const a = v.split('.');
  const b = o.split('.');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = comparePrePart(a[i] ?? '', b[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** Version.Compare: -1, 0 or 1; a prerelease sorts before its release, build metadata is ignored. */
export function compareVersions(v: Version, o: Version): number {
  const d = cmp(v.major, o.major) || cmp(v.minor, o.minor) || cmp(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  return comparePrerelease(v.pre, o.pre);
}
