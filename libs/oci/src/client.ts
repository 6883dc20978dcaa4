/**
 * An OCI distribution (registry v2 API) client. Hand-written: the npm clients (docker-registry-client,
 * oci-registry-client) are unmaintained or lack token auth, TLS options, size caps and digest checks.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { parseWwwAuthenticate } from './challenge.ts';
import type { AuthChallenge } from './challenge.ts';
import type { RegistryCredentials } from './docker-config.ts';
import { parseDistributionErrors, RegistryError } from './errors.ts';
import { MANIFEST_MEDIA_TYPES } from './manifest.ts';
import type { OciManifest } from './manifest.ts';
import type { Reference } from './reference.ts';

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Fixed credentials, or a lookup per registry host (called once per host and client, on the first 401). */
  credentials?: RegistryCredentials | ((host: string) => Promise<RegistryCredentials | undefined>);
  /** CA (added to the system roots), client certificate and key, PEM. */
  tls?: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array };
  /**
   * Talk plain HTTP to registries (Flux `insecure: true`). Otherwise HTTPS, except that a registry
   * go-containerregistry deems local ({@link isLocalRegistry}) falls back to plain HTTP when HTTPS fails, as Flux does.
   */
  insecure?: boolean;
  /**
   * The local-registry fallback to plain HTTP (default true: go-containerregistry's, which OCIRepository and the image
   * controllers use). false for Helm's OCI client, which, like ORAS, speaks plain HTTP only when told to.
   */
  localHttpFallback?: boolean;
  userAgent?: string;
  /** Per-request timeout (each HTTP exchange, including reading its body). */
  timeoutMs?: number;
  /** Host name resolution (`dns.lookup` by default): tests map a real registry name to a loopback server. */
  lookup?: LookupFunction;
  /** An HTTP(S) forward proxy (Flux `proxySecretRef`: `address`, optional basic credentials); CONNECT for https. */
  proxy?: { address: string; username?: string; password?: string };
}

/** Manifests larger than this are refused (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_REDIRECTS = 10;

interface Sent {
  res: IncomingMessage;
  url: URL;
}

interface Call {
  method: string;
  url: URL;
  registry: string;
  /** Token scopes this call needs, e.g. `repository:a/b:pull`. */
  scopes: string[];
  headers?: Record<string, string>;
  body?: Uint8Array;
  signal: AbortSignal;
  /** Follow redirects (GET/HEAD). */
  follow?: boolean;
}

