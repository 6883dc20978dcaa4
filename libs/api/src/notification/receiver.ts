/**
 * Receiver — `notification.toolkit.fluxcd.io/v1` (served also as deprecated v1beta2 and v1beta1).
 *
 * The only legacy field is `status.url` (v1beta1/v1beta2), replaced by `status.webhookPath`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type KindDefinition, type LegacyField, type NormalizeResult } from '../define.ts';
import { Condition, Duration, LocalObjectReference, ReconcileRequestStatus, type ObjectMeta } from '../meta/index.ts';
import {
  DefaultReceiverInterval,
  NotificationCategories,
  NotificationGroup,
  ReceiverGroupVersion,
  ReceiverTypes,
} from './constants.ts';
import { copyStoredObject, deprecationWarning, isObject, LegacyWarnings, take, described } from './legacy.ts';
import { notificationObjectReferenceProperties } from './reference.ts';

const celFilterNote =
  "The expression can read the resource metadata via 'res' and the webhook\nrequest body via 'req'. For generic-oidc receivers, the verified OIDC\ntoken claims are also available via 'claims'.\nWhen the expression is specified the controller will parse it and mark\nthe object as terminally failed if the expression is invalid or does not\nreturn a boolean.";

/** `ReceiverResource`: a CrossNamespaceObjectReference with an optional per-resource CEL filter. */
export const ReceiverResource = Obj(
  {
    ...notificationObjectReferenceProperties(),
    filter: Type.Optional(
      Type.String({
        description: `Filter is a CEL expression expected to return a boolean that is evaluated\nfor each resource matched by this reference when a webhook is received,\nin addition to the top-level resourceFilter. A reconciliation is requested\nonly when both expressions (when set) return true.\n${celFilterNote}`,
      }),
    ),
  },
  {
    description:
      'ReceiverResource references a resource to be notified about changes, with an\noptional per-resource CEL filter.',
  },
);

/** `OIDCProvider`: an issuer trusted by a `generic-oidc` Receiver. */
export const OIDCProvider = Obj(
  {
    audience: Type.Optional(
      Type.String({
        description:
          "Audience is the expected audience ('aud' claim) for tokens issued by\nthis provider. Defaults to 'notification-controller'.",
      }),
    ),
    issuerURL: Type.String({
      description:
        "IssuerURL is the OIDC issuer URL used for provider discovery. It must\nmatch the 'iss' claim of tokens issued by this provider.",
      pattern: '^https?://',
    }),
    validations: Type.Array(
      Obj(
        {
          expression: Type.String({ description: 'Expression is the CEL boolean expression to evaluate.' }),
          message: Type.String({
            description: 'Message is returned to the caller when the expression evaluates to false.',
          }),
        },
        {
          description:
            "OIDCValidation is a CEL boolean expression evaluated against the OIDC token\nclaims and variables of a 'generic-oidc' Receiver.",
        },
      ),
      {
        description:
          'Validations is the list of CEL boolean expressions evaluated against the\ntoken claims and the variables. The request is accepted only if all of\nthem evaluate to true; the message of each failing expression is returned\nto the caller.',
        minItems: 1,
      },
    ),
    variables: Type.Optional(
      Type.Array(
        Obj(
          {
            expression: Type.String({
              description: 'Expression is the CEL expression that defines the variable value.',
            }),
            name: Type.String({ description: 'Name is the variable name; it must be a valid CEL identifier.' }),
          },
          {
            description:
              "OIDCVariable is a named CEL expression evaluated against the OIDC token\nclaims of a 'generic-oidc' Receiver.",
          },
        ),
        {
          description:
            "Variables is an optional list of named CEL expressions, evaluated in order\nand exposed as 'vars.<name>'. Each expression can read the token claims\nvia 'claims' and any variable defined before it.",
        },
      ),
    ),
  },
  {
    description: "OIDCProvider configures an OIDC issuer used to authenticate requests for a\n'generic-oidc' Receiver.",
  },
);

