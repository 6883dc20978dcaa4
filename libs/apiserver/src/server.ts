/**
 * The HTTPS front of the API server. Built on node:http(s) rather than Fastify: routes are dynamic (CRDs
 * appear at run time), watches are long-lived chunked streams, and content negotiation is by Accept
 * parameters, which a plain request listener handles without fighting a framework's router and serializers.
 */
import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import {
  ApiCore,
  PATCH_TYPES,
  toStatusError,
  type DeleteOptions,
  type FieldValidation,
  type WriteOptions,
} from './api.ts';
import { applyJsonPatch, applyMergePatch } from './wiring/patch.ts';
import { bodyFormat, decodeBody, readBody } from './body.ts';
import { HEADER_BYTES_SLACK, MAX_HEADER_BYTES } from './limits.ts';
import { boolParam, int64Param, resourceVersionParam, validateDeleteOptions, validateWriteOptions } from './query.ts';
import { generateServingCerts } from './certs.ts';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.ts';
import { badRequest, StatusError, qualifiedResource } from './errors.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { docHash, openApiV2, openApiV2Protobuf, openApiV3GroupVersion, openApiV3Root } from './openapi.ts';
import { Registry } from './registry.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { Store, type StoreSnapshot } from './store.ts';
import { toTable, type IncludeObject } from './table.ts';
import { acceptParams, serveWatch, type OpenWatch, type WatchContext } from './watch.ts';
import { getPath, isObj, type Obj } from './util.ts';
import {
  authorize,
  bootstrapRbacObjects,
  ForbiddenError,
  generateServiceAccountSigningKey,
  localSubjectAccessReview,
  resolveImpersonation,
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  simulateWorkloadStatus,
  simulationReadyAt,
  subjectAccessReview,
  TokenAuthenticator,
  type AuthzAttributes,
  type RbacSource,
  type UserInfo,
} from './wiring/auth.ts';

/** The UIDs the API Priority and Fairness headers name (fixed: one flow schema, one priority level). */
const FLOW_SCHEMA_UID = '4d2c9f1e-6a7b-4c3d-9e8f-0a1b2c3d4e5f';
const PRIORITY_LEVEL_UID = '8e7f6a5b-4c3d-2e1f-0a9b-8c7d6e5f4a3b';

/** An error-injection rule (test hook). */
export interface ErrorRule {
  /** Verb to match (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`); any if unset. */
  verb?: string;
  /** Resource to match (`configmaps`, `deployments.apps`, or plain `deployments`); any if unset. */
  resource?: string;
  /** HTTP status to return (500, 429, 409, …). */
  code: number;
  /** Probability in [0,1]; default 1. */
  probability?: number;
  /** Stop after this many injected errors. */
  times?: number;
}

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  /** Port to listen on (0 = any free port). */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Write a kubeconfig here. */
  kubeconfigPath?: string;
  /** Load CRDs (*.yaml, *.yml, *.json, multi-document) from this directory at start. */
  crdsDir?: string;
  /** Added latency per request, in ms. */
  latencyMs?: number;
  /** Use this admin bearer token instead of a random one. */
  adminToken?: string;
  /** Watch history (events) kept per resource for resume. */
  historySize?: number;
  /** Interval of watch BOOKMARK events when requested; default 10 s. */
  bookmarkIntervalMs?: number;
  /** Workload status simulation (off by default). */
  simulation?: { readyAfterMs: number; intervalMs?: number };
  /** Random source for error injection (tests may make it deterministic). */
  random?: () => number;
  /** Objects to create at start (after CRDs). */
  objects?: Obj[];
  /** Start from a snapshot (see {@link ApiServer.snapshot}). */
  snapshot?: StoreSnapshot;
  /** Called once per request when the response is finished (or a watch ends). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One served request, for {@link ApiServerOptions.onRequest}. */
export interface RequestLogEntry {
  method: string;
  /** Path and query. */
  url: string;
  status: number;
  durationMs: number;
  userAgent: string;
}

/** Test hooks of a running server. */
export interface ApiServerHooks {
  setLatency(ms: number): void;
  /** Inject errors; returns a function removing the rule. */
  injectError(rule: ErrorRule): () => void;
  clearErrors(): void;
  /** End every open watch (optionally only on one resource, e.g. `configmaps` or `deployments.apps`). Returns how many. */
  disconnectWatches(resource?: string): number;
  /** Forget watch history, so resuming from any older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Number of open watches. */
  openWatches(): number;
  /** Turn the workload simulation on (or off with undefined). */
  setSimulation(sim: { readyAfterMs: number; intervalMs?: number } | undefined): void;
}

