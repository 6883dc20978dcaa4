/**
 * Generates `tables.ts`: the protobuf field tables of every message reachable from the built-in kinds the server
 * serves, read from Kubernetes' own `generated.proto` files (k8s.io/api, k8s.io/apimachinery) with protobufjs's
 * parser. Usage: `npm run gen-protobuf -- <dir of .proto files> <source note>`, then `npx prettier --write
 * src/protobuf/tables.ts`. The .proto files themselves are not part of this repository: take them from
 * k8s.io/api (`<group>/<version>/generated.proto`) and k8s.io/apimachinery (`pkg/apis/meta/v1`, `pkg/runtime`,
 * `pkg/api/resource`, `pkg/util/intstr`), and k8s.io/apiextensions-apiserver (`pkg/apis/apiextensions/v1`); the
 * generator reads every `.proto` under the directory.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { builtinResources } from '../resources.ts';
import { FLAG, type FieldSpec } from './types.ts';

/** The short key of a message: its full name without the `k8s.io.api.` / `k8s.io.apimachinery.pkg.` prefix. */
const keyOf = (fullName: string): string =>
  fullName
    .replace(/^\./, '')
    .replace(/^k8s\.io\.(api\.|apimachinery\.pkg\.(apis\.)?|apiextensions_apiserver\.pkg\.apis\.)?/, '');

/**
 * Messages with a custom JSON form (their MarshalJSON in apimachinery), mapped to a codec of their own: the
 * .proto files cannot say so.
 */
const SPECIAL: Record<string, string> = {
  'meta.v1.Time': 'time',
  'meta.v1.MicroTime': 'microtime',
  'meta.v1.Duration': 'duration',
  'meta.v1.FieldsV1': 'raw',
  'runtime.RawExtension': 'raw',
  'api.resource.Quantity': 'quantity',
  'util.intstr.IntOrString': 'intorstring',
  'apiextensions.v1.JSON': 'raw',
  'apiextensions.v1.JSONSchemaPropsOrBool': 'schemaorbool',
  'apiextensions.v1.JSONSchemaPropsOrArray': 'schemaorarray',
  'apiextensions.v1.JSONSchemaPropsOrStringArray': 'schemaorstringarray',
};

/** Embedded Go structs (`json:",inline"`): the .proto names them as a field, JSON flattens them into the parent. */
const INLINE = new Set([
  'core.v1.Volume.volumeSource',
  'core.v1.PersistentVolumeSpec.persistentVolumeSource',
  'core.v1.Probe.handler',
  'core.v1.EphemeralContainer.ephemeralContainerCommon',
  'networking.v1.IngressRule.ingressRuleValue',
  'admissionregistration.v1.RuleWithOperations.rule',
]);

/** Fields whose JSON name is not their .proto name (go-to-protobuf kept the Go field name). */
const JSON_NAMES: Record<string, string> = {
  'admissionregistration.v1.ValidatingWebhookConfiguration.Webhooks': 'webhooks',
  'admissionregistration.v1.MutatingWebhookConfiguration.Webhooks': 'webhooks',
  'apiextensions.v1.JSONSchemaProps.schema': '$schema',
  'apiextensions.v1.JSONSchemaProps.ref': '$ref',
  'apiextensions.v1.JSONSchemaProps.xKubernetesPreserveUnknownFields': 'x-kubernetes-preserve-unknown-fields',
  'apiextensions.v1.JSONSchemaProps.xKubernetesEmbeddedResource': 'x-kubernetes-embedded-resource',
  'apiextensions.v1.JSONSchemaProps.xKubernetesIntOrString': 'x-kubernetes-int-or-string',
  'apiextensions.v1.JSONSchemaProps.xKubernetesListMapKeys': 'x-kubernetes-list-map-keys',
  'apiextensions.v1.JSONSchemaProps.xKubernetesListType': 'x-kubernetes-list-type',
  'apiextensions.v1.JSONSchemaProps.xKubernetesMapType': 'x-kubernetes-map-type',
  'apiextensions.v1.JSONSchemaProps.xKubernetesValidations': 'x-kubernetes-validations',
};

/**
 * Pointer scalars whose zero value means something (Go's `*int32`/`*bool`/`*string`: present-but-zero is not
 * absent). The .proto files write pointers and values alike, so these are listed; every other zero is dropped as
 * JSON's `omitempty` would.
 */