/** `Receiver.spec`: the webhook sender type, its secret and the objects to reconcile on a call. */
export const ReceiverSpec = Obj(
  {
    events: Type.Optional(
      Type.Array(Type.String(), {
        description:
          "Events specifies the list of event types to handle,\ne.g. 'push' for GitHub or 'Push Hook' for GitLab.",
      }),
    ),
    interval: Type.Optional(
      Duration({
        description: 'Interval at which to reconcile the Receiver with its Secret references.',
        default: DefaultReceiverInterval,
      }),
    ),
    oidcProviders: Type.Optional(
      Type.Array(OIDCProvider, {
        description:
          "OIDCProviders specifies the OIDC providers used to authenticate incoming\nrequests when Type is 'generic-oidc'. The provider whose IssuerURL matches\nthe token's 'iss' claim is used to verify the token signature, expiration\nand audience, and to evaluate the configured CEL validations against the\ntoken claims.",
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['issuerURL'],
      }),
    ),
    resourceFilter: Type.Optional(
      Type.String({
        description: `ResourceFilter is a CEL expression expected to return a boolean that is\nevaluated for each resource referenced in the Resources field when a\nwebhook is received. If the expression returns false then the controller\nwill not request a reconciliation for the resource.\n${celFilterNote}`,
      }),
    ),
    resources: Type.Array(ReceiverResource, { description: 'A list of resources to be notified about changes.' }),
    secretRef: Type.Optional(
      described(
        LocalObjectReference,
        "SecretRef specifies the Secret containing the token used\nto validate the payload authenticity. The Secret must contain a 'token'\nkey. Required for all receiver types except 'generic-oidc'.",
      ),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        description: 'Suspend tells the controller to suspend subsequent\nevents handling for this receiver.',
      }),
    ),
    type: StringEnum(ReceiverTypes, {
      description: 'Type of webhook sender, used to determine\nthe validation procedure and payload deserialization.',
    }),
  },
  {
    description: 'ReceiverSpec defines the desired state of the Receiver.',
    'x-kubernetes-validations': [
      {
        rule: "self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)",
        message: 'generic-oidc receivers must define at least one oidcProvider',
      },
      {
        rule: "self.type == 'generic-oidc' || !has(self.oidcProviders) || size(self.oidcProviders) == 0",
        message: 'oidcProviders can only be set when type is generic-oidc',
      },
      {
        rule: "self.type != 'generic-oidc' || !has(self.secretRef)",
        message: 'secretRef cannot be set when type is generic-oidc',
      },
      {
        rule: "self.type == 'generic-oidc' || has(self.secretRef)",
        message: 'secretRef is required when type is not generic-oidc',
      },
    ],
  },
);

/** `Receiver.status`: the webhook path and the usual reconcile status. */
export const ReceiverStatus = Obj(
  {
    conditions: Type.Optional(
      Type.Array(Condition, { description: 'Conditions holds the conditions for the Receiver.' }),
    ),
    ...ReconcileRequestStatus,
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'ObservedGeneration is the last observed generation of the Receiver object.',
        format: 'int64',
      }),
    ),
    url: Type.Optional(
      Type.String({
        description:
          "URL is the generated incoming webhook address in the format\nof '/hook/sha256sum(token+name+namespace)'.\nDeprecated: Replaced by WebhookPath.",
      }),
    ),
    webhookPath: Type.Optional(
      Type.String({
        description:
          "WebhookPath is the generated incoming webhook address in the format\nof '/hook/sha256sum(token+name+namespace)'.",
      }),
    ),
  },
  { description: 'ReceiverStatus defines the observed state of the Receiver.', default: { observedGeneration: -1 } },
);

/** `Receiver.spec` as a TypeScript type. */
export type ReceiverSpec = Static<typeof ReceiverSpec>;

/** `Receiver.status` as a TypeScript type. */
export type ReceiverStatus = Static<typeof ReceiverStatus>;

/** A Receiver object (any served version, normalized to v1 by `normalizeReceiver`). */
export interface Receiver {
  apiVersion: string;
  kind: 'Receiver';
  metadata: ObjectMeta;
  spec: ReceiverSpec;
  status?: ReceiverStatus;
}

const receiverLegacyFields: readonly LegacyField[] = [
  {
    path: 'status.url',
    versions: ['v1beta1', 'v1beta2'],
    handling: 'mapped to status.webhookPath (when that is empty); the controller rewrites it on the next reconcile',
  },
];

/** The Receiver kind. */
export const ReceiverDefinition: KindDefinition<typeof ReceiverSpec, typeof ReceiverStatus> = {
  group: NotificationGroup,
  kind: 'Receiver',
  component: 'notification-controller',
  listKind: 'ReceiverList',
  plural: 'receivers',
  singular: 'receiver',
  scope: 'Namespaced',
  shortNames: [],
  categories: NotificationCategories,
  description: 'Receiver is the Schema for the receivers API.',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: deprecationWarning('v1beta2', 'Receiver', 'v1') },
    { name: 'v1beta1', storage: false, deprecationWarning: deprecationWarning('v1beta1', 'Receiver', 'v1') },
  ],
  spec: ReceiverSpec,
  status: ReceiverStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
  ],
  legacyFields: receiverLegacyFields,
};

/** Maps a stored Receiver of any served version to v1: `status.url` moves to `status.webhookPath`. */
export function normalizeReceiver(obj: unknown): NormalizeResult<Receiver> {
  const out = copyStoredObject('Receiver', obj);
  const warnings = new LegacyWarnings('Receiver', receiverLegacyFields);

  const status = out['status'];
  if (isObject(status)) {
    const url = take(status, 'url');
    if (url !== undefined) {
      const current = status['webhookPath'];
      if ((current === undefined || current === '') && typeof url === 'string' && url !== '')
        status['webhookPath'] = url;
      warnings.add('status.url');
    }
  }

  out['apiVersion'] = ReceiverGroupVersion;
  out['kind'] = 'Receiver';
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { object: out as unknown as Receiver, warnings: warnings.lines };
}
