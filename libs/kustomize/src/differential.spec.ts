// Differential suite: every fixture under test/fixtures is built by the real `kubectl kustomize` (the oracle) and
// by this engine; documents must match in order and the bytes must be identical. A fixture may carry
// `expect-error.txt` (a substring both tools' errors must contain) and `fixture.json` ({ "dir": "overlay" }).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { build } from './build.ts';
import { toYaml } from './to-yaml.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../test/fixtures');
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const home = mkdtempSync(path.join(tmpdir(), 'kustomize-diff-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface FixtureConfig {
  dir?: string;
  loadRestrictions?: 'rootOnly' | 'none';
}

const fixtures = existsSync(FIXTURES)
  ? readdirSync(FIXTURES)
      .filter((d) => statSync(path.join(FIXTURES, d)).isDirectory())
      .sort()
  : [];

function oracle(dir: string, cfg: FixtureConfig): { ok: boolean; out: string; err: string } {
  const args = ['kustomize', dir];
  if (cfg.loadRestrictions === 'none') args.push('--load-restrictor=LoadRestrictionsNone');
  const r = spawnSync(KUBECTL, args, { env: { PATH: process.env['PATH'] ?? '', HOME: home }, encoding: 'utf8' });
  // kubectl logs the error Go-quoted (err="… \"x\" …"): unquote so fixtures can name the plain message
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.replace(/\\(["\\])/g, '$1') };
}

const docsOf = (s: string): unknown[] => parseAllDocuments(s).map((d) => (Array.isArray(d) ? d : d.toJS()));

describe.skipIf(!existsSync(KUBECTL))('differential: kubectl kustomize vs @flux-ts/kustomize', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
  for (const name of fixtures) {
    // a `.pending` marker means the fixture's feature is not wired into the pipeline yet
    const pending = existsSync(path.join(FIXTURES, name, '.pending'));
    it.skipIf(pending)(name, async () => {
      const root = path.join(FIXTURES, name);
      const cfgFile = path.join(root, 'fixture.json');
      const cfg: FixtureConfig = existsSync(cfgFile)
        ? (JSON.parse(readFileSync(cfgFile, 'utf8')) as FixtureConfig)
        : {};
      const dir = path.join(root, cfg.dir ?? '.');
      const expected = oracle(dir, cfg);
      const errFile = path.join(root, 'expect-error.txt');
      let ours: string | undefined;
      let ourErr: Error | undefined;
      try {
        ours = toYaml(await build(dir, { loadRestrictions: cfg.loadRestrictions ?? 'rootOnly' }));
      } catch (err) {
        ourErr = err as Error;
      }
      if (existsSync(errFile)) {
        const want = readFileSync(errFile, 'utf8').trim();
        expect(expected.ok, 'kubectl kustomize should fail').toBe(false);
        expect(expected.err).toContain(want);
        expect(ourErr?.message ?? `no error; output:\n${ours}`).toContain(want);
        return;
      }
      expect(expected.err.replace(/^# Warning:.*$/gm, '').trim(), 'kubectl kustomize failed').toBe('');
      expect(ourErr?.message).toBeUndefined();
      expect(docsOf(ours ?? '')).toEqual(docsOf(expected.out));
      expect(ours).toBe(expected.out);
    });
  }
});
