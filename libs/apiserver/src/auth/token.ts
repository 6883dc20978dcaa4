/**
 * Bearer-token authentication: one static admin token plus bound ServiceAccount JWTs (TokenRequest), and the
 * TokenRequest / TokenReview response objects.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  timingSafeEqual,
  type JsonWebKeyInput,
  type KeyObject,
} from 'node:crypto';
// jsonwebtoken rather than jose: its sign/verify are synchronous, which the synchronous
// `authenticate(header)` contract of the HTTP layer needs (jose only offers async WebCrypto APIs).
import jwt from 'jsonwebtoken';
import { invalid } from '../errors.ts';
import type { UserInfo } from './types.ts';
import { ALL_AUTHENTICATED, adminUser, serviceAccountGroups, serviceAccountUsername } from './user.ts';

/** The issuer kind and kubeadm clusters use for ServiceAccount tokens. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** TokenRequest's default `expirationSeconds`. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
const MIN_TOKEN_EXPIRATION_SECONDS = 600;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;
/** The extra key carrying a token's credential id (`JTI=<jti>`). */
export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';

/** Options of `TokenAuthenticator`. */
export interface TokenAuthenticatorOptions {
  /** The admin bearer token; maps to `kubernetes-admin` in `system:masters`. */
  adminToken: string;
  /** RSA private key that signs ServiceAccount tokens (see `generateServiceAccountSigningKey`). */
  signingKey: KeyObject;
  /** Clock for `iat`/`exp` and expiry checks. */
  now: () => Date;
  /** `iss` of issued tokens; default `https://kubernetes.default.svc.cluster.local`. */
  issuer?: string;
  /** The API server's own audiences (default audiences of TokenRequest, required of bearer tokens); default `[issuer]`. */
  apiAudiences?: string[];
  /**
   * Looks a ServiceAccount up at authentication time (the real `--service-account-lookup`); when given, tokens of
   * deleted or re-created ServiceAccounts are rejected.
   */
  serviceAccountLookup?: (namespace: string, name: string) => { uid: string } | undefined;
  /** Other issuers whose JWTs this server accepts (a structured `AuthenticationConfiguration` `jwt` authenticator). */
  trustedIssuers?: readonly TrustedIssuer[];
}

/**
 * An issuer this server trusts (kube-apiserver's structured JWT authenticator, reduced to what a remote cluster needs
 * to accept another cluster's ServiceAccount tokens): a token whose `iss` is `issuer`, signed by one of `keys` (RS256,
 * matched by `kid`), unexpired, with an `aud` in `audiences`, authenticates as `usernamePrefix` + its `sub`, in the
 * group `system:authenticated`.
 */
export interface TrustedIssuer {
  /** The `iss` claim (`issuer.url`). */
  issuer: string;
  /** Accepted audiences (`issuer.audiences`). */
  audiences: readonly string[];
  /** The issuer's verification keys, a JWKS `keys` array (its `/openid/v1/jwks`). */
  keys: readonly Record<string, unknown>[];
  /** Prepended to `sub` (`claimMappings.username.prefix`). */
  usernamePrefix: string;
}

/** What `issueServiceAccountToken` needs. */
export interface ServiceAccountTokenRequest {
  namespace: string;
  name: string;
  uid: string;
  audiences?: string[];
  expirationSeconds?: number;
}

/** An issued token and its RFC 3339 expiry. */
export interface IssuedToken {
  token: string;
  expirationTimestamp: string;
}

/** The outcome of verifying one bearer token. */
export type TokenVerification =
  { authenticated: true; user: UserInfo; audiences: string[] } | { authenticated: false; error: string };

interface KubernetesClaims {
  namespace?: unknown;
  serviceaccount?: { name?: unknown; uid?: unknown };
}

/** A fresh 2048-bit RSA private key for signing ServiceAccount tokens. */
export const generateServiceAccountSigningKey = (): KeyObject =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** RFC 3339 without fractional seconds, as Kubernetes prints times. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

