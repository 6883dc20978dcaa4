/**
 * Bearer-token checks of the `gcr` and `generic-oidc` receivers (upstream `authenticateGCRRequest`,
 * `receiver_oidc.go`): signatures, expiry and audience verified with `jose` against a JWKS; Google's for `gcr`
 * (injected in tests), the issuer's discovered one for `generic-oidc`.
 */
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { DefaultOIDCAudience } from '@flux-ts/api';
import { errMessage } from '@flux-ts/runtime';
import { OIDCClaimsProcessor, loadReceiverCel } from './cel.ts';
import type { OIDCProvider } from './cel.ts';

/** Google's signing keys for ID tokens (what `google.golang.org/api/idtoken` fetches). */
export const GoogleCertsURL = 'https://www.googleapis.com/oauth2/v3/certs';

/** The issuers Google ID tokens carry. */
export const GoogleIssuers = ['accounts.google.com', 'https://accounts.google.com'] as const;

const bearerPrefix = 'Bearer ';

/** Checks a Pub/Sub push token: signature (Google's keys), audience, issuer, `email` and `email_verified`. */
export async function authenticateGCRRequest(
  keys: JWTVerifyGetKey,
  bearer: string,
  expectedEmail: string,
  expectedAudience: string,
): Promise<void> {
  if (!bearer.startsWith(bearerPrefix)) throw new Error('the Authorization header is missing or malformed');
  const token = bearer.slice(bearerPrefix.length);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      ...(expectedAudience !== '' ? { audience: expectedAudience } : {}),
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    let got = '<unknown>';
    try {
      const aud = decodeJwt(token).aud;
      if (typeof aud === 'string' && aud !== '') got = aud;
    } catch {
      // an undecodable token keeps '<unknown>'
    }
    throw new Error(`invalid ID token: audience is '${got}', want '${expectedAudience}': ${errMessage(err)}`, {
      cause: err,
    });
  }
  const issuer = typeof payload.iss === 'string' ? payload.iss : '';
  if (!(GoogleIssuers as readonly string[]).includes(issuer))
    throw new Error(`token issuer is '${issuer}', want 'accounts.google.com' or 'https://accounts.google.com'`);
  const email = typeof payload['email'] === 'string' ? payload['email'] : '';
  if (expectedEmail !== '' && email !== expectedEmail)
    throw new Error(`token email is '${email}', want '${expectedEmail}'`);
  if (payload['email_verified'] !== true) throw new Error(`token email '${email}' is not verified`);
}

/** An OIDC issuer as discovery describes it: its keys and the algorithms it signs with. */
export interface OIDCIssuerKeys {
  keys: JWTVerifyGetKey;
  algorithms?: string[] | undefined;
}

/** Resolves an issuer URL to its keys (OIDC discovery by default; injected in tests). */
export type OIDCDiscovery = (issuerURL: string, signal?: AbortSignal) => Promise<OIDCIssuerKeys>;

/**
 * OIDC discovery as go-oidc's `NewProvider`: `<issuer>/.well-known/openid-configuration`, whose `issuer` must equal
 * the configured URL, and its `jwks_uri`. Results are cached per issuer (a failure is not), the keys by `jose`.
 */
export function newOIDCDiscovery(fetchImpl: typeof fetch = fetch): OIDCDiscovery {
  const cache = new Map<string, Promise<OIDCIssuerKeys>>();
  const discover = async (issuerURL: string, signal?: AbortSignal): Promise<OIDCIssuerKeys> => {
    const url = `${issuerURL.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await fetchImpl(url, { signal: signal ?? AbortSignal.timeout(30_000) });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`${res.status} ${res.statusText}`);
    }
    const doc = (await res.json()) as {
      issuer?: unknown;
      jwks_uri?: unknown;
      id_token_signing_alg_values_supported?: unknown;
    };
    if (doc.issuer !== issuerURL)
      throw new Error(
        `oidc: issuer did not match the issuer returned by provider, expected ${JSON.stringify(issuerURL)} got ${JSON.stringify(doc.issuer)}`,
      );
    if (typeof doc.jwks_uri !== 'string') throw new Error('oidc: discovery document has no jwks_uri');
    const algs = doc.id_token_signing_alg_values_supported;
    return {
      keys: createRemoteJWKSet(new URL(doc.jwks_uri)),
      algorithms: Array.isArray(algs) && algs.every((a) => typeof a === 'string') ? algs : undefined,
    };
  };
  return (issuerURL, signal) => {
    let p = cache.get(issuerURL);
    if (!p) {
      p = discover(issuerURL, signal);
      cache.set(issuerURL, p);
      p.catch(() => cache.delete(issuerURL));
    }
    return p;
  };
}

/** The unverified `iss` of a JWT, only to pick the configured provider (upstream `unverifiedTokenIssuer`). */
export function unverifiedTokenIssuer(rawToken: string): string {
  const parts = rawToken.split('.');
  if (parts.length !== 3) throw new Error('token is not a JWT');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch (err) {
    throw new Error(`failed to parse token payload: ${errMessage(err)}`, { cause: err });
  }
  const iss = typeof claims === 'object' && claims !== null ? (claims as { iss?: unknown }).iss : undefined;
  if (typeof iss !== 'string' || iss === '') throw new Error("token is missing the 'iss' claim");
  return iss;
}

/**
 * Verifies the bearer token of a `generic-oidc` request against the provider whose issuer it names, then runs the
 * provider's CEL variables and validations; returns the verified claims (the `claims` of the filters).
 */
export async function validateGenericOIDC(
  providers: readonly OIDCProvider[],
  bearer: string,
  discovery: OIDCDiscovery,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  if (providers.length === 0) throw new Error('generic-oidc receiver has no oidcProviders configured');
  if (!bearer.startsWith(bearerPrefix)) throw new Error('the Authorization header is missing or malformed');
  const rawToken = bearer.slice(bearerPrefix.length).trim();
  if (rawToken === '') throw new Error('the Authorization header is missing a bearer token');
  let iss: string;
  try {
    iss = unverifiedTokenIssuer(rawToken);
  } catch (err) {
    throw new Error(`failed to parse bearer token: ${errMessage(err)}`, { cause: err });
  }
  const provider = providers.find((p) => p.issuerURL === iss);
  if (!provider) throw new Error(`no oidcProvider configured for issuer ${JSON.stringify(iss)}`);
  let issuer: OIDCIssuerKeys;
  try {
    issuer = await discovery(provider.issuerURL, signal);
  } catch (err) {
    throw new Error(
      `failed to initialize OIDC provider for issuer ${JSON.stringify(provider.issuerURL)}: ${errMessage(err)}`,
      { cause: err },
    );
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(rawToken, issuer.keys, {
      issuer: provider.issuerURL,
      audience: provider.audience || DefaultOIDCAudience,
      algorithms: issuer.algorithms ?? ['RS256'],
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    const detail = err instanceof joseErrors.JWTExpired ? 'oidc: token is expired' : errMessage(err);
    throw new Error(`failed to verify OIDC token: ${detail}`, { cause: err });
  }
  let processor: OIDCClaimsProcessor;
  try {
    await loadReceiverCel();
    processor = new OIDCClaimsProcessor(provider);
  } catch (err) {
    throw new Error(
      `invalid oidcProvider configuration for issuer ${JSON.stringify(provider.issuerURL)}: ${errMessage(err)}`,
      { cause: err },
    );
  }
  processor.evaluate(claims);
  return claims;
}
