// Differential suite: every fixture under test/fixtures is built by the real `kubectl kustomize` (the oracle) and
// by this engine; documents must match in order and the bytes must be identical. A fixture may carry
// `expect-error.txt` (a substring both tools' errors must contain) and `fixture.json` ({ "dir": "overlay" }).
// A fixture kubectl needs minutes for (`"slowOracle": true`) keeps kubectl's output in `oracle-output.yaml`, keyed by
// a digest of the fixture's files and the kubectl version in `oracle-key.txt`; a stale or missing cache runs
// kubectl again and rewrites it, so the cache can never drift from what kubectl prints.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  /** More directories of the fixture to build and compare (e.g. the other overlays of one base). */
  dirs?: string[];
  /** Why our error message differs from kubectl's (then only expect-error.txt's lines are compared). */
  errorDivergence?: string;
  /** kubectl takes minutes on this fixture: use the cached oracle output while the inputs are unchanged. */
  slowOracle?: boolean;
}

const CACHE_FILES = new Set(['oracle-output.yaml', 'oracle-key.txt']);

/** sha256 over the kubectl version and every input file of the fixture (paths and bytes, sorted). */
function oracleKey(root: string): string {
  const h = createHash('sha256');
  const v = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  h.update(v.stdout);
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (!CACHE_FILES.has(r)) h.update(`${r}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(root, '');
  return `${h.digest('hex')}\n`;
}

/** The oracle, through the cache for slow fixtures (see the header). */
function cachedOracle(root: string, dir: string, cfg: FixtureConfig): ReturnType<typeof oracle> {
  if (!cfg.slowOracle) return oracle(dir, cfg);
  const key = oracleKey(root);
  const keyFile = path.join(root, 'oracle-key.txt');
  const outFile = path.join(root, 'oracle-output.yaml');
  if (existsSync(keyFile) && existsSync(outFile) && readFileSync(keyFile, 'utf8') === key)
    return { ok: true, out: readFileSync(outFile, 'utf8'), err: '', stderr: '' };
  const r = oracle(dir, cfg);
  if (r.ok) {
    writeFileSync(outFile, r.out);
    writeFileSync(keyFile, key);
  }
  return r;
}

/** The error kubectl logged (klog `err="…"` Go-quoted, or the multi-line `err=<` block), or undefined. */
function kubectlError(stderr: string): string | undefined {
  const block = /err=<\n((?:\t.*\n)*) >/.exec(stderr);
  if (block) return (block[1] ?? '').replace(/^\t/gm, '').replace(/\n$/, '');
  const quoted = /err="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (!quoted) return undefined;
  return (quoted[1] ?? '').replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

const fixtures = existsSync(FIXTURES)
  ? readdirSync(FIXTURES)
      .filter((d) => statSync(path.join(FIXTURES, d)).isDirectory())
      .sort()
  : [];

function oracle(dir: string, cfg: FixtureConfig): { ok: boolean; out: string; err: string; stderr: string } {
  const args = ['kustomize', dir];
  if (cfg.loadRestrictions === 'none') args.push('--load-restrictor=LoadRestrictionsNone');
  const r = spawnSync(KUBECTL, args, {
    env: { PATH: process.env['PATH'] ?? '', HOME: home },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // kubectl logs the error Go-quoted (err="… \"x\" …"): unquote so fixtures can name the plain message
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.replace(/\\(["\\])/g, '$1'), stderr: r.stderr };
}

const docsOf = (s: string): unknown[] => parseAllDocuments(s).map((d) => (Array.isArray(d) ? d : d.toJS()));

describe('differential: kubectl kustomize vs @flux-ts/kustomize', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
  for (const name of fixtures) {
    // a `.pending` marker means the fixture's feature is not wired into the pipeline yet
    const pending = existsSync(path.join(FIXTURES, name, '.pending'));
    it.skipIf(pending)(
      name,
      async () => {
        const root = path.join(FIXTURES, name);
        const cfgFile = path.join(root, 'fixture.json');
        const cfg: FixtureConfig = existsSync(cfgFile)
          ? (JSON.parse(readFileSync(cfgFile, 'utf8')) as FixtureConfig)
          : {};
        // several overlays of one tree (`dirs`): each is built and compared
        for (const extra of cfg.dirs ?? []) await compareOutput(path.join(root, extra), cfg);
        const dir = path.join(root, cfg.dir ?? '.');
        const expected = cachedOracle(root, dir, cfg);
        const errFile = path.join(root, 'expect-error.txt');
        let ours: string | undefined;
        let ourErr: Error | undefined;
        try {
          ours = toYaml(await build(dir, { loadRestrictions: cfg.loadRestrictions ?? 'rootOnly' }));
        } catch (err) {
          ourErr = err as Error;
        }
        if (existsSync(errFile)) {
          // every line of expect-error.txt must be in both messages; the whole messages must be equal unless the
          // fixture documents why not (errorDivergence)
          const wants = readFileSync(errFile, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '');
          expect(expected.ok, 'kubectl kustomize should fail').toBe(false);
          const ourMsg = ourErr?.message ?? `no error; output:\n${ours}`;
          for (const want of wants) {
            expect(expected.err).toContain(want);
            expect(ourMsg).toContain(want);
          }
          if (cfg.errorDivergence === undefined) expect(ourMsg).toBe(kubectlError(expected.stderr));
          return;
        }
        expectSameOutput(expected, ours, ourErr);
      },
      // a slow fixture's first run (no cache yet) waits for kubectl's minutes
      300_000,
    );
  }
});

function expectSameOutput(
  expected: ReturnType<typeof oracle>,
  ours: string | undefined,
  ourErr: Error | undefined,
): void {
  // `# Warning:` lines and klog info lines (`I1202 …`, e.g. unused vars) are not failures
  expect(expected.err.replace(/^(# Warning:|I\d{4} ).*$/gm, '').trim(), 'kubectl kustomize failed').toBe('');
  expect(expected.ok, 'kubectl kustomize exited 0').toBe(true);
  expect(ourErr?.message).toBeUndefined();
  expect(docsOf(ours ?? '')).toEqual(docsOf(expected.out));
  expect(ours).toBe(expected.out);
}

async function compareOutput(dir: string, cfg: FixtureConfig): Promise<void> {
  const expected = oracle(dir, cfg);
  let ours: string | undefined;
  let ourErr: Error | undefined;
  try {
    ours = toYaml(await build(dir, { loadRestrictions: cfg.loadRestrictions ?? 'rootOnly' }));
  } catch (err) {
    ourErr = err as Error;
  }
  expectSameOutput(expected, ours, ourErr);
}
