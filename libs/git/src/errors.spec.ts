import { describe, expect, it } from 'vitest';
import { AuthenticationError, GitError, NotFoundError, TimeoutError, redact, toGitError } from './errors.ts';

describe('redact', () => {
  it('strips URL userinfo and secret values (also base64-encoded)', () => {
    const out = redact(
      'GET https://user:hunter22@example.com/repo.git and ssh://git:pw1234@host/x with Basic ' +
        Buffer.from('hunter22').toString('base64') +
        ' token tok-secret',
      ['hunter22', 'tok-secret', 'pw1234'],
    );
    expect(out).not.toMatch(/hunter22|tok-secret|pw1234/);
    expect(out).not.toContain(Buffer.from('hunter22').toString('base64'));
    expect(out).toContain('https://example.com/repo.git');
    expect(out).toContain('ssh://host/x');
  });

  it('keeps a plain ssh user', () => {
    expect(redact('ssh://git@github.com/org/repo')).toBe('ssh://git@github.com/org/repo');
  });
});

describe('toGitError', () => {
  it('maps isomorphic-git HTTP errors by status', () => {
    const http = (statusCode: number) =>
      Object.assign(new Error('HTTP Error'), { code: 'HttpError', data: { statusCode } });
    expect(toGitError(http(401), 'ctx', [])).toBeInstanceOf(AuthenticationError);
    expect(toGitError(http(403), 'ctx', [])).toBeInstanceOf(AuthenticationError);
    expect(toGitError(http(404), 'ctx', [])).toBeInstanceOf(NotFoundError);
    expect(toGitError(http(500), 'ctx', []).message).toBe('ctx: HTTP 500');
  });

  it('maps a timed-out signal and redacts secrets without keeping the leaking cause', () => {
    const signal = AbortSignal.abort(new DOMException('t', 'TimeoutError'));
    expect(toGitError(new Error('x'), 'ctx', [], signal)).toBeInstanceOf(TimeoutError);
    const e = toGitError(new Error('failed for s3cret-value'), 'ctx', ['s3cret-value']);
    expect(e).toBeInstanceOf(GitError);
    expect(e.message).toBe('ctx: failed for ***');
    expect(e.cause).toBeUndefined();
  });
});
