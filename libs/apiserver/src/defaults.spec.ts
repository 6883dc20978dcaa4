import { describe, expect, it } from 'vitest';
import { checkRestorable, initialStatus, podQosClass } from './defaults.ts';
import { StatusError } from './errors.ts';

const thrown = (f: () => void): StatusError => {
  try {
    f();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
};

describe('checkRestorable (strategic merge patch of a built-in object)', () => {
  it('labels patched with a string: cannot restore map from string', () => {
    const patch = { metadata: { labels: 'invalid' } };
    const err = thrown(() => checkRestorable(patch, { metadata: { name: 'p', labels: 'invalid' } }, undefined));
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      ' "" is invalid: patch: Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string',
    );
    expect(err.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string',
        field: 'patch',
      },
    ]);
  });

  it('scalar mismatches in the converter wording', () => {
    const msg = (decodeError: string): string =>
      thrown(() => checkRestorable({ spec: {} }, { metadata: {} }, decodeError)).message;
    expect(
      msg('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string'),
    ).toBe(' "" is invalid: patch: Invalid value: "map[spec:map[]]": cannot convert int64 to string');
    expect(msg('json: cannot unmarshal string into Go struct field Probe.timeoutSeconds of type int32')).toMatch(
      /: unrecognized type: int32$/,
    );
    expect(
      msg('json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'),
    ).toMatch(/: cannot convert float64 to int32$/);
  });

  it('a restorable object passes', () => {
    expect(() => checkRestorable({}, { metadata: { labels: { a: 'b' } } }, undefined)).not.toThrow();
  });
});

describe('initial status of new objects', () => {
  it('a Pod is Pending with its QoS class; an RC has 0 replicas', () => {
    const pod = (resources: unknown): Record<string, unknown> => ({
      spec: { containers: [{ name: 'c', image: 'i', resources }] },
    });
    expect(initialStatus('', 'Pod', pod({}))).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(podQosClass(pod({ limits: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(podQosClass(pod({ requests: { cpu: '1' } }))).toBe('Burstable');
    expect(podQosClass(pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }))).toBe(
      'Burstable',
    );
    expect(initialStatus('', 'ReplicationController', {})).toEqual({ replicas: 0 });
    expect(initialStatus('apps', 'Deployment', {})).toBeUndefined();
  });
});
