// Regenerates test/fixtures/chart-cases.expected.json with the real helm (installed by @flux-ts/testbed).
// Run: npx node libs/helm/scripts/gen-chart-fixture.ts
import { writeFileSync } from 'node:fs';
import { CHART_EXPECTED_FILE } from '../test/chart-cases.spec-helper.ts';
import { chartFixtureText, generateChartExpected } from '../test/chart-generate.spec-helper.ts';

const started = Date.now();
const file = await generateChartExpected();
writeFileSync(CHART_EXPECTED_FILE, chartFixtureText(file));
const errors = file.cases.filter((c) => c.error !== undefined).length;
console.log(
  `${file.cases.length} cases (${file.cases.length - errors} rendered, ${errors} errors) from helm ${file.helm} ` +
    `in ${Date.now() - started} ms → ${CHART_EXPECTED_FILE}`,
);
