import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { StatusError } from '../errors.ts';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER, TokenAuthenticator, generateServiceAccountSigningKey } from './token.ts';

const ADMIN_TOKEN = 'admin-token-for-tests';
const T0 = new Date('2026-01-01T00:00:00Z');

const decodePart = (token: string, i: number): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('TokenAuthenticator', () => {
  let key: ReturnType<typeof generateServiceAccountSigningKey>;
  let clock: Date;
  let auth: TokenAuthenticator;
  beforeAll(() => {
    key = generateServiceAccountSigningKey();
    clock = T0;
    auth = new TokenAuthenticator({ adminToken: ADMIN_TOKEN, signingKey: key, now: () => clock });
  });
  const at = (d: Date): void => {
    clock = d;
  };

  it('maps the admin token to kubernetes-admin in system:masters', () => {
    expect(auth.authenticate(`Bearer ${ADMIN_TOKEN}`)).toEqual({
      username: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    expect(auth.authenticate(`bearer ${ADMIN_TOKEN}`)?.username).toBe('kubernetes-admin');
  });

  it.each([
    ['no header', undefined],
    ['empty bearer', 'Bearer '],
    ['basic auth', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a wrong token', 'Bearer nope'],
    ['the admin token with a suffix', `Bearer ${ADMIN_TOKEN}x`],
    ['a JWT signed by another key', 'other-key'],
  ])('rejects %s', (_name, header) => {
    let h = header;
    if (header === 'other-key') {
      const other = new TokenAuthenticator({
        adminToken: 'x',
        signingKey: generateServiceAccountSigningKey(),
        now: () => clock,
      });
      h = `Bearer ${other.issueServiceAccountToken({ namespace: 'a', name: 'b', uid: 'c' }).token}`;
    }
    expect(auth.authenticate(h)).toBeUndefined();
  });

  it('issues ServiceAccount tokens with the real claims', () => {
    at(T0);
    const { token, expirationTimestamp } = auth.issueServiceAccountToken({
      namespace: 'apps',
      name: 'reconciler',
      uid: 'uid-1',
    });
    const header = decodePart(token, 0);
    const claims = decodePart(token, 1);
    expect(header['alg']).toBe('RS256');
    expect(typeof header['kid']).toBe('string');
    expect(header['typ']).toBeUndefined();
    const iat = T0.getTime() / 1000;
    expect(claims).toMatchObject({
      iss: DEFAULT_SERVICE_ACCOUNT_ISSUER,
      sub: 'system:serviceaccount:apps:reconciler',
      aud: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
      iat,
      nbf: iat,
      exp: iat + 3600,
      'kubernetes.io': { namespace: 'apps', serviceaccount: { name: 'reconciler', uid: 'uid-1' } },
    });
    expect(claims['jti']).toMatch(/^[0-9a-f-]{36}$/);
    expect(expirationTimestamp).toBe('2026-01-01T01:00:00Z');
    expect(auth.jwks().keys[0]?.['kid']).toBe(header['kid']);
  });

  it('authenticates its tokens as the ServiceAccount until they expire', () => {
    at(T0);
    const { token } = auth.issueServiceAccountToken({
      namespace: 'apps',
      name: 'reconciler',
      uid: 'uid-1',
      expirationSeconds: 600,
    });
    const user = auth.authenticate(`Bearer ${token}`);
    expect(user).toMatchObject({
      username: 'system:serviceaccount:apps:reconciler',
      uid: 'uid-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated'],
    });
    expect(user?.extra?.['authentication.kubernetes.io/credential-id']?.[0]).toMatch(/^JTI=/);
    at(new Date(T0.getTime() + 599_000));
    expect(auth.authenticate(`Bearer ${token}`)?.username).toBe('system:serviceaccount:apps:reconciler');
    at(new Date(T0.getTime() + 600_000));
    expect(auth.authenticate(`Bearer ${token}`)).toBeUndefined();
    expect(auth.verifyToken(token)).toEqual({
      authenticated: false,
      error: '[invalid bearer token, service account token has expired]',
    });
  });

  it('rejects a token used before its iat/nbf', () => {
    at(T0);
    const { token } = auth.issueServiceAccountToken({ namespace: 'apps', name: 'sa', uid: 'u' });
    at(new Date(T0.getTime() - 10_000));
    expect(auth.authenticate(`Bearer ${token}`)).toBeUndefined();
  });

  it('rejects tampered tokens', () => {
    at(T0);
    const { token } = auth.issueServiceAccountToken({ namespace: 'apps', name: 'sa', uid: 'u' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = decodePart(token, 1);
    claims['kubernetes.io'] = { namespace: 'kube-system', serviceaccount: { name: 'sa', uid: 'u' } };
    claims['sub'] = 'system:serviceaccount:kube-system:sa';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect(auth.authenticate(`Bearer ${forged}`)).toBeUndefined();
    expect(auth.authenticate(`Bearer ${h}.${p}.${s.slice(0, -4)}AAAA`)).toBeUndefined();
    // alg=none with the same claims
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect(auth.authenticate(`Bearer ${none}`)).toBeUndefined();
  });

  it('rejects tokens for other audiences as bearer tokens', () => {
    at(T0);
    const { token } = auth.issueServiceAccountToken({ namespace: 'apps', name: 'sa', uid: 'u', audiences: ['vault'] });
    expect(auth.authenticate(`Bearer ${token}`)).toBeUndefined();
    const res = auth.verifyToken(token, ['vault']);
    expect(res.authenticated && res.audiences).toEqual(['vault']);
  });

  it('rejects tokens of deleted or re-created ServiceAccounts when a lookup is given', () => {
    const live = new Map([['apps/sa', 'uid-2']]);
    const a = new TokenAuthenticator({
      adminToken: ADMIN_TOKEN,
      signingKey: key,
      now: () => T0,
      serviceAccountLookup: (ns, name) => {
        const uid = live.get(`${ns}/${name}`);
        return uid === undefined ? undefined : { uid };
      },
    });
    const recreated = a.issueServiceAccountToken({ namespace: 'apps', name: 'sa', uid: 'uid-1' }).token;
    expect(a.verifyToken(recreated)).toEqual({
      authenticated: false,
      error: '[invalid bearer token, service account UID (uid-2) does not match claim (uid-1)]',
    });
    const current = a.issueServiceAccountToken({ namespace: 'apps', name: 'sa', uid: 'uid-2' }).token;
    expect(a.authenticate(`Bearer ${current}`)?.uid).toBe('uid-2');
    live.clear();
    expect(a.verifyToken(current)).toEqual({
      authenticated: false,
      error: '[invalid bearer token, serviceaccounts "sa" not found]',
    });
  });

  it.each([
    [
      599,
      'TokenRequest.authentication.k8s.io "sa" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    ],
    [
      2 ** 32 + 1,
      'TokenRequest.authentication.k8s.io "sa" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    ],
  ])('rejects expirationSeconds %d with 422', (expirationSeconds, message) => {
    let caught: unknown;
    try {
      auth.issueServiceAccountToken({ namespace: 'apps', name: 'sa', uid: 'u', expirationSeconds });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    expect((caught as StatusError).code).toBe(422);
    expect((caught as StatusError).message).toBe(message);
  });

  it('answers TokenRequest like the real endpoint', () => {
    at(T0);
    const res = auth.tokenRequest(
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['a', 'b'], expirationSeconds: 1200 },
      },
      { namespace: 'apps', name: 'sa', uid: 'u' },
    );
    expect(res).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'sa', namespace: 'apps', creationTimestamp: null },
      spec: { audiences: ['a', 'b'], expirationSeconds: 1200, boundObjectRef: null },
      status: { expirationTimestamp: '2026-01-01T00:20:00Z' },
    });
    const token = (res['status'] as { token: string }).token;
    expect(decodePart(token, 1)['aud']).toEqual(['a', 'b']);
    const defaults = auth.tokenRequest({}, { namespace: 'apps', name: 'sa', uid: 'u' });
    expect(defaults['spec']).toEqual({
      audiences: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
      expirationSeconds: 3600,
      boundObjectRef: null,
    });
  });

  it('answers TokenReview for valid, expired and wrong-audience tokens', () => {
    at(T0);
    const { token } = auth.issueServiceAccountToken({
      namespace: 'apps',
      name: 'sa',
      uid: 'u',
      expirationSeconds: 600,
    });
    const ok = auth.tokenReview({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    expect(ok).toMatchObject({
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      status: {
        authenticated: true,
        user: {
          username: 'system:serviceaccount:apps:sa',
          uid: 'u',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated'],
        },
        audiences: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
      },
    });
    expect(auth.tokenReview({ spec: { token, audiences: ['other'] } })['status']).toEqual({
      user: {},
      error: `[invalid bearer token, token audiences ["${DEFAULT_SERVICE_ACCOUNT_ISSUER}"] is invalid for the target audiences ["other"]]`,
    });
    expect(auth.tokenReview({ spec: { token: ADMIN_TOKEN } })['status']).toMatchObject({
      authenticated: true,
      user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    });
    at(new Date(T0.getTime() + 3_600_000));
    expect(auth.tokenReview({ spec: { token } })['status']).toEqual({
      user: {},
      error: '[invalid bearer token, service account token has expired]',
    });
  });

  it('accepts an RSA key generated with node:crypto directly', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const a = new TokenAuthenticator({
      adminToken: 't',
      signingKey: privateKey,
      now: () => T0,
      issuer: 'https://example',
      apiAudiences: ['api'],
    });
    const { token } = a.issueServiceAccountToken({ namespace: 'n', name: 's', uid: 'u' });
    expect(decodePart(token, 1)).toMatchObject({ iss: 'https://example', aud: ['api'] });
    expect(a.authenticate(`Bearer ${token}`)?.username).toBe('system:serviceaccount:n:s');
    expect(auth.authenticate(`Bearer ${token}`)).toBeUndefined();
  });

  it('publishes the OIDC discovery document and a JWKS that verifies its tokens', async () => {
    const { createPublicKey, createVerify } = await import('node:crypto');
    expect(auth.openidConfiguration('https://127.0.0.1:6443/openid/v1/jwks')).toEqual({
      issuer: DEFAULT_SERVICE_ACCOUNT_ISSUER,
      jwks_uri: 'https://127.0.0.1:6443/openid/v1/jwks',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwk = auth.jwks().keys[0] as { kty: string; n: string; e: string };
    const pub = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
    const { token } = auth.issueServiceAccountToken({ namespace: 'a', name: 'b', uid: 'c' });
    const [h, p, sig] = token.split('.') as [string, string, string];
    expect(createVerify('RSA-SHA256').update(`${h}.${p}`).verify(pub, Buffer.from(sig, 'base64url'))).toBe(true);
  });

  it('refuses an empty admin token', () => {
    expect(() => new TokenAuthenticator({ adminToken: '', signingKey: key, now: () => T0 })).toThrow(
      /admin token is empty/,
    );
  });
});

describe('TokenAuthenticator trustedIssuers', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const local = new TokenAuthenticator({
    adminToken: 'local-admin',
    signingKey: generateServiceAccountSigningKey(),
    now: () => now,
    issuer: 'https://local.example',
  });
  const remote = new TokenAuthenticator({
    adminToken: 'remote-admin',
    signingKey: generateServiceAccountSigningKey(),
    now: () => now,
    trustedIssuers: [
      {
        issuer: 'https://local.example',
        audiences: ['https://remote.example:443'],
        keys: local.jwks().keys,
        usernamePrefix: 'local:',
      },
    ],
  });
  const token = (audiences: string[]): string =>
    local.issueServiceAccountToken({ namespace: 'apps', name: 'deployer', uid: 'u1', audiences }).token;

  it("accepts the trusted issuer's token for its audience, as the prefixed sub", () => {
    expect(remote.verifyToken(token(['https://remote.example:443']))).toEqual({
      authenticated: true,
      user: { username: 'local:system:serviceaccount:apps:deployer', groups: ['system:authenticated'] },
      audiences: ['https://remote.example:443'],
    });
  });

  it('rejects another audience, an expired token and an untrusted issuer', () => {
    expect(remote.verifyToken(token(['https://other.example']))).toEqual({
      authenticated: false,
      error:
        '[invalid bearer token, oidc: expected audience in ["https://remote.example:443"] got ["https://other.example"]]',
    });
    const later = new TokenAuthenticator({
      adminToken: 'x',
      signingKey: generateServiceAccountSigningKey(),
      now: () => new Date(now.getTime() + 7200_000),
      trustedIssuers: [
        { issuer: 'https://local.example', audiences: ['a'], keys: local.jwks().keys, usernamePrefix: '' },
      ],
    });
    expect(later.verifyToken(token(['a']))).toEqual({
      authenticated: false,
      error: '[invalid bearer token, oidc: token is expired]',
    });
    const stranger = new TokenAuthenticator({
      adminToken: 'y',
      signingKey: generateServiceAccountSigningKey(),
      now: () => now,
      issuer: 'https://local.example',
    });
    const forged = stranger.issueServiceAccountToken({
      namespace: 'apps',
      name: 'deployer',
      uid: 'u1',
      audiences: ['https://remote.example:443'],
    }).token;
    expect(remote.authenticate(`Bearer ${forged}`)).toBeUndefined();
  });
});
