import { describe, expect, it } from 'vitest';
import { validateBuiltin } from './validation.ts';

const deploy = (sel: Record<string, string>, labels: Record<string, string>): Record<string, unknown> => ({
  metadata: { name: 'd' },
  spec: { selector: { matchLabels: sel }, template: { metadata: { labels }, spec: { containers: [] } } },
});

describe('built-in validation', () => {
  it('requires workload selectors that match the template labels', () => {
    expect(validateBuiltin('apps', 'Deployment', deploy({ app: 'a' }, { app: 'a', x: 'y' }), undefined)).toEqual([]);
    expect(validateBuiltin('apps', 'Deployment', deploy({ app: 'a' }, { app: 'b' }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
        field: 'spec.template.metadata.labels',
      },
    ]);
    expect(validateBuiltin('apps', 'StatefulSet', { metadata: { name: 's' }, spec: {} }, undefined)).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
    ]);
    // Jobs without a selector get one generated
    expect(validateBuiltin('batch', 'Job', { metadata: { name: 'j' }, spec: { template: {} } }, undefined)).toEqual([]);
  });

  it('validates ReplicationControllers as ValidateReplicationControllerSpec', () => {
    const rc = (spec: Record<string, unknown>): Record<string, unknown> => ({ metadata: { name: 'rc' }, spec });
    const tpl = (labels: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      metadata: { labels },
      spec: { containers: [{ name: 'c', image: 'i' }], ...extra },
    });
    expect(
      validateBuiltin('', 'ReplicationController', rc({ selector: { a: 'b' }, template: tpl({ a: 'b' }) }), undefined),
    ).toEqual([]);
    expect(validateBuiltin('', 'ReplicationController', rc({}), undefined)).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template' },
    ]);
    expect(
      validateBuiltin(
        '',
        'ReplicationController',
        rc({ selector: { a: 'b' }, template: tpl({ a: 'c' }, { restartPolicy: 'OnFailure' }) }),
        undefined,
      ),
    ).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: map[string]string{"a":"c"}: selector does not match template labels',
        field: 'spec.template.metadata.labels',
      },
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "OnFailure": supported values: "Always"',
        field: 'spec.template.spec.restartPolicy',
      },
    ]);
  });

  it('requires container names (spec.containers[0].name: Required value)', () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ image: 'nginx' }, { name: 'ok', image: 'i' }] } };
    expect(validateBuiltin('', 'Pod', pod, undefined)).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].name' },
    ]);
    const d = deploy({ app: 'a' }, { app: 'a' });
    ((d['spec'] as Record<string, unknown>)['template'] as { spec: { containers: unknown[] } }).spec.containers = [
      { name: '' },
    ];
    expect(validateBuiltin('apps', 'Deployment', d, undefined)).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].name' },
    ]);
  });

  it('reports immutable fields the way kustomize-controller recognises them', () => {
    const [cause] = validateBuiltin(
      'apps',
      'Deployment',
      deploy({ app: 'b' }, { app: 'b' }),
      deploy({ app: 'a' }, { app: 'a' }),
    );
    expect(cause).toEqual({
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: &v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      field: 'spec.selector',
    });
    const job = (image: string): Record<string, unknown> => ({
      metadata: { name: 'j' },
      spec: { template: { spec: { containers: [{ name: 'c', image }] } } },
    });
    expect(validateBuiltin('batch', 'Job', job('b'), job('a')).map((c) => c.field)).toEqual(['spec.template']);
    const cm = (data: Record<string, string>, immutable: boolean): Record<string, unknown> => ({
      metadata: { name: 'c' },
      data,
      immutable,
    });
    expect(validateBuiltin('', 'ConfigMap', cm({ a: '2' }, true), cm({ a: '1' }, true))).toEqual([
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: field is immutable when `immutable` is set',
        field: 'data',
      },
    ]);
    expect(validateBuiltin('', 'ConfigMap', cm({ a: '2' }, false), cm({ a: '1' }, false))).toEqual([]);
    const svc = (ip: string): Record<string, unknown> => ({ metadata: { name: 's' }, spec: { clusterIP: ip } });
    expect(validateBuiltin('', 'Service', svc('10.0.0.2'), svc('10.0.0.1'))[0]?.message).toBe(
      'Invalid value: ["10.0.0.2"]: may not change once set',
    );
    const sts = (extra: Record<string, unknown>): Record<string, unknown> => ({
      metadata: { name: 's' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } } },
        serviceName: 's',
        ...extra,
      },
    });
    expect(validateBuiltin('apps', 'StatefulSet', sts({ replicas: 3 }), sts({ replicas: 1 }))).toEqual([]);
    expect(validateBuiltin('apps', 'StatefulSet', sts({ serviceName: 'other' }), sts({}))[0]?.field).toBe('spec');
  });

  it('validates ConfigMap and Secret data in kube-apiserver’s order (update checks first)', () => {
    const tls = (type: string, data: Record<string, string>): Record<string, unknown> => ({
      metadata: { name: 's' },
      type,
      data,
    });
    expect(
      validateBuiltin('', 'Secret', tls('kubernetes.io/tls', { 'a b': '' }), tls('Opaque', {})).map((c) => c.field),
    ).toEqual(['type', 'data[a b]', 'data[tls.crt]', 'data[tls.key]']);
    expect(
      validateBuiltin('', 'Secret', tls('kubernetes.io/tls', { 'tls.crt': '', 'tls.key': '' }), undefined),
    ).toEqual([]);
    expect(
      validateBuiltin(
        '',
        'ConfigMap',
        { metadata: { name: 'c' }, data: { '.': '', k: '' }, binaryData: { k: '' } },
        undefined,
      ),
    ).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: ".": must not be \'.\'', field: 'data[.]' },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "k": duplicate of key present in binaryData',
        field: 'data[k]',
      },
    ]);
  });
});
