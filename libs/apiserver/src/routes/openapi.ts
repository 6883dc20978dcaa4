/** Non-resource endpoints of OpenAPI: `/openapi/v3` (root and one cached document per group/version), `/openapi/v2`. */
import type { OpenApiDocEntry, ServerContext } from '../server/context.ts';
import type { PathHandler } from '../server/route.ts';
import { JSON_CT, notFoundPath, sendJson, sendStatus } from '../server/respond.ts';
import { docHash, openApiV2, openApiV2Protobuf, openApiV3GroupVersion, openApiV3Root } from '../openapi.ts';

/** The OpenAPI v3 document of a group/version and its hash, built once per registry state. */
export const groupVersionDoc = (ctx: ServerContext, group: string, version: string): OpenApiDocEntry | undefined => {
  const key = `${group}/${version}`;
  const hit = ctx.openApiDocs.get(key);
  if (hit) return hit;
  const doc = openApiV3GroupVersion(ctx.registry, group, version);
  if (!doc) return undefined;
  const entry = { doc, hash: docHash(doc) };
  ctx.openApiDocs.set(key, entry);
  return entry;
};

/** `/openapi/v3`, `/openapi/v3/api/v1`, `/openapi/v3/apis/G/V` (with ETag), `/openapi/v2` (JSON or protobuf). */
export const serveOpenApi: PathHandler = (ctx, req, res, path) => {
  if (path === '/openapi/v3' || path === '/openapi/v3/') {
    sendJson(
      res,
      200,
      openApiV3Root(ctx.registry, (g, v) => groupVersionDoc(ctx, g, v)?.hash ?? ''),
    );
    return true;
  }
  const om = path.match(/^\/openapi\/v3\/(api\/v1|apis\/([^/]+)\/([^/]+))$/);
  if (om) {
    const entry =
      om[1] === 'api/v1' ? groupVersionDoc(ctx, '', 'v1') : groupVersionDoc(ctx, om[2] as string, om[3] as string);
    if (entry) sendJson(res, 200, entry.doc, JSON_CT, { ETag: `"${entry.hash}"` });
    else sendStatus(res, notFoundPath());
    return true;
  }
  if (path === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) {
      const pb = openApiV2Protobuf();
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': pb.length });
      res.end(pb);
    } else sendJson(res, 200, openApiV2(ctx.registry));
    return true;
  }
  return false;
};
