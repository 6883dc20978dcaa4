import { describe, expect, it } from 'vitest';
import { maskSecrets, resolveProviderSettings } from './provider-settings.ts';
import type { SecretObject } from './provider-settings.ts';
import { provider, secret } from './test-fixtures.spec-helper.ts';

function reader(...secrets: SecretObject[]) {
  const byName = new Map(secrets.map((s) => [s.metadata.name, s]));
  return (_ns: string, name: string) => {
    const s = byName.get(name);
    return s ? Promise.resolve(s) : Promise.reject(new Error(`secrets "${name}" not found`));
  };
}

describe('resolveProviderSettings', () => {
  it('uses the spec alone without secretRef, with the 15s default timeout', async () => {
    const { settings } = await resolveProviderSettings({
      provider: provider('p', { type: 'generic', address: 'https://example.com/hook', proxy: 'http://proxy:8080' }),
      readSecret: reader(),
    });
    expect(settings).toMatchObject({
      address: 'https://example.com/hook',
      token: '',
      password: '',
      headers: {},
      proxy: 'http://proxy:8080',
      timeoutMs: 15_000,
    });
    expect(settings.tls).toBeUndefined();
  });

  it.each([
    [{ address: 'x'.repeat(2049) }, 'invalid address in secret: address exceeds maximum length of 2048 bytes'],
    [{ proxy: '::not a url' }, "invalid 'proxy' in secret 'apps/s'"],
    [
      { headers: 'a: [1, 2]' },
      "failed to read headers from secret: error unmarshaling JSON: the value of header 'a' is not a string",
    ],
    [{ headers: ': : :' }, 'failed to read headers from secret: '],
  ])('refuses a bad secretRef Secret %#', async (data, message) => {
    await expect(
      resolveProviderSettings({
        provider: provider('p', { secretRef: { name: 's' } }),
        readSecret: reader(secret('s', data)),
      }),
    ).rejects.toThrow(message);
  });

  it('reads TLS from certSecretRef, and for commit-status types from secretRef with ca.crt', async () => {
    const cert = await resolveProviderSettings({
      provider: provider('p', { certSecretRef: { name: 'tls' } }),
      readSecret: reader(secret('tls', { 'tls.crt': 'CERT', 'tls.key': 'KEY', 'ca.crt': 'CA' })),
    });
    expect(cert.settings.tls).toEqual({ ca: 'CA', cert: 'CERT', key: 'KEY' });
    const git = await resolveProviderSettings({
      provider: provider('p', { type: 'github', secretRef: { name: 'auth' } }),
      readSecret: reader(secret('auth', { token: 'ghp_x', 'ca.crt': 'CA' })),
    });
    expect(git.settings.tls).toEqual({ ca: 'CA' });
    const chat = await resolveProviderSettings({
      provider: provider('p', { type: 'slack', secretRef: { name: 'auth' } }),
      readSecret: reader(secret('auth', { token: 'xoxb', 'ca.crt': 'CA' })),
    });
    expect(chat.settings.tls).toBeUndefined();
    await expect(
      resolveProviderSettings({
        provider: provider('p', { certSecretRef: { name: 'tls' } }),
        readSecret: reader(secret('tls', { 'tls.crt': 'CERT' })),
      }),
    ).rejects.toThrow("failed to get TLS config: secret 'apps/tls' must contain both 'tls.crt' and 'tls.key'");
  });

  it('requires an address in the proxySecretRef Secret', async () => {
    await expect(
      resolveProviderSettings({
        provider: provider('p', { proxySecretRef: { name: 'proxy' } }),
        readSecret: reader(secret('proxy', { username: 'u' })),
      }),
    ).rejects.toThrow("failed to get proxy URL: secret 'apps/proxy': key 'address' not found");
  });

  it('lists the secret values to mask', async () => {
    const { secrets } = await resolveProviderSettings({
      provider: provider('p', { secretRef: { name: 's' } }),
      readSecret: reader(
        secret('s', { address: 'https://h/secret', token: 'tok-123', username: 'u', password: 'pass-1' }),
      ),
    });
    expect(secrets.sort()).toEqual(['https://h/secret', 'pass-1', 'tok-123']);
    expect(maskSecrets('a tok-123 b https://h/secret c', secrets)).toBe('a ***** b ***** c');
  });
});
