import { describe, it, expect } from 'vitest';
import { applyDefaults, checkStructural, prune, validate } from '@flux-ts/schema';
import { schemaFieldPaths, toCRD } from '../define.ts';
import { ReceiverDefinition, normalizeReceiver } from './receiver.ts';
import { ReceiverTypes, ReceiverWebhookPath } from './constants.ts';
import { errorPaths, kindSchema, nodeAt, readYamlDocs } from './test-util.ts';

const schema = kindSchema(ReceiverDefinition);
const legacyReceiver = readYamlDocs('../../test/fixtures/notification/legacy-notification.yaml', import.meta.url).find(
  (d) => d['kind'] === 'Receiver',
)!;

// Transcribed by hand from flux-api.md §1.4 (Receiver table and status line).
const REFERENCE_PATHS = [
  'spec.type',
  'spec.secretRef.name',
  'spec.events',
  'spec.resources[].kind',
  'spec.resources[].name',
  'spec.resources[].namespace',
  'spec.resources[].apiVersion',
  'spec.resources[].matchLabels',
  'spec.resources[].filter',
  'spec.resourceFilter',
  'spec.oidcProviders[].issuerURL',
  'spec.oidcProviders[].audience',
  'spec.oidcProviders[].validations[].expression',
  'spec.oidcProviders[].validations[].message',
  'spec.oidcProviders[].variables[].name',
  'spec.oidcProviders[].variables[].expression',
  'spec.interval',
  'spec.suspend',
  'status.webhookPath',
  'status.conditions',
  'status.observedGeneration',
  'status.lastHandledReconcileAt',
];

const receiver = (spec: Record<string, unknown>) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1',
  kind: 'Receiver',
  metadata: { name: 'r', namespace: 'flux-system' },
  spec: { resources: [{ kind: 'GitRepository', name: 'flux-system' }], ...spec },
});

const oidc = {
  issuerURL: 'https://token.actions.githubusercontent.com',
  validations: [{ expression: "claims.repository_owner == 'acme'", message: 'not acme' }],
};

describe('ReceiverDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is a structural schema with valid CEL', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('has the reference receiver types and webhook path prefix', () => {
    expect(nodeAt(schema, 'spec.type')['enum']).toEqual([
      'generic',
      'generic-hmac',
      'generic-oidc',
      'github',
      'gitlab',
      'bitbucket',
      'harbor',
      'dockerhub',
      'quay',
      'gcr',
      'nexus',
      'acr',
      'cdevents',
    ]);
    expect(ReceiverTypes).toHaveLength(13);
    expect(ReceiverWebhookPath).toBe('/hook/');
  });

  it('defaults interval to 10m and status.observedGeneration to -1', () => {
    const defaulted = applyDefaults(schema, receiver({ type: 'github', secretRef: { name: 't' } })) as {
      spec: { interval: string };
      status: { observedGeneration: number };
    };
    expect(defaulted.spec.interval).toBe('10m');
    expect(defaulted.status.observedGeneration).toBe(-1);
  });

  it('serves v1 as storage with Ready/Status columns and deprecated v1beta2/v1beta1', () => {
    const crd = toCRD(ReceiverDefinition) as {
      spec: { versions: { name: string; deprecationWarning?: string; additionalPrinterColumns: { name: string }[] }[] };
    };
    expect(crd.spec.versions.map((v) => [v.name, v.deprecationWarning])).toEqual([
      ['v1', undefined],
      ['v1beta2', 'v1beta2 Receiver is deprecated, upgrade to v1'],
      ['v1beta1', 'v1beta1 Receiver is deprecated, upgrade to v1'],
    ]);
    expect(crd.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name)).toEqual(['Age', 'Ready', 'Status']);
  });
});

describe('Receiver validation', () => {
  it('requires secretRef unless generic-oidc, and oidcProviders only with generic-oidc', () => {
    expect(validate(schema, receiver({ type: 'github', secretRef: { name: 't' } }))).toEqual([]);
    expect(validate(schema, receiver({ type: 'generic-oidc', oidcProviders: [oidc] }))).toEqual([]);
    expect(validate(schema, receiver({ type: 'github' })).map((e) => [e.field, e.detail])).toEqual([
      ['spec', 'secretRef is required when type is not generic-oidc'],
    ]);
    expect(validate(schema, receiver({ type: 'generic-oidc', secretRef: { name: 't' } })).map((e) => e.detail)).toEqual(
      [
        'generic-oidc receivers must define at least one oidcProvider',
        'secretRef cannot be set when type is generic-oidc',
      ],
    );
    expect(
      validate(schema, receiver({ type: 'generic', secretRef: { name: 't' }, oidcProviders: [oidc] })).map(
        (e) => e.detail,
      ),
    ).toEqual(['oidcProviders can only be set when type is generic-oidc']);
  });

  it('reports the exact field path of bad input', () => {
    const noResources = receiver({ type: 'github', secretRef: { name: 't' } }) as { spec: Record<string, unknown> };
    delete noResources.spec['resources'];
    expect(errorPaths(validate(schema, noResources))).toEqual([['FieldValueRequired', 'spec.resources']]);
    expect(errorPaths(validate(schema, receiver({ type: 'gitea', secretRef: { name: 't' } })))).toEqual([
      ['FieldValueNotSupported', 'spec.type'],
    ]);
    expect(
      errorPaths(validate(schema, receiver({ type: 'github', secretRef: { name: 't' }, interval: '10 minutes' }))),
    ).toEqual([['FieldValueInvalid', 'spec.interval']]);
    expect(
      errorPaths(
        validate(schema, receiver({ type: 'generic-oidc', oidcProviders: [{ ...oidc, issuerURL: 'token.actions' }] })),
      ),
    ).toEqual([['FieldValueInvalid', 'spec.oidcProviders[0].issuerURL']]);
    expect(
      errorPaths(validate(schema, receiver({ type: 'github', secretRef: { name: 't' }, events: 'push' }))),
    ).toEqual([['FieldValueTypeInvalid', 'spec.events']]);
  });
});

describe('normalizeReceiver', () => {
  it('maps the v1beta1 status.url to status.webhookPath', () => {
    expect(validate(schema, legacyReceiver)).toEqual([]);
    expect(prune(schema, legacyReceiver, { isResourceRoot: true }).pruned).toEqual([]);
    const { object, warnings } = normalizeReceiver(legacyReceiver);
    expect(object.apiVersion).toBe('notification.toolkit.fluxcd.io/v1');
    expect(object.status).toEqual({
      webhookPath: '/hook/bed6d00b5555b1603e1f59b94d7fdbca58089cb5663633fb83f2815dc626d92b',
      observedGeneration: 1,
    });
    expect(warnings).toEqual([
      'Receiver status.url (v1beta1, v1beta2) is deprecated: mapped to status.webhookPath (when that is empty); the controller rewrites it on the next reconcile',
    ]);
  });

  it('keeps an existing webhookPath over the legacy url', () => {
    const { object } = normalizeReceiver({
      ...receiver({ type: 'generic' }),
      status: { url: '/hook/old', webhookPath: '/hook/new' },
    });
    expect(object.status?.webhookPath).toBe('/hook/new');
  });
});
