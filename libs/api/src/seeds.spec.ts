/**
 * The seed manifests users already have (test/fixtures/seeds, copied from the project's source documents) must
 * be accepted as they are: every Flux object validates, and structural pruning removes nothing from its spec.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prune } from '@flux-ts/schema';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findKind, kindSchema, parseApiVersion } from './registry.ts';
import { validate } from './validate.ts';

const seedsDir = join(import.meta.dirname, '..', 'test', 'fixtures', 'seeds');

interface Seed {
  readonly file: string;
  readonly index: number;
  readonly obj: Record<string, unknown>;
}

function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const file of readdirSync(seedsDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const docs = parseAllDocuments(readFileSync(join(seedsDir, file), 'utf8'));
    if (!Array.isArray(docs)) throw new Error(`failed to parse ${file}: unexpected empty stream`);
    docs.forEach((doc, index) => {
      if (doc.errors.length > 0)
        throw new Error(`failed to parse ${file} document ${index}: ${doc.errors[0]?.message}`);
      const obj: unknown = doc.toJS();
      if (obj !== null && typeof obj === 'object' && !Array.isArray(obj))
        seeds.push({ file, index, obj: obj as Record<string, unknown> });
    });
  }
  return seeds;
}

const isFluxGroup = (apiVersion: string): boolean => parseApiVersion(apiVersion).group.endsWith('.toolkit.fluxcd.io');
const seeds = loadSeeds().filter((s) => typeof s.obj['apiVersion'] === 'string' && isFluxGroup(s.obj['apiVersion']));

describe('seed manifests', () => {
  it('are found', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(14);
  });

  for (const seed of seeds) {
    const label = `${seed.file}#${seed.index} ${String(seed.obj['apiVersion'])} ${String(seed.obj['kind'])}`;

    it(`${label}: the kind is served and the object validates`, () => {
      const def = findKind(String(seed.obj['apiVersion']), String(seed.obj['kind']));
      expect(def, `${label}: version not served`).toBeDefined();
      expect(validate(seed.obj)).toEqual([]);
    });

    it(`${label}: structural pruning keeps the whole spec`, () => {
      const def = findKind(String(seed.obj['apiVersion']), String(seed.obj['kind']));
      if (def === undefined) throw new Error(`${label}: version not served`);
      const { value, pruned } = prune(kindSchema(def), seed.obj, { isResourceRoot: true });
      expect(pruned.filter((p) => p === 'spec' || p.startsWith('spec.') || p.startsWith('spec['))).toEqual([]);
      expect((value as Record<string, unknown>)['spec']).toEqual(seed.obj['spec']);
    });
  }
});
