import { describe, it, expect } from 'vitest';
import { checkStructural, prune, validate } from '@flux-ts/schema';
import { schemaFieldPaths, toCRD } from '../define.ts';
import { ProviderDefinition, normalizeProvider } from './provider.ts';
import { ProviderTypes, CommitStatusProviderTypes } from './constants.ts';
import { errorPaths, kindSchema, nodeAt, readYamlDocs } from './test-util.ts';

const schema = kindSchema(ProviderDefinition);
const legacyProvider = readYamlDocs('../../test/fixtures/notification/legacy-notification.yaml', import.meta.url).find(
  (d) => d['kind'] === 'Provider',
)!;

// Transcribed by hand from flux-api.md §1.4 (Provider table; the v1beta3 Provider has no status).
const REFERENCE_PATHS = [
  'spec.type',
  'spec.address',
  'spec.channel',
  'spec.username',
  'spec.secretRef.name',
  'spec.certSecretRef.name',
  'spec.proxy',
  'spec.proxySecretRef.name',
  'spec.serviceAccountName',
  'spec.commitStatusExpr',
  'spec.timeout',
  'spec.interval',
  'spec.suspend',
];

// flux-api.md §6: the 34 Provider types.
const REFERENCE_TYPES = [
  'generic',
  'generic-hmac',
  'slack',
  'discord',
  'rocket',
  'msteams',
  'googlechat',
  'googlepubsub',
  'webex',
  'sentry',
  'telegram',
  'matrix',
  'lark',
  'zulip',
  'zoom',
  'opsgenie',
  'pagerduty',
  'datadog',
  'grafana',
  'alertmanager',
  'azureeventhub',
  'nats',
  'otel',
  'incident.io',
  'githubdispatch',
  'github',
  'gitlab',
  'gitea',
  'bitbucket',
  'bitbucketserver',
  'azuredevops',
  'githubpullrequestcomment',
  'giteapullrequestcomment',
  'gitlabmergerequestcomment',
];

const provider = (spec: Record<string, unknown>) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Provider',
  metadata: { name: 'p', namespace: 'flux-system' },
  spec,
});

describe('ProviderDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is a structural schema with valid CEL', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('accepts exactly the 34 provider types of the reference', () => {
    expect([...ProviderTypes].sort()).toEqual([...REFERENCE_TYPES].sort());
    expect(nodeAt(schema, 'spec.type')['enum']).toEqual([...ProviderTypes]);
  });

  it('has the upstream lengths and patterns', () => {
    for (const p of ['spec.address', 'spec.channel', 'spec.username', 'spec.proxy'])
      expect(nodeAt(schema, p)['maxLength']).toBe(2048);
    expect(nodeAt(schema, 'spec.proxy')['pattern']).toBe('^(http|https)://.*$');
    expect(nodeAt(schema, 'spec.timeout')['pattern']).toBe('^([0-9]+(\\.[0-9]+)?(ms|s|m))+$');
    expect(nodeAt(schema, 'spec.interval')['pattern']).toBe('^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$');
  });

  it('describes each secret reference by its own purpose, not the shared type', () => {
    expect(nodeAt(schema, 'spec.secretRef')['description']).toMatch(
      /^SecretRef specifies the Secret containing the authentication/,
    );
    expect(nodeAt(schema, 'spec.proxySecretRef')['description']).toMatch(/^ProxySecretRef/);
  });

  it('serves v1beta3 as storage with only the Age column', () => {
    const crd = toCRD(ProviderDefinition) as {
      spec: { versions: { name: string; deprecationWarning?: string; additionalPrinterColumns: unknown[] }[] };
    };
    expect(crd.spec.versions.map((v) => v.name)).toEqual(['v1beta3', 'v1beta2', 'v1beta1']);
    expect(crd.spec.versions[1]!.deprecationWarning).toBe('v1beta2 Provider is deprecated, upgrade to v1beta3');
    expect(crd.spec.versions[0]!.additionalPrinterColumns).toEqual([
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
  });
});

describe('Provider validation', () => {
  it('accepts commitStatusExpr only on the commit status provider types', () => {
    for (const type of CommitStatusProviderTypes) {
      expect(validate(schema, provider({ type, commitStatusExpr: "'flux'" }))).toEqual([]);
    }
    expect(
      validate(schema, provider({ type: 'slack', commitStatusExpr: "'flux'" })).map((e) => [e.field, e.detail]),
    ).toEqual([
      [
        'spec',
        "spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types",
      ],
    ]);
  });

  it('reports the exact field path of bad input', () => {
    expect(errorPaths(validate(schema, provider({})))).toEqual([['FieldValueRequired', 'spec.type']]);
    expect(errorPaths(validate(schema, provider({ type: 'teams' })))).toEqual([
      ['FieldValueNotSupported', 'spec.type'],
    ]);
    expect(errorPaths(validate(schema, provider({ type: 'slack', timeout: '1h' })))).toEqual([
      ['FieldValueInvalid', 'spec.timeout'],
    ]);
    expect(errorPaths(validate(schema, provider({ type: 'slack', channel: 7 })))).toEqual([
      ['FieldValueTypeInvalid', 'spec.channel'],
    ]);
    expect(errorPaths(validate(schema, provider({ type: 'generic', proxy: 'socks5://proxy:1080' })))).toEqual([
      ['FieldValueInvalid', 'spec.proxy'],
    ]);
  });
});

describe('normalizeProvider', () => {
  it('drops interval and the legacy status, with one warning per field', () => {
    expect(validate(schema, legacyProvider)).toEqual([]);
    expect(prune(schema, legacyProvider, { isResourceRoot: true }).pruned).toEqual([]);
    const { object, warnings } = normalizeProvider(legacyProvider);
    expect(object.apiVersion).toBe('notification.toolkit.fluxcd.io/v1beta3');
    expect(object.spec).toEqual({ type: 'slack', channel: 'general', secretRef: { name: 'slack-url' } });
    expect(object.status).toBeUndefined();
    expect(warnings).toEqual([
      'Provider spec.interval (v1beta2, v1beta3) is deprecated: ignored: unused since v1beta3 (the Provider is not reconciled)',
      'Provider status.observedGeneration (v1beta1, v1beta2) is deprecated: ignored: the v1beta3 Provider has no status',
      'Provider status.lastHandledReconcileAt (v1beta2) is deprecated: ignored: the v1beta3 Provider has no status',
    ]);
  });

  it('keeps the deprecated proxy but warns about it', () => {
    const { object, warnings } = normalizeProvider(provider({ type: 'generic', proxy: 'http://proxy:3128' }));
    expect(object.spec.proxy).toBe('http://proxy:3128');
    expect(warnings).toEqual([
      'Provider spec.proxy (v1beta1, v1beta2, v1beta3) is deprecated: kept: still honoured, but deprecated in favour of spec.proxySecretRef',
    ]);
  });
});
