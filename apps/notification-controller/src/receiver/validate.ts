/**
 * The per-type checks of an incoming webhook (upstream `ReceiverServer.validate`), over the raw body; every
 * comparison with the token runs in constant time (`crypto.timingSafeEqual`). A failure throws with Flux's message;
 * the server answers 400. The result is the body the CEL filters see as `req` (GCR: the unwrapped event) and, for
 * `generic-oidc`, the verified claims.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { errMessage } from '@flux-ts/runtime';
import type { Logger, ObjectReader } from '@flux-ts/runtime';
import { validateCDEvent } from './cdevents.ts';
import { GenericOIDCReceiverType, secretGVK } from './reconciler.ts';
import type { ReceiverObject, SecretObject } from './reconciler.ts';
import { authenticateGCRRequest, validateGenericOIDC } from './tokens.ts';
import type { OIDCDiscovery } from './tokens.ts';

/** Request headers as Node gives them (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What the checks need besides the request. */
export interface ValidateDeps {
  /** Reads the Receiver's Secret (the Kubernetes client). */
  secrets: ObjectReader;
  /** Google's ID-token keys (`gcr`). */
  gcrKeys: JWTVerifyGetKey;
  /** OIDC discovery of `generic-oidc` issuers. */
  oidcDiscovery: OIDCDiscovery;
  log: Logger;
  signal?: AbortSignal | undefined;
}

/** What a successful check hands the resource filters. */
export interface ValidatedRequest {
  /** The body the filters decode as `req`. */
  body: Buffer;
  /** The verified token claims (`generic-oidc`). */
  claims?: Record<string, unknown>;
}

/** Go's `Header.Get`: the first value, or ''. */
export function header(headers: RequestHeaders, name: string): string {
  const v = headers[name.toLowerCase()];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Constant-time string equality (both sides hashed first, so their lengths leak nothing). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

const hmacAlgorithms: Readonly<Record<string, string>> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512' };

/** go-github `ValidateSignature`: `<sha1|sha256|sha512>=<hex HMAC(body, token)>`, compared in constant time. */
export function validateSignature(signature: string, payload: Buffer, token: string): void {
  if (signature === '') throw new Error('missing signature');
  const eq = signature.indexOf('=');
  if (eq < 0) throw new Error(`error parsing signature ${JSON.stringify(signature)}`);
  const prefix = signature.slice(0, eq);
  const algo = Object.hasOwn(hmacAlgorithms, prefix) ? hmacAlgorithms[prefix] : undefined;
  if (algo === undefined) throw new Error(`unknown hash type prefix: ${JSON.stringify(prefix)}`);
  const hex = signature.slice(eq + 1);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex))
    throw new Error(`error decoding signature ${JSON.stringify(signature)}: encoding/hex: invalid byte`);
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac(algo, token).update(payload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new Error('payload signature check failed');
}

/** go's `mime.ParseMediaType` media type (lower-cased), or an error for an empty or malformed header. */
function mediaType(contentType: string): string {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  if (t === '') throw new Error('mime: no media type');
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(t))
    throw new Error('mime: expected token after slash');
  return t;
}

/**
 * go-github `ValidatePayload`: the signature from `X-Hub-Signature-256` (else `X-Hub-Signature`) over the raw body;
 * the payload is the body (`application/json`) or its `payload` form field (`application/x-www-form-urlencoded`).
 */
export function validatePayload(headers: RequestHeaders, body: Buffer, token: string): Buffer {
  const signature = header(headers, 'X-Hub-Signature-256') || header(headers, 'X-Hub-Signature');
  const type = mediaType(header(headers, 'Content-Type'));
  let payload: Buffer;
  if (type === 'application/json') payload = body;
  else if (type === 'application/x-www-form-urlencoded')
    payload = Buffer.from(new URLSearchParams(body.toString('utf8')).get('payload') ?? '', 'utf8');
  else throw new Error(`webhook request has unsupported Content-Type ${JSON.stringify(type)}`);
  if (token.length > 0 || signature.length > 0) validateSignature(signature, body, token);
  return payload;
}

/** upstream `verifyHmacSignature` (Nexus): hex HMAC-SHA1 of the body, compared in constant time. */
export function verifyHmacSignature(key: string, signature: string, payload: Buffer): boolean {
  const expected = createHmac('sha1', key).update(payload).digest('hex');
  return constantTimeEqual(signature, expected);
}

type FieldType = 'string' | 'string[]' | { readonly [k: string]: FieldType };

/**
 * Go's `json.Unmarshal` into a struct, as far as the receivers use it: the body must be one JSON value, an object
 * or null, and the declared fields (when present and not null) must have the declared types.
 */
