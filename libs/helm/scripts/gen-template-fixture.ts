// Regenerates test/fixtures/template-cases.expected.json with the real helm (installed by @flux-ts/testbed).
// Run: npx node libs/helm/scripts/gen-template-fixture.ts [sprig]   (sprig: the Sprig table, sprig-cases.txt)
import { writeFileSync } from 'node:fs';
import { EXPECTED_FILE, SPRIG_EXPECTED_FILE, loadCases } from '../test/cases.spec-helper.ts';
import { fixtureText, generateExpected } from '../test/generate.spec-helper.ts';

const started = Date.now();
const sprig = process.argv[2] === 'sprig';
const cases = loadCases(sprig ? 'sprig-cases.txt' : 'template-cases.txt');
const target = sprig ? SPRIG_EXPECTED_FILE : EXPECTED_FILE;
const file = await generateExpected(cases);
const hints = cases.filter((c, i) => c.error !== (file.cases[i]?.error !== undefined)).map((c) => c.name);
if (hints.length > 0) console.log(`fix the (error) hints of: ${hints.join(' ')}`);
writeFileSync(target, fixtureText(file));
const errors = file.cases.filter((c) => c.error !== undefined).length;
console.log(
  `${file.cases.length} cases (${file.cases.length - errors} outputs, ${errors} errors) from helm ${file.helm} ` +
    `in ${Date.now() - started} ms → ${target}`,
);
