/**
 * helm-controller's near-OOM watch (upstream `internal/oomwatch`, feature gate `OOMWatch`): reads the cgroup v2
 * memory limit once and polls the current usage every `--oom-watch-interval`; when usage reaches
 * `--oom-watch-memory-threshold` percent of the limit, the signal returned by {@link OomWatcher.watch} aborts. `main`
 * stops the manager with it and aborts in-flight reconciles at once, so that running Helm actions are cancelled and
 * their releases recorded as failed rather than left pending by an OOM kill.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@flux-ts/runtime';

/** The cgroup directory the default files are in. */
export const DefaultCgroupPath = '/sys/fs/cgroup/';
/** The cgroup v2 memory limit file. */
export const MemoryMaxFile = 'memory.max';
/** The cgroup v2 current memory usage file. */
export const MemoryCurrentFile = 'memory.current';

/** Options of {@link OomWatcher.create}. */
export interface OomWatcherOptions {
  /** `--oom-watch-max-memory-path` (default `/sys/fs/cgroup/memory.max`). */
  memoryMaxPath?: string | undefined;
  /** `--oom-watch-current-memory-path` (default `/sys/fs/cgroup/memory.current`). */
  memoryCurrentPath?: string | undefined;
  /** `--oom-watch-memory-threshold`, in percent (1–100). */
  memoryUsagePercentThreshold: number;
  /** `--oom-watch-interval` in ms. */
  intervalMs: number;
  logger: Logger;
}

/** Go's strconv.ParseUint of a cgroup file's content, with Go's error text. */
async function readUint(path: string): Promise<bigint> {
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9]+$/.test(text)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  return BigInt(text);
}

/** upstream formatSize: `-`, `N B` or one decimal in KiB…EiB. */
export function formatSize(b: bigint): string {
  if (b === 0n) return '-';
  const unit = 1024n;
  if (b < unit) return `${b} B`;
  let div = unit;
  let exp = 0;
  for (let n = b / unit; n >= unit; n /= unit) {
    div *= unit;
    exp++;
  }
  return `${(Number(b) / Number(div)).toFixed(1)} ${'KMGTPE'[exp] ?? ''}iB`;
}

/** Watches the cgroup memory usage for a near-OOM condition. */
export class OomWatcher {
  readonly #memoryMax: bigint;
  readonly #currentPath: string;
  readonly #threshold: number;
  readonly #intervalMs: number;
  readonly #log: Logger;
  #signal: AbortSignal | undefined;

  private constructor(memoryMax: bigint, currentPath: string, opts: OomWatcherOptions) {
    this.#memoryMax = memoryMax;
    this.#currentPath = currentPath;
    this.#threshold = opts.memoryUsagePercentThreshold;
    this.#intervalMs = opts.intervalMs;
    this.#log = opts.logger;
  }

  /**
   * upstream `oomwatch.New`: checks the threshold, that the usage file exists, and reads the limit.
   * @throws Error with upstream's text (a limit of `max`, no cgroup v2 files, a threshold out of range)
   */
  static async create(opts: OomWatcherOptions): Promise<OomWatcher> {
    const t = opts.memoryUsagePercentThreshold;
    if (t < 1 || t > 100)
      throw new Error(`memory usage percent threshold must be between 1 and 100, got ${t.toFixed(6)}`);
    const currentPath = opts.memoryCurrentPath || join(DefaultCgroupPath, MemoryCurrentFile);
    const maxPath = opts.memoryMaxPath || join(DefaultCgroupPath, MemoryMaxFile);
    try {
      await lstat(currentPath);
    } catch (err) {
      throw new Error(`failed to stat ${JSON.stringify(currentPath)}: ${(err as Error).message}`, { cause: err });
    }
    return new OomWatcher(await readUint(maxPath), currentPath, opts);
  }

  /** One poll: true when the usage has reached the threshold (logged); a read error is logged and skipped. */
  async check(): Promise<boolean> {
    let current: bigint;
    try {
      current = await readUint(this.#currentPath);
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, 'Failed to read current memory usage, skipping check');
      return false;
    }
    const percent = (Number(current) / Number(this.#memoryMax)) * 100;
    const usage = `${formatSize(current)}/${formatSize(this.#memoryMax)}`;
    if (percent >= this.#threshold) {
      this.#log.info(`Memory usage is near OOM (${usage}), shutting down`);
      return true;
    }
    this.#log.debug(`Current memory usage ${usage} (${percent.toFixed(2)}% out of ${this.#threshold.toFixed(2)}%)`);
    return false;
  }

  /**
   * A signal that aborts when the usage reaches the threshold; polling stops when `signal` aborts. Calling it again
   * returns the same signal.
   */
  watch(signal: AbortSignal): AbortSignal {
    if (this.#signal) return this.#signal;
    const near = new AbortController();
    this.#signal = near.signal;
    const timer = setInterval(() => {
      // check() never rejects: read errors are logged and skipped, as upstream does
      void this.check().then((oom) => {
        if (!oom || near.signal.aborted) return;
        clearInterval(timer);
        near.abort(new Error('memory usage is near OOM'));
      });
    }, this.#intervalMs);
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
        this.#log.info('Shutdown signal received, stopping watch for near OOM');
      },
      { once: true },
    );
    return near.signal;
  }
}
