/**
 * Provider — `notification.toolkit.fluxcd.io/v1beta3` (served also as deprecated v1beta2 and v1beta1).
 *
 * A static object: the v1beta3 API has no status. The legacy status of v1beta1/v1beta2 objects and the
 * unused `spec.interval` are dropped by `normalizeProvider()`; the deprecated `spec.proxy` is kept.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import {
  Condition,
  Duration,
  LocalObjectReference,
  ReconcileRequestStatus,
  SourceTimeoutPattern,
  type ObjectMeta,
} from '../meta/index.ts';
import {
  CommitStatusProviderTypes,
  NotificationCategories,
  NotificationGroup,
  ProviderGroupVersion,
  ProviderTypes,
} from './constants.ts';
import { copyStoredObject, deprecationWarning, isObject, LegacyWarnings, take, described } from './legacy.ts';

/** Duration pattern of `Provider.spec.timeout` (no hours, as upstream). */
export const ProviderTimeoutPattern = SourceTimeoutPattern;

const commitStatusTypesCEL = CommitStatusProviderTypes.map((t) => `self.type == '${t}'`).join(' || ');
const commitStatusTypesList = CommitStatusProviderTypes.map((t) => `'${t}'`).join(', ');

/** `Provider.spec`: how events are encoded and where they are sent. */
export const ProviderSpec = Obj(
  {
    address: Type.Optional(
      Type.String({
        description:
          'Address specifies the endpoint, in a generic sense, to where alerts are sent.\nWhat kind of endpoint depends on the specific Provider type being used.\nFor the generic Provider, for example, this is an HTTP/S address.\nFor other Provider types this could be a project ID or a namespace.',
        maxLength: 2048,
      }),
    ),
    certSecretRef: Type.Optional(
      described(
        LocalObjectReference,
        'CertSecretRef specifies the Secret containing TLS certificates\nfor secure communication (ca.crt; tls.crt + tls.key for mTLS).',
      ),
    ),
    channel: Type.Optional(
      Type.String({
        description: 'Channel specifies the destination channel where events should be posted.',
        maxLength: 2048,
      }),
    ),
    commitStatusExpr: Type.Optional(
      Type.String({
        description:
          'CommitStatusExpr is a CEL expression that evaluates to a string value\nthat can be used to generate a custom commit status message for use\nwith eligible Provider types (github, gitlab, gitea, bitbucketserver,\nbitbucket, azuredevops). Supported variables are: event, provider,\nand alert.',
      }),
    ),
    interval: Type.Optional(
      Duration({
        description:
          'Interval at which to reconcile the Provider with its Secret references.\nDeprecated and not used in v1beta3.',
      }),
    ),
    proxy: Type.Optional(
      Type.String({
        description:
          'Proxy the HTTP/S address of the proxy server.\nDeprecated: Use ProxySecretRef instead. Will be removed in v1.',
        maxLength: 2048,
        pattern: '^(http|https)://.*$',
      }),
    ),
    proxySecretRef: Type.Optional(
      described(
        LocalObjectReference,
        "ProxySecretRef specifies the Secret containing the proxy configuration\nfor this Provider. The Secret should contain an 'address' key with the\nHTTP/S address of the proxy server. Optional 'username' and 'password'\nkeys can be provided for proxy authentication.",
      ),
    ),
    secretRef: Type.Optional(
      described(
        LocalObjectReference,
        'SecretRef specifies the Secret containing the authentication\ncredentials for this Provider.',
      ),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        description:
          'ServiceAccountName is the name of the Kubernetes ServiceAccount used to\nauthenticate with cloud provider services through workload identity.',
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description: 'Suspend tells the controller to suspend subsequent\nevents handling for this Provider.',
      }),
    ),
    timeout: Type.Optional(
      Type.String({ description: 'Timeout for sending alerts to the Provider.', pattern: ProviderTimeoutPattern }),
    ),
    type: StringEnum(ProviderTypes, { description: 'Type specifies which Provider implementation to use.' }),
    username: Type.Optional(
      Type.String({ description: 'Username specifies the name under which events are posted.', maxLength: 2048 }),
    ),
  },
  {
    description: 'ProviderSpec defines the desired state of the Provider.',
    'x-kubernetes-validations': [
      {
        rule: `${commitStatusTypesCEL} || !has(self.commitStatusExpr)`,
        message: `spec.commitStatusExpr is only supported for the ${commitStatusTypesList} provider types`,
      },
    ],
  },
);

