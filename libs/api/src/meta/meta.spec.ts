import { describe, expect, it } from 'vitest';
import { validate } from '@flux-ts/schema';
import { toOpenAPI } from '../define.ts';
import {
  Artifact,
  Condition,
  Duration,
  ReadyCondition,
  ReconcileRequestAnnotation,
  SourceTimeout,
  SucceededReason,
} from './index.ts';

const condition = {
  type: 'Ready',
  status: 'True',
  reason: 'Succeeded',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

describe('meta', () => {
  it('keeps the upstream constant values', () => {
    expect([ReadyCondition, SucceededReason, ReconcileRequestAnnotation]).toEqual([
      'Ready',
      'Succeeded',
      'reconcile.fluxcd.io/requestedAt',
    ]);
  });

  it('validates metav1.Condition like the apiserver', () => {
    const schema = toOpenAPI(Condition);
    expect(validate(schema, condition)).toEqual([]);
    const fields = (v: unknown) => validate(schema, v, { rootPath: 'c' }).map((e) => [e.type, e.field]);
    expect(fields({ ...condition, status: 'Maybe' })).toEqual([['FieldValueNotSupported', 'c.status']]);
    expect(fields({ ...condition, reason: 'has space' })).toEqual([['FieldValueInvalid', 'c.reason']]);
    expect(fields({ ...condition, observedGeneration: -1 })).toEqual([['FieldValueInvalid', 'c.observedGeneration']]);
    const { reason: _reason, ...noReason } = condition;
    expect(fields(noReason)).toEqual([['FieldValueRequired', 'c.reason']]);
  });

  it('requires digest, lastUpdateTime, path, revision and url on an Artifact', () => {
    expect(toOpenAPI(Artifact)['required']).toEqual(['digest', 'lastUpdateTime', 'path', 'revision', 'url']);
    const schema = toOpenAPI(Artifact);
    const artifact = {
      digest: 'sha256:abc',
      lastUpdateTime: '2026-01-01T00:00:00Z',
      path: 'p',
      revision: 'main@sha1:1',
      url: 'http://x/p',
    };
    expect(validate(schema, artifact)).toEqual([]);
    expect(validate(schema, { ...artifact, digest: 'abc' }).map((e) => e.field)).toEqual(['digest']);
  });

  it('distinguishes durations from source timeouts', () => {
    const duration = toOpenAPI(Duration());
    const timeout = toOpenAPI(SourceTimeout());
    for (const ok of ['1h', '5m0s', '1.5s', '100ms', '1h30m']) expect(validate(duration, ok)).toEqual([]);
    for (const bad of ['1d', '5', '', '1 m', '-1s']) expect(validate(duration, bad)).not.toEqual([]);
    expect(validate(timeout, '90s')).toEqual([]);
    expect(validate(timeout, '1h')).not.toEqual([]);
  });
});
