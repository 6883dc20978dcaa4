import { describe, expect, it } from 'vitest';
import { formatFieldError, validate, type JSONSchemaProps } from './index.ts';

function withRules(spec: JSONSchemaProps): JSONSchemaProps {
  return { type: 'object', properties: { spec } };
}

const helmRelease = withRules({
  type: 'object',
  'x-kubernetes-validations': [
    {
      rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))',
      message: 'either chart or chartRef must be set',
    },
  ],
  properties: {
    chart: { type: 'object', properties: { name: { type: 'string' } } },
    chartRef: { type: 'object', properties: { name: { type: 'string' } } },
    replicas: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0 && self % 2 == 1' }] },
    ratio: {
      type: 'number',
      'x-kubernetes-validations': [{ rule: 'self < 1.0', messageExpression: "'ratio ' + string(self) + ' too big'" }],
    },
    tags: {
      type: 'array',
      items: { type: 'string' },
      'x-kubernetes-validations': [
        { rule: 'self.all(t, t.startsWith("v"))', message: 'tags must start with v', fieldPath: '.x' },
      ],
    },
    labels: {
      type: 'object',
      additionalProperties: {
        type: 'string',
        'x-kubernetes-validations': [{ rule: "self != ''", reason: 'FieldValueRequired', message: 'empty' }],
      },
    },
    'dashed-name': { type: 'string' },
    needsDash: { type: 'boolean', 'x-kubernetes-validations': [{ rule: 'true' }] },
  },
});

describe('x-kubernetes-validations (CEL)', () => {
  it('passes a valid object', () => {
    expect(
      validate(helmRelease, { spec: { chart: { name: 'podinfo' }, replicas: 3, ratio: 0.5, tags: ['v1'] } }),
    ).toEqual([]);
  });

  it('reports the rule message with the schema type as value', () => {
    const errs = validate(helmRelease, { spec: { chart: {}, chartRef: {} } });
    expect(errs).toEqual([
      { type: 'FieldValueInvalid', field: 'spec', badValue: 'object', detail: 'either chart or chartRef must be set' },
    ]);
    expect(errs.map(formatFieldError)).toEqual(['spec: Invalid value: "object": either chart or chartRef must be set']);
  });

  it('uses "failed rule: <rule>" without a message and binds integers as int', () => {
    expect(validate(helmRelease, { spec: { chart: {}, replicas: 2 } }).map(formatFieldError)).toEqual([
      'spec.replicas: Invalid value: "integer": failed rule: self >= 0 && self % 2 == 1',
    ]);
  });

  it('evaluates messageExpression with number bound as double', () => {
    expect(validate(helmRelease, { spec: { chart: {}, ratio: 2 } }).map(formatFieldError)).toEqual([
      'spec.ratio: Invalid value: "number": ratio 2 too big',
    ]);
  });

  it('applies fieldPath and reason', () => {
    expect(
      validate(helmRelease, { spec: { chart: {}, tags: ['x'], labels: { a: '' } } }).map(formatFieldError),
    ).toEqual(['spec.tags.x: Invalid value: "array": tags must start with v', 'spec.labels[a]: Required value: empty']);
  });

  it('reports rules that cannot be evaluated or compiled instead of throwing', () => {
    const s = withRules({
      type: 'object',
      properties: { a: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: 'self.a == "x"' }, { rule: 'self.a +' }, { rule: 'self.a' }],
    });
    expect(validate(s, { spec: {} }).map(formatFieldError)).toEqual([
      'spec: Invalid value: "object": no such key: a evaluating rule: self.a == "x"',
      'spec: Invalid value: "object": rule compile error: <input>:1:8: found + but expecting end of input',
      'spec: Invalid value: "object": no such key: a evaluating rule: self.a',
    ]);
    expect(validate(s, { spec: { a: 'y' } }).map(formatFieldError)).toEqual([
      'spec: Invalid value: "object": failed rule: self.a == "x"',
      'spec: Invalid value: "object": rule compile error: <input>:1:8: found + but expecting end of input',
      'spec: Invalid value: "object": rule did not evaluate to a bool: self.a',
    ]);
  });

  it('escapes property names like the apiserver', () => {
    const s = withRules({
      type: 'object',
      properties: { 'dashed-name': { type: 'string' } },
      'x-kubernetes-validations': [{ rule: "self.dashed__dash__name == 'ok'" }],
    });
    expect(validate(s, { spec: { 'dashed-name': 'ok' } })).toEqual([]);
    expect(validate(s, { spec: { 'dashed-name': 'no' } })).toHaveLength(1);
  });

  it('skips CEL when the object already has blocking errors', () => {
    expect(validate(helmRelease, { spec: { chart: {}, chartRef: {}, replicas: 'x' } }).map(formatFieldError)).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('supports the kubernetes list library subset', () => {
    const s = withRules({
      type: 'object',
      properties: {
        l: {
          type: 'array',
          items: { type: 'integer' },
          'x-kubernetes-validations': [{ rule: 'self.isSorted() && self.indexOf(3) == 1' }],
        },
      },
    });
    expect(validate(s, { spec: { l: [1, 3, 5] } })).toEqual([]);
    expect(validate(s, { spec: { l: [3, 1] } })).toHaveLength(1);
  });
});

describe('x-kubernetes-validations at the resource root', () => {
  it('sees metadata even when the schema does not declare it', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: "self.metadata.name.startsWith('flux-')", message: 'name must start with flux-' },
      ],
      properties: { spec: { type: 'object' } },
    };
    expect(validate(s, { metadata: { name: 'flux-system' }, spec: {} })).toEqual([]);
    expect(validate(s, { metadata: { name: 'other' }, spec: {} }).map(formatFieldError)).toEqual([
      '<nil>: Invalid value: "object": name must start with flux-',
    ]);
  });
});
