import { describe, it, expect } from 'vitest';
import { checkStructural, prune, validate, applyDefaults } from '@flux-ts/schema';
import { schemaFieldPaths, toCRD } from '../define.ts';
import { AlertDefinition, normalizeAlert } from './alert.ts';
import { NotificationObjectKinds } from './constants.ts';
import { errorPaths, kindSchema, nodeAt, readYamlDocs } from './test-util.ts';

const schema = kindSchema(AlertDefinition);
const legacy = readYamlDocs('../../test/fixtures/notification/legacy-notification.yaml', import.meta.url);
const legacyAlert = legacy.find((d) => d['kind'] === 'Alert')!;

// Transcribed by hand from flux-api.md §1.4 (Alert table; the v1beta3 Alert has no status).
const REFERENCE_PATHS = [
  'spec.providerRef.name',
  'spec.eventSources[].kind',
  'spec.eventSources[].name',
  'spec.eventSources[].namespace',
  'spec.eventSources[].apiVersion',
  'spec.eventSources[].matchLabels',
  'spec.eventSeverity',
  'spec.inclusionList',
  'spec.exclusionList',
  'spec.eventMetadata',
  'spec.summary',
  'spec.suspend',
];

const valid = () => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Alert',
  metadata: { name: 'a', namespace: 'flux-system' },
  spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
});

describe('AlertDefinition', () => {
  it('covers every field of the reference table', () => {
    const paths = new Set(schemaFieldPaths(schema));
    expect(REFERENCE_PATHS.filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is a structural schema', () => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it('serves v1beta3 as storage and v1beta2/v1beta1 deprecated with the upstream warning', () => {
    const crd = toCRD(AlertDefinition) as {
      spec: {
        versions: { name: string; storage: boolean; deprecationWarning?: string }[];
        names: Record<string, unknown>;
      };
    };
    expect(crd.spec.versions.map((v) => [v.name, v.storage, v.deprecationWarning])).toEqual([
      ['v1beta3', true, undefined],
      ['v1beta2', false, 'v1beta2 Alert is deprecated, upgrade to v1beta3'],
      ['v1beta1', false, 'v1beta1 Alert is deprecated, upgrade to v1beta3'],
    ]);
    expect(crd.spec.names['categories']).toEqual(['all', 'fluxcd', 'fluxcd-notifications']);
  });

  it('defaults eventSeverity to info and restricts it to info|error', () => {
    expect(nodeAt(schema, 'spec.eventSeverity')['default']).toBe('info');
    expect(nodeAt(schema, 'spec.eventSeverity')['enum']).toEqual(['info', 'error']);
    const defaulted = applyDefaults(schema, valid()) as { spec: { eventSeverity: string } };
    expect(defaulted.spec.eventSeverity).toBe('info');
  });

  it('limits summary to 255 characters and event source kinds to the Flux kinds', () => {
    expect(nodeAt(schema, 'spec.summary')['maxLength']).toBe(255);
    expect(nodeAt(schema, 'spec.eventSources[].kind')['enum']).toEqual([...NotificationObjectKinds]);
    expect(nodeAt(schema, 'spec.eventSources[].name')).toMatchObject({ minLength: 1, maxLength: 253 });
  });

  it('accepts a minimal v1beta3 Alert', () => {
    expect(validate(schema, valid())).toEqual([]);
  });
});

describe('normalizeAlert', () => {
  it('folds summary into eventMetadata and drops the legacy status, one warning per field', () => {
    const { object, warnings } = normalizeAlert(legacyAlert);
    expect(object.apiVersion).toBe('notification.toolkit.fluxcd.io/v1beta3');
    expect(object.spec.summary).toBeUndefined();
    expect(object.spec.eventMetadata).toEqual({ env: 'prod', summary: 'Cluster: prod-eu' });
    expect(object.status).toBeUndefined();
    expect(warnings).toEqual([
      'Alert spec.summary (v1beta1, v1beta2, v1beta3) is deprecated: mapped to spec.eventMetadata.summary (the summary wins over an existing eventMetadata.summary, as upstream merges it)',
      'Alert status.conditions (v1beta1, v1beta2) is deprecated: ignored: the v1beta3 Alert has no status',
      'Alert status.observedGeneration (v1beta1, v1beta2) is deprecated: ignored: the v1beta3 Alert has no status',
    ]);
  });

  it('lets summary override an eventMetadata.summary, as upstream merges it', () => {
    const obj = valid();
    const { object } = normalizeAlert({
      ...obj,
      spec: { ...obj.spec, summary: 'new', eventMetadata: { summary: 'old' } },
    });
    expect(object.spec.eventMetadata).toEqual({ summary: 'new' });
  });

  it('does not touch its input and does not warn for a current object', () => {
    const input = valid();
    const before = structuredClone(input);
    const { object, warnings } = normalizeAlert(input);
    expect(input).toEqual(before);
    expect(warnings).toEqual([]);
    expect(object).toEqual(before);
  });

  it('every legacy field it warns about is declared in legacyFields', () => {
    const declared = AlertDefinition.legacyFields.map((f) => f.path);
    const { warnings } = normalizeAlert({
      ...legacyAlert,
      status: { ...(legacyAlert['status'] as object), lastHandledReconcileAt: 'x' },
    });
    for (const w of warnings) expect(declared.some((p) => w.startsWith(`Alert ${p} `))).toBe(true);
    expect(warnings).toHaveLength(4);
  });

  it('rejects a non-object', () => {
    expect(() => normalizeAlert('nope')).toThrow(/failed to normalize Alert/);
  });
});

describe('Alert legacy objects under the shared schema', () => {
  it('validate and survive pruning unchanged', () => {
    expect(validate(schema, legacyAlert)).toEqual([]);
    const { pruned } = prune(schema, legacyAlert, { isResourceRoot: true });
    expect(pruned).toEqual([]);
  });
});

describe('Alert validation errors', () => {
  it('reports the exact field path of bad input', () => {
    const missing = valid() as { spec: Record<string, unknown> };
    delete missing.spec['providerRef'];
    expect(errorPaths(validate(schema, missing))).toEqual([['FieldValueRequired', 'spec.providerRef']]);

    const badEnum = valid() as { spec: Record<string, unknown> };
    badEnum.spec['eventSeverity'] = 'warning';
    expect(errorPaths(validate(schema, badEnum))).toEqual([['FieldValueNotSupported', 'spec.eventSeverity']]);

    const badKind = valid() as { spec: { eventSources: Record<string, unknown>[] } };
    badKind.spec.eventSources[0]!['kind'] = 'Deployment';
    expect(errorPaths(validate(schema, badKind))).toEqual([['FieldValueNotSupported', 'spec.eventSources[0].kind']]);

    const wrongType = valid() as { spec: Record<string, unknown> };
    wrongType.spec['suspend'] = 'yes';
    expect(errorPaths(validate(schema, wrongType))).toEqual([['FieldValueTypeInvalid', 'spec.suspend']]);
  });
});
