/**
 * The content hash of a staged artifact (source-watcher `internal/builder/dirhash.go` on golang.org/x/mod
 * `dirhash.HashDir`): the sorted list of `<prefix>/<path>` of every file, each line `<adler32 hex>  <name>\n`, hashed
 * again with Adler-32 and printed in decimal. It names the artifact file (`<hash>.tar.gz`), so the same content
 * always lands in the same file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ADLER_MOD = 65521;

// node:zlib exposes crc32 but not Adler-32; the checksum is eight lines (RFC 1950), so it is written here.
/** Adler-32 of `data`, continuing from `prev` (1 for a fresh checksum). */
export function adler32(data: Uint8Array, prev = 1): number {
  let a = prev & 0xffff;
  let b = (prev >>> 16) & 0xffff;
  for (let i = 0; i < data.length;) {
    // reduce every 3800 bytes, as zlib does every NMAX bytes, so the sums stay small integers
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i] ?? 0;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * upstream `DirHash`: `files` sorted byte-wise, each read with `open`, one `<adler32 hex>  <name>\n` line per file,
 * the Adler-32 of those lines in decimal.
 * @throws Error for a file name with a newline, as upstream
 */
export function dirHash(files: readonly string[], open: (name: string) => Uint8Array): string {
  const sorted = [...files].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  let h = 1;
  for (const file of sorted) {
    if (file.includes('\n')) throw new Error('filenames with newlines are not supported');
    const line = `${adler32(open(file)).toString(16)}  ${file}\n`;
    h = adler32(Buffer.from(line), h);
  }
  return String(h);
}

/** The regular files below `dir` as `<prefix>/<relative path>` (x/mod `dirhash.DirFiles`). */
export function dirFiles(dir: string, prefix: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(abs, e.name), childRel);
      else out.push(`${prefix}/${childRel}`);
    }
  };
  walk(dir, '');
  return out;
}

/** x/mod `dirhash.HashDir(dir, prefix, DirHash)`: the content hash of the tree at `dir`. */
export function hashDir(dir: string, prefix: string): string {
  const files = dirFiles(dir, prefix);
  return dirHash(files, (name) => readFileSync(join(dir, name.slice(prefix.length + 1))));
}
