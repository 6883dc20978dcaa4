/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl
 * `create`/`auth can-i` and Helm's storage driver send without a JSON fallback. The wire format is read with
 * @bufbuild/protobuf's BinaryReader; the field tables below describe the subset of k8s.io/api messages we
 * accept (from the upstream generated.proto field numbers). Zero values are dropped (JSON `omitempty`).
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { badRequest, StatusError } from './errors.ts';
import { setOwn, type Obj } from './util.ts';

/** Field kinds: scalar, message type name, or map. */
type Kind =
  | 's'
  | 'b'
  | 'i'
  | 'bytes'
  | 'time'
  | 'ios'
  | 'qty'
  | `m:${string}`
  | `inline:${string}`
  | 'map:s'
  | 'map:bytes'
  | 'map:qty'
  | `map:m:${string}`;
type Field = readonly [name: string, kind: Kind, repeated?: boolean];
type Message = Readonly<Record<number, Field>>;

const S = (name: string): Field => [name, 's'];
const SS = (name: string): Field => [name, 's', true];

const MESSAGES: Record<string, Message> = {
  Unknown: { 1: ['typeMeta', 'm:TypeMeta'], 2: ['raw', 'bytes'], 3: S('contentEncoding'), 4: S('contentType') },
  TypeMeta: { 1: S('apiVersion'), 2: S('kind') },
  ObjectMeta: {
    1: S('name'),
    2: S('generateName'),
    3: S('namespace'),
    4: S('selfLink'),
    5: S('uid'),
    6: S('resourceVersion'),
    7: ['generation', 'i'],
    8: ['creationTimestamp', 'time'],
    9: ['deletionTimestamp', 'time'],
    10: ['deletionGracePeriodSeconds', 'i'],
    11: ['labels', 'map:s'],
    12: ['annotations', 'map:s'],
    13: ['ownerReferences', 'm:OwnerReference', true],
    14: SS('finalizers'),
  },
  OwnerReference: {
    1: S('kind'),
    3: S('name'),
    4: S('uid'),
    5: S('apiVersion'),
    6: ['controller', 'b'],
    7: ['blockOwnerDeletion', 'b'],
  },
  ConfigMap: {
    1: ['metadata', 'm:ObjectMeta'],
    2: ['data', 'map:s'],
    3: ['binaryData', 'map:bytes'],
    4: ['immutable', 'b'],
  },
  Secret: {
    1: ['metadata', 'm:ObjectMeta'],
    2: ['data', 'map:bytes'],
    3: S('type'),
    4: ['stringData', 'map:s'],
    5: ['immutable', 'b'],
  },
  Namespace: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:NamespaceSpec'], 3: ['status', 'm:NamespaceStatus'] },
  NamespaceSpec: { 1: SS('finalizers') },
  NamespaceStatus: { 1: S('phase') },
  ServiceAccount: {
    1: ['metadata', 'm:ObjectMeta'],
    2: ['secrets', 'm:ObjectReference', true],
    3: ['imagePullSecrets', 'm:LocalObjectReference', true],
    4: ['automountServiceAccountToken', 'b'],
  },
  ObjectReference: {
    1: S('kind'),
    2: S('namespace'),
    3: S('name'),
    4: S('uid'),
    5: S('apiVersion'),
    6: S('resourceVersion'),
    7: S('fieldPath'),
  },
  LocalObjectReference: { 1: S('name') },
  PolicyRule: {
    1: SS('verbs'),
    2: SS('apiGroups'),
    3: SS('resources'),
    4: SS('resourceNames'),
    5: SS('nonResourceURLs'),
  },
  Role: { 1: ['metadata', 'm:ObjectMeta'], 2: ['rules', 'm:PolicyRule', true] },
  ClusterRole: {
    1: ['metadata', 'm:ObjectMeta'],
    2: ['rules', 'm:PolicyRule', true],
    3: ['aggregationRule', 'm:AggregationRule'],
  },
  AggregationRule: { 1: ['clusterRoleSelectors', 'm:LabelSelector', true] },
  LabelSelector: { 1: ['matchLabels', 'map:s'], 2: ['matchExpressions', 'm:LabelSelectorRequirement', true] },
  LabelSelectorRequirement: { 1: S('key'), 2: S('operator'), 3: SS('values') },
  Subject: { 1: S('kind'), 2: S('apiGroup'), 3: S('name'), 4: S('namespace') },
  RoleRef: { 1: S('apiGroup'), 2: S('kind'), 3: S('name') },
  RoleBinding: { 1: ['metadata', 'm:ObjectMeta'], 2: ['subjects', 'm:Subject', true], 3: ['roleRef', 'm:RoleRef'] },
  ClusterRoleBinding: {
    1: ['metadata', 'm:ObjectMeta'],
    2: ['subjects', 'm:Subject', true],
    3: ['roleRef', 'm:RoleRef'],
  },
  ResourceAttributes: {
    1: S('namespace'),
    2: S('verb'),
    3: S('group'),
    4: S('version'),
    5: S('resource'),
    6: S('subresource'),
    7: S('name'),
  },
  NonResourceAttributes: { 1: S('path'), 2: S('verb') },
  SelfSubjectAccessReview: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:SelfSubjectAccessReviewSpec'] },
  SelfSubjectAccessReviewSpec: {
    1: ['resourceAttributes', 'm:ResourceAttributes'],
    2: ['nonResourceAttributes', 'm:NonResourceAttributes'],
  },
  SubjectAccessReview: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:SubjectAccessReviewSpec'] },
  LocalSubjectAccessReview: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:SubjectAccessReviewSpec'] },
  SubjectAccessReviewSpec: {
    1: ['resourceAttributes', 'm:ResourceAttributes'],
    2: ['nonResourceAttributes', 'm:NonResourceAttributes'],
    3: S('user'),
    4: SS('groups'),
    5: ['extra', 'map:m:ExtraValue'],
    6: S('uid'),
  },
  ExtraValue: { 1: SS('items') },
  SelfSubjectRulesReview: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:SelfSubjectRulesReviewSpec'] },
  SelfSubjectRulesReviewSpec: { 1: S('namespace') },
  SelfSubjectReview: { 1: ['metadata', 'm:ObjectMeta'] },
  TokenRequest: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:TokenRequestSpec'] },
  TokenRequestSpec: {
    1: SS('audiences'),
    3: ['boundObjectRef', 'm:BoundObjectReference'],
    4: ['expirationSeconds', 'i'],
  },
  BoundObjectReference: { 1: S('kind'), 2: S('apiVersion'), 3: S('name'), 4: S('uid') },
  TokenReview: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:TokenReviewSpec'] },
  TokenReviewSpec: { 1: S('token'), 2: SS('audiences') },
  Service: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:ServiceSpec'] },
  ServiceSpec: {
    1: ['ports', 'm:ServicePort', true],
    2: ['selector', 'map:s'],
    3: S('clusterIP'),
    4: S('type'),
    5: SS('externalIPs'),
    7: S('sessionAffinity'),
    10: S('externalName'),
  },
  ServicePort: {
    1: S('name'),
    2: S('protocol'),
    3: ['port', 'i'],
    4: ['targetPort', 'ios'],
    5: ['nodePort', 'i'],
    6: S('appProtocol'),
  },
  Deployment: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:DeploymentSpec'] },
  DeploymentSpec: {
    1: ['replicas', 'i'],
    2: ['selector', 'm:LabelSelector'],
    3: ['template', 'm:PodTemplateSpec'],
    4: ['strategy', 'm:DeploymentStrategy'],
    5: ['minReadySeconds', 'i'],
    6: ['revisionHistoryLimit', 'i'],
    7: ['paused', 'b'],
    9: ['progressDeadlineSeconds', 'i'],
  },
  DeploymentStrategy: { 1: S('type') },
  PodTemplateSpec: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:PodSpec'] },
  PodSpec: {
    2: ['containers', 'm:Container', true],
    3: S('restartPolicy'),
    4: ['terminationGracePeriodSeconds', 'i'],
    5: ['activeDeadlineSeconds', 'i'],
    6: S('dnsPolicy'),
    7: ['nodeSelector', 'map:s'],
    8: S('serviceAccountName'),
    9: S('serviceAccount'),
    10: S('nodeName'),
    11: ['hostNetwork', 'b'],
    15: ['imagePullSecrets', 'm:LocalObjectReference', true],
    16: S('hostname'),
    17: S('subdomain'),
    19: S('schedulerName'),
    20: ['initContainers', 'm:Container', true],
    21: ['automountServiceAccountToken', 'b'],
    24: S('priorityClassName'),
  },
  Container: {
    1: S('name'),
    2: S('image'),
    3: SS('command'),
    4: SS('args'),
    5: S('workingDir'),
    6: ['ports', 'm:ContainerPort', true],
    7: ['env', 'm:EnvVar', true],
    8: ['resources', 'm:ResourceRequirements'],
    9: ['volumeMounts', 'm:VolumeMount', true],
    13: S('terminationMessagePath'),
    14: S('imagePullPolicy'),
    16: ['stdin', 'b'],
    17: ['stdinOnce', 'b'],
    18: ['tty', 'b'],
    20: S('terminationMessagePolicy'),
  },
  VolumeMount: { 1: S('name'), 2: ['readOnly', 'b'], 3: S('mountPath'), 4: S('subPath') },
  Pod: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:PodSpec'] },
  CronJob: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:CronJobSpec'] },
  CronJobSpec: {
    1: S('schedule'),
    2: ['startingDeadlineSeconds', 'i'],
    3: S('concurrencyPolicy'),
    4: ['suspend', 'b'],
    5: ['jobTemplate', 'm:JobTemplateSpec'],
    6: ['successfulJobsHistoryLimit', 'i'],
    7: ['failedJobsHistoryLimit', 'i'],
    8: S('timeZone'),
  },
  JobTemplateSpec: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:JobSpec'] },
  ResourceQuota: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:ResourceQuotaSpec'] },
  ResourceQuotaSpec: { 1: ['hard', 'map:qty'], 2: SS('scopes') },
  Ingress: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:IngressSpec'] },
  IngressSpec: {
    1: ['defaultBackend', 'm:IngressBackend'],
    2: ['tls', 'm:IngressTLS', true],
    3: ['rules', 'm:IngressRule', true],
    4: S('ingressClassName'),
  },
  IngressTLS: { 1: SS('hosts'), 2: S('secretName') },
  IngressRule: { 1: S('host'), 2: ['ingressRuleValue', 'inline:IngressRuleValue'] },
  IngressRuleValue: { 1: ['http', 'm:HTTPIngressRuleValue'] },
  HTTPIngressRuleValue: { 1: ['paths', 'm:HTTPIngressPath', true] },
  HTTPIngressPath: { 1: S('path'), 2: ['backend', 'm:IngressBackend'], 3: S('pathType') },
  IngressBackend: { 3: ['resource', 'm:TypedLocalObjectReference'], 4: ['service', 'm:IngressServiceBackend'] },
  TypedLocalObjectReference: { 1: S('apiGroup'), 2: S('kind'), 3: S('name') },
  IngressServiceBackend: { 1: S('name'), 2: ['port', 'm:ServiceBackendPort'] },
  ServiceBackendPort: { 1: S('name'), 2: ['number', 'i'] },
  PriorityClass: {
    1: ['metadata', 'm:ObjectMeta'],
    2: ['value', 'i'],
    3: ['globalDefault', 'b'],
    4: S('description'),
    5: S('preemptionPolicy'),
  },
  ContainerPort: { 1: S('name'), 2: ['hostPort', 'i'], 3: ['containerPort', 'i'], 4: S('protocol'), 5: S('hostIP') },
  EnvVar: { 1: S('name'), 2: S('value') },
  ResourceRequirements: { 1: ['limits', 'map:qty'], 2: ['requests', 'map:qty'] },
  Job: { 1: ['metadata', 'm:ObjectMeta'], 2: ['spec', 'm:JobSpec'] },
  JobSpec: {
    1: ['parallelism', 'i'],
    2: ['completions', 'i'],
    3: ['activeDeadlineSeconds', 'i'],
    4: ['selector', 'm:LabelSelector'],
    5: ['manualSelector', 'b'],
    6: ['template', 'm:PodTemplateSpec'],
    7: ['backoffLimit', 'i'],
    8: ['ttlSecondsAfterFinished', 'i'],
    9: S('completionMode'),
    10: ['suspend', 'b'],
  },
  DeleteOptions: {
    1: ['gracePeriodSeconds', 'i'],
    2: ['preconditions', 'm:Preconditions'],
    3: ['orphanDependents', 'b'],
    4: S('propagationPolicy'),
    5: SS('dryRun'),
  },
  Preconditions: { 1: S('uid'), 2: S('resourceVersion') },
};

