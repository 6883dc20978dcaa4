import { describe, expect, it } from 'vitest';
import type { Bucket } from '@flux-ts/api';
import { accountNameFromEndpoint, azureEtag, azureProviderFor, sasURL, validateAzureSecret } from './azure.ts';
import { gcsEndpoint, validateGcpSecret } from './gcp.ts';

const bytes = (s: string): Uint8Array => Buffer.from(s);
const bucket = (endpoint: string, insecure = false): Bucket =>
  ({ spec: { endpoint, insecure, bucketName: 'b', interval: '1m' } }) as unknown as Bucket;

describe('azure helpers (upstream pkg/azure)', () => {
  it('ValidateSecret accepts each credential set and names the Secret otherwise', () => {
    const sets: Record<string, Uint8Array>[] = [
      { accountKey: bytes('k') },
      { sasKey: bytes('sv=x') },
      { clientId: bytes('id') },
      { tenantId: bytes('t'), clientId: bytes('c'), clientSecret: bytes('s') },
      { authorityHost: bytes('https://login') },
    ];
    for (const data of sets) expect(validateAzureSecret('s', data)).toBeUndefined();
    expect(validateAzureSecret('creds', { tenantId: bytes('t') })).toBe(
      "invalid 'creds' secret data: requires a 'clientId' or 'accountKey' field, a combination of 'tenantId', 'clientId' and 'clientSecret', or 'tenantId', 'clientId' and 'clientCertificate'",
    );
  });
  it('extracts the account from the host, or from the path of an emulator URL', () => {
    expect(accountNameFromEndpoint('https://acme.blob.core.windows.net')).toBe('acme');
    expect(accountNameFromEndpoint('http://127.0.0.1:10000/devstoreaccount1')).toBe('devstoreaccount1');
    expect(() => accountNameFromEndpoint('https://example.com')).toThrow(
      "failed to extract account name from endpoint: expected 'example.com' to be a subdomain",
    );
  });
  it('merges the SAS token into the endpoint query, the token winning', () => {
    const u = new URL(sasURL('https://a.blob.core.windows.net/?sv=old&x=1', '?sv=2024&sig=abc'));
    expect(u.searchParams.get('sv')).toBe('2024');
    expect(u.searchParams.get('sig')).toBe('abc');
    expect(u.searchParams.get('x')).toBe('1');
  });
  it('builds the credential chain without a Secret and a service principal client from one, without requests', async () => {
    const ep = bucket('https://acme.blob.core.windows.net');
    (await azureProviderFor(ep, {})).close();
    const sp = { tenantId: bytes('t'), clientId: bytes('c'), clientSecret: bytes('s') };
    (await azureProviderFor(ep, { secret: { name: 'sp', data: sp } })).close();
    await expect(
      azureProviderFor(ep, {
        secret: { name: 'cert', data: { tenantId: bytes('t'), clientId: bytes('c'), clientCertificate: bytes('DER') } },
      }),
    ).rejects.toThrow(
      "failed to create token credential from 'cert' Secret: failed to parse client certificates: only PEM is supported by this build",
    );
  });
  it('hex-encodes the ETag as Go %x, quoted or not', () => {
    expect(azureEtag('0x8D1')).toBe(Buffer.from('0x8D1').toString('hex'));
    expect(azureEtag('"0x8D1"')).toBe(azureEtag('0x8D1'));
  });
});

describe('gcp helpers (upstream pkg/gcp)', () => {
  it('ValidateSecret requires serviceaccount', () => {
    expect(validateGcpSecret('g', { serviceaccount: bytes('{}') })).toBeUndefined();
    expect(validateGcpSecret('g', {})).toBe("invalid 'g' secret data: required fields 'serviceaccount'");
  });
  it('uses the public API for storage.googleapis.com and an apiEndpoint otherwise', () => {
    expect(gcsEndpoint(bucket('storage.googleapis.com'))).toBeUndefined();
    expect(gcsEndpoint(bucket('https://storage.googleapis.com'))).toBeUndefined();
    expect(gcsEndpoint(bucket('127.0.0.1:4443', true))).toBe('http://127.0.0.1:4443');
    expect(gcsEndpoint(bucket('gcs.internal/'))).toBe('https://gcs.internal');
  });
});
