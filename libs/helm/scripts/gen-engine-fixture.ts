// Regenerates test/fixtures/charts/helm-create (the chart `helm create` makes) and
// test/fixtures/engine-cases.expected.json with the real helm (installed by @flux-ts/testbed).
// Run: npx node libs/helm/scripts/gen-engine-fixture.ts
import { ENGINE_EXPECTED_FILE } from '../test/engine-cases.spec-helper.ts';
import { regenerateEngineFixture } from '../test/engine-generate.spec-helper.ts';

const started = Date.now();
const file = await regenerateEngineFixture();
const errors = file.cases.filter((c) => c.error !== undefined).length;
console.log(
  `${file.cases.length} cases (${file.cases.length - errors} rendered, ${errors} errors) from helm ${file.helm} ` +
    `in ${Date.now() - started} ms → ${ENGINE_EXPECTED_FILE}`,
);
