import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { IndexFile } from '@flux-ts/helm';
import { ClientOptionsError, clientOptionsFor, redact, tlsFromSecret } from './client-opts.ts';
import { IndexCache } from './index-cache.ts';
import { humanSize, isOCI, normalizeURL } from './normalize-url.ts';

const data = (o: Record<string, string>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));

const repo = (spec: Record<string, unknown>) => ({
  metadata: { name: 'r', namespace: 'ns' },
  spec: { url: 'https://charts.example.com', ...spec },
});

describe('normalizeURL', () => {
  it('gives HTTP URLs one trailing slash and OCI URLs none', () => {
    expect(normalizeURL('https://a.example/charts')).toBe('https://a.example/charts/');
    expect(normalizeURL('https://a.example/charts///')).toBe('https://a.example/charts/');
    expect(normalizeURL('http://a.example')).toBe('http://a.example/');
    expect(normalizeURL('oci://reg.example/charts//')).toBe('oci://reg.example/charts');
    expect(normalizeURL('')).toBe('');
    expect(() => normalizeURL('::nope')).toThrow('parse "::nope"');
    expect(isOCI('oci://x/y')).toBe(true);
    expect(isOCI('https://x/y')).toBe(false);
  });
});

describe('humanSize (docker/go-units)', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [1234, '1.234kB'],
    [12345678, '12.35MB'],
  ])('%d -> %s', (n, want) => expect(humanSize(n)).toBe(want));
});

describe('client options', () => {
  it('reads basic auth and TLS, certSecretRef winning over the deprecated secretRef TLS', async () => {
    const secrets: Record<string, Record<string, Uint8Array>> = {
      auth: data({ username: 'u', password: 'p4ssword', 'ca.crt': 'AUTHCA' }),
      certs: data({ 'ca.crt': 'CA', 'tls.crt': 'CRT', 'tls.key': 'KEY' }),
    };
    const load = async (n: string) => {
      const s = secrets[n];
      if (!s) throw new Error(`secrets "${n}" not found`);
      return s;
    };
    const both = await clientOptionsFor(
      repo({ secretRef: { name: 'auth' }, certSecretRef: { name: 'certs' } }),
      'u',
      load,
    );
    expect(both).toMatchObject({ username: 'u', password: 'p4ssword', deprecatedTls: false });
    expect(Buffer.from(both.tls?.ca ?? []).toString()).toBe('CA');
    const legacy = await clientOptionsFor(repo({ secretRef: { name: 'auth' } }), 'u', load);
    expect(legacy.deprecatedTls).toBe(true);
    expect(Buffer.from(legacy.tls?.ca ?? []).toString()).toBe('AUTHCA');
    expect(legacy.secrets).toContain('p4ssword');
    await expect(clientOptionsFor(repo({ secretRef: { name: 'nope' } }), 'u', load)).rejects.toThrow(
      `failed to get authentication secret 'ns/nope': secrets "nope" not found`,
    );
    expect((await clientOptionsFor(repo({ timeout: '5s', passCredentials: true }), 'u', load)).timeoutMs).toBe(5000);
  });

  it('refuses half a basic auth pair and half a key pair', async () => {
    const load = async (n: string) => (n === 'half' ? data({ username: 'u' }) : data({ 'tls.crt': 'C' }));
    await expect(clientOptionsFor(repo({ secretRef: { name: 'half' } }), 'u', load)).rejects.toThrow(
      "malformed basic auth - has 'username' but missing 'password'",
    );
    await expect(clientOptionsFor(repo({ certSecretRef: { name: 'tls' } }), 'u', load)).rejects.toBeInstanceOf(
      ClientOptionsError,
    );
    expect(tlsFromSecret(data({ certFile: 'C', keyFile: 'K', caFile: 'A' }), 'x')).toMatchObject({
      cert: Buffer.from('C'),
      key: Buffer.from('K'),
      ca: Buffer.from('A'),
    });
    expect(tlsFromSecret(data({ username: 'u' }), 'x')).toBeUndefined();
  });

  it('redacts every secret value', () => {
    expect(redact('auth u:s3cret failed for s3cret', ['s3cret'])).toBe('auth u:*** failed for ***');
  });
});

describe('IndexCache', () => {
  it('bounds the count, counts hits and misses, and drops entries', async () => {
    const registry = new Registry();
    const cache = new IndexCache({ maxSize: 2, ttlMs: 60_000, purgeIntervalMs: 0, registry });
    const owner = { name: 'r', namespace: 'ns' };
    cache.set('a', new IndexFile());
    cache.set('b', new IndexFile());
    cache.set('c', new IndexFile());
    expect(cache.size).toBe(2);
    expect(cache.get('a', owner)).toBeUndefined();
    expect(cache.get('c', owner)).toBeInstanceOf(IndexFile);
    cache.delete('c');
    expect(cache.get('c', owner)).toBeUndefined();
    const text = await registry.metrics();
    expect(text).toContain('gotk_cache_events_total{event_type="cache_miss",name="r",namespace="ns"} 2');
    expect(text).toContain('gotk_cache_events_total{event_type="cache_hit",name="r",namespace="ns"} 1');
    cache.close();
  });
});
