/**
 * Shared API types of fluxcd/pkg `apis/meta` (and `metav1.Condition`) as TypeBox schemas, rendered the way
 * controller-gen renders them in the upstream CRDs.
 */
import { Type, type Static, type TString } from '@sinclair/typebox';
import { StringMap } from '../define.ts';

// ---------------------------------------------------------------------------------------------
// Durations

/** CRD pattern of a Go duration (`metav1.Duration`) in Flux specs: `interval`, `timeout`, `retryInterval`. */
export const DurationPattern = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

/** CRD pattern of source-controller `timeout` fields: like {@link DurationPattern} without hours. */
export const SourceTimeoutPattern = '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$';

/** Options accepted by the duration schema helpers. */
export interface DurationOptions {
  readonly description?: string;
  readonly default?: string;
  /** Overrides the pattern (rarely needed). */
  readonly pattern?: string;
}

/** `metav1.Duration` as a string with the Flux duration pattern (hours allowed). */
export const Duration = (options: DurationOptions = {}): TString =>
  Type.String({ pattern: DurationPattern, ...options });

/** A source-controller timeout: a Go duration without hours (`^([0-9]+(\.[0-9]+)?(ms|s|m))+$`). */
export const SourceTimeout = (options: DurationOptions = {}): TString =>
  Type.String({ pattern: SourceTimeoutPattern, ...options });

// ---------------------------------------------------------------------------------------------
// metav1.Condition

/** Pattern of `metav1.Condition.type`: `(dns1123SubdomainFmt/)?(qualifiedNameFmt)`. */
export const ConditionTypePattern =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';

/** Pattern of `metav1.Condition.reason`. */
export const ConditionReasonPattern = '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$';

/** `metav1.Condition` with its CRD validation (patterns, lengths, status enum, required fields). */
export const Condition = Type.Object(
  {
    lastTransitionTime: Type.String({
      description: 'lastTransitionTime is the last time the condition transitioned from one status to another.',
      format: 'date-time',
    }),
    message: Type.String({
      description:
        'message is a human readable message indicating details about the transition. This may be an empty string.',
      maxLength: 32768,
    }),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'observedGeneration represents the .metadata.generation that the condition was set based upon.',
        format: 'int64',
        minimum: 0,
      }),
    ),
    reason: Type.String({
      description:
        "reason contains a programmatic identifier indicating the reason for the condition's last transition.",
      maxLength: 1024,
      minLength: 1,
      pattern: ConditionReasonPattern,
    }),
    status: Type.Unsafe<'True' | 'False' | 'Unknown'>({
      description: 'status of the condition, one of True, False, Unknown.',
      type: 'string',
      enum: ['True', 'False', 'Unknown'],
    }),
    type: Type.String({
      description: 'type of condition in CamelCase or in foo.example.com/CamelCase.',
      maxLength: 316,
      pattern: ConditionTypePattern,
    }),
  },
  { description: 'Condition contains details for one aspect of the current state of this API Resource.' },
);
/** `metav1.Condition`. */
export type Condition = Static<typeof Condition>;

/** The status of a condition. */
export type ConditionStatus = Condition['status'];

// ---------------------------------------------------------------------------------------------
// References

/** `meta.LocalObjectReference`: a name in the object's namespace. */
export const LocalObjectReference = Type.Object(
  { name: Type.String({ description: 'Name of the referent.' }) },
  {
    description:
      'LocalObjectReference contains enough information to locate the referenced Kubernetes resource object.',
  },
);
/** `meta.LocalObjectReference`. */
export type LocalObjectReference = Static<typeof LocalObjectReference>;

/** `meta.NamespacedObjectReference`: a name and an optional namespace. */
export const NamespacedObjectReference = Type.Object(
  {
    name: Type.String({ description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({ description: 'Namespace of the referent, when not specified it acts as LocalObjectReference.' }),
    ),
  },
  {
    description:
      'NamespacedObjectReference contains enough information to locate the referenced Kubernetes resource object in any namespace.',
  },
);
/** `meta.NamespacedObjectReference`. */
export type NamespacedObjectReference = Static<typeof NamespacedObjectReference>;

/** `meta.NamespacedObjectKindReference`: apiVersion, kind, name and optional namespace. */
export const NamespacedObjectKindReference = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({
        description: 'API version of the referent, if not specified the Kubernetes preferred version will be used.',
      }),
    ),
    kind: Type.String({ description: 'Kind of the referent.' }),
    name: Type.String({ description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({ description: 'Namespace of the referent, when not specified it acts as LocalObjectReference.' }),
    ),
  },
  {
    description:
      'NamespacedObjectKindReference contains enough information to locate the typed referenced Kubernetes resource object in any namespace.',
  },
);
/** `meta.NamespacedObjectKindReference`. */
export type NamespacedObjectKindReference = Static<typeof NamespacedObjectKindReference>;

