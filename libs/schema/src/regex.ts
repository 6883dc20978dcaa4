/**
 * `pattern` matching with Go regexp (RE2) semantics. The apiserver compiles patterns with Go's regexp package;
 * @bufbuild/re2 is an RE2 port, so `\s`, `.`, `(?i)`, `\z`, `[[:alpha:]]`, `\pL` behave as in Go and matching
 * is linear-time (no ReDoS), which a JS RegExp translation could not guarantee.
 */
import { RE2JS } from '@bufbuild/re2';

/** A compiled pattern, or the Go-style compile error when RE2 rejects it. */
export type CompiledPattern =
  { readonly ok: true; readonly re: RE2JS } | { readonly ok: false; readonly error: string };

/** Compiles a Go RE2 pattern; never throws. */
export function compilePattern(pattern: string): CompiledPattern {
  try {
    return { ok: true, re: RE2JS.compile(pattern) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, error: msg.startsWith('error parsing regexp') ? msg : `error parsing regexp: ${msg}` };
  }
}
