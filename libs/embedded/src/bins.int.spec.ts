import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const workspace = join(import.meta.dirname, '..', '..', '..');
const bins = readdirSync(join(workspace, 'apps'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .flatMap((e) => {
    try {
      return readdirSync(join(workspace, 'apps', e.name, 'bin')).map((f) => ({
        app: e.name,
        bin: join(workspace, 'apps', e.name, 'bin', f),
      }));
    } catch {
      return []; // an app without a bin directory
    }
  });

// vitest resolves modules its own way (CommonJS named exports, for one): only the real Node proves a bin loads.
describe('every app bin loads in Node', () => {
  it('prints --help and exits 0, for each app', { timeout: 180_000 }, async () => {
    expect(bins.length).toBeGreaterThanOrEqual(6);
    const results = await Promise.all(
      bins.map(async ({ app, bin }) => {
        const r = await run(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 170_000 });
        // controllers print Go's flag usage; the CLI (apps/cli) commander's
        const usage = app === 'cli' ? r.stdout.startsWith('Usage: flux-ts ') : r.stdout.includes(`Usage of ${app}:`);
        return { app, stderr: r.stderr, usage };
      }),
    );
    expect(results).toEqual(bins.map(({ app }) => ({ app, stderr: '', usage: true })));
  });
});
