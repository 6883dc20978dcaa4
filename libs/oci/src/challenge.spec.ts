import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './challenge.ts';

describe('parseWwwAuthenticate', () => {
  it('parses a registry bearer challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('parses basic, unquoted values, escapes, commas in quotes and several challenges', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(
      parseWwwAuthenticate(
        'Basic realm=test, Bearer realm="http://a/t?x=1", scope="repository:a/b:pull,push", error="in\\"valid"',
      ),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'test' } },
      { scheme: 'bearer', params: { realm: 'http://a/t?x=1', scope: 'repository:a/b:pull,push', error: 'in"valid' } },
    ]);
    expect(parseWwwAuthenticate('BEARER Realm = "r" , Service="s"')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
    ]);
  });

  it('returns nothing for an empty header', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});
