// Produces the engine fixture with the real helm (shared by scripts/gen-engine-fixture.ts and the int test): records
// the chart `helm create` makes under fixtures/charts/helm-create, then renders every case.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELM_VERSION, helmEnv, installHelm } from '@flux-ts/testbed';
import { ENGINE_CASES, ENGINE_EXPECTED_FILE, HELM_CREATE_CHART } from './engine-cases.spec-helper.ts';
import {
  CHARTS_DIR,
  helmEngineCase,
  type EngineExpected,
  type EngineExpectedFile,
} from './engine-harness.spec-helper.ts';
import { pool } from './pool.spec-helper.ts';

/**
 * Runs `helm create mychart` in a fresh directory (HELM_*_HOME inside it) and returns the directory holding the
 * chart; the caller removes `dir`.
 */
export function helmCreate(helm: string): { dir: string; chart: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-helm-create-'));
  execFileSync(helm, ['create', 'mychart'], { cwd: dir, env: helmEnv(dir), stdio: 'pipe' });
  return { dir, chart: join(dir, 'mychart') };
}

/** Renders every case with helm. */
export async function generateEngineExpected(helm?: string): Promise<EngineExpectedFile> {
  const bin = helm ?? (await installHelm());
  const cases: EngineExpected[] = await pool(ENGINE_CASES, 2, (c) => helmEngineCase(bin, c));
  return { helm: HELM_VERSION, cases };
}

/** The fixture's exact text. */
export function engineFixtureText(f: EngineExpectedFile): string {
  return JSON.stringify(f, null, 2) + '\n';
}

/** Reads the committed fixture. */
export function readEngineExpected(): EngineExpectedFile {
  return JSON.parse(readFileSync(ENGINE_EXPECTED_FILE, 'utf8')) as EngineExpectedFile;
}

/** Removes a directory made by {@link helmCreate}. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Records the chart `helm create` makes under fixtures/charts/helm-create, then rewrites the engine fixture. */
export async function regenerateEngineFixture(): Promise<EngineExpectedFile> {
  const helm = await installHelm();
  const created = helmCreate(helm);
  const target = join(CHARTS_DIR, HELM_CREATE_CHART);
  try {
    rmSync(target, { recursive: true, force: true });
    cpSync(created.chart, target, { recursive: true });
  } finally {
    removeDir(created.dir);
  }
  const file = await generateEngineExpected(helm);
  writeFileSync(ENGINE_EXPECTED_FILE, engineFixtureText(file));
  return file;
}
