// Regenerates test/fixtures/releaseutil-cases.expected.json with the real helm (installed by @flux-ts/testbed).
// Run: npx node libs/helm/scripts/gen-releaseutil-fixture.ts
import { writeFileSync } from 'node:fs';
import { RELEASEUTIL_EXPECTED_FILE } from '../test/releaseutil-cases.spec-helper.ts';
import { generateReleaseutilExpected, releaseutilFixtureText } from '../test/releaseutil-harness.spec-helper.ts';

const started = Date.now();
const file = await generateReleaseutilExpected();
writeFileSync(RELEASEUTIL_EXPECTED_FILE, releaseutilFixtureText(file));
const errors = file.cases.filter((c) => c.code !== 0).length;
console.log(
  `${file.cases.length} cases (${errors} errors) from helm ${file.helm} in ${Date.now() - started} ms → ${RELEASEUTIL_EXPECTED_FILE}`,
);
