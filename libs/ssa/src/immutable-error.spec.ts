import { describe, expect, it } from 'vitest';
import { ApiError } from '@flux-ts/runtime';
import { isImmutableError } from './resource-manager.ts';

const invalid = (message: string): ApiError => new ApiError(message, { status: 422, reason: 'Invalid' });

describe('isImmutableError', () => {
  it("knows kube-apiserver's immutable-field texts, a Service clusterIP's included", () => {
    expect(
      isImmutableError(
        invalid(
          'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.0.0.9"}: may not change once set',
        ),
      ),
    ).toBe(true);
    expect(
      isImmutableError(invalid('Job.batch "j" is invalid: spec.template: Invalid value: …: field is immutable')),
    ).toBe(true);
  });

  it('is false for other invalid objects and for other statuses', () => {
    expect(isImmutableError(invalid('ConfigMap "c" is invalid: metadata.name: Required value'))).toBe(false);
    expect(isImmutableError(new ApiError('field is immutable', { status: 409, reason: 'Conflict' }))).toBe(false);
  });
});
