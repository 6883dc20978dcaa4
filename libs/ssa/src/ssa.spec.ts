import { describe, expect, it } from 'vitest';
import {
  Action,
  ChangeSet,
  HealthChecker,
  applyStages,
  changeSetEntry,
  computeStatus,
  hasDrifted,
  inventoryOf,
  isPruneDisabled,
  parseObjMetadataId,
  ssaPolicyOf,
  staleEntries,
  entryRef,
} from './index.ts';
import type { KubeObject } from '@flux-ts/runtime';

const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...extra,
});

describe('change sets and inventory ids', () => {
  it('prints entries as Flux does', () => {
    const cs = new ChangeSet([
      changeSetEntry(
        { namespace: 'default', name: 'app', group: 'apps', kind: 'Deployment' },
        'apps/v1',
        Action.Configured,
      ),
      changeSetEntry({ namespace: '', name: 'apps', group: '', kind: 'Namespace' }, 'v1', Action.Created),
    ]);
    expect(cs.toString()).toBe('Deployment/default/app configured\nNamespace/apps created');
    expect(cs.toMap()).toEqual({ 'Deployment/default/app': 'configured', 'Namespace/apps': 'created' });
  });

  it('builds inventory entries <ns>_<name>_<group>_<kind> with the version', () => {
    const inv = inventoryOf([
      obj('apps/v1', 'Deployment', 'app', 'default'),
      obj('v1', 'Service', 'podinfo', 'default'),
      obj('v1', 'Namespace', 'apps'),
    ]);
    expect(inv.entries).toEqual([
      { id: 'default_app_apps_Deployment', v: 'v1' },
      { id: 'default_podinfo__Service', v: 'v1' },
      { id: '_apps__Namespace', v: 'v1' },
    ]);
    expect(parseObjMetadataId('default_podinfo__Service')).toEqual({
      namespace: 'default',
      name: 'podinfo',
      group: '',
      kind: 'Service',
    });
    expect(entryRef({ id: 'default_app_apps_Deployment', v: 'v1' }).apiVersion).toBe('apps/v1');
    expect(() => parseObjMetadataId('bad')).toThrow("invalid inventory id 'bad'");
    expect(staleEntries(inv, inventoryOf([obj('v1', 'Namespace', 'apps')])).map((e) => e.id)).toEqual([
      'default_app_apps_Deployment',
      'default_podinfo__Service',
    ]);
  });
});

