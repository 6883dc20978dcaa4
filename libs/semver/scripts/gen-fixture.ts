// Regenerates test/fixtures/cases.expected.json with the real helm (installed by @flux-ts/testbed).
// Run: npx node libs/semver/scripts/gen-fixture.ts
import { writeFileSync } from 'node:fs';
import { EXPECTED_FILE, fixtureText, loadCases } from '../test/cases.spec-helper.ts';
import { generateExpected } from '../test/helm-oracle.spec-helper.ts';

const started = Date.now();
const cases = loadCases();
const file = await generateExpected(cases);
writeFileSync(EXPECTED_FILE, fixtureText(file));
const errors = file.cases.filter((c) => c.error !== undefined).length;
console.log(
  `${file.cases.length} cases (${file.cases.length - errors} outputs, ${errors} errors) from helm ${file.helm} ` +
    `in ${Date.now() - started} ms → ${EXPECTED_FILE}`,
);
