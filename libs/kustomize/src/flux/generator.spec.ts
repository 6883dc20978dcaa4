import { describe, expect, it } from 'vitest';
import { applyCommonMetadata, generateKustomizationFiles, mergeFluxSpec } from './generator.ts';

const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };

describe('generateKustomizationFiles', () => {
  it('returns null when the directory has a kustomization', () => {
    expect(
      generateKustomizationFiles({ files: [{ path: 'Kustomization' }, { path: 'a.yaml', docs: [obj] }] }),
    ).toBeNull();
  });

  it('lists YAML files in walk order and kustomization dirs without descending', () => {
    const out = generateKustomizationFiles({
      files: [
        { path: 'b.yaml', docs: [obj] },
        { path: 'b/x.yml', docs: [obj] },
        { path: 'a.yaml', docs: [obj, null] },
        { path: 'README.md' },
        { path: 'app/kustomization.yaml', docs: [{ resources: [] }] },
        { path: 'app/deploy.yaml', docs: [obj] },
        { path: 'app/nested/kustomization.yaml' },
        { path: 'B.yaml', docs: [obj] },
      ],
    });
    expect(out).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['./B.yaml', './a.yaml', './app', './b/x.yml', './b.yaml'],
    });
  });

  it('fails on YAML that is not a Kubernetes object, and uses a placeholder namespace when empty', () => {
    expect(() => generateKustomizationFiles({ files: [{ path: 'values.yaml', docs: [{ replicas: 1 }] }] })).toThrow(
      'failed to decode Kubernetes YAML from values.yaml',
    );
    expect(generateKustomizationFiles({ files: [] })).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: '_placeholder',
    });
  });
});

describe('mergeFluxSpec', () => {
  it('merges namespace, prefix/suffix, patches, components and images', () => {
    const kus = {
      resources: ['a.yaml'],
      namespace: 'old',
      images: [{ name: 'nginx', newTag: '1' }],
      patches: [{ path: 'p.yaml' }],
    };
    const out = mergeFluxSpec(
      kus,
      {
        targetNamespace: 'apps',
        namePrefix: 'p-',
        nameSuffix: '-s',
        patches: [{ patch: 'kind: X', target: { kind: 'Deployment', name: '' } }],
        images: [
          { name: 'nginx', newTag: '2' },
          { name: 'redis', digest: 'sha256:abc' },
        ],
        components: ['../c1', 'c2'].slice(1),
        ignoreMissingComponents: true,
      },
      { componentExists: (p) => p === 'c2' },
    );
    expect(out).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['a.yaml'],
      namespace: 'apps',
      namePrefix: 'p-',
      nameSuffix: '-s',
      patches: [{ path: 'p.yaml' }, { patch: 'kind: X', target: { kind: 'Deployment' } }],
      components: ['c2'],
      images: [
        { name: 'nginx', newTag: '2' },
        { name: 'redis', digest: 'sha256:abc' },
      ],
    });
    expect(kus.namespace).toBe('old');
  });

  it('drops missing components only when ignoreMissingComponents is set and refuses non-local paths', () => {
    const exists = { componentExists: () => false };
    expect(mergeFluxSpec({}, { components: ['c'], ignoreMissingComponents: true }, exists)['components']).toEqual([]);
    expect(mergeFluxSpec({}, { components: ['c'] }, exists)['components']).toEqual(['c']);
    expect(() => mergeFluxSpec({}, { components: ['../c'] })).toThrow("component path '../c' must be local");
  });
});

describe('applyCommonMetadata', () => {
  it('adds labels and annotations to every object', () => {
    const [out] = applyCommonMetadata([{ ...obj, metadata: { name: 'x', labels: { a: '1' } } }], {
      labels: { team: 't' },
      annotations: { n: 'v' },
    });
    expect(out?.['metadata']).toEqual({ name: 'x', labels: { a: '1', team: 't' }, annotations: { n: 'v' } });
  });
});
