/** Nanoseconds per Go duration unit (time.ParseDuration accepts both micro signs). */
const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek small letter mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** One past the largest duration Go can represent (math.MaxInt64 ns is not exactly representable as a double). */
const OVERFLOW_NS = 2 ** 63;

/**
 * Parses a Go duration string (`750ms`, `1m30s`, `1.5h`, `-2s`, `0`) the way Go's
 * `time.ParseDuration` does and returns it in milliseconds (fractional for sub-millisecond units).
 * Throws an Error whose message matches Go's (`time: invalid duration "x"`) so callers can prefix the flag name.
 */
export function parseGoDuration(input: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${JSON.stringify(input)}`);
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();

  let totalNs = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s);
    const intPart = num?.[1] ?? '';
    const fracPart = num?.[2] ?? '';
    if (intPart === '' && fracPart === '') throw invalid();
    s = s.slice(num?.[0].length ?? 0);

    const unitMatch = /^[^\d.]*/.exec(s);
    const unit = unitMatch?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${JSON.stringify(input)}`);
    const scale = UNIT_NS[unit];
    if (scale === undefined) {
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(input)}`);
    }
    s = s.slice(unit.length);

    const value = Number(`${intPart === '' ? '0' : intPart}.${fracPart === '' ? '0' : fracPart}`);
    totalNs += value * scale;
    if (!Number.isFinite(totalNs) || totalNs >= OVERFLOW_NS) throw invalid();
  }
  const ms = totalNs / 1e6;
  return negative ? -ms : ms;
}

/** Trims trailing zeros of a fixed-point fraction (`1.500` → `1.5`, `2.000` → `2`). */
function trimFraction(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/**
 * Formats milliseconds as Go's `time.Duration.String()` does (`750ms`, `30s`, `15m0s`, `1h0m0s`, `0s`),
 * which is how pflag prints duration defaults in `--help`.
 */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${trimFraction((ns / 1e3).toFixed(3))}µs`;
  if (ns < 1e9) return `${sign}${trimFraction((ns / 1e6).toFixed(6))}ms`;
  const hours = Math.floor(ns / 3600e9);
  ns -= hours * 3600e9;
  const minutes = Math.floor(ns / 60e9);
  ns -= minutes * 60e9;
  const seconds = `${trimFraction((ns / 1e9).toFixed(9))}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
