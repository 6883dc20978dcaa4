// Chart archives (.tgz): gzip + tar (ustar, GNU long names, PAX paths), read as helm's LoadArchiveFiles does, with
// its path checks and size limits.
import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';
import type { ChartFile } from './chart.ts';
import { cleanPath } from '../go-path.ts';

/** loader.MaxDecompressedChartSize (100 MiB). */
export const MAX_DECOMPRESSED_CHART_SIZE = 100 * 1024 * 1024;
/** loader.MaxDecompressedFileSize (5 MiB). */
export const MAX_DECOMPRESSED_FILE_SIZE = 5 * 1024 * 1024;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** bytes.TrimPrefix(data, utf8bom). */
export function trimBom(b: Buffer): Buffer {
  return b.subarray(0, 3).equals(UTF8_BOM) ? b.subarray(3) : b;
}

interface TarEntry {
  name: string;
  type: string;
  size: number;
  data: Buffer;
}

function cstr(b: Buffer): string {
  const i = b.indexOf(0);
  return b.subarray(0, i < 0 ? b.length : i).toString('utf8');
}

function octal(b: Buffer): number {
  if ((b[0] ?? 0) & 0x80) {
    let n = 0;
    for (let i = 1; i < b.length; i++) n = n * 256 + (b[i] ?? 0);
    return n;
  }
  const s = cstr(b).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function paxPath(data: Buffer): string | undefined {
  let s = data.toString('utf8');
  let path: string | undefined;
  while (s.length > 0) {
    const sp = s.indexOf(' ');
    const len = parseInt(s.slice(0, sp), 10);
    if (!(len > 0)) break;
    const rec = Buffer.from(s).subarray(0, len).toString('utf8');
    const kv = rec.slice(sp + 1, -1);
    const eq = kv.indexOf('=');
    if (kv.slice(0, eq) === 'path') path = kv.slice(eq + 1);
    s = Buffer.from(s).subarray(len).toString('utf8');
  }
  return path;
}

function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    let name = cstr(h.subarray(0, 100));
    const size = octal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 0x30);
    const magic = h.subarray(257, 263).toString('latin1');
    if (magic.startsWith('ustar')) {
      const prefix = cstr(h.subarray(345, 500));
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    const data = buf.subarray(off + 512, off + 512 + size);
    if (data.length < size) throw new Error('unexpected EOF');
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(data);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      out.push({ name, type, size, data });
      continue;
    }
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    out.push({ name, type, size, data });
  }
  return out;
}

/** loader.LoadArchiveFiles: the chart's files with the top directory removed. */
export function loadArchiveFiles(tgz: Buffer): ChartFile[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: MAX_DECOMPRESSED_CHART_SIZE + 1024 * 1024 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`decompressed chart is larger than the maximum size ${MAX_DECOMPRESSED_CHART_SIZE}`, {
        cause: e,
      });
    }
    throw new Error('gzip: invalid header', { cause: e });
  }
  const files: ChartFile[] = [];
  let remaining = MAX_DECOMPRESSED_CHART_SIZE;
  for (const e of readTar(tar)) {
    if (e.type === '5' || e.type === 'x' || e.type === 'g') continue;
    const delim = e.name.includes('\\') ? '\\' : '/';
    const parts = e.name.split(delim);
    let n = parts.slice(1).join(delim).split(delim).join('/');
    if (n.startsWith('/')) throw new Error('chart illegally contains absolute paths');
    n = cleanPath(n);
    if (n === '.')
      throw new Error(`chart illegally contains content outside the base directory: ${JSON.stringify(e.name)}`);
    if (n.startsWith('..')) throw new Error('chart illegally references parent directory');
    if (/^[a-zA-Z]:\//.test(n)) throw new Error('chart contains illegally named files');
    if (parts[0] === 'Chart.yaml') throw new Error('chart yaml not in base directory');
    if (e.size > remaining) {
      throw new Error(`decompressed chart is larger than the maximum size ${MAX_DECOMPRESSED_CHART_SIZE}`);
    }
    if (e.size > MAX_DECOMPRESSED_FILE_SIZE) {
      throw new Error(
        `decompressed chart file ${JSON.stringify(e.name)} is larger than the maximum file size ${MAX_DECOMPRESSED_FILE_SIZE}`,
      );
    }
    remaining -= e.size;
    if (remaining <= 0) {
      throw new Error(`decompressed chart is larger than the maximum size ${MAX_DECOMPRESSED_CHART_SIZE}`);
    }
    files.push({ name: n, data: trimBom(Buffer.from(e.data)) });
  }
  if (files.length === 0) throw new Error('no files in chart archive');
  return files;
}

/** chartutil.Save's gzip header: this FEXTRA payload and the comment `Helm`. */
const HELM_GZIP_EXTRA = Buffer.from('+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=');

/**
 * Writes a chart .tgz of files under a top directory as chartutil.Save does (Go's archive/tar: ustar, a prefix
 * split or a PAX `path` record for long names; mode 0644; gzip with Helm's header), deterministically: mtime 0.
 */
export function writeArchive(top: string, files: readonly ChartFile[]): Buffer {
  const blocks: Buffer[] = [];
  const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);
  for (const f of files) {
    const name = `${top}/${f.name}`;
    const split = splitUstarPath(name);
    if (Buffer.byteLength(name) <= 100 && isAscii(name)) blocks.push(header(name, '', f.data.length, '0'));
    else if (split) blocks.push(header(split[1], split[0], f.data.length, '0'));
    else {
      const pax = paxRecord('path', name);
      const slash = name.lastIndexOf('/');
      const paxName = `${name.slice(0, slash + 1)}PaxHeaders.0/${name.slice(slash + 1)}`;
      blocks.push(header(asciiPrefix(paxName), '', pax.length, 'x'), pax, pad(pax.length));
      blocks.push(header(asciiPrefix(name), '', f.data.length, '0'));
    }
    blocks.push(f.data, pad(f.data.length));
  }
  blocks.push(Buffer.alloc(1024));
  return helmGzip(Buffer.concat(blocks));
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** toASCII, cut to the 100 bytes of the name field. */
function asciiPrefix(s: string): string {
  return [...s]
    .filter((c) => (c.codePointAt(0) ?? 0) <= 0x7f)
    .join('')
    .slice(0, 100);
}

/** archive/tar's splitUSTARPath: [prefix, suffix] when the name fits the ustar prefix and name fields. */
function splitUstarPath(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= 100 || !isAscii(name)) return undefined;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.slice(0, length).lastIndexOf('/');
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > 100 || nlen === 0 || i > 155) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** One PAX record, `<len> key=value\n` (the length counts itself). */
function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.byteLength(` ${key}=${value}\n`);
  let len = body + String(body).length;
  if (String(len).length > String(body).length) len = body + String(len).length;
  return Buffer.from(`${len} ${key}=${value}\n`);
}

/** compress/gzip with chartutil.Save's header (FEXTRA + FCOMMENT, mtime 0, OS 255). */
function helmGzip(data: Buffer): Buffer {
  const head = Buffer.from([0x1f, 0x8b, 8, 0x04 | 0x10, 0, 0, 0, 0, 0, 0xff]);
  const xlen = Buffer.alloc(2);
  xlen.writeUInt16LE(HELM_GZIP_EXTRA.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([head, xlen, HELM_GZIP_EXTRA, Buffer.from('Helm\0', 'latin1'), deflateRawSync(data), trailer]);
}

function header(name: string, prefix: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\x0000', 257, 'latin1');
  if (prefix !== '') h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