/** Request counters by `"<verb> <resource>"` (resource as `deployments.apps`, `configmaps`). */
export interface RequestCounters {
  get(verb: string, resource: string): number;
  snapshot(): Record<string, number>;
  reset(): void;
}

/** A running API server. */
export interface ApiServer {
  url: string;
  port: number;
  kubeconfig: string;
  kubeconfigPath?: string;
  adminToken: string;
  caPem: string;
  counters: RequestCounters;
  hooks: ApiServerHooks;
  /** Direct access to storage semantics (bypassing HTTP and authorization). */
  core: ApiCore;
  snapshot(): StoreSnapshot;
  restore(s: StoreSnapshot): void;
  close(): Promise<void>;
}

interface Route {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  watchPrefix: boolean;
}

const JSON_CT = 'application/json';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { parseBody } from './body.ts';

/**
 * Go net/http's answer to a request it cannot parse (kube-apiserver never sees it): a plain-text status line, then
 * the connection is closed.
 */
const plainHttpError = (
  status: '400 Bad Request' | '431 Request Header Fields Too Large',
  proto = 'HTTP/1.1',
): string => `${proto} ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`;

/** How long a refused connection is still read (and dropped) so the client sees the answer (Go: 500 ms). */
const CLOSE_LINGER_MS = 500;

/**
 * Answers a connection whose request Node's parser refused, like Go's net/http: 431 for a request line and headers
 * over {@link MAX_HEADER_BYTES}, 400 otherwise. The rest of what the client sends is read and dropped for a moment,
 * so that it receives the answer instead of a reset.
 */
const answerClientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
  if (socket.destroyed || !socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.end(
    err.code === 'HPE_HEADER_OVERFLOW'
      ? plainHttpError('431 Request Header Fields Too Large', 'HTTP/1.0')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'
        : plainHttpError('400 Bad Request'),
  );
  setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
};

/** A path segment, percent-decoded; escapes that do not form UTF-8 become U+FFFD (Go keeps the raw bytes). */
const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return Buffer.from(
      segment.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
};

/** A request path with a `%` not followed by two hex digits: Go's `url.ParseRequestURI` refuses it (plain 400). */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** The request target as a URL, or undefined when it is not one (Go answers those with a plain 400). */
const requestUrl = (target: string): URL | undefined => {
  const rawPath = target.split('?')[0] ?? '';
  if (BAD_ESCAPE.test(rawPath)) return undefined;
  try {
    // origin-form targets (`/api/…`, also `//x`) are paths, never an authority
    return new URL(target.startsWith('/') ? `https://localhost${target}` : target, 'https://localhost');
  } catch {
    return undefined;
  }
};

/** The patch media types of a resource, in kube-apiserver's order (no strategic merge for custom resources). */
const patchTypesOf = (def: ResourceDef): string[] => [
  PATCH_TYPES.json,
  PATCH_TYPES.merge,
  ...(def.strategicMerge ? [PATCH_TYPES.strategic] : []),
  PATCH_TYPES.apply,
];

/**
 * The patch type of a PATCH request, or the 415 kube-apiserver answers (`PatchResource`: the Content-Type up to
 * `;` must be one of the resource's patch types).
 */
