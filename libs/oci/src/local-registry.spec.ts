import { describe, expect, it } from 'vitest';
import { isLocalRegistry } from './index.ts';

describe('isLocalRegistry (go-containerregistry name.Registry.Scheme)', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['kind-registry.localhost:5001', true],
    ['127.0.0.1', true],
    ['127.0.0.1:5000', true],
    ['::1', true],
    ['[::1]:5000', true],
    ['10.1.2.3:5000', true],
    ['172.16.0.1', true],
    ['172.31.255.255:443', true],
    ['192.168.1.10:5000', true],
    ['172.32.0.1', false],
    ['127.0.0.2:5000', false],
    ['11.0.0.1', false],
    ['010.0.0.1', false],
    ['ghcr.io', false],
    ['localhost.example.com', false],
    ['registry.local:5000', false],
  ])('%s → %s', (registry, local) => {
    expect(isLocalRegistry(registry)).toBe(local);
  });
});