const bearerToken = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined;
  // like k8s.io/apiserver's bearertoken authenticator: the token is the second space-separated field
  const parts = header.trim().split(' ');
  if (parts.length < 2 || (parts[0] ?? '').toLowerCase() !== 'bearer') return undefined;
  const token = parts[1] ?? '';
  return token === '' ? undefined : token;
};

const intersect = (a: string[], b: string[]): string[] => a.filter((x) => b.includes(x));

/** Authenticates bearer tokens and issues bound ServiceAccount tokens. */
export class TokenAuthenticator {
  readonly #adminDigest: Buffer;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #keyId: string;
  readonly #now: () => Date;
  readonly #lookup: TokenAuthenticatorOptions['serviceAccountLookup'];
  readonly #trusted: { issuer: TrustedIssuer; keys: Map<string, KeyObject> }[];
  /** The `iss` of issued tokens. */
  readonly issuer: string;
  /** The API audiences. */
  readonly apiAudiences: string[];

  constructor(opts: TokenAuthenticatorOptions) {
    if (opts.adminToken === '') throw new Error('failed to create token authenticator: admin token is empty');
    this.#adminDigest = sha256(opts.adminToken);
    this.#privateKey = opts.signingKey;
    this.#publicKey = createPublicKey(opts.signingKey);
    // like kube-apiserver: the key id is the unpadded base64url SHA-256 of the DER public key
    this.#keyId = createHash('sha256')
      .update(this.#publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url');
    this.#now = opts.now;
    this.#lookup = opts.serviceAccountLookup;
    this.#trusted = (opts.trustedIssuers ?? []).map((issuer) => ({
      issuer,
      keys: new Map(
        issuer.keys.map((k) => [
          typeof k['kid'] === 'string' ? k['kid'] : '',
          createPublicKey({ key: k as JsonWebKeyInput['key'], format: 'jwk' }),
        ]),
      ),
    }));
    this.issuer = opts.issuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER;
    this.apiAudiences = opts.apiAudiences ?? [this.issuer];
  }

  /** The user of an `Authorization` header, or undefined (no header, not a bearer token, invalid token). */
  authenticate(authorizationHeader: string | undefined): UserInfo | undefined {
    const token = bearerToken(authorizationHeader);
    if (token === undefined) return undefined;
    const res = this.verifyToken(token);
    return res.authenticated ? res.user : undefined;
  }

  /** Verify a token for `audiences` (default: the API audiences), with the error text TokenReview reports. */
  verifyToken(token: string, audiences: string[] = this.apiAudiences): TokenVerification {
    if (timingSafeEqual(sha256(token), this.#adminDigest)) {
      // the static token is audience-agnostic: it is valid for the API audiences only
      const auds = intersect(this.apiAudiences, audiences);
      if (auds.length === 0) return { authenticated: false, error: 'invalid bearer token' };
      return { authenticated: true, user: adminUser(), audiences: auds };
    }
    const fail = (why: string): TokenVerification => ({
      authenticated: false,
      error: `[invalid bearer token, ${why}]`,
    });
    const trusted = this.#trustedIssuerOf(token);
    if (trusted !== undefined) return this.#verifyTrusted(token, trusted.issuer, trusted.key);
    let payload: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, this.#publicKey, {
        algorithms: ['RS256'],
        issuer: this.issuer,
        clockTimestamp: Math.floor(this.#now().getTime() / 1000),
      });
      if (typeof decoded === 'string') return fail('token payload is not a JSON object');
      payload = decoded;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) return fail('service account token has expired');
      if (err instanceof jwt.NotBeforeError) return fail('service account token is not valid yet');
      // not one of our tokens (or tampered): the real server reports only the generic error
      return { authenticated: false, error: 'invalid bearer token' };
    }
    const tokenAuds = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const auds = intersect(audiences, tokenAuds);
    if (auds.length === 0) {
      return fail(
        `token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(audiences)}`,
      );
    }
    const k = (payload as Record<string, unknown>)['kubernetes.io'] as KubernetesClaims | undefined;
    const ns = k?.namespace;
    const name = k?.serviceaccount?.name;
    const uid = k?.serviceaccount?.uid;
    if (typeof ns !== 'string' || typeof name !== 'string' || typeof uid !== 'string' || ns === '' || name === '') {
      return fail('service account token claims are missing');
    }
    if (payload.sub !== serviceAccountUsername(ns, name)) return fail('service account token subject does not match');
    if (this.#lookup) {
      const sa = this.#lookup(ns, name);
      if (!sa) return fail(`serviceaccounts ${JSON.stringify(name)} not found`);
      if (sa.uid !== uid) return fail(`service account UID (${sa.uid}) does not match claim (${uid})`);
    }
    const user: UserInfo = {
      username: serviceAccountUsername(ns, name),
      uid,
      groups: [...serviceAccountGroups(ns), ALL_AUTHENTICATED],
    };
    if (typeof payload.jti === 'string') user.extra = { [CREDENTIAL_ID_EXTRA]: [`JTI=${payload.jti}`] };
    return { authenticated: true, user, audiences: auds };
  }

  /** The trusted issuer and key of a token not signed by this server: its `iss` and `kid` name them. */
  #trustedIssuerOf(token: string): { issuer: TrustedIssuer; key: KeyObject } | undefined {
    if (this.#trusted.length === 0) return undefined;
    const decoded = jwt.decode(token, { complete: true });
    if (decoded === null || typeof decoded.payload === 'string') return undefined;
    const kid = decoded.header.kid ?? '';
    if (kid === this.#keyId) return undefined;
    for (const t of this.#trusted) {
      const key = t.keys.get(kid);
      if (t.issuer.issuer === decoded.payload.iss && key !== undefined) return { issuer: t.issuer, key };
    }
    return undefined;
  }

  #verifyTrusted(token: string, issuer: TrustedIssuer, key: KeyObject): TokenVerification {
    let payload: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, key, {
        algorithms: ['RS256'],
        issuer: issuer.issuer,
        clockTimestamp: Math.floor(this.#now().getTime() / 1000),
      });
      if (typeof decoded === 'string') return { authenticated: false, error: 'invalid bearer token' };
      payload = decoded;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError)
        return { authenticated: false, error: '[invalid bearer token, oidc: token is expired]' };
      return { authenticated: false, error: 'invalid bearer token' };
    }
    const tokenAuds = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const auds = intersect([...issuer.audiences], tokenAuds);
    if (auds.length === 0)
      return {
        authenticated: false,
        error: `[invalid bearer token, oidc: expected audience in ${JSON.stringify(issuer.audiences)} got ${JSON.stringify(tokenAuds)}]`,
      };
    if (typeof payload.sub !== 'string' || payload.sub === '')
      return {
        authenticated: false,
        error: '[invalid bearer token, oidc: parse username claims "sub": claim not present]',
      };
    return {
      authenticated: true,
      user: { username: `${issuer.usernamePrefix}${payload.sub}`, groups: [ALL_AUTHENTICATED] },
      audiences: auds,
    };
  }

  /**
   * Issue a bound ServiceAccount token (RS256 JWT with iss, sub, aud, exp, iat, nbf, jti and the `kubernetes.io`
   * claim). Throws a 422 `StatusError` for an `expirationSeconds` under 10 minutes or over 2^32 seconds.
   */
  issueServiceAccountToken(req: ServiceAccountTokenRequest): IssuedToken {
    const seconds = req.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
    if (!Number.isInteger(seconds) || seconds < MIN_TOKEN_EXPIRATION_SECONDS) {
      throw invalid('authentication.k8s.io', 'TokenRequest', req.name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.expirationSeconds',
          message: `Invalid value: ${seconds}: may not specify a duration less than 10 minutes`,
        },
      ]);
    }
    if (seconds > MAX_TOKEN_EXPIRATION_SECONDS) {
      throw invalid('authentication.k8s.io', 'TokenRequest', req.name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.expirationSeconds',
          message: `Invalid value: ${seconds}: may not specify a duration larger than 2^32 seconds`,
        },
      ]);
    }
    const audiences = req.audiences && req.audiences.length > 0 ? req.audiences : this.apiAudiences;
    const iat = Math.floor(this.#now().getTime() / 1000);
    const exp = iat + seconds;
    const payload = {
      aud: audiences,
      exp,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': { namespace: req.namespace, serviceaccount: { name: req.name, uid: req.uid } },
      nbf: iat,
      sub: serviceAccountUsername(req.namespace, req.name),
    };
    // typ is dropped: kube-apiserver's tokens carry only alg and kid in the header
    const token = jwt.sign(payload, this.#privateKey, {
      algorithm: 'RS256',
      header: { alg: 'RS256', kid: this.#keyId, typ: undefined },
    });
    return { token, expirationTimestamp: rfc3339(new Date(exp * 1000)) };
  }

  /**
   * The response of `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` for a TokenRequest `body` and the
   * stored ServiceAccount (`namespace`, `name`, `uid`).
   */
  tokenRequest(body: unknown, sa: { namespace: string; name: string; uid: string }): Record<string, unknown> {
    const spec = (isRecord(body) && isRecord(body['spec']) ? body['spec'] : {}) as Record<string, unknown>;
    const reqAuds = Array.isArray(spec['audiences'])
      ? spec['audiences'].filter((a): a is string => typeof a === 'string')
      : [];
    const expirationSeconds =
      typeof spec['expirationSeconds'] === 'number' ? spec['expirationSeconds'] : DEFAULT_TOKEN_EXPIRATION_SECONDS;
    const issued = this.issueServiceAccountToken({ ...sa, audiences: reqAuds, expirationSeconds });
    const meta = isRecord(body) && isRecord(body['metadata']) ? body['metadata'] : {};
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { ...meta, name: sa.name, namespace: sa.namespace, creationTimestamp: null },
      spec: {
        audiences: reqAuds.length > 0 ? reqAuds : this.apiAudiences,
        expirationSeconds,
        boundObjectRef: spec['boundObjectRef'] ?? null,
      },
      status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
    };
  }

  /** The response of `POST /apis/authentication.k8s.io/v1/tokenreviews`. */
  tokenReview(body: unknown): Record<string, unknown> {
    const spec = (isRecord(body) && isRecord(body['spec']) ? body['spec'] : {}) as Record<string, unknown>;
    const token = typeof spec['token'] === 'string' ? spec['token'] : '';
    const reqAuds = Array.isArray(spec['audiences'])
      ? spec['audiences'].filter((a): a is string => typeof a === 'string')
      : [];
    const res: TokenVerification =
      token === ''
        ? { authenticated: false, error: 'token is empty' }
        : this.verifyToken(token, reqAuds.length > 0 ? reqAuds : this.apiAudiences);
    const status: Record<string, unknown> = res.authenticated
      ? { authenticated: true, user: userInfoJson(res.user), audiences: res.audiences }
      : { user: {}, error: res.error };
    return {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { ...spec },
      status,
    };
  }

  /** The document of `/.well-known/openid-configuration`; `jwksUri` is where the server serves `jwks()`. */
  openidConfiguration(jwksUri: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** The JWKS document of `/openid/v1/jwks` (the verification key). */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.#publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return { keys: [{ use: 'sig', kty: jwk['kty'], kid: this.#keyId, alg: 'RS256', n: jwk['n'], e: jwk['e'] }] };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** authentication/v1 UserInfo JSON (empty fields omitted). */
const userInfoJson = (u: UserInfo): Record<string, unknown> => {
  const out: Record<string, unknown> = { username: u.username };
  if (u.uid) out['uid'] = u.uid;
  if (u.groups.length > 0) out['groups'] = [...u.groups];
  if (u.extra && Object.keys(u.extra).length > 0) out['extra'] = structuredClone(u.extra);
  return out;
};