export function decodeStruct(body: Buffer, fields: { readonly [k: string]: FieldType }): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new Error(body.length === 0 ? 'EOF' : errMessage(err), { cause: err });
  }
  check(v, fields, '');
  return (v ?? {}) as Record<string, unknown>;
}

function check(v: unknown, t: FieldType, path: string): void {
  if (v === null) return;
  const at = path === '' ? 'Go value' : `Go struct field ${path}`;
  if (t === 'string') {
    if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${jsonKind(v)} into ${at} of type string`);
    return;
  }
  if (t === 'string[]') {
    if (!Array.isArray(v)) throw new Error(`json: cannot unmarshal ${jsonKind(v)} into ${at} of type []string`);
    for (const x of v) check(x, 'string', path);
    return;
  }
  if (typeof v !== 'object' || Array.isArray(v))
    throw new Error(`json: cannot unmarshal ${jsonKind(v)} into ${at} of type struct`);
  for (const [k, ft] of Object.entries(t)) {
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, k)) check(o[k], ft, path === '' ? k : `${path}.${k}`);
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

function eventAllowed(receiver: ReceiverObject, event: string): boolean {
  const events = receiver.spec.events ?? [];
  if (events.length === 0) return true;
  const e = event.toLowerCase();
  return events.some((x) => x.toLowerCase() === e);
}

async function readSecret(deps: ValidateDeps, receiver: ReceiverObject): Promise<SecretObject> {
  const namespace = receiver.metadata.namespace ?? '';
  const name = receiver.spec.secretRef?.name ?? '';
  try {
    return await deps.secrets.get<SecretObject>(
      secretGVK,
      { namespace, name },
      deps.signal ? { signal: deps.signal } : {},
    );
  } catch (err) {
    throw new Error(`unable to read secret, error: unable to read secret "${namespace}/${name}": ${errMessage(err)}`, {
      cause: err,
    });
  }
}

function secretValue(secret: SecretObject, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** Checks a request for `receiver`; see the module comment. */
export async function validateReceiverRequest(
  receiver: ReceiverObject,
  headers: RequestHeaders,
  body: Buffer,
  deps: ValidateDeps,
): Promise<ValidatedRequest> {
  const log = deps.log;
  if (receiver.spec.type === GenericOIDCReceiverType) {
    const claims = await validateGenericOIDC(
      receiver.spec.oidcProviders ?? [],
      header(headers, 'Authorization'),
      deps.oidcDiscovery,
      deps.signal,
    );
    return { body, claims };
  }
  const secret = await readSecret(deps, receiver);
  const token = secretValue(secret, 'token');
  if (token === undefined) {
    const ref = `${receiver.metadata.namespace ?? ''}/${receiver.spec.secretRef?.name ?? ''}`;
    throw new Error(`invalid ${JSON.stringify(ref)} secret data: required field 'token'`);
  }
  switch (receiver.spec.type) {
    case 'generic':
      return { body };
    case 'generic-hmac':
      try {
        validateSignature(header(headers, 'X-Signature'), body, token);
      } catch (err) {
        throw new Error(`unable to validate HMAC signature: ${errMessage(err)}`, { cause: err });
      }
      return { body };
    case 'github': {
      let payload: Buffer;
      try {
        payload = validatePayload(headers, body, token);
      } catch (err) {
        throw new Error(`the GitHub signature header is invalid, err: ${errMessage(err)}`, { cause: err });
      }
      const event = header(headers, 'X-GitHub-Event');
      if (!eventAllowed(receiver, event))
        throw new Error(`the GitHub event ${JSON.stringify(event)} is not authorised`);
      log.info(`handling GitHub event: ${event}`);
      return { body: payload };
    }
    case 'gitlab': {
      if (!constantTimeEqual(header(headers, 'X-Gitlab-Token'), token))
        throw new Error('the X-Gitlab-Token header value does not match the receiver token');
      const event = header(headers, 'X-Gitlab-Event');
      if (!eventAllowed(receiver, event))
        throw new Error(`the GitLab event ${JSON.stringify(event)} is not authorised`);
      log.info(`handling GitLab event: ${event}`);
      return { body };
    }
    case 'cdevents': {
      const event = header(headers, 'Ce-Type');
      try {
        validateCDEvent(body);
      } catch (err) {
        throw new Error(`unable to validate CDEvent event: ${errMessage(err)}`, { cause: err });
      }
      if (!eventAllowed(receiver, event)) throw new Error(`the CDEvent ${JSON.stringify(event)} is not authorised`);
      log.info(`handling CDEvent: ${event}`);
      return { body };
    }
    case 'bitbucket': {
      let payload: Buffer;
      try {
        payload = validatePayload(headers, body, token);
      } catch (err) {
        throw new Error(`the Bitbucket server signature header is invalid, err: ${errMessage(err)}`, { cause: err });
      }
      const event = header(headers, 'X-Event-Key');
      if (!eventAllowed(receiver, event))
        throw new Error(`the Bitbucket server event ${JSON.stringify(event)} is not authorised`);
      log.info(`handling Bitbucket server event: ${event}`);
      return { body: payload };
    }
    case 'quay': {
      let p: Record<string, unknown>;
      try {
        p = decodeStruct(body, { docker_url: 'string', updated_tags: 'string[]' });
      } catch (err) {
        throw new Error(`cannot decode Quay webhook payload: ${errMessage(err)}`, { cause: err });
      }
      log.info(`handling Quay event from ${(p['docker_url'] as string | undefined) ?? ''}`);
      return { body };
    }
    case 'harbor':
      if (!constantTimeEqual(header(headers, 'Authorization'), token))
        throw new Error('the Harbor Authorization header value does not match the receiver token');
      log.info('handling Harbor event');
      return { body };
    case 'dockerhub': {
      let p: Record<string, unknown>;
      try {
        p = decodeStruct(body, { push_data: { tag: 'string' }, repository: { repo_url: 'string' } });
      } catch (err) {
        throw new Error('cannot decode DockerHub webhook payload', { cause: err });
      }
      const tag = ((p['push_data'] as { tag?: string } | null) ?? {}).tag ?? '';
      const url = ((p['repository'] as { repo_url?: string } | null) ?? {}).repo_url ?? '';
      log.info(`handling DockerHub event from ${url} for tag ${tag}`);
      return { body };
    }
    case 'gcr':
      return validateGCR(receiver, headers, body, secret, deps);
    case 'nexus': {
      const signature = header(headers, 'X-Nexus-Webhook-Signature');
      if (signature.length === 0) throw new Error('the Nexus signature is missing from header');
      if (!verifyHmacSignature(token, signature, body)) throw new Error('invalid Nexus signature');
      let p: Record<string, unknown>;
      try {
        p = decodeStruct(body, { action: 'string', repositoryName: 'string' });
      } catch (err) {
        throw new Error(`cannot decode Nexus webhook payload: ${errMessage(err)}`, { cause: err });
      }
      log.info(`handling Nexus event from ${(p['repositoryName'] as string | undefined) ?? ''}`);
      return { body };
    }
    case 'acr': {
      let p: Record<string, unknown>;
      try {
        p = decodeStruct(body, { action: 'string', target: { repository: 'string', tag: 'string' } });
      } catch (err) {
        throw new Error(`cannot decode ACR webhook payload: ${errMessage(err)}`, { cause: err });
      }
      const target = (p['target'] as { repository?: string; tag?: string } | null) ?? {};
      log.info(`handling ACR event from ${target.repository ?? ''} for tag ${target.tag ?? ''}`);
      return { body };
    }
    default:
      throw new Error(`recevier type ${JSON.stringify(receiver.spec.type)} not supported`);
  }
}

async function validateGCR(
  _receiver: ReceiverObject,
  headers: RequestHeaders,
  body: Buffer,
  secret: SecretObject,
  deps: ValidateDeps,
): Promise<ValidatedRequest> {
  // Flux 2.8 accepts a Secret without `email`/`audience` (required from Flux 2.9): then those claims are not checked.
  const email = secretValue(secret, 'email') ?? '';
  const audience = secretValue(secret, 'audience') ?? '';
  try {
    await authenticateGCRRequest(deps.gcrKeys, header(headers, 'Authorization'), email, audience);
  } catch (err) {
    throw new Error(`cannot authenticate GCR request: ${errMessage(err)}`, { cause: err });
  }
  let p: Record<string, unknown>;
  try {
    p = decodeStruct(body, { message: { data: 'string', messageId: 'string', subscription: 'string' } });
  } catch (err) {
    throw new Error(`cannot decode GCR webhook payload: ${errMessage(err)}`, { cause: err });
  }
  // The GCR payload is a Pub/Sub message with the registry event inside, base64 JSON.
  const data = ((p['message'] as { data?: string } | null) ?? {}).data ?? '';
  let d: Record<string, unknown>;
  try {
    d = decodeStruct(Buffer.from(data, 'base64'), { action: 'string', digest: 'string', tag: 'string' });
  } catch (err) {
    throw new Error(`cannot decode GCR webhook body: ${errMessage(err)}`, { cause: err });
  }
  const event = {
    action: (d['action'] as string | undefined) ?? '',
    digest: (d['digest'] as string | undefined) ?? '',
    tag: (d['tag'] as string | undefined) ?? '',
  };
  deps.log.info(`handling GCR event from ${event.digest} for tag ${event.tag}`);
  return { body: Buffer.from(JSON.stringify(event), 'utf8') };
}
