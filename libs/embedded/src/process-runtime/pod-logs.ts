/**
 * A pod's log as `kubectl logs` gets it through the API server's `pods/log`: a byte range of the pod's log file
 * (the current container's output, or the previous container's), its last lines, and with `follow` what is
 * appended until the container stops. Hand-written (a stat poll and a read): the tail packages on npm watch
 * whole files and know nothing of the per-container ranges.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';

/** Where to read and how long to follow. */
export interface LogRange {
  start: number;
  /** End offset (exclusive); undefined: the end of the file now, and beyond it with `follow`. */
  end?: number | undefined;
  /** Only the last lines of the range. */
  tailLines?: number | undefined;
  /** While it answers true, new bytes are streamed as they come (the container still runs). */
  follow?: (() => boolean) | undefined;
  /** Poll period of `follow` (default 200 ms). */
  pollMs?: number;
}

/** The most read at once (the tail of a bigger range starts this far from its end). */
const MAX_READ = 16 * 1024 * 1024;

function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, end - start));
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, start + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** The offset where the last `lines` lines of `buf` start (a final newline ends the last line). */
function tailStart(buf: Buffer, lines: number): number {
  if (lines <= 0) return buf.length;
  let i = buf.length - (buf[buf.length - 1] === 0x0a ? 1 : 0);
  for (let seen = 0; i > 0; i--) {
    if (buf[i - 1] === 0x0a && ++seen === lines) return i;
  }
  return 0;
}

/** A stream of the log file's range (see {@link LogRange}); undefined when the file does not exist. */
export function logStream(file: string, range: LogRange): Readable | undefined {
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  const poll: { timer?: NodeJS.Timeout } = {};
  const stream = new Readable({
    read() {},
    destroy(err, cb) {
      clearInterval(poll.timer);
      closeSync(fd);
      cb(err);
    },
  });
  const size = fstatSync(fd).size;
  const end = Math.min(range.end ?? size, size);
  let first = readRange(fd, Math.max(range.start, end - MAX_READ), end);
  if (range.tailLines !== undefined) first = first.subarray(tailStart(first, range.tailLines));
  if (first.length > 0) stream.push(first);
  let pos = end;
  const follow = range.end === undefined ? range.follow : undefined;
  if (!follow) {
    stream.push(null);
    return stream;
  }
  const timer = setInterval(() => {
    const live = follow();
    const now = fstatSync(fd).size;
    if (now > pos) {
      stream.push(readRange(fd, pos, now));
      pos = now;
    }
    if (!live) {
      clearInterval(timer);
      stream.push(null);
    }
  }, range.pollMs ?? 200);
  timer.unref();
  poll.timer = timer;
  return stream;
}
