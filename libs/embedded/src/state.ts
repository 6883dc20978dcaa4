import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { StoreSnapshot } from '@flux-ts/apiserver';

/** The files and folders of one state directory (default `.flux-ts/`). */
export interface StateLayout {
  root: string;
  kubeconfig: string;
  snapshot: string;
  adminToken: string;
  storage: string;
  git: string;
  logs: string;
}

/** Resolves (and creates) the state directory's layout. */
export function stateLayout(root: string): StateLayout {
  const layout = {
    root,
    kubeconfig: join(root, 'kubeconfig'),
    snapshot: join(root, 'apiserver.json'),
    adminToken: join(root, 'admin-token'),
    storage: join(root, 'storage'),
    git: join(root, 'git'),
    logs: join(root, 'logs'),
  };
  for (const dir of [root, layout.storage, layout.git, layout.logs]) mkdirSync(dir, { recursive: true });
  return layout;
}

/** The admin token kept across restarts, so a kubeconfig copied elsewhere keeps working. */
export function persistentAdminToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Reads the API server snapshot written by {@link SnapshotWriter}; undefined on first start. */
export function loadSnapshot(file: string): StoreSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoreSnapshot;
  } catch (err) {
    throw new Error(`the saved cluster state ${file} is not readable (remove it to start afresh)`, { cause: err });
  }
}

/**
 * Persists the API server's objects: a write marks the state dirty, and a timer writes a snapshot at most once
 * per interval (temp file and rename, so a crash leaves the previous snapshot whole). At most one interval of
 * writes is lost on a crash; {@link SnapshotWriter.flush} on a clean stop loses nothing.
 */
export class SnapshotWriter {
  readonly #file: string;
  readonly #take: () => StoreSnapshot;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writes = 0;

  readonly #onError: (err: Error) => void;

  /** `onError` hears a failed periodic write (the state directory removed, a full disk); the next change retries. */
  constructor(file: string, take: () => StoreSnapshot, onError: (err: Error) => void = () => undefined) {
    this.#file = file;
    this.#take = take;
    this.#onError = onError;
  }

  /** Marks the state as changed since the last snapshot. */
  markDirty(): void {
    this.#dirty = true;
  }

  /** Starts the periodic writer. */
  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => {
      try {
        this.flush();
      } catch (err) {
        this.#dirty = true;
        this.#onError(err as Error);
      }
    }, intervalMs);
    this.#timer.unref();
  }

  /** Writes a snapshot now if anything changed. */
  flush(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#take()), { mode: 0o600 });
    renameSync(tmp, this.#file);
    this.#writes++;
  }

  /** Snapshots written so far. */
  writes(): number {
    return this.#writes;
  }

  /** Stops the timer and writes the last changes. */
  stop(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
