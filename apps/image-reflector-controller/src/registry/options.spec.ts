import { describe, expect, it } from 'vitest';
import { parseImageReference } from './options.ts';

describe('parseImageReference (upstream registry.ParseImageReference)', () => {
  it.each([
    ['alpine', 'index.docker.io/library/alpine'],
    ['docker.io/fluxcd/flux', 'index.docker.io/fluxcd/flux'],
    ['ghcr.io/stefanprodan/podinfo', 'ghcr.io/stefanprodan/podinfo'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['127.0.0.1:5000/a/b/c', '127.0.0.1:5000/a/b/c'],
  ])('%s → %s', (image, canonical) => {
    expect(parseImageReference(image).canonical).toBe(canonical);
  });
  it.each([
    ['https://ghcr.io/app', "image 'https://ghcr.io/app' should not include URL scheme; remove 'https://'"],
    ['ghcr.io/app:1.0', "image 'ghcr.io/app:1.0' should not include a tag; remove ':1.0'"],
    ['localhost:5000/app:v1', "image 'localhost:5000/app:v1' should not include a tag; remove ':v1'"],
  ])('refuses %s', (image, message) => {
    expect(() => parseImageReference(image)).toThrow(message);
  });
  it('refuses what go-containerregistry refuses', () => {
    expect(() => parseImageReference('ghcr.io/UPPER/case')).toThrow(/^could not parse reference: ghcr.io\/UPPER\/case/);
    expect(() => parseImageReference('')).toThrow(/could not parse reference/);
  });
});
