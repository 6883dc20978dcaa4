// A chart from a Git or Bucket source is read through a file system confined to the source's artifact: a symlink in
// the chart that leads outside (a host file, /proc) fails the load instead of being packaged into the chart.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfinedFs } from '@flux-ts/artifact';
import { loadDir, readChartDir } from './loader.ts';

let work: string;
let root: string;
beforeEach(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'helm-confined-')));
  root = join(work, 'artifact');
  mkdirSync(join(root, 'charts/app/templates'), { recursive: true });
  writeFileSync(join(root, 'charts/app/Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
  writeFileSync(join(root, 'charts/app/values.yaml'), 'replicas: 1\n');
  writeFileSync(join(root, 'charts/app/templates/cm.yaml'), 'kind: ConfigMap\n');
  writeFileSync(join(work, 'host-secret'), 'host credential');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('a chart directory read through a ConfinedFs', () => {
  it('loads a chart whose links stay inside the artifact', () => {
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared/extra.yaml'), 'kind: Secret\n');
    symlinkSync('../../../shared/extra.yaml', join(root, 'charts/app/templates/extra.yaml'));
    const chart = loadDir(join(root, 'charts/app'), new ConfinedFs(root));
    expect(chart.metadata.name).toBe('app');
    expect(readChartDir(join(root, 'charts/app'), new ConfinedFs(root)).map((f) => f.name)).toEqual([
      'Chart.yaml',
      'templates/cm.yaml',
      'templates/extra.yaml',
      'values.yaml',
    ]);
  });

  it.each([
    ['a host file', () => join(work, 'host-secret')],
    ['/proc', () => '/proc/self/environ'],
  ])('refuses a symlink to %s', (_name, target) => {
    symlinkSync(target(), join(root, 'charts/app/templates/stolen.yaml'));
    const link = join(root, 'charts/app/templates/stolen.yaml');
    expect(() => loadDir(join(root, 'charts/app'), new ConfinedFs(root))).toThrow(
      `fs-security-constraint abs ${link}: path '${link}' is not in or below '${root}'`,
    );
  });

  it('refuses a chart directory outside the artifact', () => {
    const outside = join(work, 'elsewhere');
    mkdirSync(outside);
    expect(() => loadDir(outside, new ConfinedFs(root))).toThrow(
      `fs-security-constraint open ${outside}: path '${outside}' is not in or below '${root}'`,
    );
  });
});
