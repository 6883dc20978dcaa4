// Helm's engine against the fixture produced by the real helm 3.18.0 (scripts/gen-engine-fixture.ts,
// differential.int.spec.ts): every case renders, through renderChart, exactly the documents `helm template`
// printed (per `# Source:`, split and trimmed as helm splits manifests), or helm's error message.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_CASES } from '../../test/engine-cases.spec-helper.ts';
import { readEngineExpected } from '../../test/engine-generate.spec-helper.ts';
import { oursEngineCase, oursRender, type EngineExpected } from '../../test/engine-harness.spec-helper.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Cases whose 1000 nested includes need a larger stack than vitest's worker has: run in a child Node. */
const BIG_STACK = new Set(['include-recursion-limit']);

function inBigStack(name: string): EngineExpected {
  const script = join(import.meta.dirname, '../../test/engine-run-case.spec-helper.ts');
  const r = spawnSync(process.execPath, ['--stack-size=3000', script, name], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`engine case ${name} failed in a child node: ${r.stderr}`);
  return JSON.parse(r.stdout) as EngineExpected;
}

describe('helm engine vs helm template (fixture)', () => {
  const expected = new Map(readEngineExpected().cases.map((c) => [c.name, c]));

  it('has a helm result for every case, and enough cases of each kind', () => {
    expect(ENGINE_CASES.map((c) => c.name).filter((n) => !expected.has(n))).toEqual([]);
    expect(ENGINE_CASES.filter((c) => c.chart === undefined).length).toBeGreaterThanOrEqual(40);
    expect(ENGINE_CASES.filter((c) => c.chart === 'helm-create').length).toBeGreaterThanOrEqual(4);
    expect(
      new Set(ENGINE_CASES.flatMap((c) => (c.chart && c.chart !== 'helm-create' ? [c.chart] : []))).size,
    ).toBeGreaterThanOrEqual(3);
  });

  it.each(ENGINE_CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const exp = expected.get(name) as EngineExpected;
    expect(BIG_STACK.has(name) ? inBigStack(name) : oursEngineCase(c)).toEqual(exp);
  });

  it('includes NOTES.txt in the map as engine.Render does (helm prints it through include)', () => {
    const c = ENGINE_CASES.find((x) => x.name === 'notes');
    const exp = expected.get('notes');
    const doc = exp?.docs?.find((d) => d.startsWith('c/templates/a.yaml\n'));
    expect(c).toBeDefined();
    expect(doc).toBeDefined();
    const notes = Buffer.from((doc as string).replace(/^.*\nnotes: /s, ''), 'base64').toString('utf8');
    const work = mkdtempSync(join(tmpdir(), 'flux-ts-helm-notes-'));
    try {
      const m = oursRender(c!, work);
      // The file itself renders with its own .Template (helm's include showed the including template's).
      expect(m.get('c/templates/NOTES.txt')).toBe(notes.replace('c/templates/a.yaml', 'c/templates/NOTES.txt'));
      expect(m.get('c/charts/sub/templates/NOTES.txt')).toBe('sub notes sub\n');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
