/** The read verbs: get, list (plain, Table or PartialObjectMetadataList; paged) and watch. */
import { int64Param, resourceVersionParam } from '../query.ts';
import { apiVersionOf } from '../resources.ts';
import { toTable } from '../table.ts';
import type { Obj } from '../util.ts';
import { serveWatch } from '../watch.ts';
import { sendJson, TABLE_CT } from '../server/respond.ts';
import { sendProtobuf } from '../protobuf/negotiate.ts';
import { respondObject, type ResourceRequest } from './resource-request.ts';

/** Selector options of a list or deletecollection, from the query. */
export const selectorOptions = (q: URLSearchParams): { labelSelector?: string; fieldSelector?: string } => ({
  ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector') as string } : {}),
  ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector') as string } : {}),
});

/** A watch of a collection, or of one object (`/watch/.../NAME` or `.../NAME?watch=true`). */
const watch = (r: ResourceRequest): void => {
  const { ctx, req, res, def, route, q } = r;
  if (route.name === undefined) return serveWatch(ctx, req, res, def, route.namespace, q);
  // watching one object is a watch with a name field selector
  const one = new URLSearchParams(q);
  const fsel = q.get('fieldSelector');
  one.set('fieldSelector', `metadata.name=${route.name}${fsel ? `,${fsel}` : ''}`);
  return serveWatch(ctx, req, res, def, route.namespace, one);
};

/** A list, in the representation the client asked for. */
const list = (r: ResourceRequest): void => {
  const { def, q, res } = r;
  const limit = int64Param(q, 'limit') ?? 0;
  const result = r.ctx.core.list(def, r.route.namespace, {
    ...selectorOptions(q),
    ...(limit > 0 ? { limit } : {}),
    ...(q.get('continue') ? { continue: q.get('continue') as string } : {}),
  });
  const listMeta: Obj = {
    resourceVersion: result.resourceVersion,
    ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}),
  };
  if (r.table) return sendJson(res, 200, toTable(def, result.items, listMeta, r.include, Date.now()), TABLE_CT);
  if (r.partial) {
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
  const body = {
    kind: def.listKind,
    apiVersion: apiVersionOf(def.group, def.version),
    metadata: listMeta,
    items: result.items,
  };
  if (!(r.protobuf && sendProtobuf(res, 200, body))) sendJson(res, 200, body);
};

/** GET or HEAD: validates the query (resourceVersion; timeoutSeconds and limit of lists and watches), then serves. */
export const serveRead = (r: ResourceRequest): void => {
  const { q, route } = r;
  resourceVersionParam(q);
  if (r.watch || route.name === undefined) {
    int64Param(q, 'timeoutSeconds');
    int64Param(q, 'limit');
  }
  if (r.watch) return watch(r);
  if (route.name !== undefined) return respondObject(r, 200, r.ctx.core.get(r.def, r.ns, route.name));
  return list(r);
};
