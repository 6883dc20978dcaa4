import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger, until } from '@flux-ts/testing';
import { OomWatcher, formatSize } from './oomwatch.ts';

const MiB = 1024 * 1024;

describe('OomWatcher (cgroup v2 files)', () => {
  let dir: string;
  const max = () => join(dir, 'memory.max');
  const current = () => join(dir, 'memory.current');
  const watcher = (threshold = 95, logger = capturedLogger().logger) =>
    OomWatcher.create({
      memoryMaxPath: max(),
      memoryCurrentPath: current(),
      memoryUsagePercentThreshold: threshold,
      intervalMs: 5,
      logger,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oomwatch-'));
    await writeFile(max(), `${1000 * MiB}\n`);
    await writeFile(current(), `${500 * MiB}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a threshold out of range, a missing usage file and an unlimited cgroup, as upstream', async () => {
    await expect(watcher(0)).rejects.toThrow('memory usage percent threshold must be between 1 and 100, got 0.000000');
    await expect(
      OomWatcher.create({
        memoryMaxPath: max(),
        memoryCurrentPath: join(dir, 'absent'),
        memoryUsagePercentThreshold: 95,
        intervalMs: 5,
        logger: capturedLogger().logger,
      }),
    ).rejects.toThrow(`failed to stat "${join(dir, 'absent')}"`);
    const unlimited = join(dir, 'unlimited.max');
    await writeFile(unlimited, 'max\n');
    await expect(
      OomWatcher.create({
        memoryMaxPath: unlimited,
        memoryCurrentPath: current(),
        memoryUsagePercentThreshold: 95,
        intervalMs: 5,
        logger: capturedLogger().logger,
      }),
    ).rejects.toThrow('strconv.ParseUint: parsing "max": invalid syntax');
  });

  it('checks the usage against the threshold of the limit', async () => {
    const { logger, lines } = capturedLogger();
    const w = await watcher(95, logger);
    await writeFile(current(), `${949 * MiB}\n`);
    expect(await w.check()).toBe(false);
    await writeFile(current(), `${950 * MiB}\n`);
    expect(await w.check()).toBe(true);
    expect(lines.join('')).toContain('Memory usage is near OOM (950.0 MiB/1000.0 MiB), shutting down');
    await writeFile(current(), 'garbage');
    expect(await w.check()).toBe(false);
    expect(lines.join('')).toContain('Failed to read current memory usage, skipping check');
  });

  it('aborts the watch signal once usage crosses the threshold, and only then', async () => {
    await writeFile(current(), `${100 * MiB}\n`);
    const w = await watcher(90);
    const parent = new AbortController();
    const near = w.watch(parent.signal);
    expect(w.watch(parent.signal)).toBe(near);
    expect(near.aborted).toBe(false);
    await writeFile(current(), `${990 * MiB}\n`);
    await until('near-OOM signal aborted', () => near.aborted);
    parent.abort();
  });

  it('formats sizes as upstream', () => {
    expect([0n, 512n, 1536n, BigInt(3 * MiB), 5n * 1024n ** 3n].map(formatSize)).toEqual([
      '-',
      '512 B',
      '1.5 KiB',
      '3.0 MiB',
      '5.0 GiB',
    ]);
  });
});
