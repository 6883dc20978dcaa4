// Produces the chart fixture with the real helm (shared by scripts/gen-chart-fixture.ts and the int test).
import { readFileSync } from 'node:fs';
import { HELM_VERSION, installHelm } from '@flux-ts/testbed';
import { CHART_CASES_ALL, CHART_EXPECTED_FILE } from './chart-cases.spec-helper.ts';
import { helmCase, type ChartExpected, type ChartExpectedFile } from './chart-harness.spec-helper.ts';
import { pool } from './pool.spec-helper.ts';

/** Renders every case with helm. */
export async function generateChartExpected(): Promise<ChartExpectedFile> {
  const helm = await installHelm();
  const cases: ChartExpected[] = await pool(CHART_CASES_ALL, 8, (c) => helmCase(helm, c));
  return { helm: HELM_VERSION, cases };
}

/** The fixture's exact text. */
export function chartFixtureText(f: ChartExpectedFile): string {
  return JSON.stringify(f, null, 2) + '\n';
}

/** Reads the committed fixture. */
export function readChartExpected(): ChartExpectedFile {
  return JSON.parse(readFileSync(CHART_EXPECTED_FILE, 'utf8')) as ChartExpectedFile;
}
