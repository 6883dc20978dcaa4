import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '@flux-ts/testbed';
import { installPostReceiveHook, isDeletion, parseRefUpdates, startPushListener } from './push-hook.ts';
import type { PushListener, RefUpdate } from './push-hook.ts';

const ZERO = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseRefUpdates', () => {
  it('reads post-receive lines and skips anything else', () => {
    expect(
      parseRefUpdates(`${A} ${B} refs/heads/main\n\nnot a line\n${B} ${ZERO} refs/tags/v1\n${A} ${B} main\n`),
    ).toEqual([
      { before: A, after: B, ref: 'refs/heads/main' },
      { before: B, after: ZERO, ref: 'refs/tags/v1' },
    ]);
    expect(isDeletion({ before: B, after: ZERO, ref: 'refs/tags/v1' })).toBe(true);
    expect(isDeletion({ before: A, after: B, ref: 'refs/heads/main' })).toBe(false);
  });
});

describe('the post-receive hook', () => {
  let dir: string;
  let listener: PushListener;
  const received: RefUpdate[][] = [];
  const env = {
    PATH: process.env['PATH'],
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    HOME: '/nonexistent',
  };
  const git = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<string> =>
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { env: { ...env, ...extra } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-push-hook-'));
    listener = await startPushListener((updates) => received.push(updates));
    await git(['init', '-q', '--bare', '-b', 'main', join(dir, 'bare.git')]);
    // an earlier start's hook (another port) is replaced
    installPostReceiveHook(join(dir, 'bare.git'), 'http://127.0.0.1:9/post-receive');
    installPostReceiveHook(join(dir, 'bare.git'), listener.url);
    await git(['init', '-q', '-b', 'main', join(dir, 'work')]);
    await git(['-C', join(dir, 'work'), 'remote', 'add', 'origin', join(dir, 'bare.git')]);
  }, 30_000);
  afterAll(async () => {
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  }, 10_000);

  async function commitAndPush(msg: string, extra: NodeJS.ProcessEnv = {}): Promise<string> {
    const work = join(dir, 'work');
    writeFileSync(join(work, 'file.txt'), msg);
    await git(['-C', work, 'add', '-A']);
    await git(['-C', work, 'commit', '-qm', msg]);
    await git(['-C', work, 'push', '-q', 'origin', 'main'], extra);
    return (await git(['-C', work, 'rev-parse', 'HEAD'])).trim();
  }

  it('hands each push to the listener before `git push` returns (curl)', { timeout: 30_000 }, async () => {
    received.length = 0;
    const first = await commitAndPush('one');
    expect(received).toEqual([[{ before: ZERO, after: first, ref: 'refs/heads/main' }]]);
    const second = await commitAndPush('two');
    expect(received[1]).toEqual([{ before: first, after: second, ref: 'refs/heads/main' }]);
  });

  it('falls back to node when curl is not on PATH', { timeout: 30_000 }, async () => {
    received.length = 0;
    // a PATH with git only: the hook finds no curl and runs the node that wrote it
    const bin = join(dir, 'bin-git-only');
    mkdirSync(bin, { recursive: true });
    symlinkSync((await run('sh', ['-c', 'command -v git'])).trim(), join(bin, 'git'));
    const before = (await git(['-C', join(dir, 'work'), 'rev-parse', 'HEAD'])).trim();
    const after = await commitAndPush('three', { PATH: bin });
    expect(received).toEqual([[{ before, after, ref: 'refs/heads/main' }]]);
  });

  it('never fails the push when nothing listens', { timeout: 30_000 }, async () => {
    installPostReceiveHook(join(dir, 'bare.git'), 'http://127.0.0.1:9/post-receive');
    received.length = 0;
    const sha = await commitAndPush('four');
    expect(received).toEqual([]);
    const remote = (await git(['-C', join(dir, 'bare.git'), 'rev-parse', 'main'])).trim();
    expect(remote).toBe(sha);
    installPostReceiveHook(join(dir, 'bare.git'), listener.url);
  });
});
