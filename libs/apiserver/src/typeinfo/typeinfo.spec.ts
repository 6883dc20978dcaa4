import { describe, expect, it } from 'vitest';
import { builtinTypeInfo, objectMetaTypeInfo } from './builtin.ts';
import { crdTypeInfo } from './crd.ts';
import { typeInfoFromTable } from './types.ts';

describe('builtinTypeInfo', () => {
  const deploy = builtinTypeInfo('apps', 'Deployment');
  const cases: { name: string; group: string; kind: string; path: string; want: unknown }[] = [
    {
      name: 'deployment containers by name',
      group: 'apps',
      kind: 'Deployment',
      path: 'spec.template.spec.containers',
      want: { list: { listType: 'map', keys: ['name'] }, patchMergeKey: 'name', patchStrategy: 'merge' },
    },
    {
      name: 'container ports: SMP by containerPort, SSA by containerPort+protocol',
      group: 'apps',
      kind: 'StatefulSet',
      path: 'spec.template.spec.containers.ports',
      want: {
        list: { listType: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } },
        patchMergeKey: 'containerPort',
        patchStrategy: 'merge',
      },
    },
    {
      name: 'env by name',
      group: 'apps',
      kind: 'DaemonSet',
      path: 'spec.template.spec.initContainers.env',
      want: { list: { listType: 'map', keys: ['name'] }, patchMergeKey: 'name', patchStrategy: 'merge' },
    },
    {
      name: 'volumeMounts by mountPath',
      group: 'batch',
      kind: 'Job',
      path: 'spec.template.spec.containers.volumeMounts',
      want: { list: { listType: 'map', keys: ['mountPath'] }, patchMergeKey: 'mountPath', patchStrategy: 'merge' },
    },
    {
      name: 'volumes by name with retainKeys',
      group: 'apps',
      kind: 'ReplicaSet',
      path: 'spec.template.spec.volumes',
      want: { list: { listType: 'map', keys: ['name'] }, patchMergeKey: 'name', patchStrategy: 'merge,retainKeys' },
    },
    {
      name: 'cronjob pod template',
      group: 'batch',
      kind: 'CronJob',
      path: 'spec.jobTemplate.spec.template.spec.containers',
      want: { list: { listType: 'map', keys: ['name'] }, patchMergeKey: 'name', patchStrategy: 'merge' },
    },
    {
      name: 'pod tolerations atomic',
      group: '',
      kind: 'Pod',
      path: 'spec.tolerations',
      want: { list: { listType: 'atomic' } },
    },
    {
      name: 'pod hostAliases by ip',
      group: '',
      kind: 'Pod',
      path: 'spec.hostAliases',
      want: { list: { listType: 'map', keys: ['ip'] }, patchMergeKey: 'ip', patchStrategy: 'merge' },
    },
    {
      name: 'imagePullSecrets by name, atomic items',
      group: '',
      kind: 'PodTemplate',
      path: 'template.spec.imagePullSecrets',
      want: {
        list: { listType: 'map', keys: ['name'] },
        patchMergeKey: 'name',
        patchStrategy: 'merge',
        mapType: 'atomic',
      },
    },
    {
      name: 'service ports by port+protocol',
      group: '',
      kind: 'Service',
      path: 'spec.ports',
      want: {
        list: { listType: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } },
        patchMergeKey: 'port',
        patchStrategy: 'merge',
      },
    },
    {
      name: 'ownerReferences by uid, atomic items',
      group: '',
      kind: 'ConfigMap',
      path: 'metadata.ownerReferences',
      want: {
        list: { listType: 'map', keys: ['uid'] },
        patchMergeKey: 'uid',
        patchStrategy: 'merge',
        mapType: 'atomic',
      },
    },
    {
      name: 'finalizers set',
      group: 'rbac.authorization.k8s.io',
      kind: 'Role',
      path: 'metadata.finalizers',
      want: { list: { listType: 'set' }, patchStrategy: 'merge' },
    },
    {
      name: 'conditions by type',
      group: 'apps',
      kind: 'Deployment',
      path: 'status.conditions',
      want: { list: { listType: 'map', keys: ['type'] }, patchMergeKey: 'type', patchStrategy: 'merge' },
    },
    {
      name: 'job conditions atomic for SSA, merged by type for SMP',
      group: 'batch',
      kind: 'Job',
      path: 'status.conditions',
      want: { list: { listType: 'atomic' }, patchMergeKey: 'type', patchStrategy: 'merge' },
    },
    {
      name: 'configmap data granular map',
      group: '',
      kind: 'ConfigMap',
      path: 'data',
      want: { mapType: 'granular', isMap: true },
    },
    {
      name: 'secret data granular map',
      group: '',
      kind: 'Secret',
      path: 'data',
      want: { mapType: 'granular', isMap: true },
    },
    {
      name: 'rbac rules atomic',
      group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      path: 'rules',
      want: { list: { listType: 'atomic' } },
    },
    {
      name: 'ingress rules atomic',
      group: 'networking.k8s.io',
      kind: 'Ingress',
      path: 'spec.rules',
      want: { list: { listType: 'atomic' } },
    },
    {
      name: 'label selector atomic',
      group: 'apps',
      kind: 'Deployment',
      path: 'spec.selector',
      want: { mapType: 'atomic' },
    },
    {
      name: 'template labels granular',
      group: 'apps',
      kind: 'Deployment',
      path: 'spec.template.metadata.labels',
      want: { mapType: 'granular', isMap: true },
    },
    {
      name: 'managedFields atomic',
      group: 'apps',
      kind: 'Deployment',
      path: 'metadata.managedFields',
      want: { list: { listType: 'atomic' } },
    },
    { name: 'unknown field', group: 'apps', kind: 'Deployment', path: 'spec.replicas', want: undefined },
  ];
  it.each(cases)('$name', ({ group, kind, path, want }) => {
    const ti = builtinTypeInfo(group, kind);
    expect(ti).toBeDefined();
    expect(ti?.field(path.split('.'))).toEqual(want);
  });

  it('returns undefined for kinds it does not know', () => {
    expect(builtinTypeInfo('example.com', 'Widget')).toBeUndefined();
    expect(deploy?.field(['spec', 'template', 'spec', 'containers'])?.patchMergeKey).toBe('name');
  });

  it('objectMetaTypeInfo covers labels and annotations only under metadata', () => {
    const ti = objectMetaTypeInfo();
    expect(ti.field(['metadata', 'annotations'])).toEqual({ mapType: 'granular', isMap: true });
    expect(ti.field(['status', 'conditions'])).toBeUndefined();
  });
});

