/**
 * A kubeconfig: contexts, clusters and users parsed as @kubernetes/client-node parses them (its `config_types`
 * module), and its authenticators (exec plugins, token files; azure, gcp and oidc auth providers loaded on first
 * use), applied to node:https request options with a cached agent per cluster and user, as its `KubeConfig` does.
 * It has the whole public API of client-node's `KubeConfig`; the parts that need client-node's generated API
 * (`makeApiClient`, `applySecurityAuthentication`) and `loadFromDefault`/`loadFromCluster` load client-node on first
 * use and delegate to an equivalent client-node `KubeConfig`.
 */
// Hand-written: client-node's KubeConfig (dist/config.js) imports its whole generated API (gen/index.js, 25 MB).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import https from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import type { ApiType, KubeConfig as ClientNodeKubeConfig, RequestContext } from '@kubernetes/client-node';
import type { Authenticator } from '@kubernetes/client-node/dist/auth.js';
import type { ApiConstructor, DispatcherOptions } from '@kubernetes/client-node/dist/config.js';
import {
  exportCluster,
  exportContext,
  exportUser,
  newClusters,
  newContexts,
  newUsers,
} from '@kubernetes/client-node/dist/config_types.js';
import type { Cluster, ConfigOptions, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
import { FileAuth } from '@kubernetes/client-node/dist/file_auth.js';
import { parse } from 'yaml';

export type { Authenticator, Cluster, Context, User };

/**
 * What the client needs of a kubeconfig. Both {@link KubeConfig} and @kubernetes/client-node's `KubeConfig`
 * satisfy it, so either can be given to `KubeClient.fromKubeConfig`.
 */
export interface KubeConfigLike {
  getCurrentContext(): string;
  setCurrentContext(context: string): void;
  getContextObject(name: string): Context | null;
  getCurrentCluster(): Cluster | null;
  getCurrentUser(): User | null;
  /** Sets TLS options, credentials headers and the agent (proxy, keep-alive cache) of the current context. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

/** The contents of a kubeconfig, as {@link KubeConfig.loadFromOptions} takes them. */
export interface KubeConfigOptions {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

/**
 * Auth providers of client-node that pull in heavier modules, loaded on first use: jsonpath-plus (azure, gcp),
 * openid-client and client-node's config module with its generated API (oidc).
 */
const LAZY_AUTH: Record<string, () => Promise<Authenticator>> = {
  azure: async () => new (await import('@kubernetes/client-node/dist/azure_auth.js')).AzureAuth(),
  gcp: async () => new (await import('@kubernetes/client-node/dist/gcp_auth.js')).GoogleCloudPlatformAuth(),
  oidc: async () => new (await import('@kubernetes/client-node/dist/oidc_auth.js')).OpenIDConnectAuth(),
};

/**
 * `kc` typed as client-node's `KubeConfig`, which `loadKubeConfig` and the Secret and ConfigMap loaders declare so
 * that code written against client-node keeps compiling: {@link KubeConfig} has all of its public API (the
 * `implements` clause checks it), and only its private members differ.
 */
export function asClientNodeKubeConfig(kc: KubeConfig): ClientNodeKubeConfig {
  return kc as unknown as ClientNodeKubeConfig;
}

/** The public members of a class (its type without the private ones). */
type PublicApi<T> = { [K in keyof T]: T[K] };

const requireHere = createRequire(import.meta.url);

/** A kubeconfig and its credentials, with the public API of @kubernetes/client-node's `KubeConfig`. */
export class KubeConfig implements KubeConfigLike, PublicApi<ClientNodeKubeConfig> {
  clusters: Cluster[] = [];
  users: User[] = [];
  contexts: Context[] = [];
  currentContext = '';
  readonly #lazyAuth = new Map<string, Promise<Authenticator>>();
  readonly #authenticators: Authenticator[] = [new ExecAuth(), new FileAuth()];
  readonly #custom: Authenticator[] = [];
  readonly #agents = new Map<string, http.Agent>();

  /** Adds an authenticator, tried after the built-in ones (before loading a config that refers to it). */
  addAuthenticator(authenticator: Authenticator): void {
    this.#custom.push(authenticator);
  }

  /** An equivalent client-node KubeConfig (same contents and custom authenticators), loading client-node now. */
  #clientNode(): ClientNodeKubeConfig {
    let Real: typeof ClientNodeKubeConfig;
    try {
      ({ KubeConfig: Real } = requireHere('@kubernetes/client-node') as { KubeConfig: typeof ClientNodeKubeConfig });
    } catch (err) {
      // esbuild does not follow createRequire: a controller bundle has no client-node to delegate to.
      throw new Error(`failed to load @kubernetes/client-node for its generated API: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const real = new Real();
    real.loadFromOptions(this.#contents());
    for (const a of this.#custom) real.addAuthenticator(a);
    return real;
  }

  #contents(): KubeConfigOptions {
    return { clusters: this.clusters, users: this.users, contexts: this.contexts, currentContext: this.currentContext };
  }

  /** client-node's API client of the current context (loads client-node's generated API). */
  makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    return this.#clientNode().makeApiClient(apiClientType);
  }

  /** client-node's security hook of its generated API clients (loads client-node). */
  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.#clientNode().applySecurityAuthentication(context);
  }

  /** client-node's undici dispatcher options for `cluster` (loads client-node). */
  createDispatcherOptions(cluster: Cluster | null, agentOptions: https.AgentOptions): DispatcherOptions {
    return this.#clientNode().createDispatcherOptions(cluster, agentOptions);
  }

  getName(): string {
    return 'kubeconfig authentication';
  }

  /** client-node's default loading (`KUBECONFIG`, `~/.kube/config`, in-cluster); loads client-node. */
  loadFromDefault(opts?: Partial<ConfigOptions>, contextFromStartingConfig?: boolean, platform?: string): void {
    const real = this.#clientNode();
    real.loadFromDefault(opts, contextFromStartingConfig, platform);
    this.loadFromOptions(real);
  }

  /** client-node's in-cluster loading (`KUBERNETES_SERVICE_HOST`/`_PORT`); loads client-node. */
  loadFromCluster(pathPrefix?: string): void {
    const real = this.#clientNode();
    real.loadFromCluster(pathPrefix);
    this.loadFromOptions(real);
  }

  /** Adds the clusters, users and contexts of `config` (duplicates are errors), and its current context. */
  mergeConfig(
    config: { currentContext: string; clusters: Cluster[]; users: User[]; contexts: Context[] },
    preserveContext = false,
  ): void {
    if (!preserveContext && config.currentContext) this.currentContext = config.currentContext;
    for (const c of config.clusters) this.addCluster(c);
    for (const u of config.users) this.addUser(u);
    for (const c of config.contexts) this.addContext(c);
  }

  addCluster(cluster: Cluster): void {
    if (this.clusters.some((c) => c.name === cluster.name)) throw new Error(`Duplicate cluster: ${cluster.name}`);
    this.clusters.push(cluster);
  }

  addUser(user: User): void {
    if (this.users.some((u) => u.name === user.name)) throw new Error(`Duplicate user: ${user.name}`);
    this.users.push(user);
  }

  addContext(ctx: Context): void {
    if (this.contexts.some((c) => c.name === ctx.name)) throw new Error(`Duplicate context: ${ctx.name}`);
    this.contexts.push(ctx);
  }

  getContexts(): Context[] {
    return this.contexts;
  }

  getClusters(): Cluster[] {
    return this.clusters;
  }

  getUsers(): User[] {
    return this.users;
  }

  getCurrentContext(): string {
    return this.currentContext;
  }

  setCurrentContext(context: string): void {
    this.currentContext = context;
  }

  getContextObject(name: string): Context | null {
    return this.contexts.find((c) => c.name === name) ?? null;
  }

  getCluster(name: string): Cluster | null {
    return this.clusters.find((c) => c.name === name) ?? null;
  }

  getUser(name: string): User | null {
    return this.users.find((u) => u.name === name) ?? null;
  }

  getCurrentCluster(): Cluster | null {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getCluster(ctx.cluster) : null;
  }

  getCurrentUser(): User | null {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getUser(ctx.user) : null;
  }

  /** Parses a kubeconfig document (YAML or JSON); relative file paths stay as they are. */
  loadFromString(config: string, opts?: Partial<ConfigOptions>): void {
    let obj: Record<string, unknown>;
    try {
      obj = (parse(config) ?? {}) as Record<string, unknown>;
    } catch (err) {
      // One line, `reason (line:col)`: the yaml package's message goes on with a code frame of the document.
      const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
      const reason = (err as Error).message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new Error(pos ? `${reason} (${pos.line}:${pos.col})` : reason, { cause: err });
    }
    this.clusters = newClusters(obj['clusters'], opts);
    this.contexts = newContexts(obj['contexts'], opts);
    this.users = newUsers(obj['users'], opts);
    this.currentContext = (obj['current-context'] as string | undefined) ?? '';
  }

  /** Reads a kubeconfig file; `certificate-authority`, `client-certificate` and `client-key` resolve against its directory. */
  loadFromFile(file: string, opts?: Partial<ConfigOptions>): void {
    this.loadFromString(readFileSync(file, 'utf8'), opts);
    this.makePathsAbsolute(dirname(file));
  }

  /** Resolves relative `certificate-authority`, `client-certificate` and `client-key` paths against `rootDirectory`. */
  makePathsAbsolute(rootDirectory: string): void {
    const abs = (p: string): string => (!rootDirectory || isAbsolute(p) ? p : join(rootDirectory, p));
    for (const c of this.clusters) if (c.caFile) c.caFile = abs(c.caFile);
    for (const u of this.users) {
      if (u.certFile) u.certFile = abs(u.certFile);
      if (u.keyFile) u.keyFile = abs(u.keyFile);
    }
  }

  loadFromOptions(options: KubeConfigOptions): void {
    this.clusters = options.clusters;
    this.users = options.users;
    this.contexts = options.contexts;
    this.currentContext = options.currentContext;
  }

  /** One cluster and one user in a context named `loaded-context`. */
  loadFromClusterAndUser(cluster: Cluster, user: User): void {
    this.loadFromOptions({
      clusters: [cluster],
      users: [user],
      contexts: [{ cluster: cluster.name, user: user.name, name: 'loaded-context' }],
      currentContext: 'loaded-context',
    });
  }

  /** The kubeconfig as JSON (a valid kubeconfig document). */
  exportConfig(): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: this.clusters.map(exportCluster),
      users: this.users.map(exportUser),
      contexts: this.contexts.map(exportContext),
      preferences: {},
      'current-context': this.currentContext,
    });
  }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (user) {
      if (cluster?.skipTLSVerify) opts.rejectUnauthorized = false;
      if (cluster?.tlsServerName) opts.servername = cluster.tlsServerName;
      const ca = cluster ? fileOrData(cluster.caFile, cluster.caData) : null;
      if (ca) opts.ca = ca;
      const cert = fileOrData(user.certFile, user.certData);
      if (cert) opts.cert = cert;
      const key = fileOrData(user.keyFile, user.keyData);
      if (key) opts.key = key;
      if (user.impersonateUser != null) opts.headers = { ...opts.headers, 'Impersonate-User': user.impersonateUser };
      opts.headers ??= {};
      const auth = await this.#authenticator(user);
      if (auth) await auth.applyAuthentication(user, opts);
      if (user.token) opts.headers = { ...opts.headers, Authorization: `Bearer ${user.token}` };
      if (user.username) opts.auth = `${user.username}:${user.password ?? ''}`;
    }
    opts.agent = await this.#agent(cluster, user, opts);
  }

  async #authenticator(user: User): Promise<Authenticator | undefined> {
    const name = (user.authProvider as { name?: string } | undefined)?.name ?? '';
    const lazy = LAZY_AUTH[name];
    if (lazy) {
      let p = this.#lazyAuth.get(name);
      if (!p) this.#lazyAuth.set(name, (p = lazy()));
      return p;
    }
    return [...this.#authenticators, ...this.#custom].find((a) => a.isAuthProvider(user));
  }

  async #agent(cluster: Cluster | null, user: User | null, opts: https.RequestOptions): Promise<http.Agent> {
    const cacheKey = JSON.stringify([cluster?.name ?? '', user?.name ?? '']);
    const cached = this.#agents.get(cacheKey);
    if (cached) return cached;
    const agentOptions: https.AgentOptions = { ca: opts.ca, cert: opts.cert, key: opts.key };
    for (const k of ['pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'timeout'] as const)
      if (opts[k] !== undefined) (agentOptions as Record<string, unknown>)[k] = opts[k];
    let agent: http.Agent;
    const server = cluster?.server ?? '';
    if (cluster?.proxyUrl) {
      if (cluster.proxyUrl.startsWith('socks')) {
        const { SocksProxyAgent } = await import('socks-proxy-agent');
        agent = new SocksProxyAgent(cluster.proxyUrl, agentOptions);
      } else if (server.startsWith('https')) {
        const { HttpsProxyAgent } = await import('hpagent');
        agent = new HttpsProxyAgent({ ...agentOptions, proxy: cluster.proxyUrl });
      } else if (server.startsWith('http')) {
        const { HttpProxyAgent } = await import('hpagent');
        agent = new HttpProxyAgent({ ...agentOptions, proxy: cluster.proxyUrl });
      } else {
        throw new Error('Unsupported proxy type');
      }
    } else if (server.startsWith('http:')) {
      if (!cluster?.skipTLSVerify)
        throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
      agent = new http.Agent(agentOptions);
    } else {
      agent = new https.Agent(agentOptions);
    }
    this.#agents.set(cacheKey, agent);
    return agent;
  }
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | null {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return null;
}
