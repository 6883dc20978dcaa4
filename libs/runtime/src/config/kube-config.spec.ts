import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeConfig } from './kube-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'flux-ts-kube-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A kubeconfig document with one context per cluster/user pair given. */
function doc(
  current: string,
  entries: { name: string; cluster: Record<string, unknown>; user: Record<string, unknown>; namespace?: string }[],
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': current,
    clusters: entries.map((e) => ({ name: `${e.name}-cluster`, cluster: e.cluster })),
    users: entries.map((e) => ({ name: `${e.name}-user`, user: e.user })),
    contexts: entries.map((e) => ({
      name: e.name,
      context: { cluster: `${e.name}-cluster`, user: `${e.name}-user`, namespace: e.namespace },
    })),
  });
}

async function apply(kc: {
  applyToHTTPSOptions(o: https.RequestOptions): Promise<void>;
}): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

/** What both implementations must agree on (the agent is compared by class). */
function comparable(o: https.RequestOptions): Record<string, unknown> {
  const s = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString('utf8') : v);
  return {
    ca: s(o.ca),
    cert: s(o.cert),
    key: s(o.key),
    rejectUnauthorized: o.rejectUnauthorized,
    servername: o.servername,
    auth: o.auth,
    headers: o.headers,
    agent: o.agent?.constructor.name,
  };
}