describe('crdTypeInfo', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['port', 'protocol'],
            items: {
              type: 'object',
              properties: {
                port: { type: 'integer' },
                protocol: { type: 'string', default: 'TCP' },
                tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
              },
            },
          },
          selector: { type: 'object', 'x-kubernetes-map-type': 'atomic' },
          values: {
            type: 'object',
            additionalProperties: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          },
          plain: { type: 'array', items: { type: 'string' } },
        },
      },
      status: { type: 'object', properties: { conditions: { type: 'array', items: { type: 'object' } } } },
    },
  };
  const ti = crdTypeInfo(schema);
  const cases: { path: string; want: unknown }[] = [
    {
      path: 'spec.ports',
      want: { list: { listType: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } } },
    },
    { path: 'spec.ports.tags', want: { list: { listType: 'set' } } },
    { path: 'spec.selector', want: { mapType: 'atomic' } },
    { path: 'spec.values', want: { isMap: true } },
    { path: 'spec.values.anykey', want: { list: { listType: 'set' } } },
    { path: 'spec.plain', want: undefined },
    // CRDs get no implicit conditions rule: an unannotated list is atomic, as in Kubernetes
    { path: 'status.conditions', want: undefined },
    { path: 'metadata.labels', want: { mapType: 'granular', isMap: true } },
  ];
  it.each(cases)('$path', ({ path, want }) => {
    expect(ti.field(path.split('.'))).toEqual(want);
  });
});

describe('typeInfoFromTable', () => {
  it('prefers an exact match over a wildcard and merges later tables', () => {
    const ti = typeInfoFromTable(
      { 'a.*.b': { mapType: 'atomic' }, 'a.x.b': { isMap: true } },
      { 'a.x.b': { mapType: 'granular' } },
    );
    expect(ti.field(['a', 'x', 'b'])).toEqual({ isMap: true, mapType: 'granular' });
    expect(ti.field(['a', 'y', 'b'])).toEqual({ mapType: 'atomic' });
  });
});