/** `meta.SecretKeyReference`: a key in a Secret of the object's namespace. */
export const SecretKeyReference = Type.Object(
  {
    name: Type.String({ description: 'Name of the Secret.' }),
    key: Type.Optional(
      Type.String({
        description: 'Key in the Secret, when not specified an implementation-specific default key is used.',
      }),
    ),
  },
  {
    description:
      'SecretKeyReference contains enough information to locate the referenced Kubernetes Secret object in the same namespace.',
  },
);
/** `meta.SecretKeyReference`. */
export type SecretKeyReference = Static<typeof SecretKeyReference>;

/** `meta.KubeConfigReference`: a kubeconfig in a Secret, or a ConfigMap for workload-identity providers. */
export const KubeConfigReference = Type.Object(
  {
    configMapRef: Type.Optional(
      Type.Object(
        { name: Type.String({ description: 'Name of the referent.' }) },
        {
          description:
            'ConfigMapRef holds an optional name of a ConfigMap that contains the following keys: provider, cluster, address, ca.crt, audiences, serviceAccountName. Mutually exclusive with SecretRef.',
        },
      ),
    ),
    secretRef: Type.Optional(
      Type.Object(
        {
          key: Type.Optional(
            Type.String({
              description: 'Key in the Secret, when not specified an implementation-specific default key is used.',
            }),
          ),
          name: Type.String({ description: 'Name of the Secret.' }),
        },
        {
          description:
            "SecretRef holds an optional name of a secret that contains a key with the kubeconfig file as the value. If no key is set, the key will default to 'value'. Mutually exclusive with ConfigMapRef.",
        },
      ),
    ),
  },
  {
    description:
      'KubeConfigReference contains enough information build a kubeconfig in memory for connecting to remote Kubernetes clusters.',
  },
);
/** `meta.KubeConfigReference`. */
export type KubeConfigReference = Static<typeof KubeConfigReference>;

// ---------------------------------------------------------------------------------------------
// Artifact

/** Pattern of `meta.Artifact.digest`: `<algorithm>:<checksum>`. */
export const DigestPattern = '^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$';

/** `meta.Artifact`: the output of a source reconciliation. */
export const Artifact = Type.Object(
  {
    digest: Type.String({
      description: "Digest is the digest of the file in the form of '<algorithm>:<checksum>'.",
      pattern: DigestPattern,
    }),
    lastUpdateTime: Type.String({
      description: 'LastUpdateTime is the timestamp corresponding to the last update of the Artifact.',
      format: 'date-time',
    }),
    metadata: Type.Optional(StringMap({ description: 'Metadata holds upstream information such as OCI annotations.' })),
    path: Type.String({ description: 'Path is the relative file path of the Artifact.' }),
    revision: Type.String({
      description:
        'Revision is a human-readable identifier traceable in the origin source system. It can be a Git commit SHA, Git tag, a Helm chart version, etc.',
    }),
    size: Type.Optional(Type.Integer({ description: 'Size is the number of bytes in the file.', format: 'int64' })),
    url: Type.String({
      description: 'URL is the HTTP address of the Artifact as exposed by the controller managing the Source.',
    }),
  },
  { description: 'Artifact represents the output of a Source reconciliation.' },
);
/** `meta.Artifact`. */
export type Artifact = Static<typeof Artifact>;

// ---------------------------------------------------------------------------------------------
// Status fragments

/** `meta.ReconcileRequestStatus` (inlined into every Flux status). */
export const ReconcileRequestStatus = {
  lastHandledReconcileAt: Type.Optional(
    Type.String({
      description:
        'LastHandledReconcileAt holds the value of the most recent reconcile request value, so a change of the annotation value can be detected.',
    }),
  ),
};
/** `meta.ReconcileRequestStatus`. */
export interface ReconcileRequestStatus {
  lastHandledReconcileAt?: string;
}

/** A `metadata.ownerReferences[]` item (`metav1.OwnerReference`). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * `metav1.ObjectMeta` of an object as served (the CRD schema leaves `metadata` open): every served object has a
 * name, so `name` is required; the one object model of @flux-ts/runtime (`KubeObject`) uses this type.
 */
export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

/**
 * A Kubernetes object of a Flux kind: typed spec and status. Structurally a runtime `KubeObject` (and, with its
 * conditions, a `StatusObject`), so it is passed to the client and the reconcile kit without casts.
 */
export interface FluxObject<TSpec, TStatus> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: TSpec;
  status?: TStatus;
}
