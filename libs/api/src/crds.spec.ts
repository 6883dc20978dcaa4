import { checkStructural } from '@flux-ts/schema';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { crdFileName, GeneratedHeader, renderCRDFiles, sortSchemaKeys, staleCRDFiles } from './crds.ts';
import { crdDir, readCRDDir } from './gen-crds.ts';
import { allKinds, kindSchema } from './registry.ts';

describe('deploy/crds', () => {
  const rendered = renderCRDFiles(allKinds);

  it('is up to date with the kind definitions (run `npm run gen-crds -w @flux-ts/api`)', () => {
    expect(staleCRDFiles(rendered, readCRDDir(crdDir))).toEqual([]);
  });

  it('has one CRD per kind and a kustomization listing them all', () => {
    expect(rendered.size).toBe(allKinds.length + 1);
    const kustomization = parse(rendered.get('kustomization.yaml') ?? '') as { resources: string[] };
    expect(kustomization.resources).toEqual(allKinds.map(crdFileName).sort());
    for (const content of rendered.values()) expect(content.startsWith(`${GeneratedHeader}\n`)).toBe(true);
  });

  it('renders each CRD as a single document named <plural>.<group>', () => {
    for (const def of allKinds) {
      const docs = parseAllDocuments(rendered.get(crdFileName(def)) ?? '');
      expect(Array.isArray(docs) ? docs.length : 0).toBe(1);
      const crd = (Array.isArray(docs) ? docs[0]?.toJS() : undefined) as { metadata: { name: string } };
      expect(crd.metadata.name).toBe(`${def.plural}.${def.group}`);
    }
  });

  it('renders structural schemas the apiserver accepts', () => {
    for (const def of allKinds)
      expect({ kind: def.kind, errors: checkStructural(kindSchema(def)) }).toEqual({ kind: def.kind, errors: [] });
  });

  it('names missing, changed and extra files as stale', () => {
    const onDisk = new Map(rendered);
    const [first] = [...rendered.keys()];
    onDisk.set(first ?? '', 'changed');
    onDisk.delete('kustomization.yaml');
    onDisk.set('old.yaml', 'x');
    expect(staleCRDFiles(rendered, onDisk)).toEqual([first, 'kustomization.yaml', 'old.yaml'].sort());
  });

  it('sorts schema properties and required lists like controller-gen, leaving enums alone', () => {
    const schema = {
      type: 'object',
      required: ['url', 'interval'],
      properties: { url: { type: 'string', enum: ['b', 'a'] }, interval: { type: 'string' } },
    };
    const sorted = sortSchemaKeys(schema) as typeof schema;
    expect(Object.keys(sorted.properties)).toEqual(['interval', 'url']);
    expect(sorted.required).toEqual(['interval', 'url']);
    expect(sorted.properties.url.enum).toEqual(['b', 'a']);
    expect(Object.keys(sorted)).toEqual(['type', 'required', 'properties']);
  });
});
