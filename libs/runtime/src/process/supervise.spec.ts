import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParentPidEnv, claimTempDir, processAlive, superviseControllerProcess, watchParent } from './supervise.ts';

describe('claimTempDir', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flux-ts-claim-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates its own directory and reaps only the dead predecessors of the same controller', () => {
    for (const name of ['flux-ts-kc-111', 'flux-ts-kc-222', 'flux-ts-sc-111', 'flux-ts-kc-abc', 'other'])
      mkdirSync(join(root, name));
    const alive = new Set([222]);
    const { dir, reaped } = claimTempDir('kc', { tmpRoot: root, pid: 333, isAlive: (p) => alive.has(p) });
    expect(dir).toBe(join(root, 'flux-ts-kc-333'));
    expect(reaped).toEqual([join(root, 'flux-ts-kc-111')]);
    expect(readdirSync(root).sort()).toEqual([
      'flux-ts-kc-222',
      'flux-ts-kc-333',
      'flux-ts-kc-abc',
      'flux-ts-sc-111',
      'other',
    ]);
  });
});

describe('watchParent', () => {
  it('calls onGone once the parent is gone, and only once', async () => {
    let alive = true;
    let gone = 0;
    const stop = watchParent(42, () => gone++, { isAlive: () => alive, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    expect(gone).toBe(0);
    alive = false;
    await new Promise((r) => setTimeout(r, 30));
    expect(gone).toBe(1);
    stop();
  });

  it('knows a live process from a dead one', async () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    expect(processAlive(pid)).toBe(false);
  });
});

describe('superviseControllerProcess', () => {
  it('points TMPDIR at the private directory and removes it on close', () => {
    const root = mkdtempSync(join(tmpdir(), 'flux-ts-sup-'));
    const env: NodeJS.ProcessEnv = {};
    const s = superviseControllerProcess('hc', { env, pid: 7, tmpRoot: root, onParentGone: () => undefined });
    expect(env['TMPDIR']).toBe(join(root, 'flux-ts-hc-7'));
    expect(existsSync(env['TMPDIR']!)).toBe(true);
    s.close();
    expect(existsSync(join(root, 'flux-ts-hc-7'))).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });

  it('a controller exits when its supervising parent is killed with SIGKILL', { timeout: 30_000 }, async () => {
    // parent (a shell) starts a child that supervises itself against the parent's pid, then the parent is killed.
    const root = mkdtempSync(join(tmpdir(), 'flux-ts-sup-'));
    const script = `
      import { superviseControllerProcess } from ${JSON.stringify(new URL('./supervise.ts', import.meta.url).href)};
      const s = superviseControllerProcess('x', { env: process.env, pid: process.pid, tmpRoot: ${JSON.stringify(root)},
        onParentGone: () => { s.close(); process.exit(0); } });
      setInterval(() => undefined, 1000);
      console.log('ready');`;
    const parent = spawn(
      '/bin/sh',
      ['-c', `${ParentPidEnv}=$$ ${JSON.stringify(process.execPath)} --input-type=module -e "$SCRIPT" & echo $!; wait`],
      { env: { ...process.env, SCRIPT: script }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // the shell's pid is the child's supervising parent
    const childPid = await new Promise<number>((resolve) => {
      let out = '';
      parent.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^(\d+)\n[\s\S]*ready/.exec(out);
        if (m) resolve(Number(m[1]));
      });
    });
    expect(processAlive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await until(() => !processAlive(childPid));
    expect(existsSync(join(root, `flux-ts-x-${childPid}`))).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });
});

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 50));
}
