import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROLLER_NODE_FLAGS, startControllers } from './controllers.ts';

describe('startControllers', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function workspace(): string {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-controllers-'));
    mkdirSync(join(dir, 'apps', 'echo-controller', 'bin'), { recursive: true });
    // A stand-in bin that reports how it was started.
    writeFileSync(
      join(dir, 'apps', 'echo-controller', 'bin', 'flux-ts-echo-controller.js'),
      'console.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2), arena: process.env.MALLOC_ARENA_MAX ?? null }));\n',
    );
    return dir;
  }

  it('starts each bin with the controller Node flags, the kubeconfig and MALLOC_ARENA_MAX=2', async () => {
    const ws = workspace();
    const [p] = startControllers({
      workspace: ws,
      kubeconfig: '/k',
      logsDir: ws,
      controllers: [{ name: 'echo-controller', args: ['--concurrent', '3'] }],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    expect(await p!.exited).toBe(0);
    const seen = JSON.parse(readFileSync(p!.logFile, 'utf8')) as { execArgv: string[]; argv: string[]; arena: string };
    expect(seen.execArgv).toEqual([...CONTROLLER_NODE_FLAGS]);
    expect(seen.argv).toEqual(['--kubeconfig', '/k', '--concurrent', '3']);
    expect(seen.arena).toBe('2');
  });

  it('keeps a MALLOC_ARENA_MAX the environment sets', async () => {
    const ws = workspace();
    const [p] = startControllers({
      workspace: ws,
      kubeconfig: '/k',
      logsDir: ws,
      controllers: [{ name: 'echo-controller', args: [] }],
      env: { PATH: process.env['PATH'] ?? '', MALLOC_ARENA_MAX: '4' },
    });
    expect(await p!.exited).toBe(0);
    expect(JSON.parse(readFileSync(p!.logFile, 'utf8'))).toMatchObject({ arena: '4' });
  });
});
