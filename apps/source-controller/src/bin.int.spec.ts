import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceControllerFlags, sourceControllerNotice } from './index.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('flux-ts-source-controller bin', () => {
  let dir: string;
  let record: string;
  let preload: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-ts-source-bin-'));
    record = join(dir, 'node-versions.txt');
    preload = join(dir, 'record-version.mjs');
    // Every Node process of the run (npx itself and the bin) appends its version and entry script.
    writeFileSync(
      preload,
      "import { appendFileSync } from 'node:fs';\n" +
        'appendFileSync(process.env.FLUX_TS_VERSION_RECORD, `${process.version}\\t${process.argv[1] ?? ""}\\n`);\n',
    );
    writeFileSync(record, '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'runs through `npx flux-ts-source-controller --help` from the repo root on Node 24 and exits 0',
    { timeout: 120_000 },
    () => {
      const result = spawnSync('npx', ['flux-ts-source-controller', '--help'], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          PATH: [join(repoRoot, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter),
          NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
          FLUX_TS_VERSION_RECORD: record,
        },
      });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe(sourceControllerNotice);
      for (const flag of sourceControllerFlags) expect(result.stdout).toContain(`--${flag.name}`);

      const runs = readFileSync(record, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\t') as [string, string]);
      const bin = runs.find(
        ([, script]) => script.endsWith('flux-ts-source-controller.js') || script.endsWith('flux-ts-source-controller'),
      );
      expect(bin, `recorded node processes: ${JSON.stringify(runs)}`).toBeDefined();
      expect(bin![0]).toMatch(/^v24\./);
    },
  );
});
