/**
 * The state of one running API server, as one explicit object: what every request handler reads (store, registry,
 * storage semantics, authentication and authorization) and what the test hooks change (latency, injected errors,
 * open watches, request counters). `startApiServer` makes one per server; nothing is kept at module level.
 */
import { randomBytes } from 'node:crypto';
import { ApiCore } from '../api.ts';
import { Registry } from '../registry.ts';
import { Store } from '../store.ts';
import { getPath, type Obj } from '../util.ts';
import type { OpenWatch, WatchContext } from '../watch.ts';
import {
  authorize,
  generateServiceAccountSigningKey,
  TokenAuthenticator,
  type AuthzAttributes,
  type RbacSource,
} from '../wiring/auth.ts';
import type { ApiServerOptions, ErrorRule } from './options.ts';

/** An injected-error rule with the number of errors it has injected so far. */
export interface ActiveErrorRule extends ErrorRule {
  used: number;
}

/** An authorization decision (`reason` is RBAC's explanation of a denial). */
export interface AuthzDecision {
  allowed: boolean;
  reason: string;
}

/** An OpenAPI v3 document of one group/version with its hash (the `?hash=` of the root and the ETag). */
export interface OpenApiDocEntry {
  doc: Obj;
  hash: string;
}

/** The shared state of one server, passed to every route handler (it is also the context of its watches). */
export interface ServerContext extends WatchContext {
  /** The options the server was started with. */
  readonly options: ApiServerOptions;
  readonly adminToken: string;
  readonly registry: Registry;
  readonly authn: TokenAuthenticator;
  /** The stored Roles, ClusterRoles and bindings, as RBAC evaluation reads them. */
  readonly rbac: RbacSource;
  /** Authorizes a request: `system:masters` always, everyone else through RBAC. */
  readonly authz: (attrs: AuthzAttributes) => AuthzDecision;
  /** Requests served, by `"<verb> <resource>"`. */
  readonly counts: Map<string, number>;
  /** OpenAPI v3 documents by `group/version`, dropped whenever the registry changes. */
  readonly openApiDocs: Map<string, OpenApiDocEntry>;
  /** Added latency per request, in ms (test hook). */
  latencyMs: number;
  /** Active error-injection rules (test hook). */
  errorRules: ActiveErrorRule[];
  /** `host:port` the server listens on (set once it listens). */
  address: string;
  /** The server's base URL (set once it listens). */
  url: string;
}

/** Makes the context of a new server: an empty store and registry, the authenticator and the RBAC authorizer. */
export const createServerContext = (opts: ApiServerOptions): ServerContext => {
  const adminToken = opts.adminToken ?? randomBytes(24).toString('base64url');
  const store = new Store({ historySize: opts.historySize ?? 5000, journal: opts.journal });
  const registry = new Registry();
  const core = new ApiCore(store, registry);
  const authn = new TokenAuthenticator({
    adminToken,
    signingKey: generateServiceAccountSigningKey(),
    now: () => new Date(),
    ...(opts.trustedIssuers ? { trustedIssuers: opts.trustedIssuers } : {}),
    serviceAccountLookup: (ns, name) => {
      const sa = store.bucket('/serviceaccounts').get(ns, name);
      return sa ? { uid: String(getPath(sa, 'metadata.uid')) } : undefined;
    },
  });
  const openApiDocs = new Map<string, OpenApiDocEntry>();
  core.onRegistryChange = () => openApiDocs.clear();
  // The store hands out its stored objects; RBAC evaluation only reads them.
  const rbac = {
    roles: (ns: string) => store.bucket('rbac.authorization.k8s.io/roles').list(ns),
    roleBindings: (ns: string) => store.bucket('rbac.authorization.k8s.io/rolebindings').list(ns),
    clusterRoles: () => store.bucket('rbac.authorization.k8s.io/clusterroles').list(),
    clusterRoleBindings: () => store.bucket('rbac.authorization.k8s.io/clusterrolebindings').list(),
  } as unknown as RbacSource;
  const authz = (a: AuthzAttributes): AuthzDecision => {
    if (a.user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    return authorize(a, rbac);
  };
  return {
    options: opts,
    adminToken,
    store,
    registry,
    core,
    authn,
    rbac,
    authz,
    counts: new Map<string, number>(),
    watches: new Set<OpenWatch>(),
    random: opts.random ?? Math.random,
    bookmarkMs: opts.bookmarkIntervalMs ?? 10_000,
    openApiDocs,
    latencyMs: opts.latencyMs ?? 0,
    errorRules: [],
    address: '127.0.0.1:0',
    url: 'https://127.0.0.1',
  };
};
