import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KObject } from '@flux-ts/kustomize';
import { buildKustomization, dyffReport, kustomizationFromFile, maskSopsData } from './build-kustomization.ts';
import type { KustomizationObject } from './build-kustomization.ts';

const tmp = mkdtempSync(join(tmpdir(), 'flux-ts-cli-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ks = (spec: KustomizationObject['spec']): KustomizationObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec,
});

describe('dyffReport', () => {
  // flux2 cmd/flux/testdata/diff-kustomization/diff-with-drifted-service.golden (the part after `drifted`)
  it('names list entries by their name, as flux prints a drifted Service', () => {
    const live = { spec: { ports: [{ name: 'http', port: 9899, targetPort: 'http' }] } };
    const merged = { spec: { ports: [{ name: 'http', port: 9898, targetPort: 'http' }] } };
    expect(dyffReport(live, merged)).toBe('\nspec.ports.http.port\n± value change\n- 9899\n+ 9898\n\n');
  });

  // flux2 cmd/flux/testdata/diff-kustomization/diff-taking-ownership.golden
  it('prints added map entries as YAML', () => {
    const live = { metadata: { name: 'existing-config' } };
    const merged = {
      metadata: {
        name: 'existing-config',
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'configmaps',
          'kustomize.toolkit.fluxcd.io/namespace': 'default',
        },
      },
    };
    expect(dyffReport(live, merged)).toBe(
      '\nmetadata\n+ one map entry added:\n  labels:\n    kustomize.toolkit.fluxcd.io/name: configmaps\n    kustomize.toolkit.fluxcd.io/namespace: default\n\n',
    );
  });

  it('prints nothing for equal documents', () => {
    expect(dyffReport({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe('');
  });
});

describe('maskSopsData', () => {
  it("masks a SOPS-encrypted Secret's values and drops its sops metadata, as flux build", () => {
    const secret: KObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'RU5DW0FFUzI1Nl9HQ00=' },
      stringData: { token: 'ENC[AES256_GCM,data:x]' },
      sops: { mac: 'ENC[AES256_GCM,data:y]' },
    };
    expect(maskSopsData(secret)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: Buffer.from('**SOPS**').toString('base64') },
      stringData: { token: '**SOPS**' },
    });
  });

  it('leaves a plain Secret as it is', () => {
    const secret: KObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'Yg==' } };
    expect(maskSopsData(secret)).toEqual(secret);
  });
});

describe('buildKustomization', () => {
  it('generates a kustomization, merges the spec, substitutes and labels, without writing into the directory', async () => {
    const dir = join(tmp, 'generated');
    mkdirSync(dir, { recursive: true });
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  env: ${cluster_env:=dev}\n';
    writeFileSync(join(dir, 'cm.yaml'), cm);
    const objects = await buildKustomization({
      kustomization: ks({
        targetNamespace: 'apps',
        namePrefix: 'x-',
        postBuild: { substitute: { cluster_env: 'prod' } },
      }),
      path: dir,
    });
    expect(objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'x-app',
          namespace: 'apps',
          labels: {
            'kustomize.toolkit.fluxcd.io/name': 'apps',
            'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          },
        },
        data: { env: 'prod' },
      },
    ]);
    expect(readFileSync(join(dir, 'cm.yaml'), 'utf8')).toBe(cm);
  });

  it('leaves --ignore-paths (gitignore patterns) out of the generated kustomization', async () => {
    const dir = join(tmp, 'ignored');
    mkdirSync(join(dir, 'to_ignore', 'deep'), { recursive: true });
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    writeFileSync(join(dir, 'keep.yaml'), cm('keep'));
    writeFileSync(join(dir, 'ignore.yaml'), cm('top-ignored'));
    writeFileSync(join(dir, 'to_ignore', 'deep', 'x.yaml'), cm('deep-ignored'));
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'ignore.yaml'), cm('sub-ignored'));
    const names = async (ignorePaths?: string[]) =>
      (await buildKustomization({ kustomization: ks({}), path: dir, ...(ignorePaths ? { ignorePaths } : {}) }))
        .map((o) => o.metadata.name)
        .sort();
    expect(await names()).toEqual(['deep-ignored', 'keep', 'sub-ignored', 'top-ignored']);
    // flux's documented example: an anchored glob and a bare name (which matches at any depth).
    expect(await names(['/to_ignore/**/*.yaml', 'ignore.yaml'])).toEqual(['keep']);
  });

  it('reads the Kustomization from --kustomization-file', () => {
    const file = join(tmp, 'ks.yaml');
    writeFileSync(
      file,
      '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apps\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./apps\n',
    );
    expect(kustomizationFromFile(file, 'apps', 'flux-system').spec.path).toBe('./apps');
    expect(() => kustomizationFromFile(file, 'other', 'flux-system')).toThrow(
      `failed find kustomization with name 'other' and namespace 'flux-system' in file '${file}'`,
    );
  });
});
