/** The delete verbs: delete (Status or the object while finalizers hold it) and deletecollection. */
import type { DeleteOptions } from '../api.ts';
import { bodyFormat, decodeBody, readBody } from '../body.ts';
import { validateDeleteOptions } from '../query.ts';
import { apiVersionOf } from '../resources.ts';
import { getPath, isObj } from '../util.ts';
import { notFoundPath } from '../server/respond.ts';
import { selectorOptions } from './read.ts';
import { sendObject, type ResourceRequest } from './resource-request.ts';

/** DELETE of an object or a collection. */
export const serveDelete = async (r: ResourceRequest): Promise<void> => {
  const { ctx, def, route, q, req } = r;
  // DeleteOptions come from the body when there is one, else from the query (kube-apiserver DeleteResource)
  const raw = await readBody(req);
  const body = raw.length > 0 ? decodeBody(raw, bodyFormat(req.headers['content-type'])) : undefined;
  if (raw.length === 0) validateDeleteOptions(q);
  const dopts: DeleteOptions = isObj(body) ? (body as DeleteOptions) : {};
  const pp = q.get('propagationPolicy');
  if (pp === 'Background' || pp === 'Foreground' || pp === 'Orphan') dopts.propagationPolicy = pp;
  const dryRun = r.dryRun || (isObj(body) && Array.isArray(body['dryRun']) && body['dryRun'].includes('All'));
  if (route.name === undefined) {
    if (def.namespaced && route.namespace === undefined) throw notFoundPath();
    const items = ctx.core.deleteCollection(def, route.namespace, selectorOptions(q), dopts, { dryRun });
    return sendObject(r, 200, {
      kind: def.listKind,
      apiVersion: apiVersionOf(def.group, def.version),
      metadata: { resourceVersion: String(ctx.store.resourceVersion) },
      items,
    });
  }
  const result = ctx.core.delete(def, r.ns, route.name, dopts, { dryRun });
  if (result.deleted && !def.crd) {
    return sendObject(r, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: route.name,
        ...(def.group ? { group: def.group } : {}),
        kind: def.resource,
        uid: getPath(result.object, 'metadata.uid'),
      },
    });
  }
  return sendObject(r, 200, result.object);
};
