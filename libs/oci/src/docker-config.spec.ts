import { describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from './docker-config.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('dockerConfigCredentials', () => {
  const cfg = JSON.stringify({
    auths: {
      'ghcr.io': { auth: b64('gh-user:gh:pass') },
      'https://registry.example.com:5000/v2/': { username: 'u2', password: 'p2' },
      'http://plain.example.com': { auth: b64('u3:p3') },
      'https://index.docker.io/v1/': { auth: b64('hub:hubpass') },
      'acr.example.io': { identitytoken: 'refresh-me' },
      'empty.example.io': {},
    },
  });

  it('matches the exact key and decodes auth (password may contain ":")', () => {
    expect(dockerConfigCredentials(cfg, 'ghcr.io')).toEqual({ username: 'gh-user', password: 'gh:pass' });
  });

  it('matches keys with a scheme and path by host name, as docker/cli does', () => {
    expect(dockerConfigCredentials(cfg, 'registry.example.com:5000')).toEqual({ username: 'u2', password: 'p2' });
    expect(dockerConfigCredentials(new TextEncoder().encode(cfg), 'plain.example.com')).toEqual({
      username: 'u3',
      password: 'p3',
    });
  });

  it('maps Docker Hub to https://index.docker.io/v1/', () => {
    expect(dockerConfigCredentials(cfg, 'index.docker.io')).toEqual({ username: 'hub', password: 'hubpass' });
    expect(dockerConfigCredentials(cfg, 'docker.io')).toEqual({ username: 'hub', password: 'hubpass' });
  });

  it('returns identity tokens, and undefined for empty or unknown entries', () => {
    expect(dockerConfigCredentials(cfg, 'acr.example.io')).toEqual({ identityToken: 'refresh-me' });
    expect(dockerConfigCredentials(cfg, 'empty.example.io')).toBeUndefined();
    expect(dockerConfigCredentials(cfg, 'other.example.io')).toBeUndefined();
    expect(dockerConfigCredentials('{}', 'ghcr.io')).toBeUndefined();
  });

  it('reports malformed documents without quoting them', () => {
    expect(() =>
      dockerConfigCredentials('{"auths": {"x.io": {"auth": "' + b64('nocolonsecret') + '"}}}', 'x.io'),
    ).toThrow(/the auth entry for x.io is not user:password/);
    let msg = '';
    try {
      dockerConfigCredentials('{"auths": {"x.io": {"auth": "' + b64('nocolonsecret') + '"}}}', 'x.io');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).not.toContain('nocolonsecret');
    expect(() => dockerConfigCredentials('not json s3cret', 'x.io')).toThrow(/invalid docker config: not valid JSON$/);
  });
});