/** `Provider.status`: only legacy (v1beta1/v1beta2) fields — the v1beta3 Provider has no status. */
export const ProviderStatus = Obj(
  {
    conditions: Type.Optional(
      Type.Array(Condition, { description: 'Conditions holds the conditions for the Provider.' }),
    ),
    ...ReconcileRequestStatus,
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'ObservedGeneration is the last reconciled generation.', format: 'int64' }),
    ),
  },
  { description: 'ProviderStatus defines the observed state of the Provider (v1beta1/v1beta2 only).' },
);

/** `Provider.spec` as a TypeScript type. */
export type ProviderSpec = Static<typeof ProviderSpec>;

/** `Provider.status` as a TypeScript type. */
export type ProviderStatus = Static<typeof ProviderStatus>;

/** A Provider object (any served version, normalized to v1beta3 by `normalizeProvider`). */
export interface Provider {
  apiVersion: string;
  kind: 'Provider';
  metadata: ObjectMeta;
  spec: ProviderSpec;
  status?: ProviderStatus;
}

const providerLegacyFields: readonly LegacyField[] = [
  {
    path: 'spec.interval',
    versions: ['v1beta2', 'v1beta3'],
    handling: 'ignored: unused since v1beta3 (the Provider is not reconciled)',
  },
  {
    path: 'spec.proxy',
    versions: ['v1beta1', 'v1beta2', 'v1beta3'],
    handling: 'kept: still honoured, but deprecated in favour of spec.proxySecretRef',
  },
  {
    path: 'status.conditions',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: the v1beta3 Provider has no status',
  },
  {
    path: 'status.observedGeneration',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'ignored: the v1beta3 Provider has no status',
  },
  {
    path: 'status.lastHandledReconcileAt',
    versions: ['v1beta2'],
    handling: 'ignored: the v1beta3 Provider has no status',
  },
];

/** The Provider kind. */
export const ProviderDefinition: KindDefinition<typeof ProviderSpec, typeof ProviderStatus> = {
  group: NotificationGroup,
  kind: 'Provider',
  component: 'notification-controller',
  listKind: 'ProviderList',
  plural: 'providers',
  singular: 'provider',
  scope: 'Namespaced',
  shortNames: [],
  categories: NotificationCategories,
  description: 'Provider is the Schema for the providers API',
  versions: [
    { name: 'v1beta3', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: deprecationWarning('v1beta2', 'Provider', 'v1beta3') },
    { name: 'v1beta1', storage: false, deprecationWarning: deprecationWarning('v1beta1', 'Provider', 'v1beta3') },
  ],
  spec: ProviderSpec,
  status: ProviderStatus,
  specRequired: true,
  printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  legacyFields: providerLegacyFields,
};

/**
 * Maps a stored Provider of any served version to v1beta3: drops `spec.interval` and the legacy status,
 * keeps (and warns about) `spec.proxy`. One warning per legacy field found.
 */
export function normalizeProvider(obj: unknown): NormalizeResult<Provider> {
  const out = copyStoredObject('Provider', obj);
  const warnings = new LegacyWarnings('Provider', providerLegacyFields);
  const spec = out['spec'] as Record<string, unknown>;

  if (take(spec, 'interval') !== undefined) warnings.add('spec.interval');
  if (spec['proxy'] !== undefined) warnings.add('spec.proxy');

  const status = take(out, 'status');
  if (isObject(status)) {
    for (const key of ['conditions', 'observedGeneration', 'lastHandledReconcileAt'] as const) {
      if (status[key] !== undefined) warnings.add(`status.${key}`);
    }
  }

  out['apiVersion'] = ProviderGroupVersion;
  out['kind'] = 'Provider';
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { object: out as unknown as Provider, warnings: warnings.lines };
}
