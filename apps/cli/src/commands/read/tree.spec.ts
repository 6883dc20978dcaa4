import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '@flux-ts/runtime';
import type { FluxObject } from '../shared/objects.ts';
import { parseObjMetadata, printTree, treeKustomization, type ObjMetadataTree } from './tree.ts';

const golden = (name: string, fluxns: string): string =>
  readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8').replaceAll('{{ .fluxns }}', fluxns);

const node = (id: string, children?: ObjMetadataTree[]): ObjMetadataTree => ({
  resource: parseObjMetadata(id),
  ...(children ? { resources: children } : {}),
});

describe('tree printing', () => {
  it('parses inventory ids as cli-utils (colons as double underscores)', () => {
    expect(parseObjMetadata('_cert-manager__Namespace')).toEqual({
      Namespace: '',
      Name: 'cert-manager',
      GroupKind: { Group: '', Kind: 'Namespace' },
    });
    expect(parseObjMetadata('_system__controller_rbac.authorization.k8s.io_ClusterRole').Name).toBe(
      'system:controller',
    );
  });

  it('prints the inventory of flux2 testdata/tree/kustomizations.yaml as tree.golden', () => {
    const ns = 'flux-system';
    const tree = node(`${ns}_flux-system_kustomize.toolkit.fluxcd.io_Kustomization`, [
      node(`_${ns}__Namespace`),
      node(`${ns}_helm-controller_apps_Deployment`),
      node(`${ns}_kustomize-controller_apps_Deployment`),
      node(`${ns}_notification-controller_apps_Deployment`),
      node(`${ns}_source-controller_apps_Deployment`),
      node(`${ns}_infrastructure_kustomize.toolkit.fluxcd.io_Kustomization`, [
        node('_cert-manager__Namespace'),
        node('cert-manager_cert-manager_source.toolkit.fluxcd.io_HelmRepository'),
      ]),
      node(`${ns}_flux-system_source.toolkit.fluxcd.io_GitRepository`),
    ]);
    // flux prints the tree with Println: one more newline.
    expect(`${printTree(tree)}\n`).toBe(golden('tree.golden', ns));
  });

  it('keeps only Flux objects with --compact, as tree-compact.golden', async () => {
    const ns = 'flux-system';
    const ks = (name: string, ids: string[]): FluxObject => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name, namespace: ns },
      spec: {},
      status: { inventory: { entries: ids.map((id) => ({ id, v: 'v1' })) } },
    });
    // upstream testdata/tree/kustomizations.yaml
    const infrastructure = ks('infrastructure', [
      '_cert-manager__Namespace',
      'cert-manager_cert-manager_source.toolkit.fluxcd.io_HelmRepository',
    ]);
    const root = ks('flux-system', [
      `_${ns}__Namespace`,
      `${ns}_helm-controller_apps_Deployment`,
      `${ns}_kustomize-controller_apps_Deployment`,
      `${ns}_notification-controller_apps_Deployment`,
      `${ns}_source-controller_apps_Deployment`,
      `${ns}_infrastructure_kustomize.toolkit.fluxcd.io_Kustomization`,
      `${ns}_flux-system_source.toolkit.fluxcd.io_GitRepository`,
    ]);
    const client = { get: () => Promise.resolve(infrastructure) } as unknown as KubeClient;
    const tree = node(`${ns}_flux-system_kustomize.toolkit.fluxcd.io_Kustomization`);
    await treeKustomization(client, tree, root, true, new AbortController().signal);
    expect(`${printTree(tree)}\n`).toBe(golden('tree-compact.golden', ns));
  });
});