function digestOf(data: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

function algorithmOf(digest: string): string {
  const alg = digest.slice(0, digest.indexOf(':'));
  if (alg !== 'sha256' && alg !== 'sha512')
    throw new RegistryError(`unsupported digest algorithm in '${digest}'`, { code: 'DIGEST_INVALID' });
  return alg;
}

/** Where a URL is shown in messages: scheme, host and path (no query: upload URLs carry opaque state). */
function shown(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The `rel="next"` target of a Link header, if any. */
function nextLink(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*(.*)$/.exec(part.trim());
    if (m?.[1] !== undefined && /rel="?next"?/i.test(m[2] ?? '')) return new URL(m[1], base);
  }
  return undefined;
}

/**
 * A registry client: anonymous first, then on a 401 the `WWW-Authenticate` challenge decides: `Basic` sends the
 * credentials, `Bearer` gets a token from the realm (with basic credentials, an identity token or anonymously) for
 * the repository scope; headers are cached per registry and scope. HTTPS only unless `insecure`. Every call takes an
 * AbortSignal; bodies are streamed with size caps and digests are verified.
 */
export class RegistryClient {
  readonly #opts: RegistryClientOptions;
  readonly #agent: HttpsAgent | undefined;
  readonly #httpAgent: HttpAgent | undefined;
  /** With a proxy, the TLS options of the tunnelled connection travel with each request (https-proxy-agent). */
  readonly #tunnelTls: { ca?: string[]; cert?: Buffer; key?: Buffer } | undefined;
  readonly #auth = new Map<string, string>();
  readonly #creds = new Map<string, Promise<RegistryCredentials | undefined>>();
  /** Local registries that answered over plain HTTP after HTTPS failed (go-containerregistry's ping fallback). */
  readonly #fellBack = new Set<string>();

  constructor(opts: RegistryClientOptions = {}) {
    this.#opts = opts;
    const tls = opts.tls;
    const tlsOptions = {
      ...(tls?.ca ? { ca: [...rootCertificates, Buffer.from(tls.ca).toString('utf8')] } : {}),
      ...(tls?.cert ? { cert: Buffer.from(tls.cert) } : {}),
      ...(tls?.key ? { key: Buffer.from(tls.key) } : {}),
    };
    if (opts.proxy) {
      let p: URL;
      try {
        p = new URL(opts.proxy.address);
      } catch (err) {
        throw new RegistryError('invalid proxy address: not an absolute URL', { cause: err });
      }
      if (p.protocol !== 'http:' && p.protocol !== 'https:')
        throw new RegistryError(`unsupported proxy scheme '${p.protocol.replace(/:$/, '')}': must be http or https`);
      if (opts.proxy.username) p.username = encodeURIComponent(opts.proxy.username);
      if (opts.proxy.password) p.password = encodeURIComponent(opts.proxy.password);
      this.#agent = new HttpsProxyAgent(p) as unknown as HttpsAgent;
      this.#tunnelTls = tlsOptions;
      this.#httpAgent = new HttpProxyAgent(p) as unknown as HttpAgent;
    } else if (tls?.ca || tls?.cert) {
      this.#agent = new HttpsAgent(tlsOptions);
    }
  }

  /** Releases pooled TLS connections. */
  close(): void {
    this.#agent?.destroy();
    this.#httpAgent?.destroy();
  }

  #base(registry: string): string {
    return `${this.#plainHttp(registry) ? 'http' : 'https'}://${registry}`;
  }

  /** Whether plain HTTP may be used with this registry: `insecure`, or a local registry that HTTPS failed on. */
  #plainHttp(registry: string): boolean {
    return this.#opts.insecure === true || this.#fellBack.has(registry);
  }

  /** All tags of a repository, following `Link: <…>; rel="next"` pagination, in the registry's order. */
  async listTags(registry: string, repository: string, signal: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let url: URL | undefined = new URL(`${this.#base(registry)}/v2/${repository}/tags/list`);
    for (let page = 0; url && page < 10_000; page++) {
      const sent = await this.#send({
        method: 'GET',
        url,
        registry,
        scopes: [scope(repository, 'pull')],
        signal,
        follow: true,
      });
      const body = await this.#expect(sent, 'GET', [200], MAX_MANIFEST_SIZE, signal);
      let parsed: { tags?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { tags?: unknown };
      } catch (err) {
        throw new RegistryError(`GET ${shown(sent.url)}: invalid tag list: not JSON`, { cause: err });
      }
      if (Array.isArray(parsed.tags)) for (const t of parsed.tags) if (typeof t === 'string') tags.push(t);
      url = nextLink(header(sent.res.headers, 'link'), sent.url);
    }
    return tags;
  }

  /**
   * Fetches a manifest or index (OCI and Docker v2 types accepted). The digest is computed from the bytes; it must
   * equal the reference's digest when there is one, and the `Docker-Content-Digest` header when the registry sends one.
   */
  async getManifest(
    ref: Reference,
    signal: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; manifest: OciManifest; bytes: Uint8Array }> {
    const url = this.#manifestUrl(ref);
    const sent = await this.#send({
      method: 'GET',
      url,
      registry: ref.registry,
      scopes: [scope(ref.repository, 'pull')],
      headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
      signal,
      follow: true,
    });
    const bytes = await this.#expect(sent, 'GET', [200], MAX_MANIFEST_SIZE, signal);
    const digest = digestOf(bytes, ref.digest ? algorithmOf(ref.digest) : 'sha256');
    if (ref.digest && digest !== ref.digest)
      throw new RegistryError(
        `GET ${shown(sent.url)}: manifest digest ${digest} does not match the requested ${ref.digest}`,
        {
          code: 'DIGEST_MISMATCH',
        },
      );
    const announced = header(sent.res.headers, 'docker-content-digest');
    if (!ref.digest && announced?.startsWith('sha256:') && announced !== digest)
      throw new RegistryError(
        `GET ${shown(sent.url)}: manifest digest ${digest} does not match Docker-Content-Digest ${announced}`,
        { code: 'DIGEST_MISMATCH' },
      );
    let manifest: OciManifest;
    try {
      manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as OciManifest;
    } catch (err) {
      throw new RegistryError(`GET ${shown(sent.url)}: invalid manifest: not JSON`, { cause: err });
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
      throw new RegistryError(`GET ${shown(sent.url)}: invalid manifest: not a JSON object`);
    const contentType = header(sent.res.headers, 'content-type')?.split(';')[0]?.trim();
    const mediaType = manifest.mediaType ?? contentType ?? '';
    return { digest, mediaType, manifest, bytes };
  }

  /** The digest and media type of a manifest (HEAD; falls back to GET when the registry sends no digest). */
  async headManifest(ref: Reference, signal: AbortSignal): Promise<{ digest: string; mediaType: string }> {
    const url = this.#manifestUrl(ref);
    const sent = await this.#send({
      method: 'HEAD',
      url,
      registry: ref.registry,
      scopes: [scope(ref.repository, 'pull')],
      headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
      signal,
      follow: true,
    });
    await this.#expect(sent, 'HEAD', [200], 0, signal);
    const digest = header(sent.res.headers, 'docker-content-digest');
    const mediaType = header(sent.res.headers, 'content-type')?.split(';')[0]?.trim();
    if (!digest || !mediaType) {
      const got = await this.getManifest(ref, signal);
      return { digest: got.digest, mediaType: got.mediaType };
    }
    if (ref.digest && digest !== ref.digest)
      throw new RegistryError(`HEAD ${shown(sent.url)}: digest ${digest} does not match the requested ${ref.digest}`, {
        code: 'DIGEST_MISMATCH',
      });
    return { digest, mediaType };
  }

  /** Downloads a blob, streaming, refusing more than `maxSize` bytes, and checks its digest. */
  async fetchBlob(
    registry: string,
    repository: string,
    digest: string,
    opts: { signal: AbortSignal; maxSize: number },
  ): Promise<Uint8Array> {
    const alg = algorithmOf(digest);
    const url = new URL(`${this.#base(registry)}/v2/${repository}/blobs/${digest}`);
    const sent = await this.#send({
      method: 'GET',
      url,
      registry,
      scopes: [scope(repository, 'pull')],
      signal: opts.signal,
      follow: true,
    });
    const data = await this.#expect(sent, 'GET', [200], opts.maxSize, opts.signal);
    const got = digestOf(data, alg);
    if (got !== digest)
      throw new RegistryError(`GET ${shown(url)}: blob digest ${got} does not match ${digest}`, {
        code: 'DIGEST_MISMATCH',
      });
    return data;
  }

  /** Uploads a blob unless the repository has it (HEAD): POST opens an upload, PUT `?digest=` completes it. */
  async pushBlob(registry: string, repository: string, data: Uint8Array, signal: AbortSignal): Promise<string> {
    const digest = digestOf(data);
    const scopes = [scope(repository, 'pull,push')];
    const base = this.#base(registry);
    const head = await this.#send({
      method: 'HEAD',
      url: new URL(`${base}/v2/${repository}/blobs/${digest}`),
      registry,
      scopes,
      signal,
      follow: true,
    });
    head.res.resume();
    if (head.res.statusCode === 200) return digest;
    const start = await this.#send({
      method: 'POST',
      url: new URL(`${base}/v2/${repository}/blobs/uploads/`),
      registry,
      scopes,
      signal,
      headers: { 'Content-Length': '0' },
    });
    await this.#expect(start, 'POST', [202], 0, signal);
    const location = header(start.res.headers, 'location');
    if (!location) throw new RegistryError(`POST ${shown(start.url)}: the registry sent no upload Location`);
    const put = new URL(location, start.url);
    put.searchParams.set('digest', digest);
    const done = await this.#send({
      method: 'PUT',
      url: put,
      registry,
      scopes,
      signal,
      body: data,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    await this.#expect(done, 'PUT', [201], 0, signal);
    return digest;
  }

  /** Uploads a manifest under `ref`'s tag (or digest); returns its sha256 digest. */
  async pushManifest(ref: Reference, manifest: Uint8Array, mediaType: string, signal: AbortSignal): Promise<string> {
    const digest = digestOf(manifest, ref.digest ? algorithmOf(ref.digest) : 'sha256');
    if (ref.digest && !ref.tag && digest !== ref.digest)
      throw new RegistryError(`manifest digest ${digest} does not match the reference digest ${ref.digest}`, {
        code: 'DIGEST_MISMATCH',
      });
    const id = ref.tag ?? ref.digest;
    if (!id)
      throw new RegistryError('pushManifest: the reference has neither tag nor digest', { code: 'INVALID_REFERENCE' });
    const url = new URL(`${this.#base(ref.registry)}/v2/${ref.repository}/manifests/${id}`);
    const sent = await this.#send({
      method: 'PUT',
      url,
      registry: ref.registry,
      scopes: [scope(ref.repository, 'pull,push')],
      signal,
      body: manifest,
      headers: { 'Content-Type': mediaType },
    });
    await this.#expect(sent, 'PUT', [201], 0, signal);
    return digest;
  }

  #manifestUrl(ref: Reference): URL {
    const id = ref.digest ?? ref.tag ?? 'latest';
    return new URL(`${this.#base(ref.registry)}/v2/${ref.repository}/manifests/${id}`);
  }

  /** Reads the body (capped) if the status is expected, else turns the response into a RegistryError. */
  async #expect(sent: Sent, method: string, ok: number[], maxSize: number, signal: AbortSignal): Promise<Uint8Array> {
    const status = sent.res.statusCode ?? 0;
    if (ok.includes(status)) {
      if (method === 'HEAD') {
        sent.res.resume();
        return new Uint8Array();
      }
      return readBody(sent.res, maxSize, `${method} ${shown(sent.url)}`, signal);
    }
    let body: Uint8Array = new Uint8Array();
    if (method !== 'HEAD') {
      try {
        body = await readBody(sent.res, MAX_ERROR_BODY, '', signal);
      } catch {
        body = new Uint8Array();
      }
    } else sent.res.resume();
    throw responseError(method, sent.url, status, body);
  }

  #credentials(registry: string): Promise<RegistryCredentials | undefined> {
    let p = this.#creds.get(registry);
    if (!p) {
      const c = this.#opts.credentials;
      p = typeof c === 'function' ? c(registry) : Promise.resolve(c);
      this.#creds.set(registry, p);
    }
    return p;
  }

  /** Sends a request with cached auth; on 401 authorises from the challenge and retries once; follows redirects. */
  async #send(call: Call): Promise<Sent> {
    try {
      return await this.#sendOnce(call);
    } catch (err) {
      // go-containerregistry's ping: a local registry is tried over HTTPS first, then over plain HTTP, and the
      // scheme that answered is kept. Only a failure without any HTTP response falls back, and not a certificate
      // error: that server speaks TLS, and its answer to plain HTTP (400) would hide the real cause.
      const transport =
        err instanceof RegistryError &&
        err.status === undefined &&
        err.code !== 'SIZE_EXCEEDED' &&
        !/CERT|SIGNATURE|ISSUER|VERIFY/.test(err.code ?? '');
      if (
        !transport ||
        this.#opts.localHttpFallback === false ||
        call.signal.aborted ||
        call.url.protocol !== 'https:' ||
        !isLocalRegistry(call.registry)
      )
        throw err;
      const url = new URL(call.url);
      url.protocol = 'http:';
      this.#fellBack.add(call.registry);
      try {
        return await this.#sendOnce({ ...call, url });
      } catch (plainErr) {
        this.#fellBack.delete(call.registry);
        if (plainErr instanceof RegistryError && plainErr.status === undefined)
          throw new RegistryError(`${err.message}; ${plainErr.message}`, {
            cause: plainErr,
            ...(plainErr.code ? { code: plainErr.code } : {}),
          });
        throw plainErr;
      }
    }
  }

  async #sendOnce(call: Call): Promise<Sent> {
    const key = `${call.registry} ${call.scopes.join(' ')}`;
    const cached = this.#auth.get(key) ?? this.#auth.get(`${call.registry} *`);
    let sent = await this.#exchange(call, cached);
    if (sent.res.statusCode !== 401) return sent;
    const challenges = parseWwwAuthenticate(header(sent.res.headers, 'www-authenticate') ?? '');
    const authz = await this.#authorize(call, challenges);
    if (authz === undefined) return sent;
    sent.res.resume();
    this.#auth.set(authz.basic ? `${call.registry} *` : key, authz.header);
    sent = await this.#exchange(call, authz.header);
    return sent;
  }

  async #authorize(call: Call, challenges: AuthChallenge[]): Promise<{ header: string; basic: boolean } | undefined> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = await this.#credentials(call.registry);
    if (bearer) {
      if (creds?.registryToken) return { header: `Bearer ${creds.registryToken}`, basic: false };
      const token = await this.#token(call, bearer, creds);
      return { header: `Bearer ${token}`, basic: false };
    }
    if (basic && creds && (creds.username !== undefined || creds.password !== undefined))
      return { header: basicHeader(creds), basic: true };
    return undefined;
  }

  /** Gets a bearer token from the challenge's realm for the call's scopes (docker token spec / OAuth2 refresh). */
  async #token(call: Call, challenge: AuthChallenge, creds: RegistryCredentials | undefined): Promise<string> {
    const realm = challenge.params['realm'];
    if (!realm)
      throw new RegistryError(`${call.method} ${shown(call.url)}: bearer challenge without realm`, {
        status: 401,
        code: 'UNAUTHORIZED',
      });
    let url: URL;
    try {
      url = new URL(realm);
    } catch (err) {
      throw new RegistryError(`${call.method} ${shown(call.url)}: invalid token realm`, {
        cause: err,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
    const scopes = [...call.scopes];
    const extra = challenge.params['scope'];
    if (extra) for (const s of extra.split(' ')) if (s && !scopes.includes(s)) scopes.push(s);
    const service = challenge.params['service'];
    let sent: Sent;
    if (creds?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'flux-ts',
      });
      if (service) form.set('service', service);
      form.set('scope', scopes.join(' '));
      sent = await this.#exchange(
        {
          method: 'POST',
          url,
          registry: call.registry,
          scopes,
          signal: call.signal,
          body: new TextEncoder().encode(form.toString()),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        },
        undefined,
      );
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const auth =
        creds && (creds.username !== undefined || creds.password !== undefined) ? basicHeader(creds) : undefined;
      sent = await this.#exchange(
        { method: 'GET', url, registry: call.registry, scopes, signal: call.signal, follow: true },
        auth,
      );
    }
    const body = await this.#expect(sent, creds?.identityToken ? 'POST' : 'GET', [200], MAX_ERROR_BODY, call.signal);
    let parsed: { token?: unknown; access_token?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8')) as typeof parsed;
    } catch (err) {
      throw new RegistryError(`token request to ${shown(url)}: invalid response: not JSON`, { cause: err });
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || !token)
      throw new RegistryError(`token request to ${shown(url)}: the response has no token`);
    return token;
  }

  /** One HTTP exchange (plus redirects for GET/HEAD, dropping Authorization on a change of origin). */
  async #exchange(call: Call, authorization: string | undefined): Promise<Sent> {
    let url = call.url;
    let auth = authorization;
    for (let hop = 0; ; hop++) {
      const res = await this.#raw(call, url, auth);
      const status = res.statusCode ?? 0;
      const location = header(res.headers, 'location');
      if (!call.follow || ![301, 302, 303, 307, 308].includes(status) || !location) return { res, url };
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new RegistryError(`${call.method} ${shown(call.url)}: too many redirects`);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && !(this.#plainHttp(call.registry) && next.protocol === 'http:'))
        throw new RegistryError(`${call.method} ${shown(call.url)}: refusing redirect to ${next.protocol} URL`);
      if (next.origin !== url.origin) auth = undefined;
      url = next;
    }
  }

  #raw(call: Call, url: URL, authorization: string | undefined): Promise<IncomingMessage> {
    const https = url.protocol === 'https:';
    if (!https && !(url.protocol === 'http:' && this.#plainHttp(call.registry)))
      return Promise.reject(
        new RegistryError(`${call.method} ${shown(url)}: plain HTTP is not allowed unless insecure is set`),
      );
    const headers: Record<string, string> = {
      'User-Agent': this.#opts.userAgent ?? 'flux-ts',
      ...call.headers,
    };
    if (authorization) headers['Authorization'] = authorization;
    if (call.body) headers['Content-Length'] = String(call.body.byteLength);
    const signal = this.#opts.timeoutMs
      ? AbortSignal.any([call.signal, AbortSignal.timeout(this.#opts.timeoutMs)])
      : call.signal;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const fail = (err: unknown): void => {
        if (call.signal.aborted) {
          reject(
            call.signal.reason instanceof Error
              ? call.signal.reason
              : new RegistryError(`${call.method} ${shown(url)}: aborted`, { cause: err }),
          );
          return;
        }
        const e = err as NodeJS.ErrnoException;
        const msg = signal.aborted ? `timed out after ${this.#opts.timeoutMs} ms` : (e?.message ?? String(err));
        reject(
          new RegistryError(`${call.method} ${shown(url)}: ${msg}`, {
            cause: err,
            ...(e?.code ? { code: e.code } : {}),
          }),
        );
      };
      const options = {
        method: call.method,
        headers,
        signal,
        ...(https && this.#agent ? { agent: this.#agent } : {}),
        ...(!https && this.#httpAgent ? { agent: this.#httpAgent } : {}),
        ...(https && this.#tunnelTls ? this.#tunnelTls : {}),
        ...(this.#opts.lookup ? { lookup: this.#opts.lookup } : {}),
      };
      const req = (https ? httpsRequest : httpRequest)(url, options, resolve);
      req.on('error', fail);
      req.end(call.body ? Buffer.from(call.body.buffer, call.body.byteOffset, call.body.byteLength) : undefined);
    });
  }
}

/**
 * Whether go-containerregistry treats a registry host as local (`name.Registry.Scheme()` answers http): `localhost`,
 * `*.localhost`, 127.0.0.1, ::1 and RFC 1918 addresses, each with an optional port. Flux reaches such a registry over
 * plain HTTP when HTTPS fails, without `insecure`.
 */
export function isLocalRegistry(registry: string): boolean {
  if (registry === 'localhost' || registry.startsWith('localhost:')) return true;
  if (/^.*\.localhost(?::\d{1,5})?$/.test(registry)) return true;
  if (/^127\.0\.0\.1(?::\d{1,5})?$/.test(registry)) return true;
  if (/^(::1|\[::1\](?::\d{1,5})?)$/.test(registry)) return true;
  const host = registry.split(':')[0] ?? '';
  const octets = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/
    .exec(host)
    ?.slice(1)
    .map(Number);
  if (!octets || octets.some((o) => o > 255)) return false;
  const [a, b] = octets as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function scope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

function basicHeader(creds: RegistryCredentials): string {
  return 'Basic ' + Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64');
}

function responseError(method: string, url: URL, status: number, body: Uint8Array): RegistryError {
  const errors = parseDistributionErrors(body);
  const statusText = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const first = errors[0];
  const code =
    first?.code ??
    (status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'DENIED' : status === 404 ? 'NOT_FOUND' : undefined);
  const detail = errors.length
    ? errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ')
    : `unexpected status code ${statusText}`;
  return new RegistryError(`${method} ${shown(url)}: ${detail}${errors.length ? ` (${statusText})` : ''}`, {
    status,
    ...(code ? { code } : {}),
  });
}

/** Reads a response body into memory, refusing more than `max` bytes (by Content-Length up front, then counted). */
function readBody(res: IncomingMessage, max: number, what: string, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(header(res.headers, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    res.destroy();
    return Promise.reject(
      new RegistryError(`${what}: size ${declared} exceeds the limit of ${max} bytes`, { code: 'SIZE_EXCEEDED' }),
    );
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onAbort = (): void => {
      res.destroy();
      reject(signal.reason instanceof Error ? signal.reason : new RegistryError(`${what}: aborted`));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (c: Buffer) => {
      total += c.length;
      if (total > max) {
        signal.removeEventListener('abort', onAbort);
        res.destroy();
        reject(new RegistryError(`${what}: size exceeds the limit of ${max} bytes`, { code: 'SIZE_EXCEEDED' }));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    res.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(new RegistryError(`${what}: ${err.message}`, { cause: err }));
    });
  });
}

export { digestOf as computeDigest };
