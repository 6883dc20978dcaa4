import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { StoreJournal, StoreSnapshot } from '@flux-ts/apiserver';

/** The files and folders of one state directory (default `.flux-ts/`). */
export interface StateLayout {
  root: string;
  kubeconfig: string;
  snapshot: string;
  /** The write-ahead log of the changes since {@link StateLayout.snapshot}. */
  wal: string;
  adminToken: string;
  storage: string;
  git: string;
  /** The demo chart repository (index.yaml and the archives), served on `--chart-port`; made with the demo. */
  charts: string;
  logs: string;
}

/** Resolves (and creates) the state directory's layout. */
export function stateLayout(root: string): StateLayout {
  const layout = {
    root,
    kubeconfig: join(root, 'kubeconfig'),
    snapshot: join(root, 'apiserver.json'),
    wal: join(root, 'apiserver.wal'),
    adminToken: join(root, 'admin-token'),
    storage: join(root, 'storage'),
    git: join(root, 'git'),
    charts: join(root, 'charts'),
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

type StoredObject = StoreSnapshot['buckets'][string][number];

/** One line of the {@link WriteAheadLog}. */
type WalRecord =
  | { op: 'put'; bucket: string; rv: number; object: StoredObject }
  | { op: 'remove'; bucket: string; rv: number; namespace: string; name: string };

/**
 * The API server's journal in the state directory: each committed change is appended (one JSON line, written to the
 * kernel before the write is acknowledged), so a kill -9 of `npm start` loses no acknowledged write. The kernel's
 * page cache survives the process; only a power loss could lose the last lines (no fsync: that would cost a disk
 * flush per write). {@link SnapshotWriter} empties it after each snapshot.
 */
export class WriteAheadLog implements StoreJournal {
  readonly #fd: number;
  readonly #onAppend: () => void;
  #appends = 0;

  /** Opens (appends to) `file`; `onAppend` hears each change (the snapshot writer's dirty mark). */
  constructor(file: string, onAppend: () => void = () => undefined) {
    this.#fd = openSync(file, 'a', 0o600);
    this.#onAppend = onAppend;
  }

  put(bucket: string, object: StoredObject, rv: number): void {
    this.#append({ op: 'put', bucket, rv, object });
  }

  remove(bucket: string, namespace: string, name: string, rv: number): void {
    this.#append({ op: 'remove', bucket, rv, namespace, name });
  }

  #append(rec: WalRecord): void {
    writeSync(this.#fd, `${JSON.stringify(rec)}\n`);
    this.#appends++;
    this.#onAppend();
  }

  /** Records appended since the start. */
  appends(): number {
    return this.#appends;
  }

  /** Empties the log: everything in it is in the snapshot just written. */
  reset(): void {
    ftruncateSync(this.#fd, 0);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * The snapshot with the write-ahead log's later changes applied (records at or below the snapshot's
 * resourceVersion are already in it; a torn last line, as a kill mid-write leaves it, is ignored).
 */
export function replayWriteAheadLog(file: string, base: StoreSnapshot | undefined): StoreSnapshot | undefined {
  if (!existsSync(file)) return base;
  const lines = readFileSync(file, 'utf8').split('\n');
  const fromRv = base?.resourceVersion ?? 0;
  const buckets = new Map<string, Map<string, StoredObject>>();
  for (const [name, objs] of Object.entries(base?.buckets ?? {}))
    buckets.set(name, new Map(objs.map((o) => [objectKey(o), o])));
  let rv = fromRv;
  let applied = 0;
  for (const line of lines) {
    if (line === '') continue;
    let rec: WalRecord;
    try {
      rec = JSON.parse(line) as WalRecord;
    } catch {
      continue; // the torn tail of a killed write: that write was never acknowledged
    }
    if (rec.rv <= fromRv) continue;
    let b = buckets.get(rec.bucket);
    if (!b) buckets.set(rec.bucket, (b = new Map()));
    if (rec.op === 'put') b.set(objectKey(rec.object), rec.object);
    else b.delete(`${rec.namespace}/${rec.name}`);
    rv = Math.max(rv, rec.rv);
    applied++;
  }
  if (applied === 0) return base;
  const out: StoreSnapshot = { resourceVersion: rv, buckets: {} };
  for (const [name, m] of buckets) if (m.size > 0) out.buckets[name] = [...m.values()];
  return out;
}

function objectKey(o: StoredObject): string {
  const m = (o as { metadata?: { namespace?: string; name?: string } }).metadata;
  return `${m?.namespace ?? ''}/${m?.name ?? ''}`;
}

/**
 * Persists the API server's objects: a write marks the state dirty, and a timer writes a snapshot at most once
 * per interval (temp file and rename, so a crash leaves the previous snapshot whole). The {@link WriteAheadLog}
 * holds the writes between snapshots, and `afterWrite` empties it once a snapshot is in place.
 */
export class SnapshotWriter {
  readonly #file: string;
  readonly #take: () => StoreSnapshot;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writes = 0;

  readonly #onError: (err: Error) => void;
  readonly #afterWrite: () => void;

  /**
   * `onError` hears a failed periodic write (the state directory removed, a full disk); the next change retries.
   * `afterWrite` runs right after each snapshot is in place (in the same synchronous step).
   */
  constructor(
    file: string,
    take: () => StoreSnapshot,
    onError: (err: Error) => void = () => undefined,
    afterWrite: () => void = () => undefined,
  ) {
    this.#file = file;
    this.#take = take;
    this.#onError = onError;
    this.#afterWrite = afterWrite;
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
    this.#afterWrite();
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
