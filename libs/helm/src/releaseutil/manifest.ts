// helm 3.18.0's pkg/releaseutil/manifest.go: splitting a rendered file into YAML documents, the `manifest-%d` keys
// and their order, and the SimpleHead (apiVersion, kind, metadata.name, metadata.annotations) read from each.

/** Go's unicode.IsSpace (what strings.TrimSpace trims): ASCII space, \t \n \v \f \r, U+0085, U+00A0, Unicode Zs/Zl/Zp. */
function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Go's strings.TrimSpace (unlike String.prototype.trim it keeps U+FEFF and trims U+0085). */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * The document separator of SplitManifests, `(?:^|\s*\n)---\s*` in RE2 syntax: `\s` is `[\t\n\f\r ]` there and
 * `^` is the start of the text.
 */
const SEP = /(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*/g;

/**
 * releaseutil.SplitManifests as a list: the documents of a rendered file in file order (the map's `manifest-%d`
 * keys are their indexes), each trimmed with Go's TrimSpace, empty ones dropped.
 */
export function splitManifestList(bigFile: string): string[] {
  const docs = goTrimSpace(bigFile).split(SEP);
  const out: string[] = [];
  for (const d of docs) {
    if (d === '') continue;
    out.push(goTrimSpace(d));
  }
  return out;
}

/** releaseutil.SplitManifests: `manifest-0`, `manifest-1`, … → document (a Map in key order). */
export function splitManifests(bigFile: string): Map<string, string> {
  const res = new Map<string, string>();
  splitManifestList(bigFile).forEach((d, i) => res.set(`manifest-${i}`, d));
  return res;
}

/** releaseutil.BySplitManifestsOrder: compares `manifest-%d` keys by their number (Go's ParseInt, 0 on error). */
export function bySplitManifestsOrder(a: string, b: string): number {
  const num = (k: string): number => {
    const s = k.slice('manifest-'.length);
    return /^[+-]?\d+$/.test(s) ? Number(s) : 0;
  };
  return num(a) - num(b);
}
