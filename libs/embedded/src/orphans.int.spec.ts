import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeClient, processAlive } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { KubeConfig } from '@kubernetes/client-node';
import { until } from '@flux-ts/testing';
import { freePort } from '@flux-ts/testbed';

const workspace = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'flux-ts-orphans-'));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The pids whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      // the comm field may hold spaces and parentheses: the fields after the last ')' are fixed
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function clientOf(kubeconfig: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(kubeconfig, 'utf8'));
  return KubeClient.fromKubeConfig(kc);
}

/** `npm start` as a user runs it (tools/start.ts), until it prints "all Ready". */
async function npmStart(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(workspace, 'tools', 'start.ts'), ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await until(
    'npm start: all Ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
      return /all Ready after/.test(out) ? true : undefined;
    },
    120_000,
  );
  return child;
}

describe('kill -9 of npm start (issue 26)', () => {
  it(
    'takes its controllers with it, loses no acknowledged write, and npm start works again at once',
    { timeout: 300_000 },
    async () => {
      const args = [
        '--state-dir',
        join(dir, '.flux-ts'),
        '--git-port',
        String(await freePort()),
        '--chart-port',
        String(await freePort()),
        '--storage-port',
        String(await freePort()),
        '--registry-port',
        String(await freePort()),
      ];
      const first = await npmStart(args);
      const controllers = childrenOf(first.pid!);
      expect(controllers.length).toBeGreaterThanOrEqual(3);
      // writes acknowledged just before the kill, well inside the snapshot interval
      const client = clientOf(join(dir, '.flux-ts', 'kubeconfig'));
      const names = Array.from({ length: 30 }, (_, i) => `acked-${i}`);
      for (const name of names)
        await client.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { namespace: 'default', name },
          data: { i: name },
        });
      first.kill('SIGKILL');
      await until(
        'the controllers exit',
        () => (controllers.every((p) => !processAlive(p)) ? true : undefined),
        30_000,
      );
      // the same ports are free again: the second start reaches all Ready
      const second = await npmStart(args);
      const after = await clientOf(join(dir, '.flux-ts', 'kubeconfig')).list<KubeObject>(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { namespace: 'default' },
      );
      const kept = new Set(after.items.map((o) => o.metadata.name));
      expect(names.filter((n) => !kept.has(n))).toEqual([]);
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
      expect(childrenOf(second.pid!)).toEqual([]);
    },
  );
});
