/**
 * Requests on resources (`/api/v1/...`, `/apis/G/V/...`): resolves the kind, counts the request, authorizes it,
 * applies injected errors, then dispatches to the review, subresource and verb handlers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { boolParam } from '../query.ts';
import { ForbiddenError, type AuthzAttributes, type UserInfo } from '../wiring/auth.ts';
import type { ServerContext } from '../server/context.ts';
import { countRequest, injectedError } from '../server/hooks.ts';
import { methodNotAllowed, notFoundPath } from '../server/respond.ts';
import { resourceKey, verbOf, type Route } from '../server/route.ts';
import { serveDelete } from './delete.ts';
import { isPodLogRequest, servePodLog } from './pod-log.ts';
import { serveRead } from './read.ts';
import { resourceRequest } from './resource-request.ts';
import { serveReview } from './reviews.ts';
import { assertSubresourceServed, isTokenRequest, serveScale, serveToken } from './subresources.ts';
import { serveCreate, servePatch, serveUpdate } from './write.ts';

/** Serves an authenticated request on a resource path (errors are thrown as StatusErrors). */
export const serveResource = async (
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  q: URLSearchParams,
  user: UserInfo,
): Promise<void> => {
  const method = req.method ?? 'GET';
  const def = ctx.registry.get(route.group, route.version, route.resource);
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
  countRequest(ctx, q.getAll('dryRun').includes('All') ? `dryrun-${verb}` : verb, key);
  const decision = ctx.authz(attrs);
  if (!decision.allowed) throw new ForbiddenError(attrs, decision.reason);
  const injected = injectedError(ctx, verb, key, def, route.name);
  if (injected) throw injected;

  const r = resourceRequest({ ctx, req, res, route, q, user, def, watch });
  if (def.virtual) return serveReview(r);
  if (isTokenRequest(r)) return serveToken(r);
  if (isPodLogRequest(r)) return servePodLog(r, route.name!);
  assertSubresourceServed(r);
  if (route.subresource === 'scale' && route.name !== undefined) return serveScale(r, route.name);
  switch (method) {
    case 'GET':
    case 'HEAD':
      return serveRead(r);
    case 'POST':
      return serveCreate(r);
    case 'PUT':
      return serveUpdate(r);
    case 'PATCH':
      return servePatch(r);
    case 'DELETE':
      return serveDelete(r);
    default:
      throw methodNotAllowed(def.resource);
  }
};
