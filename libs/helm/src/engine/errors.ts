// How Helm's engine (pkg/engine) reports template errors.

/**
 * Helm's cleanupParseError: keeps the location and the last ": "-separated part of Go's parse error,
 * `parse error at (NAME:LINE): MSG`.
 */
export function cleanupParseError(filename: string, message: string): string {
  const tokens = message.split(': ');
  if (tokens.length === 1) return `parse error in (${filename}): ${message}`;
  const location = tokens[1] ?? '';
  const errMsg = tokens[tokens.length - 1] ?? '';
  return `parse error at (${location}): ${errMsg}`;
}