const KEEP_ZERO = new Set([
  'apps.v1.DeploymentSpec.replicas',
  'apps.v1.DeploymentSpec.revisionHistoryLimit',
  'apps.v1.DeploymentSpec.progressDeadlineSeconds',
  'apps.v1.ReplicaSetSpec.replicas',
  'apps.v1.StatefulSetSpec.replicas',
  'apps.v1.StatefulSetSpec.revisionHistoryLimit',
  'apps.v1.DaemonSetSpec.revisionHistoryLimit',
  'core.v1.ReplicationControllerSpec.replicas',
  'batch.v1.JobSpec.parallelism',
  'batch.v1.JobSpec.completions',
  'batch.v1.JobSpec.backoffLimit',
  'batch.v1.JobSpec.ttlSecondsAfterFinished',
  'batch.v1.JobSpec.suspend',
  'batch.v1.CronJobSpec.suspend',
  'batch.v1.CronJobSpec.startingDeadlineSeconds',
  'batch.v1.CronJobSpec.successfulJobsHistoryLimit',
  'batch.v1.CronJobSpec.failedJobsHistoryLimit',
  'core.v1.PodSpec.automountServiceAccountToken',
  'core.v1.PodSpec.terminationGracePeriodSeconds',
  'core.v1.PodSpec.enableServiceLinks',
  'core.v1.PodSpec.hostUsers',
  'core.v1.ServiceAccount.automountServiceAccountToken',
  'core.v1.SecurityContext.runAsUser',
  'core.v1.SecurityContext.runAsGroup',
  'core.v1.SecurityContext.runAsNonRoot',
  'core.v1.SecurityContext.privileged',
  'core.v1.SecurityContext.allowPrivilegeEscalation',
  'core.v1.SecurityContext.readOnlyRootFilesystem',
  'core.v1.PodSecurityContext.runAsUser',
  'core.v1.PodSecurityContext.runAsGroup',
  'core.v1.PodSecurityContext.runAsNonRoot',
  'core.v1.PodSecurityContext.fsGroup',
  'core.v1.PersistentVolumeClaimSpec.storageClassName',
  'core.v1.ServiceSpec.allocateLoadBalancerNodePorts',
  'core.v1.ConfigMap.immutable',
  'core.v1.Secret.immutable',
  'scheduling.v1.PriorityClass.value',
  'meta.v1.DeleteOptions.gracePeriodSeconds',
  'meta.v1.DeleteOptions.orphanDependents',
  'autoscaling.v1.HorizontalPodAutoscalerSpec.minReplicas',
  'autoscaling.v2.HorizontalPodAutoscalerSpec.minReplicas',
  // apiextensions.k8s.io/v1: pointers, and served/storage (JSON without omitempty)
  'apiextensions.v1.CustomResourceDefinitionVersion.served',
  'apiextensions.v1.CustomResourceDefinitionVersion.storage',
  'apiextensions.v1.JSONSchemaProps.ref',
  'apiextensions.v1.JSONSchemaProps.maximum',
  'apiextensions.v1.JSONSchemaProps.minimum',
  'apiextensions.v1.JSONSchemaProps.multipleOf',
  'apiextensions.v1.JSONSchemaProps.maxLength',
  'apiextensions.v1.JSONSchemaProps.minLength',
  'apiextensions.v1.JSONSchemaProps.maxItems',
  'apiextensions.v1.JSONSchemaProps.minItems',
  'apiextensions.v1.JSONSchemaProps.maxProperties',
  'apiextensions.v1.JSONSchemaProps.minProperties',
  'apiextensions.v1.JSONSchemaProps.xKubernetesPreserveUnknownFields',
  'apiextensions.v1.JSONSchemaProps.xKubernetesListType',
  'apiextensions.v1.JSONSchemaProps.xKubernetesMapType',
  'apiextensions.v1.CustomResourceDefinitionVersion.deprecationWarning',
  'apiextensions.v1.WebhookClientConfig.url',
  'apiextensions.v1.ValidationRule.reason',
  'apiextensions.v1.ValidationRule.optionalOldSelf',
  'apiextensions.v1.ServiceReference.port',
]);

/** Messages every group/version decodes and encodes besides its kinds. */
const META_ROOTS = [
  'runtime.Unknown',
  'meta.v1.Status',
  'meta.v1.DeleteOptions',
  'meta.v1.WatchEvent',
  'meta.v1.List',
  'meta.v1.PartialObjectMetadata',
  'meta.v1.PartialObjectMetadataList',
  'meta.v1.APIGroup',
  'meta.v1.APIGroupList',
  'meta.v1.APIResourceList',
  'meta.v1.APIVersions',
];

/** Group/versions with protobuf beyond the served kinds' (autoscaling/v1: the Scale subresource). */
const EXTRA_GROUP_VERSIONS = [{ group: 'autoscaling', version: 'v1' }];

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'bytes']);

const protoFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.proto'))
    .map((e) => join(e.parentPath, e.name))
    .sort();

const allTypes = (ns: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] => {
  for (const n of ns.nestedArray) {
    if (n instanceof protobuf.Type) out.push(n);
    if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) allTypes(n, out);
  }
  return out;
};

/** A message with only `repeated string items = 1` (ExtraValue, Verbs): JSON writes it as the array. */
const isStringList = (t: protobuf.Type): boolean =>
  t.fieldsArray.length === 1 && t.fieldsArray[0]?.name === 'items' && t.fieldsArray[0].repeated === true;