describe('policies and stages', () => {
  it('reads the kustomize.toolkit.fluxcd.io annotations', () => {
    const a = (annotations: Record<string, string>) => ({ metadata: { name: 'x', annotations } });
    expect(ssaPolicyOf(a({}))).toBe('Override');
    expect(ssaPolicyOf(a({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }))).toBe('IfNotPresent');
    expect(ssaPolicyOf(a({ 'kustomize.toolkit.fluxcd.io/ssa': 'merge' }))).toBe('Merge');
    expect(isPruneDisabled(a({ 'kustomize.toolkit.fluxcd.io/prune': 'Disabled' }))).toBe(true);
    expect(isPruneDisabled(a({ 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' }))).toBe(true);
    expect(isPruneDisabled(a({}))).toBe(false);
  });

  it('stages definitions, classes, custom kinds, then the rest', () => {
    const stages = applyStages(
      [
        obj('apps/v1', 'Deployment', 'a', 'x'),
        obj('networking.k8s.io/v1', 'IngressClass', 'nginx'),
        obj('v1', 'Namespace', 'x'),
        obj('rbac.authorization.k8s.io/v1', 'Role', 'r', 'x'),
        obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'foos.example.com'),
        obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'cr'),
      ],
      ['rbac.authorization.k8s.io/Role'],
    );
    expect(stages.map((s) => [s.name, s.objects.map((o) => o.kind)])).toEqual([
      ['definitions', ['Namespace', 'CustomResourceDefinition', 'ClusterRole']],
      ['classes', ['IngressClass']],
      ['custom', ['Role']],
      ['resources', ['Deployment']],
    ]);
  });

  it('detects drift ignoring server bookkeeping', () => {
    const live = obj('v1', 'ConfigMap', 'c', 'd', { data: { a: '1' } });
    live.metadata.resourceVersion = '5';
    live.metadata.managedFields = [{ manager: 'x' }];
    const same = obj('v1', 'ConfigMap', 'c', 'd', { data: { a: '1' } });
    expect(hasDrifted(live, same)).toBe(false);
    expect(hasDrifted(live, obj('v1', 'ConfigMap', 'c', 'd', { data: { a: '2' } }))).toBe(true);
  });
});

describe('kstatus', () => {
  const deploy = (status: Record<string, unknown>, generation = 1) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n', generation },
    spec: { replicas: 2 },
    status,
  });

  it('computes Deployment status', () => {
    expect(computeStatus(deploy({})).status).toBe('InProgress');
    expect(computeStatus(deploy({ observedGeneration: 1, updatedReplicas: 1, replicas: 1 })).status).toBe('InProgress');
    expect(
      computeStatus(
        deploy({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, readyReplicas: 2, availableReplicas: 2 }),
      ).status,
    ).toBe('Current');
    expect(
      computeStatus(
        deploy({
          observedGeneration: 1,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
        }),
      ).status,
    ).toBe('Failed');
  });

  it('computes Jobs, PVCs, CRDs, Namespaces and generic Ready objects', () => {
    const job = (conditions: unknown[]) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', generation: 1 },
      status: { observedGeneration: 1, conditions },
    });
    expect(computeStatus(job([{ type: 'Complete', status: 'True' }])).status).toBe('Current');
    expect(computeStatus(job([{ type: 'Failed', status: 'True' }])).status).toBe('Failed');
    expect(
      computeStatus({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'p' },
        status: { phase: 'Pending' },
      }).status,
    ).toBe('InProgress');
    expect(
      computeStatus({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'c' },
        status: { conditions: [{ type: 'Established', status: 'True' }] },
      }).status,
    ).toBe('Current');
    expect(
      computeStatus({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, status: { phase: 'Active' } })
        .status,
    ).toBe('Current');
    const flux = (generation: number, observedGeneration: number, ready: string) => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'g', generation },
      status: { observedGeneration, conditions: [{ type: 'Ready', status: ready }] },
    });
    expect(computeStatus(flux(2, 1, 'True')).status).toBe('InProgress');
    expect(computeStatus(flux(2, 2, 'True')).status).toBe('Current');
    expect(computeStatus(flux(2, 2, 'False')).status).toBe('InProgress');
    expect(computeStatus({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }).status).toBe('Current');
  });

  it('evaluates healthCheckExprs in order inProgress, failed, current', async () => {
    const checker = await HealthChecker.create({
      client: { get: () => Promise.reject(new Error('unused')) },
      exprs: [
        {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          inProgress: "status.phase == 'Pending'",
          failed: "status.phase == 'Broken'",
          current: "status.phase == 'Ok'",
        },
      ],
    });
    const w = (phase: string) => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      status: { phase },
    });
    expect(checker.status(w('Pending')).status).toBe('InProgress');
    expect(checker.status(w('Broken')).status).toBe('Failed');
    expect(checker.status(w('Ok')).status).toBe('Current');
    expect(checker.status(w('Other')).status).toBe('InProgress');
    await expect(
      HealthChecker.create({
        client: { get: () => Promise.reject(new Error('x')) },
        exprs: [{ apiVersion: 'v1', current: '((' }],
      }),
    ).rejects.toThrow("failed to parse the 'current' expression");
    expect(
      () =>
        new HealthChecker({
          client: { get: () => Promise.reject(new Error('x')) },
          exprs: [{ apiVersion: 'v1', current: 'true' }],
        }),
    ).toThrow('healthCheckExprs must be compiled first');
  });
});
