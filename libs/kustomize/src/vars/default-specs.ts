/** kustomize's default `varReference` field specs (api/konfig/builtinpluginconsts/varreference.go), as data. */

/** A field spec: a slash-separated path, optionally restricted to a group/version/kind. */
export interface VarRefFieldSpec {
  path: string;
  group?: string;
  version?: string;
  kind?: string;
}

const container = ['args', 'command', 'env/value', 'volumeMounts/mountPath'];
const podSpecPaths = (prefix: string): string[] => [
  ...container.map((c) => `${prefix}containers/${c}`),
  ...container.map((c) => `${prefix}initContainers/${c}`),
  `${prefix}volumes/nfs/server`,
];
const forKind = (kind: string, paths: readonly string[]): VarRefFieldSpec[] => paths.map((path) => ({ path, kind }));

/** The field specs `$(VAR)` references are expanded in by default. */
export const DEFAULT_VAR_REFERENCE_FIELD_SPECS: readonly VarRefFieldSpec[] = [
  ...forKind('CronJob', podSpecPaths('spec/jobTemplate/spec/template/spec/')),
  ...forKind('DaemonSet', podSpecPaths('spec/template/spec/')),
  ...forKind('Deployment', podSpecPaths('spec/template/spec/')),
  ...forKind('Ingress', ['spec/rules/host', 'spec/tls/hosts', 'spec/tls/secretName']),
  ...forKind('Job', podSpecPaths('spec/template/spec/')),
  ...forKind('Pod', podSpecPaths('spec/')),
  ...forKind('ReplicaSet', podSpecPaths('spec/template/spec/')),
  ...forKind('Service', ['spec/ports/port', 'spec/ports/targetPort']),
  ...forKind('StatefulSet', [
    ...podSpecPaths('spec/template/spec/').filter((p) => !p.endsWith('volumes/nfs/server')),
    'spec/volumeClaimTemplates/spec/nfs/server',
  ]),
  ...forKind('PersistentVolume', ['spec/nfs/server']),
  { path: 'metadata/labels' },
  { path: 'metadata/annotations' },
];