describe('KubeConfig', () => {
  const yaml = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443/
    certificate-authority: certs/ca.crt
- name: prod-cluster
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: ${b64('PROD CA')}
    tls-server-name: api.prod.internal
users:
- name: dev-user
  user:
    client-certificate: certs/client.crt
    client-key: /abs/client.key
- name: prod-user
  user:
    client-certificate-data: ${b64('PROD CERT')}
    client-key-data: ${b64('PROD KEY')}
    as: alice
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
`;

  it('selects contexts, and resolves relative file paths against the kubeconfig directory', () => {
    const file = join(dir, 'contexts.yaml');
    writeFileSync(file, yaml);
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    expect(kc.getCurrentContext()).toBe('dev');
    expect(kc.getContextObject('dev')?.namespace).toBe('team-a');
    expect(kc.getCurrentCluster()).toMatchObject({
      server: 'https://dev.example:6443',
      caFile: join(dir, 'certs/ca.crt'),
    });
    expect(kc.getCurrentUser()).toMatchObject({ certFile: join(dir, 'certs/client.crt'), keyFile: '/abs/client.key' });
    kc.setCurrentContext('prod');
    expect(kc.getCurrentCluster()?.tlsServerName).toBe('api.prod.internal');
    expect(kc.getContextObject('missing')).toBeNull();
  });

  it('applies inline and file certificates, the TLS server name and impersonation like client-node', async () => {
    const certs = join(dir, 'certs');
    rmSync(certs, { recursive: true, force: true });
    writeFileSync(join(dir, 'ca.crt'), 'FILE CA');
    const file = join(dir, 'files.yaml');
    writeFileSync(
      file,
      doc('files', [
        {
          name: 'files',
          cluster: { server: 'https://a.example', 'certificate-authority': 'ca.crt' },
          user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
        },
      ]),
    );
    const ours = new KubeConfig();
    ours.loadFromFile(file);
    const theirs = new ClientNodeKubeConfig();
    theirs.loadFromFile(file);
    const o = await apply(ours);
    expect(comparable(o)).toEqual(comparable(await apply(theirs)));
    expect(String(o.ca)).toBe('FILE CA');
    expect(o.agent).toBeInstanceOf(https.Agent);

    for (const ctx of ['prod', 'dev']) {
      const a = new KubeConfig();
      a.loadFromString(yaml);
      a.setCurrentContext(ctx);
      const b = new ClientNodeKubeConfig();
      b.loadFromString(yaml);
      b.setCurrentContext(ctx);
      if (ctx === 'prod') {
        const opts = await apply(a);
        expect(comparable(opts)).toEqual(comparable(await apply(b)));
        expect(opts).toMatchObject({ servername: 'api.prod.internal', headers: { 'Impersonate-User': 'alice' } });
      } else {
        // files that do not exist: both fail the same way
        await expect(apply(a)).rejects.toThrow(/ENOENT/);
        await expect(apply(b)).rejects.toThrow(/ENOENT/);
      }
    }
  });

  it('reads token files (the in-cluster service-account token) on each request', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'sa-token-1');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://10.0.0.1:443', skipTLSVerify: false }],
      users: [{ name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect((await apply(kc)).headers).toEqual({ Authorization: 'Bearer sa-token-1' });
  });

  it('runs exec credential plugins and caches the credential until it expires', async () => {
    const counter = join(dir, 'exec-count');
    const plugin = join(dir, 'plugin.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho x >> ${counter}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token","expirationTimestamp":"2999-01-01T00:00:00Z"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const kc = new KubeConfig();
    kc.loadFromString(
      doc('e', [
        {
          name: 'e',
          cluster: { server: 'https://e.example' },
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
        },
      ]),
    );
    expect((await apply(kc)).headers).toEqual({ Authorization: 'Bearer exec-token' });
    expect((await apply(kc)).headers).toEqual({ Authorization: 'Bearer exec-token' });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('uses a static token, basic auth and custom authenticators', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(
      doc('t', [
        { name: 't', cluster: { server: 'https://t.example' }, user: { token: 'static' } },
        { name: 'b', cluster: { server: 'https://b.example' }, user: { username: 'bob', password: 'pw' } },
        { name: 'c', cluster: { server: 'https://c.example' }, user: {} },
      ]),
    );
    expect((await apply(kc)).headers).toEqual({ Authorization: 'Bearer static' });
    kc.setCurrentContext('b');
    expect((await apply(kc)).auth).toBe('bob:pw');
    kc.setCurrentContext('c');
    kc.addAuthenticator({
      isAuthProvider: (u) => u.name === 'c-user',
      applyAuthentication: async (_u, o) => void (o.headers = { ...o.headers, Authorization: 'Bearer custom' }),
    });
    expect((await apply(kc)).headers).toEqual({ Authorization: 'Bearer custom' });
  });

  it('builds proxy agents for proxy-url (http, https and socks) and caches one agent per cluster and user', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(
      doc('s', [
        { name: 's', cluster: { server: 'https://s.example', 'proxy-url': 'http://proxy:3128' }, user: {} },
        { name: 'h', cluster: { server: 'http://h.example', 'proxy-url': 'http://proxy:3128' }, user: {} },
        { name: 'k', cluster: { server: 'https://k.example', 'proxy-url': 'socks5://proxy:1080' }, user: {} },
      ]),
    );
    const first = await apply(kc);
    expect(first.agent).toBeInstanceOf(HttpsProxyAgent);
    expect((await apply(kc)).agent).toBe(first.agent);
    kc.setCurrentContext('h');
    expect((await apply(kc)).agent).toBeInstanceOf(HttpProxyAgent);
    kc.setCurrentContext('k');
    expect((await apply(kc)).agent).toBeInstanceOf(SocksProxyAgent);
  });

  it('honours insecure-skip-tls-verify, and refuses plain HTTP without it', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(
      doc('i', [
        { name: 'i', cluster: { server: 'https://i.example', 'insecure-skip-tls-verify': true }, user: {} },
        { name: 'p', cluster: { server: 'http://p.example', 'insecure-skip-tls-verify': true }, user: {} },
        { name: 'n', cluster: { server: 'http://n.example' }, user: {} },
      ]),
    );
    expect((await apply(kc)).rejectUnauthorized).toBe(false);
    kc.setCurrentContext('p');
    const plain = await apply(kc);
    expect(plain.agent).toBeInstanceOf(http.Agent);
    expect(plain.agent).not.toBeInstanceOf(https.Agent);
    kc.setCurrentContext('n');
    await expect(apply(kc)).rejects.toThrow('HTTP protocol is not allowed when skipTLSVerify is not set or false');
  });

  it('builds client-node API clients on demand, and merges configs refusing duplicates', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    kc.setCurrentContext('prod');
    expect(kc.makeApiClient(CoreV1Api)).toBeInstanceOf(CoreV1Api);
    const other = new KubeConfig();
    other.loadFromString(doc('extra', [{ name: 'extra', cluster: { server: 'https://x.example' }, user: {} }]));
    kc.mergeConfig(other, true);
    expect(kc.getCurrentContext()).toBe('prod');
    expect(kc.getContextObject('extra')?.cluster).toBe('extra-cluster');
    expect(() => kc.mergeConfig(other)).toThrow('Duplicate cluster: extra-cluster');
  });

  it('rejects malformed documents with one line and the position, and exports a loadable document', () => {
    const kc = new KubeConfig();
    expect(() => kc.loadFromString('clusters:\n- name: a\n  cluster: {server: x\n')).toThrow(/^[^\n]+\(\d+:\d+\)$/);
    expect(() => kc.loadFromString(doc('x', [{ name: 'x', cluster: {}, user: {} }]))).toThrow(
      'clusters[0].cluster.server is missing',
    );
    kc.loadFromString(yaml);
    const again = new KubeConfig();
    again.loadFromString(kc.exportConfig());
    expect(again.getCurrentContext()).toBe('dev');
    expect(again.getClusters()).toEqual(kc.getClusters());
    expect(again.getUsers()).toEqual(kc.getUsers());
    expect(again.getContexts()).toEqual(kc.getContexts());
  });
});
