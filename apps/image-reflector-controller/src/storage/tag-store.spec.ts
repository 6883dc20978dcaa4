import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { TagStore } from './tag-store.ts';

const root = mkdtempSync(join(tmpdir(), 'irc-tagstore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const repo = { namespace: 'apps', name: 'podinfo' };

describe('TagStore (FluxStorage layout)', () => {
  it('writes tags.txt under imagerepository/<ns>/<name> with a sha256 revision of the lines', async () => {
    const store = new TagStore({ root, compressionThreshold: 65536 });
    await store.init();
    expect(readFileSync(join(root, '.storage-version'), 'utf8')).toBe('2\n');
    const rev = await store.setTags(repo, ['b', 'a']);
    const file = join(root, 'imagerepository', 'apps', 'podinfo', 'tags.txt');
    expect(readFileSync(file, 'utf8')).toBe('b\na\n');
    expect(rev).toBe(`sha256:${createHash('sha256').update('b\na\n').digest('hex')}`);
    expect(await store.allTags(repo)).toEqual(['b', 'a']);
    expect(await store.has(repo)).toBe(true);
    expect(await store.has({ namespace: 'apps', name: 'other' })).toBe(false);
    expect(await store.allTags({ namespace: 'apps', name: 'other' })).toEqual([]);
  });

  it('compresses from the threshold on and drops the other variant', async () => {
    const store = new TagStore({ root, compressionThreshold: 16 });
    const tags = Array.from({ length: 100 }, (_, i) => `1.0.${i}`);
    const rev = await store.setTags(repo, tags);
    const dir = join(root, 'imagerepository', 'apps', 'podinfo');
    expect(existsSync(join(dir, 'tags.txt'))).toBe(false);
    expect(gunzipSync(readFileSync(join(dir, 'tags.txt.gz'))).toString()).toBe(`${tags.join('\n')}\n`);
    expect(rev).toBe(
      `sha256:${createHash('sha256')
        .update(`${tags.join('\n')}\n`)
        .digest('hex')}`,
    );
    expect(await store.allTags(repo)).toEqual(tags);
    // a new store on the same root (a restart) reads the same tags
    expect(await new TagStore({ root, compressionThreshold: 16 }).allTags(repo)).toEqual(tags);
  });

  it('stores an empty list and deletes', async () => {
    const store = new TagStore({ root, compressionThreshold: 65536 });
    await store.setTags({ namespace: 'apps', name: 'empty' }, []);
    expect(await store.has({ namespace: 'apps', name: 'empty' })).toBe(true);
    expect(await store.allTags({ namespace: 'apps', name: 'empty' })).toEqual([]);
    await store.delete({ namespace: 'apps', name: 'empty' });
    expect(await store.has({ namespace: 'apps', name: 'empty' })).toBe(false);
  });

  it('refuses identities that would leave the root', async () => {
    const store = new TagStore({ root, compressionThreshold: 65536 });
    await expect(store.setTags({ namespace: '..', name: 'x' }, ['a'])).rejects.toThrow(
      'repo namespace and name are required',
    );
    await expect(store.setTags({ namespace: 'a', name: '' }, ['a'])).rejects.toThrow();
  });
});
