import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntrypoint, controllerSourcesKey } from './bundled-entrypoint.ts';

describe('bundledEntrypoint', () => {
  const root = mkdtempSync(join(tmpdir(), 'flux-ts-bundled-entrypoint-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // A workspace with one tiny app: its bin imports its TypeScript source, as the real bins do.
  const workspace = join(root, 'ws');
  const src = join(workspace, 'apps', 'demo-controller', 'src', 'main.ts');
  mkdirSync(join(workspace, 'apps', 'demo-controller', 'bin'), { recursive: true });
  mkdirSync(join(workspace, 'apps', 'demo-controller', 'src'), { recursive: true });
  writeFileSync(src, "export const greeting: string = 'hello from the bundle';\n");
  writeFileSync(
    join(workspace, 'apps', 'demo-controller', 'bin', 'flux-ts-demo-controller.js'),
    "const { greeting } = await import('../src/main.ts');\nconsole.log(greeting);\n",
  );
  const cacheDir = join(root, 'bundles');

  it('bundles once, reuses the cache, and rebuilds when a source changes', { timeout: 30_000 }, async () => {
    const first = await bundledEntrypoint({ workspace, cacheDir, apps: ['demo-controller'] });
    expect(first.built).toBe(true);
    const cmd = first.entrypoint('ghcr.io/fluxcd/demo-controller:v1', { name: 'manager', image: '' });
    expect(cmd).toBeDefined();
    const run = spawnSync(cmd![0]!, cmd!.slice(1), { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('hello from the bundle');
    expect(first.entrypoint('ghcr.io/fluxcd/other-controller:v1', { name: 'manager', image: '' })).toBeUndefined();

    const again = await bundledEntrypoint({ workspace, cacheDir, apps: ['demo-controller'] });
    expect(again).toMatchObject({ built: false, dir: first.dir });

    const key = controllerSourcesKey(workspace);
    utimesSync(src, new Date(), new Date(Date.now() + 5000));
    expect(controllerSourcesKey(workspace)).not.toBe(key);
    const rebuilt = await bundledEntrypoint({ workspace, cacheDir, apps: ['demo-controller'] });
    expect(rebuilt.built).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([rebuilt.dir.slice(cacheDir.length + 1)]);
  });
});
