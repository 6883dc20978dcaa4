import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SnapshotWriter,
  WriteAheadLog,
  loadSnapshot,
  persistentAdminToken,
  replayWriteAheadLog,
  stateLayout,
} from './state.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'embedded-state-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('state directory', () => {
  it('creates its layout and keeps the admin token across starts', () => {
    const layout = stateLayout(join(tmp(), '.flux-ts'));
    expect(readdirSync(layout.root).sort()).toEqual(['git', 'logs', 'storage']);
    const token = persistentAdminToken(layout.adminToken);
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect(persistentAdminToken(layout.adminToken)).toBe(token);
  });

  it('writes a snapshot only when something changed, atomically, and the last one on stop', () => {
    const file = join(tmp(), 'apiserver.json');
    let rv = 1;
    const w = new SnapshotWriter(file, () => ({ resourceVersion: rv, buckets: {} }));
    w.flush();
    expect(w.writes()).toBe(0);
    expect(loadSnapshot(file)).toBeUndefined();
    w.markDirty();
    w.flush();
    w.flush();
    expect(w.writes()).toBe(1);
    expect(loadSnapshot(file)?.resourceVersion).toBe(1);
    rv = 7;
    w.markDirty();
    w.stop();
    expect(w.writes()).toBe(2);
    expect(loadSnapshot(file)?.resourceVersion).toBe(7);
    expect(readdirSync(join(file, '..'))).toEqual(['apiserver.json']);
  });

  it('refuses an unreadable snapshot with a message naming the file', () => {
    const file = join(tmp(), 'apiserver.json');
    const w = new SnapshotWriter(file, () => ({ resourceVersion: 1, buckets: {} }));
    w.markDirty();
    w.flush();
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, 5)); // a truncated file, as an editor or a full disk leaves it
    expect(() => loadSnapshot(file)).toThrow(`the saved cluster state ${file} is not readable`);
  });

  it('keeps running when a periodic write fails, tells why, and retries at the next tick', async () => {
    const dir = tmp();
    const file = join(dir, 'gone', 'apiserver.json');
    const errors: string[] = [];
    const w = new SnapshotWriter(
      file,
      () => ({ resourceVersion: 3, buckets: {} }),
      (e) => errors.push(e.message),
    );
    w.markDirty();
    w.start(10);
    await new Promise((r) => setTimeout(r, 60));
    expect(errors.length).toBeGreaterThan(1);
    expect(errors[0]).toMatch(/ENOENT/);
    mkdirSync(join(dir, 'gone'));
    await new Promise((r) => setTimeout(r, 60));
    w.stop();
    expect(loadSnapshot(file)?.resourceVersion).toBe(3);
  });

  it('replays the write-ahead log over the snapshot: later puts and removes, a torn tail ignored', () => {
    const dir = tmp();
    const wal = join(dir, 'apiserver.wal');
    const cm = (name: string, v: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'a', name },
      data: { v },
    });
    const base = {
      resourceVersion: 5,
      buckets: { '/configmaps': [cm('kept', '1'), cm('gone', '1'), cm('changed', '1')] },
    };
    let dirty = 0;
    const log = new WriteAheadLog(wal, () => dirty++);
    log.put('/configmaps', cm('old', 'x'), 4); // already in the snapshot: skipped
    log.put('/configmaps', cm('changed', '2'), 6);
    log.remove('/configmaps', 'a', 'gone', 7);
    log.put('/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'a', name: 's' } }, 8);
    log.close();
    writeFileSync(wal, readFileSync(wal, 'utf8') + '{"op":"put","bucket":"/configmaps","rv":9,"obj'); // killed mid-write
    expect(dirty).toBe(4);
    const out = replayWriteAheadLog(wal, base)!;
    expect(out.resourceVersion).toBe(8);
    expect(out.buckets['/configmaps']!.map((o) => [o['metadata'], o['data']])).toEqual([
      [{ namespace: 'a', name: 'kept' }, { v: '1' }],
      [{ namespace: 'a', name: 'changed' }, { v: '2' }],
    ]);
    expect(out.buckets['/secrets']).toHaveLength(1);
    expect(replayWriteAheadLog(join(dir, 'none.wal'), base)).toBe(base);
  });

  it('a snapshot empties the log in the same step', () => {
    const dir = tmp();
    const walFile = join(dir, 'apiserver.wal');
    const wal = new WriteAheadLog(walFile);
    const w = new SnapshotWriter(
      join(dir, 'apiserver.json'),
      () => ({ resourceVersion: 3, buckets: {} }),
      undefined,
      () => wal.reset(),
    );
    wal.put('/configmaps', { metadata: { namespace: 'a', name: 'x' } }, 3);
    expect(readFileSync(walFile, 'utf8')).not.toBe('');
    w.markDirty();
    w.flush();
    expect(readFileSync(walFile, 'utf8')).toBe('');
    wal.put('/configmaps', { metadata: { namespace: 'a', name: 'y' } }, 4);
    expect(readFileSync(walFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    wal.close();
  });
});
