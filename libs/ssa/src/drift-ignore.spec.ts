import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@flux-ts/runtime';
import { applyIgnoreRules, ownsField, parsePointer } from './drift-ignore.ts';

const deployment = (replicas: number, image: string, managedFields: unknown[] = []): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', managedFields },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: 'app', image, env: [{ name: 'MODE', value: 'a' }] }] } },
    },
  }) as KubeObject;

const fields = {
  'f:spec': {
    'f:replicas': {},
    'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
  },
};

describe('parsePointer', () => {
  it('splits and unescapes RFC 6901 pointers', () => {
    expect(parsePointer('/metadata/annotations/example.com~1a~0b')).toEqual([
      'metadata',
      'annotations',
      'example.com/a~b',
    ]);
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('spec')).toBeUndefined();
  });
});

describe('ownsField', () => {
  const live = deployment(3, 'nginx:1');
  it('follows f: keys and list items by their k: key', () => {
    expect(ownsField(fields, live, ['spec', 'replicas'])).toBe(true);
    expect(ownsField(fields, live, ['spec', 'template', 'spec', 'containers', '0', 'image'])).toBe(true);
    expect(ownsField(fields, live, ['spec', 'template', 'spec', 'containers', '0', 'env'])).toBe(false);
    expect(ownsField(fields, live, ['spec', 'paused'])).toBe(false);
  });
});

describe('applyIgnoreRules', () => {
  it('drops a path another applier owns, so its value stays', () => {
    const live = deployment(5, 'nginx:1', [
      { manager: 'kustomize-controller', operation: 'Apply', fieldsV1: fields },
      { manager: 'hpa-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ]);
    const desired = deployment(1, 'nginx:2');
    const out = applyIgnoreRules(desired, live, ['/spec/replicas'], 'kustomize-controller');
    expect((out as unknown as { spec: Record<string, unknown> }).spec['replicas']).toBeUndefined();
    expect(JSON.stringify(out)).toContain('nginx:2');
    expect((desired as unknown as { spec: { replicas: number } }).spec.replicas).toBe(1); // input kept
  });

  it('copies the live value of a path only we own (a hand edit through Update stays)', () => {
    const live = deployment(1, 'nginx:edited', [
      { manager: 'kustomize-controller', operation: 'Apply', fieldsV1: fields },
      { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:template': {} } } },
    ]);
    const out = applyIgnoreRules(
      deployment(1, 'nginx:2'),
      live,
      ['/spec/template/spec/containers/0/image', '/spec/missing', 'not-a-pointer'],
      'kustomize-controller',
    );
    expect(JSON.stringify(out)).toContain('nginx:edited');
  });

  it('leaves a new object and an empty rule list as built', () => {
    const desired = deployment(1, 'nginx:2');
    expect(applyIgnoreRules(desired, undefined, ['/spec/replicas'], 'm')).toBe(desired);
    expect(applyIgnoreRules(desired, deployment(3, 'x'), [], 'm')).toBe(desired);
  });
});
