// Process timing, peak RSS and summary statistics shared by the scenarios.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** GNU time (Debian package `time`); when present it reports each child's peak RSS. */
export const GNU_TIME = '/usr/bin/time';

/** One finished child process. */
export interface ProcessRun {
  /** Wall time from spawn to exit, milliseconds. */
  ms: number;
  /** Peak RSS in KiB reported by GNU time (`ru_maxrss` of the child and its waited-for descendants), if installed. */
  maxRssKb: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Do not run under GNU time even if installed (pure wall time). */
  noRss?: boolean;
}

const RSS_LINE = /^\s*Maximum resident set size \(kbytes\): (\d+)\s*$/m;
const TIME_MARKER = '\tCommand being timed:';

/**
 * Runs a command to completion and measures its wall time; under GNU time (`-v`) when installed, whose report is
 * cut from stderr and parsed for the peak RSS.
 */
export function timedSpawn(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<ProcessRun> {
  const useTime = !opts.noRss && existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-v', cmd, ...args]] : [cmd, [...args]];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      let stderr = Buffer.concat(err).toString('utf8');
      let maxRssKb: number | null = null;
      if (useTime) {
        const at = stderr.lastIndexOf(TIME_MARKER);
        const report = at >= 0 ? stderr.slice(at) : '';
        const m = RSS_LINE.exec(report);
        if (m?.[1]) maxRssKb = Number(m[1]);
        if (at >= 0) stderr = stderr.slice(0, at).replace(/Command exited with non-zero status \d+\n$/, '');
      }
      resolve({ ms, maxRssKb, code, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/** Like {@link timedSpawn}, but throws when the command fails. */
export async function timedSpawnOk(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<ProcessRun> {
  const r = await timedSpawn(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim().slice(-2000)}`);
  return r;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of the values that are not null, or null when none is. */
export function medianOrNull(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? median(v) : null;
}

/** Maximum of the values that are not null, or null when none is. */
export function maxOrNull(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
}

/** a / b rounded to 2 decimals, null if either is missing. */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

export const fmtMs = (ms: number | null): string => (ms === null ? '-' : ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
export const fmtMb = (kb: number | null): string => (kb === null ? '-' : (kb / 1024).toFixed(1));
export const fmtRatio = (r: number | null): string => (r === null ? '-' : `${r.toFixed(2)}x`);

/** A plain fixed-width table: first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** A small deterministic PRNG (mulberry32) so generated inputs are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