const ZERO_TIME_SECONDS = -62135596800;

const toNumber = (v: bigint | string | number): number => Number(v);

const readValue = (r: BinaryReader, kind: Kind, wt: WireType): unknown => {
  switch (kind) {
    case 's':
      return r.string();
    case 'b':
      return r.bool();
    case 'i':
      return toNumber(r.int64());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'time': {
      const t = decodeMessage(r.bytes(), { 1: ['seconds', 'i'], 2: ['nanos', 'i'] }) as { seconds?: number };
      const secs = t.seconds ?? 0;
      if (secs === ZERO_TIME_SECONDS || secs === 0) return undefined;
      return new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'ios': {
      const v = decodeMessage(r.bytes(), { 1: ['type', 'i'], 2: ['intVal', 'i'], 3: S('strVal') }) as {
        type?: number;
        intVal?: number;
        strVal?: string;
      };
      return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
    }
    case 'qty':
      return (decodeMessage(r.bytes(), { 1: S('string') }) as { string?: string }).string ?? '0';
    default:
      if (kind.startsWith('m:')) {
        const t = MESSAGES[kind.slice(2)];
        if (!t) {
          r.skip(wt);
          return undefined;
        }
        return decodeMessage(r.bytes(), t);
      }
      r.skip(wt);
      return undefined;
  }
};

const isZero = (v: unknown): boolean => v === undefined || v === '' || v === 0 || v === false;

/** Decode one message with a field table. */
export const decodeMessage = (bytes: Uint8Array, table: Message): Obj => {
  const r = new BinaryReader(bytes);
  const out: Obj = {};
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    const f = table[no];
    if (!f) {
      r.skip(wt, no);
      continue;
    }
    const [name, kind, repeated] = f;
    if (kind.startsWith('map:')) {
      const valueKind = kind.slice(4) as Kind;
      const entry = decodeMessage(r.bytes(), {
        1: S('key'),
        2: ['value', valueKind === 'bytes' ? 'bytes' : valueKind],
      });
      const m = (out[name] ??= {}) as Obj;
      // setOwn: a `__proto__` key is data, as in Go's maps
      setOwn(m, String(entry['key'] ?? ''), entry['value'] ?? (valueKind === 's' || valueKind === 'bytes' ? '' : {}));
      continue;
    }
    if (repeated && wt === WireType.LengthDelimited && (kind === 'i' || kind === 'b')) {
      // packed scalars
      const sub = new BinaryReader(r.bytes());
      const arr = (out[name] ??= []) as unknown[];
      while (sub.pos < sub.len) arr.push(kind === 'i' ? toNumber(sub.int64()) : sub.bool());
      continue;
    }
    if (kind.startsWith('inline:')) {
      // an embedded struct whose fields JSON puts into the parent object
      const t = MESSAGES[kind.slice(7)];
      if (t) Object.assign(out, decodeMessage(r.bytes(), t));
      else r.skip(wt);
      continue;
    }
    const v = readValue(r, kind, wt);
    if (repeated) {
      ((out[name] ??= []) as unknown[]).push(v ?? (kind === 's' ? '' : {}));
    } else if (!isZero(v)) out[name] = v;
  }
  return out;
};

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decode a `application/vnd.kubernetes.protobuf` body into the JSON object it represents. */
export const decodeKubernetesProtobuf = (buf: Buffer): Obj => {
  if (buf.length < 4 || !MAGIC.every((b, i) => buf[i] === b))
    throw badRequest('failed to decode protobuf: missing the "k8s\\x00" prefix');
  let env: Obj;
  try {
    env = decodeMessage(buf.subarray(4), MESSAGES['Unknown'] as Message);
  } catch (err) {
    throw badRequest(`failed to decode protobuf: ${(err as Error).message}`);
  }
  const tm = (env['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const kind = tm.kind ?? '';
  const table = MESSAGES[kind];
  if (!table) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is decoded for a subset of kinds only, not ${kind || 'this kind'})`,
      {
        causes: [{ reason: 'UnsupportedMediaType', message: 'application/vnd.kubernetes.protobuf' }],
      },
    );
  }
  const raw = typeof env['raw'] === 'string' ? Buffer.from(env['raw'], 'base64') : Buffer.alloc(0);
  let obj: Obj;
  try {
    obj = decodeMessage(raw, table);
  } catch (err) {
    throw badRequest(`failed to decode protobuf ${kind}: ${(err as Error).message}`);
  }
  return { ...(tm.apiVersion ? { apiVersion: tm.apiVersion } : {}), kind, ...obj };
};
