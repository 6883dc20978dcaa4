import { Agent as HttpsAgent } from 'node:https';
import type { Agent } from 'node:http';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import httpNode from 'isomorphic-git/http/node';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import type { GitAuth, GitProxy } from './auth.ts';
import { secretValues } from './auth.ts';
import { InvalidInputError } from './errors.ts';
import { sshHttpClient } from './ssh-transport.ts';

/** A remote prepared for isomorphic-git: client, URL without credentials, auth headers and secrets to redact. */
export interface Transport {
  http: HttpClient;
  /** URL handed to isomorphic-git (never carries credentials). */
  url: string;
  /** URL safe for messages (no userinfo password). */
  displayUrl: string;
  headers: Record<string, string>;
  secrets: string[];
  close(): void;
}

const SSH_PLACEHOLDER = 'http://ssh-transport.invalid';

/**
 * Wraps a client so that, within one operation, the ref advertisement (`GET info/refs`) is requested once: the
 * listing done before a fetch is replayed to isomorphic-git's own discovery instead of asking the server again.
 */
function cacheAdvertisement(inner: HttpClient): HttpClient {
  const cache = new Map<string, { res: GitHttpResponse; body: Buffer }>();
  return {
    request: async (req: GitHttpRequest) => {
      const method = req.method ?? 'GET';
      if (method !== 'GET' || !req.url.includes('/info/refs?')) return inner.request(req);
      let hit = cache.get(req.url);
      if (!hit) {
        const res = await inner.request(req);
        if (res.statusCode !== 200 || !res.body) return res;
        const chunks: Uint8Array[] = [];
        for await (const c of res.body) chunks.push(c);
        hit = { res, body: Buffer.concat(chunks) };
        cache.set(req.url, hit);
      }
      const body = hit.body;
      return {
        ...hit.res,
        body: (async function* () {
          yield body;
        })(),
      };
    },
  };
}

/**
 * Builds the transport for a GitRepository URL (`http`, `https` or `ssh` scheme, as Flux validates). HTTP(S): basic
 * or bearer `Authorization` header sent up front, `ca.crt`/`tls.crt`/`tls.key` on an https Agent, the AbortSignal on
 * every request. SSH: {@link sshHttpClient}.
 */
export function makeTransport(
  rawUrl: string,
  auth: GitAuth | undefined,
  signal: AbortSignal | undefined,
  proxy?: GitProxy,
): Transport {
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch (err) {
    throw new InvalidInputError('invalid url: not an absolute URL', { cause: err });
  }
  const urlUser = decodeURIComponent(u.username);
  const urlPass = decodeURIComponent(u.password);
  const secrets = [...secretValues(auth), urlPass].filter((s) => s);
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    u.username = '';
    u.password = '';
    const clean = u.toString().replace(/\/$/, '');
    const headers: Record<string, string> = {};
    const username = auth?.username ?? urlUser;
    const password = auth?.password ?? urlPass;
    if (auth?.bearerToken) headers['Authorization'] = `Bearer ${auth.bearerToken}`;
    else if (username || password)
      headers['Authorization'] = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
    const tls = {
      ...(auth?.caCert ? { ca: auth.caCert } : {}),
      ...(auth?.tlsCert ? { cert: auth.tlsCert, key: auth.tlsKey } : {}),
    };
    const agent = proxy
      ? proxyAgent(proxy, u.protocol === 'https:')
      : u.protocol === 'https:' && (auth?.caCert || auth?.tlsCert)
        ? new HttpsAgent(tls)
        : undefined;
    if (proxy?.password) secrets.push(proxy.password);
    const http = cacheAdvertisement({
      request: (req: GitHttpRequest) =>
        httpNode.request({
          ...req,
          ...(agent ? { agent } : {}),
          ...(signal ? { signal } : {}),
          // Through a proxy agent the TLS options for the target come from the request options.
          ...(u.protocol === 'https:' ? { fetchOptions: tls } : {}),
        }),
    });
    return { http, url: clean, displayUrl: clean, headers, secrets, close: () => agent?.destroy() };
  }
  if (u.protocol === 'ssh:') {
    if (!auth?.identity || !auth.knownHosts)
      throw new InvalidInputError("ssh url requires a secret with 'identity' and 'known_hosts'");
    const path = decodeURIComponent(u.pathname);
    const ssh = sshHttpClient({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port ? Number(u.port) : 22,
      username: urlUser || 'git',
      path,
      identity: auth.identity,
      ...(auth.password ? { passphrase: auth.password } : {}),
      knownHosts: auth.knownHosts,
      ...(signal ? { signal } : {}),
    });
    u.password = '';
    return {
      http: cacheAdvertisement(ssh.client),
      url: `${SSH_PLACEHOLDER}${u.pathname}`,
      displayUrl: u.toString(),
      headers: {},
      secrets,
      close: ssh.close,
    };
  }
  throw new InvalidInputError(`unsupported url scheme '${u.protocol.replace(/:$/, '')}': must be http, https or ssh`);
}

/** An agent tunnelling through `proxy` (http, https or socks5 address; optional basic credentials). */
function proxyAgent(proxy: GitProxy, https: boolean): Agent {
  let p: URL;
  try {
    p = new URL(proxy.address);
  } catch (err) {
    throw new InvalidInputError('invalid proxy address: not an absolute URL', { cause: err });
  }
  if (proxy.username) p.username = encodeURIComponent(proxy.username);
  if (proxy.password) p.password = encodeURIComponent(proxy.password);
  if (p.protocol === 'socks5:' || p.protocol === 'socks5h:' || p.protocol === 'socks:')
    return new SocksProxyAgent(p) as unknown as Agent;
  if (p.protocol !== 'http:' && p.protocol !== 'https:')
    throw new InvalidInputError(
      `unsupported proxy scheme '${p.protocol.replace(/:$/, '')}': must be http, https or socks5`,
    );
  if (https) return new HttpsProxyAgent(p) as unknown as Agent;
  return new HttpProxyAgent(p) as unknown as Agent;
}

/** Replaces the SSH placeholder URL in isomorphic-git messages with the real (credential-free) URL. */
export function displayText(text: string, t: Transport): string {
  return t.url.startsWith(SSH_PLACEHOLDER) ? text.split(t.url).join(t.displayUrl) : text;
}