const patchTypeOf = (contentType: string | undefined, def: ResourceDef): string => {
  const ct = (contentType ?? '').split(';')[0] ?? '';
  const types = patchTypesOf(def);
  if (types.includes(ct)) return ct;
  throw new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${types.join(', ')}`,
  );
};

/** Decodes a patch body: YAML for apply, JSON otherwise (`error decoding patch: …` on malformed input). */
const decodePatch = (raw: Buffer, patchType: string): unknown => {
  try {
    return decodeBody(raw, patchType === PATCH_TYPES.apply ? 'yaml' : 'json');
  } catch (err) {
    if (err instanceof StatusError && err.code === 400) throw badRequest(`error decoding patch: ${err.message}`);
    throw err;
  }
};

const verbOf = (method: string, route: Route, watch: boolean): string => {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return route.name === undefined ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
};

/** Parse `/api/v1/...` and `/apis/g/v/...` resource paths. */
export const parseResourcePath = (path: string): Route | undefined => {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return undefined;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return undefined;
  return {
    group,
    version,
    resource,
    watchPrefix,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
};

const resourceKey = (group: string, resource: string, sub?: string): string =>
  `${qualifiedResource(group, resource)}${sub ? `/${sub}` : ''}`;

/** Start the API server. */
export const startApiServer = async (opts: ApiServerOptions = {}): Promise<ApiServer> => {
  const certs = await generateServingCerts();
  const adminToken = opts.adminToken ?? randomBytes(24).toString('base64url');
  const store = new Store({ historySize: opts.historySize ?? 5000 });
  const registry = new Registry();
  const core = new ApiCore(store, registry);
  const authn = new TokenAuthenticator({
    adminToken,
    signingKey: generateServiceAccountSigningKey(),
    now: () => new Date(),
    serviceAccountLookup: (ns, name) => {
      const sa = store.bucket('/serviceaccounts').get(ns, name);
      return sa ? { uid: String(getPath(sa, 'metadata.uid')) } : undefined;
    },
  });
  const random = opts.random ?? Math.random;
  let latencyMs = opts.latencyMs ?? 0;
  let errorRules: (ErrorRule & { used: number })[] = [];
  const counts = new Map<string, number>();
  const watches = new Set<OpenWatch>();
  const bookmarkMs = opts.bookmarkIntervalMs ?? 10_000;
  const docCache = new Map<string, { doc: Obj; hash: string }>();
  core.onRegistryChange = () => docCache.clear();

  // The store hands out its stored objects; RBAC evaluation only reads them.
  const rbac = {
    roles: (ns: string) => store.bucket('rbac.authorization.k8s.io/roles').list(ns),
    roleBindings: (ns: string) => store.bucket('rbac.authorization.k8s.io/rolebindings').list(ns),
    clusterRoles: () => store.bucket('rbac.authorization.k8s.io/clusterroles').list(),
    clusterRoleBindings: () => store.bucket('rbac.authorization.k8s.io/clusterrolebindings').list(),
  } as unknown as RbacSource;
  const authz = (a: AuthzAttributes): { allowed: boolean; reason: string } => {
    if (a.user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    return authorize(a, rbac);
  };

  // ---- bootstrap ---------------------------------------------------------------------------------
  const sysOpts = (): WriteOptions => ({
    dryRun: false,
    fieldManager: 'flux-ts-apiserver',
    fieldValidation: 'Ignore',
    warnings: [],
  });
  const defOfObj = (o: Obj): ResourceDef | undefined => {
    const av = String(o['apiVersion'] ?? '');
    const i = av.indexOf('/');
    const g = i < 0 ? '' : av.slice(0, i);
    const v = i < 0 ? av : av.slice(i + 1);
    return registry.byKind(g, v, String(o['kind'] ?? ''));
  };
  const createObj = (o: Obj): void => {
    const def = defOfObj(o);
    if (!def) throw new Error(`failed to create ${String(o['kind'])}: no such kind served`);
    core.create(def, String(getPath(o, 'metadata.namespace') ?? 'default'), o, sysOpts());
  };
  if (opts.snapshot) {
    store.restore(opts.snapshot);
    for (const crd of store.bucket('apiextensions.k8s.io/customresourcedefinitions').list()) registry.installCrd(crd);
  } else {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      createObj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const boot = bootstrapRbacObjects();
    for (const o of [...boot.clusterRoles, ...boot.clusterRoleBindings])
      createObj(structuredClone(o) as unknown as Obj);
  }
  if (opts.crdsDir) {
    const files = (await readdir(opts.crdsDir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    for (const f of files) {
      const text = await readFile(join(opts.crdsDir, f), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJS() as unknown;
        if (isObj(o) && o['kind'] === 'CustomResourceDefinition') {
          try {
            createObj(o);
          } catch (err) {
            if (!(err instanceof StatusError && err.code === 409))
              throw new Error(`failed to load CRD from ${f}: ${(err as Error).message}`, { cause: err });
          }
        }
      }
    }
  }
  for (const o of opts.objects ?? []) createObj(structuredClone(o));

  // ---- response helpers --------------------------------------------------------------------------
  const sendJson = (
    res: ServerResponse,
    code: number,
    body: unknown,
    contentType = JSON_CT,
    headers: Record<string, string> = {},
  ): void => {
    const data = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(data),
      'Cache-Control': 'no-cache, private',
      ...headers,
    });
    res.end(data);
  };
  const sendStatus = (res: ServerResponse, err: StatusError, headers: Record<string, string> = {}): void => {
    sendJson(res, err.code, err.toStatus(), JSON_CT, headers);
  };
  const notFoundPath = (): StatusError =>
    new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  const warningHeaders = (warnings: string[]): Record<string, string> =>
    warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {};

  const gvDoc = (group: string, version: string): { doc: Obj; hash: string } | undefined => {
    const key = `${group}/${version}`;
    const hit = docCache.get(key);
    if (hit) return hit;
    const doc = openApiV3GroupVersion(registry, group, version);
    if (!doc) return undefined;
    const entry = { doc, hash: docHash(doc) };
    docCache.set(key, entry);
    return entry;
  };

  // ---- non-resource endpoints ---------------------------------------------------------------------
  const handleNonResource = (req: IncomingMessage, res: ServerResponse, path: string, address: string): boolean => {
    const accept = req.headers.accept;
    if (path === '/version' || path === '/version/') {
      sendJson(res, 200, {
        major: '1',
        minor: '33',
        gitVersion: 'v1.33.0',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.24.0',
        compiler: 'gc',
        platform: 'linux/amd64',
        emulationMajor: '1',
        emulationMinor: '33',
        minCompatibilityMajor: '1',
        minCompatibilityMinor: '32',
      });
      return true;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path === '/livez/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return true;
    }
    if (path === '/api' || path === '/apis') {
      const agg = wantsAggregated(accept);
      const which = path === '/api' ? 'api' : 'apis';
      if (agg)
        sendJson(
          res,
          200,
          aggregatedDiscovery(registry, which, agg),
          `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`,
        );
      else sendJson(res, 200, which === 'api' ? apiVersions(address) : apiGroupList(registry));
      return true;
    }
    if (path === '/api/v1') {
      sendJson(res, 200, apiResourceList(registry, '', 'v1'));
      return true;
    }
    const gm = path.match(/^\/apis\/([^/]+)\/?$/);
    if (gm) {
      const g = apiGroup(registry, gm[1] as string);
      if (g) sendJson(res, 200, g);
      else sendStatus(res, notFoundPath());
      return true;
    }
    const gvm = path.match(/^\/apis\/([^/]+)\/([^/]+)\/?$/);
    if (gvm) {
      const l = apiResourceList(registry, gvm[1] as string, gvm[2] as string);
      if (l) sendJson(res, 200, l);
      else sendStatus(res, notFoundPath());
      return true;
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      sendJson(
        res,
        200,
        openApiV3Root(registry, (g, v) => gvDoc(g, v)?.hash ?? ''),
      );
      return true;
    }
    const om = path.match(/^\/openapi\/v3\/(api\/v1|apis\/([^/]+)\/([^/]+))$/);
    if (om) {
      const entry = om[1] === 'api/v1' ? gvDoc('', 'v1') : gvDoc(om[2] as string, om[3] as string);
      if (entry) sendJson(res, 200, entry.doc, JSON_CT, { ETag: `"${entry.hash}"` });
      else sendStatus(res, notFoundPath());
      return true;
    }
    if (path === '/openid/v1/jwks') {
      sendJson(res, 200, authn.jwks(), 'application/jwk-set+json');
      return true;
    }
    if (path === '/.well-known/openid-configuration') {
      sendJson(res, 200, authn.openidConfiguration(`${serverUrl}/openid/v1/jwks`));
      return true;
    }
    if (path === '/openapi/v2') {
      if ((accept ?? '').includes('protobuf')) {
        const pb = openApiV2Protobuf();
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': pb.length });
        res.end(pb);
      } else sendJson(res, 200, openApiV2(registry));
      return true;
    }
    return false;
  };

  const watchCtx: WatchContext = { store, core, watches, random, bookmarkMs };
  const handleWatch = (
    req: IncomingMessage,
    res: ServerResponse,
    def: ResourceDef,
    ns: string | undefined,
    q: URLSearchParams,
  ): void => serveWatch(watchCtx, req, res, def, ns, q);

  // ---- resource requests -------------------------------------------------------------------------
  const handleResource = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    q: URLSearchParams,
    user: UserInfo,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    const def = registry.get(route.group, route.version, route.resource);
    if (!def) throw notFoundPath();
    if (route.namespace !== undefined && !def.namespaced) throw notFoundPath();
    const watch = route.watchPrefix || boolParam(q, 'watch');
    const verb = verbOf(method, route, watch);
    const attrs: AuthzAttributes = {
      user,
      verb,
      apiGroup: def.group,
      resource: def.resource,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
      ...(route.name !== undefined ? { name: route.name } : {}),
    };
    const key = resourceKey(def.group, def.resource, route.subresource);
    // A dry-run write changes nothing: it is counted apart (`dryrun-patch deployments.apps`), so that "no writes"
    // can be asserted on a steady state made of server-side dry-runs.
    const counted = q.getAll('dryRun').includes('All') ? `dryrun-${verb}` : verb;
    counts.set(`${counted} ${key}`, (counts.get(`${counted} ${key}`) ?? 0) + 1);
    const decision = authz(attrs);
    if (!decision.allowed) throw new ForbiddenError(attrs, decision.reason);
    for (const rule of errorRules) {
      if (rule.verb && rule.verb !== verb) continue;
      if (rule.resource && rule.resource !== key && rule.resource !== def.resource) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (random() >= (rule.probability ?? 1)) continue;
      rule.used++;
      const reason =
        rule.code === 429
          ? 'TooManyRequests'
          : rule.code === 409
            ? 'Conflict'
            : rule.code === 503
              ? 'ServiceUnavailable'
              : 'InternalError';
      const msg =
        rule.code === 429
          ? 'the server has received too many requests and has asked us to try again later'
          : rule.code === 409
            ? `Operation cannot be fulfilled on ${qualifiedResource(def.group, def.resource)} "${route.name ?? ''}": injected conflict`
            : 'Internal error occurred: injected error';
      throw new StatusError(
        rule.code,
        reason,
        msg,
        rule.code === 429
          ? { retryAfterSeconds: 1 }
          : { ...(route.name ? { name: route.name } : {}), kind: def.resource },
      );
    }
    const ns = route.namespace ?? '';
    const dryRun = q.getAll('dryRun').includes('All');
    const fv = q.get('fieldValidation');
    const fieldValidation: FieldValidation = fv === 'Strict' || fv === 'Ignore' ? fv : 'Warn';
    const ua = req.headers['user-agent'] ?? '';
    const fieldManager = q.get('fieldManager') ?? (ua.split('/')[0] ?? '').slice(0, 128);
    const wopts = (): WriteOptions => ({ dryRun, fieldManager, fieldValidation, warnings: [] });
    // kube-apiserver's order for a write: media type (415), body size (413), query options (400/422), then decoding
    const readWrite = async (kind: 'CreateOptions' | 'UpdateOptions'): Promise<unknown> => {
      const format = bodyFormat(req.headers['content-type']);
      const raw = await readBody(req);
      validateWriteOptions(q, kind);
      return decodeBody(raw, format);
    };
    const readInput = async (): Promise<unknown> => {
      const format = bodyFormat(req.headers['content-type']);
      return decodeBody(await readBody(req), format);
    };
    const readPatch = async (): Promise<{ patchType: string; patch: unknown }> => {
      const patchType = patchTypeOf(req.headers['content-type'], def);
      const raw = await readBody(req);
      validateWriteOptions(q, 'PatchOptions');
      return { patchType, patch: decodePatch(raw, patchType) };
    };
    const { table, partial } = acceptParams(req.headers.accept);
    const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;
    const respondObj = (code: number, o: Obj, warnings: string[] = []): void => {
      if (table && method === 'GET')
        sendJson(
          res,
          code,
          toTable(
            def,
            [o],
            { resourceVersion: String(getPath(o, 'metadata.resourceVersion') ?? '') },
            include,
            Date.now(),
          ),
          'application/json;as=Table;v=v1;g=meta.k8s.io',
        );
      else if (partial && method === 'GET')
        sendJson(res, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o['metadata'] });
      else sendJson(res, code, o, JSON_CT, warningHeaders(warnings));
    };

    if (def.virtual) {
      if (method !== 'POST')
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
          { kind: def.resource },
        );
      const body = await readInput();
      const b = isObj(body) ? body : {};
      let out: Obj;
      switch (def.kind) {
        case 'SelfSubjectAccessReview':
          out = selfSubjectAccessReview(b, user, rbac);
          break;
        case 'SubjectAccessReview':
          out = subjectAccessReview(b, rbac);
          break;
        case 'LocalSubjectAccessReview':
          out = localSubjectAccessReview(b, ns, rbac);
          break;
        case 'SelfSubjectRulesReview':
          out = selfSubjectRulesReview(b, user, rbac);
          break;
        case 'TokenReview':
          out = authn.tokenReview(b);
          break;
        default:
          out = {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'SelfSubjectReview',
            metadata: { creationTimestamp: null },
            status: {
              userInfo: {
                username: user.username,
                groups: user.groups,
                ...(user.uid ? { uid: user.uid } : {}),
                ...(user.extra ? { extra: user.extra } : {}),
              },
            },
          };
      }
      sendJson(res, 201, out);
      return;
    }

    // serviceaccounts/token
    if (route.subresource === 'token' && def.group === '' && def.resource === 'serviceaccounts') {
      if (method !== 'POST' || route.name === undefined) throw notFoundPath();
      const sa = core.getRaw(def, ns, route.name);
      const body = await readInput();
      sendJson(
        res,
        201,
        authn.tokenRequest(body, { namespace: ns, name: route.name, uid: String(getPath(sa, 'metadata.uid')) }),
      );
      return;
    }

    const sub = route.subresource;
    if (
      sub !== undefined &&
      !(sub === 'status' && def.status) &&
      !(sub === 'scale' && def.scale) &&
      !(sub === 'finalize' && def.resource === 'namespaces')
    )
      throw notFoundPath();

    if (sub === 'scale' && route.name !== undefined) {
      if (method === 'GET') return sendJson(res, 200, core.getScale(def, ns, route.name));
      if (method === 'PUT') {
        const body = await readWrite('UpdateOptions');
        return sendJson(res, 200, core.updateScale(def, ns, route.name, isObj(body) ? body : {}, wopts()));
      }
      if (method === 'PATCH') {
        const { patchType, patch } = await readPatch();
        const current = core.getScale(def, ns, route.name);
        let patched: Obj;
        try {
          patched = patchType === PATCH_TYPES.json ? applyJsonPatch(current, patch) : applyMergePatch(current, patch);
        } catch (err) {
          throw toStatusError(err, def);
        }
        return sendJson(res, 200, core.updateScale(def, ns, route.name, patched, wopts()));
      }
      throw new StatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
        { kind: def.resource },
      );
    }

    if (method === 'GET' || method === 'HEAD') {
      resourceVersionParam(q);
      if (watch || route.name === undefined) {
        int64Param(q, 'timeoutSeconds');
        int64Param(q, 'limit');
      }
      if (watch) {
        if (route.name === undefined) return handleWatch(req, res, def, route.namespace, q);
        // watching one object (`/watch/.../NAME` or `.../NAME?watch=true`) is a watch with a name field selector
        const one = new URLSearchParams(q);
        const fsel = q.get('fieldSelector');
        one.set('fieldSelector', `metadata.name=${route.name}${fsel ? `,${fsel}` : ''}`);
        return handleWatch(req, res, def, route.namespace, one);
      }
      if (route.name !== undefined) return respondObj(200, core.get(def, ns, route.name));
      const limit = int64Param(q, 'limit') ?? 0;
      const result = core.list(def, route.namespace, {
        ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector') as string } : {}),
        ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector') as string } : {}),
        ...(limit > 0 ? { limit } : {}),
        ...(q.get('continue') ? { continue: q.get('continue') as string } : {}),
      });
      const listMeta: Obj = {
        resourceVersion: result.resourceVersion,
        ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}),
      };
      if (table)
        return sendJson(
          res,
          200,
          toTable(def, result.items, listMeta, include, Date.now()),
          'application/json;as=Table;v=v1;g=meta.k8s.io',
        );
      if (partial) {
        return sendJson(res, 200, {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: listMeta,
          items: result.items.map((o) => ({
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: o['metadata'],
          })),
        });
      }
      return sendJson(res, 200, {
        kind: def.listKind,
        apiVersion: apiVersionOf(def.group, def.version),
        metadata: listMeta,
        items: result.items,
      });
    }
    if (method === 'POST') {
      if (route.name !== undefined)
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
          { kind: def.resource },
        );
      if (def.namespaced && route.namespace === undefined) throw notFoundPath();
      const body = await readWrite('CreateOptions');
      const o = wopts();
      return respondObj(201, core.create(def, ns, body, o), o.warnings);
    }
    if (method === 'PUT') {
      if (route.name === undefined)
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
          { kind: def.resource },
        );
      const body = await readWrite('UpdateOptions');
      const o = wopts();
      if (sub === 'finalize') {
        const live = core.getRaw(def, '', route.name);
        const next = structuredClone(live);
        (next as Obj)['spec'] = isObj(body) && isObj(body['spec']) ? body['spec'] : {};
        return respondObj(
          200,
          core.update(
            def,
            ns,
            route.name,
            { ...next, metadata: { ...(next['metadata'] as Obj), resourceVersion: undefined } },
            o,
          ),
          o.warnings,
        );
      }
      return respondObj(200, core.update(def, ns, route.name, body, o, sub), o.warnings);
    }
    if (method === 'PATCH') {
      if (route.name === undefined)
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
          { kind: def.resource },
        );
      const { patchType, patch } = await readPatch();
      const o = { ...wopts(), force: boolParam(q, 'force') };
      const r = core.patch(def, ns, route.name, patchType, patch, o, sub);
      return respondObj(r.created ? 201 : 200, r.object, o.warnings);
    }
    if (method === 'DELETE') {
      // DeleteOptions come from the body when there is one, else from the query (kube-apiserver DeleteResource)
      const raw = await readBody(req);
      const body = raw.length > 0 ? decodeBody(raw, bodyFormat(req.headers['content-type'])) : undefined;
      if (raw.length === 0) validateDeleteOptions(q);
      const dopts: DeleteOptions = isObj(body) ? (body as DeleteOptions) : {};
      const pp = q.get('propagationPolicy');
      if (pp === 'Background' || pp === 'Foreground' || pp === 'Orphan') dopts.propagationPolicy = pp;
      const dr = dryRun || (isObj(body) && Array.isArray(body['dryRun']) && body['dryRun'].includes('All'));
      if (route.name === undefined) {
        if (def.namespaced && route.namespace === undefined) throw notFoundPath();
        const items = core.deleteCollection(
          def,
          route.namespace,
          {
            ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector') as string } : {}),
            ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector') as string } : {}),
          },
          dopts,
          { dryRun: dr },
        );
        return sendJson(res, 200, {
          kind: def.listKind,
          apiVersion: apiVersionOf(def.group, def.version),
          metadata: { resourceVersion: String(store.resourceVersion) },
          items,
        });
      }
      const r = core.delete(def, ns, route.name, dopts, { dryRun: dr });
      if (r.deleted && !def.crd) {
        return sendJson(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: {
            name: route.name,
            ...(def.group ? { group: def.group } : {}),
            kind: def.resource,
            uid: getPath(r.object, 'metadata.uid'),
          },
        });
      }
      return sendJson(res, 200, r.object);
    }
    throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {
      kind: def.resource,
    });
  };

  // ---- the listener ------------------------------------------------------------------------------
  let address = '127.0.0.1:0';
  let serverUrl = 'https://127.0.0.1';
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (opts.onRequest) {
      const started = Date.now();
      const log = opts.onRequest;
      res.once('close', () =>
        log({
          method: req.method ?? '',
          url: req.url ?? '',
          status: res.statusCode,
          durationMs: Date.now() - started,
          userAgent: req.headers['user-agent'] ?? '',
        }),
      );
    }
    const url = requestUrl(req.url ?? '/');
    if (!url) {
      // Go's net/http refuses the request line before any handler runs: plain text, connection closed
      res.shouldKeepAlive = false;
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('400 Bad Request');
      return;
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    // API Priority and Fairness is on, as in every kube-apiserver since 1.20: the matched flow schema and priority
    // level answer every request (clients such as Flux's then turn their own throttling off).
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', FLOW_SCHEMA_UID);
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', PRIORITY_LEVEL_UID);
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      if (
        path === '/version' ||
        path === '/healthz' ||
        path === '/livez' ||
        path === '/readyz' ||
        path === '/livez/ping'
      ) {
        handleNonResource(req, res, path, address);
        return;
      }
      const authed = authn.authenticate(req.headers.authorization);
      if (!authed) {
        sendJson(res, 401, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        });
        return;
      }
      const user: UserInfo = resolveImpersonation(authed, req.headersDistinct, authz);
      if (handleNonResource(req, res, path, address)) return;
      const route = parseResourcePath(path);
      if (!route) throw notFoundPath();
      await handleResource(req, res, route, url.searchParams, user);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof StatusError) {
        sendStatus(res, err, err.code === 429 ? { 'Retry-After': '1' } : {});
        return;
      }
      const msg = err instanceof Error ? err.message : String(err);
      sendStatus(
        res,
        new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }),
      );
    }
  };

  const server = createServer(
    {
      cert: certs.certPem,
      key: certs.keyPem,
      // Go net/http (kube-apiserver sets MaxHeaderBytes 1 MiB) reads up to 1 MiB + 4 KiB of request line and headers
      maxHeaderSize: MAX_HEADER_BYTES + HEADER_BYTES_SLACK,
    },
    (req, res) => {
      handler(req, res).catch((err: unknown) => {
        // the handler answers every error itself; this only keeps a failure from becoming an unhandled rejection
        if (!res.headersSent) res.writeHead(500);
        res.end();
        process.emitWarning(`flux-ts-apiserver: ${String(err)}`);
      });
    },
  );
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  address = `${host}:${port}`;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  serverUrl = url;
  const kubeconfig = kubeconfigYaml({ server: url, caPem: certs.caPem, token: adminToken });
  if (opts.kubeconfigPath) await writeFile(opts.kubeconfigPath, kubeconfig, { mode: 0o600 });

  // ---- workload simulation -----------------------------------------------------------------------
  const withoutTimes = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(withoutTimes)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => !/(Time|Timestamp)$/.test(k))
              .map(([k, x]) => [k, withoutTimes(x)]),
          )
        : v;
  const sameButTimes = (a: unknown, b: unknown): boolean => isDeepStrictEqual(withoutTimes(a), withoutTimes(b));
  let simTimer: NodeJS.Timeout | undefined;
  const WORKLOADS = ['apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs'];
  const setSimulation = (sim: { readyAfterMs: number; intervalMs?: number } | undefined): void => {
    if (simTimer) clearInterval(simTimer);
    simTimer = undefined;
    if (!sim) return;
    // Objects whose simulated status is final (written, and past its ready time) at the resourceVersion noted here:
    // the tick skips them until they change, so an idle cluster costs nothing however many workloads it holds.
    const settled = new Map<string, string>();
    simTimer = setInterval(() => {
      const now = Date.now();
      const seen = new Set<string>();
      for (const b of WORKLOADS) {
        const [g, r] = b.split('/') as [string, string];
        const def = registry.all().find((d) => d.group === g && d.resource === r);
        if (!def) continue;
        for (const o of store.bucket(b).list()) {
          if (getPath(o, 'metadata.deletionTimestamp')) continue;
          const uid = String(getPath(o, 'metadata.uid'));
          const rv = String(getPath(o, 'metadata.resourceVersion'));
          seen.add(uid);
          if (settled.get(uid) === rv) continue;
          const changedAt = core.generationChangedAt(uid);
          const simOpts = {
            now: new Date(now),
            readyAfterMs: sim.readyAfterMs,
            ...(changedAt !== undefined ? { changedAt: new Date(changedAt) } : {}),
          };
          const status = simulateWorkloadStatus(o, simOpts);
          if (!status) continue;
          if (o['status'] !== undefined && isDeepStrictEqual(o['status'], status)) {
            const readyAt = simulationReadyAt(o, simOpts);
            if (readyAt !== undefined && readyAt.getTime() <= now) settled.set(uid, rv);
            continue;
          }
          // Not changed since this server started (a restart from a snapshot): a stored status that differs from
          // the simulated one only in its timestamps is kept, so that a resumed cluster writes nothing.
          if (changedAt === undefined && o['status'] !== undefined && sameButTimes(o['status'], status)) {
            settled.set(uid, rv);
            continue;
          }
          const next = structuredClone(o);
          next['status'] = status;
          try {
            core.update(
              def,
              String(getPath(o, 'metadata.namespace') ?? ''),
              String(getPath(o, 'metadata.name')),
              next,
              { dryRun: false, fieldManager: 'kube-controller-manager', fieldValidation: 'Ignore', warnings: [] },
              'status',
            );
          } catch {
            // a concurrent write won; the next tick retries
          }
        }
      }
      for (const uid of settled.keys()) if (!seen.has(uid)) settled.delete(uid);
    }, sim.intervalMs ?? 200);
    simTimer.unref();
  };
  if (opts.simulation) setSimulation(opts.simulation);

  const counters: RequestCounters = {
    get: (verb, resource) => counts.get(`${verb} ${resource}`) ?? 0,
    snapshot: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
  };
  const hooks: ApiServerHooks = {
    setLatency: (ms) => {
      latencyMs = ms;
    },
    injectError: (rule) => {
      const r = { ...rule, used: 0 };
      errorRules.push(r);
      return () => {
        errorRules = errorRules.filter((x) => x !== r);
      };
    },
    clearErrors: () => {
      errorRules = [];
    },
    disconnectWatches: (resource) => {
      let n = 0;
      for (const w of [...watches]) {
        if (resource !== undefined && w.resource !== resource) continue;
        w.end();
        n++;
      }
      return n;
    },
    compact: () => store.compactAll(),
    openWatches: () => watches.size,
    setSimulation,
  };

  return {
    url,
    port,
    kubeconfig,
    ...(opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {}),
    adminToken,
    caPem: certs.caPem,
    counters,
    hooks,
    core,
    snapshot: () => store.snapshot(),
    restore: (s) => {
      store.restore(s);
      const crds = store.bucket('apiextensions.k8s.io/customresourcedefinitions').list();
      const keep = new Set(crds.map((c) => String(getPath(c, 'metadata.name'))));
      for (const name of registry.crdNames()) if (!keep.has(name)) registry.removeCrd(name);
      registry.pruneGroups();
      for (const crd of crds) registry.installCrd(crd);
      docCache.clear();
    },
    close: async () => {
      setSimulation(undefined);
      for (const w of [...watches]) w.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
