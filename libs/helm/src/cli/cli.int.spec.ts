// The flux-ts-helm bin as a child process against the real helm binary, on charts and error cases of the
// releaseutil suite: same stdout, stderr and exit code.
import { installHelm } from '@flux-ts/testbed';
import { describe, expect, it } from 'vitest';
import { RELEASEUTIL_CASES } from '../../test/releaseutil-cases.spec-helper.ts';
import { binCliCase, helmCliCase } from '../../test/releaseutil-harness.spec-helper.ts';

const NAMES = [
  'hooks',
  'crds-included',
  'show-only-many',
  'packaged',
  'range-values',
  'output-dir',
  'error-yaml-mapping',
  'error-release-name',
  'error-unknown-flag',
  'error-missing-chart',
  'error-no-args',
];

describe('flux-ts-helm template (child process) vs helm template', () => {
  const cases = RELEASEUTIL_CASES.filter((c) => NAMES.includes(c.name));

  it.for(cases)('$name', async (c) => {
    const helm = await installHelm(); // npm test installs its peers: no helm is a failure, not a skip
    const [ours, theirs] = await Promise.all([binCliCase(c), helmCliCase(helm, c)]);
    expect(ours).toEqual(theirs);
  });
});
