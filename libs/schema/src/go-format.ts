/**
 * Go fmt look-alikes (%q, %v, %#v) so that messages are byte-identical to the kube-apiserver's.
 * Hand-written: no npm library reproduces Go's fmt verbs.
 */
import type { FieldError, FieldErrorType } from './types.ts';

const INT64_LIMIT = 2 ** 63;

/** Whether a JS number is what Go's JSON decoder (apimachinery) would have produced as an int64. */
export function isJsonInteger(v: number): boolean {
  return Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x80) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp === 0xfffd || (cp >= 0xd800 && cp <= 0xdfff)) {
      // lone surrogates cannot be UTF-8 encoded; Go would see U+FFFD
      out += '\\ufffd';
    } else if (cp < 0x10000) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}

/**
 * Go's %v for a float64: strconv 'g' with the shortest precision, exponent form when the decimal exponent
 * is < -4 or >= 6 (`1e+06`, `1.5`). `%#v` uses 21 as the upper threshold (pass `sharpV`).
 */
export function goFloat(v: number, sharpV = false): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // shortest round-trip digits
  const exp = v.toExponential(); // e.g. "1.2345e+6"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (!m) return String(v);
  const sign = m[1] ?? '';
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const e = Number(m[4]);
  if (e < -4 || e >= (sharpV ? 21 : 6)) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const es = Math.abs(e) < 10 ? `0${Math.abs(e)}` : `${Math.abs(e)}`;
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${es}`;
  }
  if (e >= digits.length - 1) return sign + digits + '0'.repeat(e - digits.length + 1);
  if (e >= 0) return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
}

/** Go's %v of a JSON number as apimachinery decodes it (int64 when integral, else float64). */
export function goNumber(v: number | bigint, sharpV = false): string {
  if (typeof v === 'bigint') return v.toString();
  if (isJsonInteger(v)) return BigInt(v).toString();
  return goFloat(v, sharpV);
}

/** Go's %#v of an unstructured JSON value (map[string]interface {}, []interface {}, …). */
export function goSharpV(v: unknown, nested = false): string {
  if (v === null || v === undefined) return nested ? 'interface {}(nil)' : '<nil>';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'bigint') return goNumber(v, true);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goSharpV(x, true)).join(', ')}}`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    const rec = v as Record<string, unknown>;
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(rec[k], true)}`).join(', ')}}`;
  }
  return String(v);
}

const TYPE_STRINGS: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueDuplicate: 'Duplicate value',
};

/** field.Error.ErrorBody(): the message without the field name. */
export function formatFieldErrorBody(e: FieldError): string {
  const t = TYPE_STRINGS[e.type] ?? String(e.type);
  let s: string;
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'FieldValueTooLong') {
    s = t;
  } else {
    const v = e.badValue;
    if (v === null || v === undefined) s = `${t}: "null"`;
    else if (typeof v === 'string') s = `${t}: ${goQuote(v)}`;
    else if (typeof v === 'number' || typeof v === 'bigint') s = `${t}: ${goNumber(v)}`;
    else if (typeof v === 'boolean') s = `${t}: ${String(v)}`;
    else s = `${t}: ${goSharpV(v)}`;
  }
  if (e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

/** Formats a field error exactly as Go's field.Error.Error(). */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${formatFieldErrorBody(e)}`;
}
