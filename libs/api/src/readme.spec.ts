import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allKinds } from './registry.ts';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The rows of the README's markdown tables, as trimmed cells. */
const rows = readme
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim()),
  );

describe('README legacy table', () => {
  // Source kinds are strict; the other groups' helpers add their rows (the lead makes this strict for all).
  for (const def of allKinds.filter((d) => d.group === 'source.toolkit.fluxcd.io')) {
    it(`lists every legacy field of ${def.kind}`, () => {
      const missing = def.legacyFields
        .map((f) => [def.kind, `\`${f.path}\``, f.versions.join(', '), f.handling])
        .filter((want) => !rows.some((row) => row.join('|') === want.join('|')));
      expect(missing).toEqual([]);
    });
  }
});
