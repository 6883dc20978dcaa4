// Regenerates test/fixtures/template-cases.expected.json with the real helm (installed by @flux-ts/testbed).
// Run: npx node libs/helm/scripts/gen-template-fixture.ts
import { writeFileSync } from 'node:fs';
import { EXPECTED_FILE, loadCases } from '../test/cases.spec-helper.ts';
import { fixtureText, generateExpected } from '../test/generate.spec-helper.ts';

const started = Date.now();
const cases = loadCases();
const file = await generateExpected(cases);
const hints = cases.filter((c, i) => c.error !== (file.cases[i]?.error !== undefined)).map((c) => c.name);
if (hints.length > 0) console.log(`fix the (error) hints of: ${hints.join(' ')}`);
writeFileSync(EXPECTED_FILE, fixtureText(file));
const errors = file.cases.filter((c) => c.error !== undefined).length;
console.log(
  `${file.cases.length} cases (${file.cases.length - errors} outputs, ${errors} errors) from helm ${file.helm} ` +
    `in ${Date.now() - started} ms → ${EXPECTED_FILE}`,
);