/** The package key of a served group/version: `core.v1`, `apps.v1`, `rbac.v1` … (the group's first label). */
const packageOf = (group: string, version: string, packages: Set<string>): string | undefined => {
  const label = group === '' ? 'core' : (group.split('.')[0] ?? '');
  return [...packages].find((p) => p === `${label}.${version}` || p.endsWith(`.${label}.${version}`));
};

const main = (): void => {
  const [dir, source] = process.argv.slice(2);
  if (!dir || !source) throw new Error('usage: generate.ts <dir of generated.proto files> <source note>');
  const root = new protobuf.Root();
  for (const f of protoFiles(dir)) protobuf.parse(readFileSync(f, 'utf8'), root, { keepCase: true });
  root.resolveAll();
  const types = new Map(allTypes(root).map((t) => [keyOf(t.fullName), t]));
  const packages = new Set([...types.keys()].map((k) => k.slice(0, k.lastIndexOf('.'))));

  const groupVersions: Record<string, string> = {};
  for (const { group, version } of [...builtinResources(), ...EXTRA_GROUP_VERSIONS]) {
    const pkg = packageOf(group, version, packages);
    if (pkg) groupVersions[group === '' ? version : `${group}/${version}`] = pkg;
  }
  // every kind (and list) of a served group/version: a message whose field 1 is ObjectMeta or ListMeta; this takes in
  // the subresource kinds too (TokenRequest, Scale, Eviction, Binding)
  const isKind = (t: protobuf.Type): boolean => {
    const rt = t.fieldsById[1]?.resolvedType;
    return rt instanceof protobuf.Type && /^meta\.v1\.(ObjectMeta|ListMeta)$/.test(keyOf(rt.fullName));
  };
  const served = new Set(Object.values(groupVersions));
  const roots = [...META_ROOTS];
  for (const [key, t] of types) if (served.has(key.slice(0, key.lastIndexOf('.'))) && isKind(t)) roots.push(key);

  const tables: Record<string, Record<number, FieldSpec>> = {};
  const typeOf = (t: string, f: protobuf.Field): string => {
    if (SCALARS.has(t)) return t;
    const rt = f.resolvedType;
    if (!(rt instanceof protobuf.Type)) throw new Error(`${f.fullName}: enums are not used by Kubernetes`);
    const key = keyOf(rt.fullName);
    if (SPECIAL[key]) return SPECIAL[key];
    if (isStringList(rt)) return 'strings';
    visit(key);
    return key;
  };
  const visit = (key: string): void => {
    if (tables[key]) return;
    const t = types.get(key);
    if (!t) throw new Error(`message ${key} is not in the .proto files`);
    const fields: Record<number, FieldSpec> = {};
    tables[key] = fields;
    for (const f of t.fieldsArray) {
      let flags = 0;
      if (f instanceof protobuf.MapField) {
        if (f.keyType !== 'string') throw new Error(`${f.fullName}: only string map keys are used by Kubernetes`);
        flags |= FLAG.map;
      } else if (f.repeated) flags |= FLAG.repeated;
      // every embedded LocalObjectReference (ConfigMapKeySelector, SecretEnvSource …) is inline too
      if (INLINE.has(`${key}.${f.name}`) || f.name === 'localObjectReference') flags |= FLAG.inline;
      if (KEEP_ZERO.has(`${key}.${f.name}`)) flags |= FLAG.keepZero;
      const spec: FieldSpec = [JSON_NAMES[`${key}.${f.name}`] ?? f.name, typeOf(f.type, f)];
      if (flags !== 0) spec.push(flags);
      fields[f.id] = spec;
    }
  };
  for (const r of roots) visit(r);

  const sorted = Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const body = Object.entries(sorted)
    .map(([k, fields]) => `  ${JSON.stringify(k)}: ${JSON.stringify(fields)},`)
    .join('\n');
  const out = `// Generated by src/protobuf/generate.ts from Kubernetes' generated.proto files (${source}). Do not edit.
import type { MessageTable } from './types.ts';

/** Where the field tables were generated from. */
export const PROTO_SOURCE = ${JSON.stringify(source)};

/** The protobuf package of each served group/version (\`apps/v1\` → \`apps.v1\`). */
export const GROUP_VERSION_PACKAGES: Readonly<Record<string, string>> = ${JSON.stringify(groupVersions)};

/** Field tables by message: field number → [JSON name, type, flags]. */
export const MESSAGES: Readonly<Record<string, MessageTable>> = {
${body}
};
`;
  writeFileSync(new URL('./tables.ts', import.meta.url), out);
  process.stdout.write(`${Object.keys(sorted).length} messages, ${Object.keys(groupVersions).length} group/versions\n`);
};

main();
