/**
 * The HTTPS front of the API server. Built on node:http(s) rather than Fastify: routes are dynamic (CRDs
 * appear at run time), watches are long-lived chunked streams, and content negotiation is by Accept
 * parameters, which a plain request listener handles without fighting a framework's router and serializers.
 *
 * This module composes the server: the TLS listener, the request entry (request log, latency, authentication,
 * impersonation), the routing table and the mapping of errors to Status responses. The shared state is the
 * {@link ServerContext} (src/server/context.ts); the endpoints are the modules of src/routes.
 */
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateServingCerts } from './certs.ts';
import { StatusError } from './errors.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { HEADER_BYTES_SLACK, MAX_HEADER_BYTES } from './limits.ts';
import { resolveImpersonation, type UserInfo } from './wiring/auth.ts';
import { serveDiscovery, serveHealth, serveVersion } from './routes/discovery.ts';
import { serveIssuerDiscovery } from './routes/oidc.ts';
import { serveOpenApi } from './routes/openapi.ts';
import { serveResource } from './routes/resource.ts';
import { restoreSnapshot, seedStore } from './server/bootstrap.ts';
import { createServerContext, type ServerContext } from './server/context.ts';
import { requestCounters, serverHooks } from './server/hooks.ts';
import type { ApiServer, ApiServerOptions } from './server/options.ts';
import { notFoundPath, sendJson, sendStatus } from './server/respond.ts';
import { parseResourcePath, type PathHandler } from './server/route.ts';
import { workloadSimulation } from './server/simulation.ts';
import { answerClientError, requestUrl } from './server/transport.ts';

export type {
  ApiServer,
  ApiServerHooks,
  ApiServerOptions,
  ErrorRule,
  PodLogOptions,
  PodLogProvider,
  RequestCounters,
  RequestLogEntry,
} from './server/options.ts';
export { parseBody } from './body.ts';
export { parseResourcePath } from './server/route.ts';

/** The UIDs the API Priority and Fairness headers name (fixed: one flow schema, one priority level). */
const FLOW_SCHEMA_UID = '4d2c9f1e-6a7b-4c3d-9e8f-0a1b2c3d4e5f';
const PRIORITY_LEVEL_UID = '8e7f6a5b-4c3d-2e1f-0a9b-8c7d6e5f4a3b';

/** Endpoints served without authentication. */
const PUBLIC_PATHS: readonly PathHandler[] = [serveVersion, serveHealth];

/** Non-resource endpoints, tried in order after authentication; every other path is a resource path. */
const NON_RESOURCE_PATHS: readonly PathHandler[] = [
  serveVersion,
  serveHealth,
  serveDiscovery,
  serveOpenApi,
  serveIssuerDiscovery,
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
} as const;

/** Calls `onRequest` of the options once the response is finished (or the watch ends). */
const logRequest = (ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void => {
  const log = ctx.options.onRequest;
  if (!log) return;
  const started = Date.now();
  res.once('close', () =>
    log({
      method: req.method ?? '',
      url: req.url ?? '',
      status: res.statusCode,
      durationMs: Date.now() - started,
      userAgent: req.headers['user-agent'] ?? '',
    }),
  );
};

/** Answers an error thrown by a route: its Status (429 with `Retry-After`), else a 500 InternalError. */
const sendError = (res: ServerResponse, err: unknown): void => {
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
};

/** Routes an authenticated request: non-resource endpoints first, then resource paths (404 for anything else). */
const route = async (
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  q: URLSearchParams,
  user: UserInfo,
): Promise<void> => {
  for (const serve of NON_RESOURCE_PATHS) if (serve(ctx, req, res, path)) return;
  const resourceRoute = parseResourcePath(path);
  if (!resourceRoute) throw notFoundPath();
  await serveResource(ctx, req, res, resourceRoute, q, user);
};

/** The request entry: request log, URL check, APF headers, latency, authentication and impersonation, routing. */
const handleRequest = async (ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  logRequest(ctx, req, res);
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
    if (ctx.latencyMs > 0) await sleep(ctx.latencyMs);
    for (const serve of PUBLIC_PATHS) if (serve(ctx, req, res, path)) return;
    const authed = ctx.authn.authenticate(req.headers.authorization);
    if (!authed) {
      sendJson(res, 401, UNAUTHORIZED);
      return;
    }
    const user = resolveImpersonation(authed, req.headersDistinct, ctx.authz);
    await route(ctx, req, res, path, url.searchParams, user);
  } catch (err) {
    sendError(res, err);
  }
};

/** Start the API server. */
export const startApiServer = async (opts: ApiServerOptions = {}): Promise<ApiServer> => {
  const certs = await generateServingCerts();
  const ctx = createServerContext(opts);
  await seedStore(ctx);

  const server = createServer(
    {
      cert: certs.certPem,
      key: certs.keyPem,
      // Go net/http (kube-apiserver sets MaxHeaderBytes 1 MiB) reads up to 1 MiB + 4 KiB of request line and headers
      maxHeaderSize: MAX_HEADER_BYTES + HEADER_BYTES_SLACK,
    },
    (req, res) => {
      handleRequest(ctx, req, res).catch((err: unknown) => {
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
  ctx.address = `${host}:${port}`;
  ctx.url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfig = kubeconfigYaml({ server: ctx.url, caPem: certs.caPem, token: ctx.adminToken });
  if (opts.kubeconfigPath) await writeFile(opts.kubeconfigPath, kubeconfig, { mode: 0o600 });

  const simulation = workloadSimulation(ctx);
  if (opts.simulation) simulation.set(opts.simulation);

  return {
    url: ctx.url,
    port,
    kubeconfig,
    ...(opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {}),
    adminToken: ctx.adminToken,
    caPem: certs.caPem,
    counters: requestCounters(ctx),
    hooks: serverHooks(ctx, simulation),
    core: ctx.core,
    serviceAccountIssuer: () => ({
      issuer: ctx.authn.openidConfiguration('')['issuer'] as string,
      keys: ctx.authn.jwks().keys,
    }),
    snapshot: () => ctx.store.snapshot(),
    restore: (s) => restoreSnapshot(ctx, s),
    close: async () => {
      simulation.set(undefined);
      for (const w of [...ctx.watches]) w.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
