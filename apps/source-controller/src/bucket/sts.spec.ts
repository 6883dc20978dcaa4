import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy } from '@flux-ts/testbed';
import { awsSTSCredentials, ldapSTSCredentials, validateSTSProvider, validateSTSSecret } from './sts.ts';

describe('validateSTSProvider (upstream ValidateSTSProvider)', () => {
  it.each([
    ['aws', { provider: 'aws', endpoint: 'https://sts.amazonaws.com' }, undefined],
    ['generic', { provider: 'ldap', endpoint: 'https://minio' }, undefined],
    [
      'aws',
      { provider: 'ldap', endpoint: 'https://minio' },
      "STS provider 'ldap' is not supported for 'aws' bucket provider",
    ],
    [
      'generic',
      { provider: 'aws', endpoint: 'https://sts' },
      "STS provider 'aws' is not supported for 'generic' bucket provider",
    ],
    [
      'aws',
      { provider: 'aws', endpoint: 'https://sts', secretRef: { name: 's' } },
      "spec.sts.secretRef is not required for the 'aws' STS provider",
    ],
    [
      'aws',
      { provider: 'aws', endpoint: 'https://sts', certSecretRef: { name: 's' } },
      "spec.sts.certSecretRef is not required for the 'aws' STS provider",
    ],
    [
      'gcp',
      { provider: 'aws', endpoint: 'https://sts' },
      "STS configuration is not supported for 'gcp' bucket provider",
    ],
  ] as const)('%s with %j', (bucketProvider, sts, want) => {
    expect(validateSTSProvider(bucketProvider, sts)).toBe(want);
  });

  it('checks the ldap Secret fields (upstream ValidateSTSSecret)', () => {
    const b = (s: string): Uint8Array => Buffer.from(s);
    const msg = "invalid 'l' secret data for 'ldap' STS provider: required fields username, password";
    expect(validateSTSSecret('ldap', 'l', undefined)).toBeUndefined();
    expect(validateSTSSecret('ldap', 'l', { username: b('u'), password: b('p') })).toBeUndefined();
    expect(validateSTSSecret('ldap', 'l', {})).toBe(msg);
    expect(validateSTSSecret('ldap', 'l', { username: b('u'), password: b('') })).toBe(msg);
    expect(validateSTSSecret('aws', 'l', {})).toBeUndefined();
  });
});

describe('STS credential sources against a local STS', () => {
  let server: Server;
  let url: string;
  const seen: Record<string, string>[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-sts-'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        seen.push(form);
        const action = form['Action'] ?? '';
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(
          `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result><Credentials><AccessKeyId>AK-${action}</AccessKeyId><SecretAccessKey>SK&amp;1</SecretAccessKey><SessionToken>TOKEN</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></${action}Result></${action}Response>`,
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('ldap: posts AssumeRoleWithLDAPIdentity and reads the credentials', async () => {
    const creds = await ldapSTSCredentials({
      endpoint: url,
      username: 'u',
      password: 'p&=x',
      signal: AbortSignal.timeout(10_000),
    });
    expect(seen.at(-1)).toEqual({
      Action: 'AssumeRoleWithLDAPIdentity',
      LDAPUsername: 'u',
      LDAPPassword: 'p&=x',
      Version: '2011-06-15',
    });
    expect(creds).toEqual({
      accessKeyId: 'AK-AssumeRoleWithLDAPIdentity',
      secretAccessKey: 'SK&1',
      sessionToken: 'TOKEN',
      expiration: new Date('2099-01-01T00:00:00Z'),
    });
  });

  it('aws: the SDK chain assumes the web identity role at sts.endpoint', async () => {
    const token = join(dir, 'token');
    await writeFile(token, 'a-web-identity-token');
    const keys = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
      'AWS_CONFIG_FILE',
      'AWS_SHARED_CREDENTIALS_FILE',
    ];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    // the SDK reads the web identity settings from the environment, as minio-go's IAM provider does for Flux
    for (const k of keys) delete process.env[k];
    process.env['AWS_WEB_IDENTITY_TOKEN_FILE'] = token;
    process.env['AWS_ROLE_ARN'] = 'arn:aws:iam::123456789012:role/flux';
    process.env['AWS_CONFIG_FILE'] = join(dir, 'none');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'none');
    const proxy = await startHttpProxy({ credentials: { username: 'pu', password: 'pp' } });
    try {
      const creds = await awsSTSCredentials(url, 'eu-west-1')();
      expect(creds.accessKeyId).toBe('AK-AssumeRoleWithWebIdentity');
      expect(creds.sessionToken).toBe('TOKEN');
      expect(seen.at(-1)).toMatchObject({
        Action: 'AssumeRoleWithWebIdentity',
        RoleArn: 'arn:aws:iam::123456789012:role/flux',
        WebIdentityToken: 'a-web-identity-token',
        Version: '2011-06-15',
      });
      expect(proxy.counts().forwarded).toBe(0);

      // proxySecretRef: the AssumeRoleWithWebIdentity request goes through the Bucket's proxy, with its credentials
      const before = seen.length;
      const viaProxy = new URL(proxy.url);
      viaProxy.username = 'pu';
      viaProxy.password = 'pp';
      const proxied = await awsSTSCredentials(url, 'eu-west-1', { proxy: viaProxy })();
      expect(proxied.accessKeyId).toBe('AK-AssumeRoleWithWebIdentity');
      expect(seen.length).toBe(before + 1);
      expect(proxy.counts()).toEqual({ forwarded: 1, tunnels: 0, unauthorized: 0 });

      // a proxy refusing the credentials fails the STS call: nothing reaches the STS directly
      const wrong = new URL(proxy.url);
      wrong.username = 'pu';
      wrong.password = 'nope';
      await expect(awsSTSCredentials(url, 'eu-west-1', { proxy: wrong })()).rejects.toThrow();
      expect(seen.length).toBe(before + 1);
      expect(proxy.counts().unauthorized).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
