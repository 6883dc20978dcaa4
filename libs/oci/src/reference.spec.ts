import { describe, expect, it } from 'vitest';
import { formatReference, parseReference, parseRepository } from './reference.ts';
import { RegistryError } from './errors.ts';

const D = 'sha256:' + 'a'.repeat(64);

describe('parseReference (go-containerregistry name.ParseReference)', () => {
  it.each([
    ['ghcr.io/fluxcd/podinfo:6.5.0', { registry: 'ghcr.io', repository: 'fluxcd/podinfo', tag: '6.5.0' }],
    ['127.0.0.1:5000/charts/demo', { registry: '127.0.0.1:5000', repository: 'charts/demo', tag: 'latest' }],
    ['localhost:5000/a/b/c:v1', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'v1' }],
    ['nginx', { registry: 'index.docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['nginx:1.25', { registry: 'index.docker.io', repository: 'library/nginx', tag: '1.25' }],
    ['docker.io/nginx', { registry: 'index.docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['docker.io/bitnami/redis:7', { registry: 'index.docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['fluxcd/flux:v2', { registry: 'index.docker.io', repository: 'fluxcd/flux', tag: 'v2' }],
    // without '.' or ':' the first element is part of the repository (as in go-containerregistry)
    ['localhost/foo', { registry: 'index.docker.io', repository: 'localhost/foo', tag: 'latest' }],
    [`ghcr.io/a/b@${D}`, { registry: 'ghcr.io', repository: 'a/b', digest: D }],
    [`ghcr.io/a/b:1.0@${D}`, { registry: 'ghcr.io', repository: 'a/b', tag: '1.0', digest: D }],
    [
      'registry.example.com:8443/x/y:1.0.0_build.1',
      { registry: 'registry.example.com:8443', repository: 'x/y', tag: '1.0.0_build.1' },
    ],
  ])('%s', (input, want) => {
    expect(parseReference(input)).toEqual(want);
  });

  it.each([
    ['', /empty reference/],
    ['ghcr.io/A/b', /repository can only contain the characters/],
    ['ghcr.io/a/b:', /tag can only contain/],
    ['ghcr.io/a/b:1+2', /tag can only contain/],
    ['ghcr.io/a/b@sha256:abc', /digest must be sha256/],
    ['oci://ghcr.io/a/b', /no URL scheme/],
    ['ghcr.io/a', /repository must be between 2 and 255 characters/],
    ['ghcr.io//ab', /empty path component/],
  ])('rejects %j', (input, msg) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('INVALID_REFERENCE');
    expect((err as Error).message).toMatch(/^could not parse reference: /);
    expect((err as Error).message).toMatch(msg);
  });

  it('round-trips through formatReference', () => {
    for (const s of ['ghcr.io/a/b:1', `127.0.0.1:5000/x/y@${D}`, `h.io/a/b:t@${D}`])
      expect(formatReference(parseReference(s))).toBe(s);
  });

  it('parseRepository splits without defaulting a tag', () => {
    expect(parseRepository('ghcr.io/stefanprodan/charts')).toEqual({
      registry: 'ghcr.io',
      repository: 'stefanprodan/charts',
    });
  });
});
