import { describe, expect, it } from 'vitest';
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNoMatch,
  isNotFound,
  isTooManyRequests,
  isUnauthorized,
  NoKindMatchError,
  redactSecrets,
} from './errors.ts';

const status = (code: number, reason: string, message: string, extra: object = {}): string =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
    ...extra,
  });

describe('ApiError.fromResponse', () => {
  it('takes message, reason and causes from a Status body', () => {
    const body = status(422, 'Invalid', 'ConfigMap "x" is invalid: data: Invalid value', {
      details: {
        name: 'x',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueInvalid', field: 'data', message: 'Invalid value' }],
      },
    });
    const e = ApiError.fromResponse(422, body, 'failed to POST /api/v1/namespaces/default/configmaps');
    expect(e.message).toBe('ConfigMap "x" is invalid: data: Invalid value');
    expect(e.status).toBe(422);
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'data', message: 'Invalid value' }]);
    expect(isInvalid(e)).toBe(true);
    expect(isNotFound(e)).toBe(false);
  });

  it('derives the reason from the code when the body is not a Status, and redacts credentials from it', () => {
    const e = ApiError.fromResponse(
      401,
      '<html>denied for Bearer eyJhbGciOi.abc.def token=s3cr3t</html>',
      'failed to GET /api/v1/pods',
    );
    expect(e.reason).toBe('Unauthorized');
    expect(isUnauthorized(e)).toBe(true);
    expect(e.message).toContain('failed to GET /api/v1/pods: the server responded with status 401 (Unauthorized)');
    expect(e.message).not.toContain('eyJhbGciOi');
    expect(e.message).not.toContain('s3cr3t');
    expect(e.message).toContain('Bearer [redacted]');
  });

  it('reads Retry-After from the header or the Status details', () => {
    expect(ApiError.fromResponse(429, status(429, 'TooManyRequests', 'slow down'), 'x', '3').retryAfterSeconds).toBe(3);
    expect(
      ApiError.fromResponse(
        429,
        status(429, 'TooManyRequests', 'slow down', { details: { retryAfterSeconds: 7 } }),
        'x',
      ).retryAfterSeconds,
    ).toBe(7);
    expect(ApiError.fromResponse(500, '', 'x').retryAfterSeconds).toBeUndefined();
  });
});

describe('error classification', () => {
  const mk = (code: number, reason: string): ApiError =>
    ApiError.fromResponse(code, status(code, reason, `${reason} happened`), 'x');

  it.each([
    [404, 'NotFound', isNotFound],
    [409, 'Conflict', isConflict],
    [409, 'AlreadyExists', isAlreadyExists],
    [403, 'Forbidden', isForbidden],
    [401, 'Unauthorized', isUnauthorized],
    [422, 'Invalid', isInvalid],
    [410, 'Expired', isGone],
    [410, 'Gone', isGone],
    [429, 'TooManyRequests', isTooManyRequests],
  ] as const)('%i %s is classified', (code, reason, fn) => {
    expect(fn(mk(code, reason))).toBe(true);
  });

  it('does not call AlreadyExists a Conflict, although both are 409', () => {
    expect(isConflict(mk(409, 'AlreadyExists'))).toBe(false);
    expect(isAlreadyExists(mk(409, 'Conflict'))).toBe(false);
  });

  it('falls back to the code when the reason is unknown', () => {
    const e = new ApiError('odd', { status: 404, reason: 'SomethingNew' });
    expect(isNotFound(e)).toBe(true);
  });

  it('finds an ApiError in the cause chain and ignores other errors', () => {
    const wrapped = new Error('failed to reconcile', {
      cause: new Error('failed to get', { cause: mk(404, 'NotFound') }),
    });
    expect(isNotFound(wrapped)).toBe(true);
    expect(isNotFound(new Error('not found'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
    expect(isNotFound({ status: 404 })).toBe(false);
  });

  it('recognises a missing kind', () => {
    const e = new NoKindMatchError('example.com/v1', 'Widget');
    expect(e.message).toBe('no matches for kind "Widget" in version "example.com/v1"');
    expect(isNoMatch(new Error('x', { cause: e }))).toBe(true);
    expect(isNoMatch(mk(404, 'NotFound'))).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('removes bearer/basic credentials, token query values and URL userinfo', () => {
    expect(redactSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('Basic dXNlcjpwYXNz')).toBe('Basic [redacted]');
    expect(redactSecrets('https://u:p@host/x?access_token=zzz&a=1')).toBe(
      'https://[redacted]@host/x?access_token=[redacted]&a=1',
    );
  });
});
