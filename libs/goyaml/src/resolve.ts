// go-yaml's resolve.go: what a plain (unquoted) scalar means. go-yaml uses the one function both ways: its decoder
// reads a plain scalar back as null, bool, int, float or timestamp through it, and its encoder writes a string
// plain only if it resolves to a string (and is no base 60 float). The rules are go-yaml v2's (YAML 1.1 booleans,
// 0x/0o/0b and leading-0 octal integers, `_` separators, timestamps), the ones sigs.k8s.io/yaml runs.

/** What a plain scalar resolves to: its tag and, for null, bool, int and float, its value. */
export type Resolved =
  | { tag: 'null'; value: null }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: bigint }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp'; value: string }
  | { tag: 'str'; value: string };

const NULL = /^(?:|~|null|Null|NULL)$/;
const TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;
const INF = /^[-+]?\.(?:inf|Inf|INF)$/;
/** go-yaml's yamlStyleFloat, tried on the text without `_`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What strconv.ParseFloat accepts of a text that starts with '.': `_` only between digits. */
const DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;
const BASE_60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

const inRange = (n: bigint, signed: boolean): boolean =>
  signed ? n >= INT64_MIN && n <= INT64_MAX : n >= 0n && n <= UINT64_MAX;

/** strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64) of a text without `_`; undefined on any error. */
function parseIntBase0(s: string, signed: boolean): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null || (!signed && m[1] !== '')) return undefined;
  let body = (m[2] as string).toLowerCase();
  if (/^0[0-7]+$/.test(body)) body = '0o' + body.slice(1);
  const n = m[1] === '-' ? -BigInt(body) : BigInt(body);
  return inRange(n, signed) ? n : undefined;
}

/** strconv.ParseInt(s, 2, 64) (signed) or ParseUint(s, 2, 64); undefined on any error. */
function parseBinary(s: string, signed: boolean): bigint | undefined {
  const m = /^([-+]?)([01]+)$/.exec(s);
  if (m === null || (!signed && m[1] !== '')) return undefined;
  const n = BigInt('0b' + (m[2] as string));
  const v = m[1] === '-' ? -n : n;
  return inRange(v, signed) ? v : undefined;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] ?? 0);
}

/** go-yaml's parseTimestamp: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00` (also `t`), `2006-1-2 15:4:5.9…`. */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
    s,
  );
  if (m === null) return false;
  if (!validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (m[4] === undefined) return true;
  if (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59) return false;
  const zone = m[8];
  if (m[4] === ' ') return zone === undefined;
  if (zone === undefined) return false;
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return false;
  return true;
}

const float = (text: string, s: string): Resolved => {
  const f = Number(text);
  return Number.isFinite(f) ? { tag: 'float', value: f } : { tag: 'str', value: s };
};

/** go-yaml's resolve("", s): the tag and value of the plain scalar s. */
export function resolve(s: string): Resolved {
  if (NULL.test(s)) return { tag: 'null', value: null };
  if (TRUE.test(s)) return { tag: 'bool', value: true };
  if (FALSE.test(s)) return { tag: 'bool', value: false };
  if (NAN.test(s)) return { tag: 'float', value: NaN };
  if (INF.test(s)) return { tag: 'float', value: s.startsWith('-') ? -Infinity : Infinity };
  const c = s.charAt(0);
  // A '.' is tried as strconv.ParseFloat(s); a sign or digit as a timestamp, an int, a uint, a float, a 0b int.
  if (c === '.') return DOT_FLOAT.test(s) ? float(s.replaceAll('_', ''), s) : { tag: 'str', value: s };
  if (!/^[-+0-9]$/.test(c)) return { tag: 'str', value: s };
  if (isTimestamp(s)) return { tag: 'timestamp', value: s };
  const plain = s.replaceAll('_', '');
  const i = parseIntBase0(plain, true) ?? parseIntBase0(plain, false);
  if (i !== undefined) return { tag: 'int', value: i };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = float(plain, s);
    if (f.tag === 'float') return f;
  }
  let b: bigint | undefined;
  if (plain.startsWith('0b')) b = parseBinary(plain.slice(2), true) ?? parseBinary(plain.slice(2), false);
  else if (plain.startsWith('-0b')) b = parseBinary('-' + plain.slice(3), true);
  return b === undefined ? { tag: 'str', value: s } : { tag: 'int', value: b };
}

/** go-yaml's isBase60Float: a YAML 1.1 sexagesimal number such as `12:30`, which the encoder keeps quoting. */
export function isBase60Float(s: string): boolean {
  return BASE_60_FLOAT.test(s);
}
