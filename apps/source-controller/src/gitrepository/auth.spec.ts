import { describe, expect, it } from 'vitest';
import { parseGitURL, redactUserinfo, validateAuth } from './auth.ts';

describe('GitRepository URL and auth validation', () => {
  it('accepts http, https and ssh URLs', () => {
    expect(parseGitURL('https://github.com/fluxcd/flux2').transport).toBe('https');
    expect(parseGitURL('http://127.0.0.1:8080/x.git').transport).toBe('http');
    expect(parseGitURL('ssh://git@github.com/fluxcd/flux2').transport).toBe('ssh');
  });

  it('rejects other schemes and unparsable URLs without leaking userinfo', () => {
    expect(() => parseGitURL('git://host/x')).toThrow("unsupported URL scheme 'git': must be one of http, https, ssh");
    expect(() => parseGitURL('git@github.com:fluxcd/flux2')).toThrow(/invalid URL|unsupported URL scheme/);
    try {
      parseGitURL('https://user:hunter2@[bad');
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
    expect(redactUserinfo('https://u:p@host/x')).toBe('https://host/x');
  });

  it('applies Flux auth option rules per transport', () => {
    expect(() => validateAuth('https', { password: 'p' })).toThrow(
      "invalid 'https' auth option: 'password' requires 'username' to be set",
    );
    expect(() => validateAuth('https', { username: 'u', password: 'p' })).not.toThrow();
    expect(() => validateAuth('https', { bearerToken: 't' })).not.toThrow();
    expect(() => validateAuth('ssh', {})).toThrow("invalid 'ssh' auth option: 'identity' is required");
    expect(() => validateAuth('ssh', { identity: 'k' })).toThrow(
      "invalid 'ssh' auth option: 'known_hosts' is required",
    );
    expect(() => validateAuth('ssh', { identity: 'k', knownHosts: 'h' })).not.toThrow();
  });
});
