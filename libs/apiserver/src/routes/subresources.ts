/** The subresources: `serviceaccounts/token`, `status` and `scale` where a kind has them, `namespaces/finalize`. */
import { PATCH_TYPES, toStatusError } from '../api.ts';
import { getPath, isObj, type Obj } from '../util.ts';
import { applyJsonPatch, applyMergePatch } from '../wiring/patch.ts';
import { methodNotAllowed, notFoundPath } from '../server/respond.ts';
import {
  readInputBody,
  readPatchBody,
  readWriteBody,
  respondObject,
  sendObject,
  writeOptions,
  type ResourceRequest,
} from './resource-request.ts';

/** Whether a request is a TokenRequest (`POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`). */
export const isTokenRequest = (r: ResourceRequest): boolean =>
  r.route.subresource === 'token' && r.def.group === '' && r.def.resource === 'serviceaccounts';

/** A TokenRequest: a signed token for the ServiceAccount (201). */
export const serveToken = async (r: ResourceRequest): Promise<void> => {
  const name = r.route.name;
  if (r.method !== 'POST' || name === undefined) throw notFoundPath();
  const sa = r.ctx.core.getRaw(r.def, r.ns, name);
  const body = await readInputBody(r);
  sendObject(
    r,
    201,
    r.ctx.authn.tokenRequest(body, { namespace: r.ns, name, uid: String(getPath(sa, 'metadata.uid')) }),
  );
};

/** 404 for a subresource the kind does not have (the served ones: status, scale, namespaces/finalize). */
export const assertSubresourceServed = (r: ResourceRequest): void => {
  const sub = r.route.subresource;
  const { def } = r;
  if (
    sub !== undefined &&
    !(sub === 'status' && def.status) &&
    !(sub === 'scale' && def.scale) &&
    !(sub === 'finalize' && def.resource === 'namespaces')
  )
    throw notFoundPath();
};

/** GET, PUT and PATCH (JSON or merge) of an object's `autoscaling/v1` Scale. */
export const serveScale = async (r: ResourceRequest, name: string): Promise<void> => {
  const { core } = r.ctx;
  const { def, ns } = r;
  if (r.method === 'GET') return sendObject(r, 200, core.getScale(def, ns, name));
  if (r.method === 'PUT') {
    const body = await readWriteBody(r, 'UpdateOptions', 'Scale');
    return sendObject(r, 200, core.updateScale(def, ns, name, isObj(body) ? body : {}, writeOptions(r)));
  }
  if (r.method === 'PATCH') {
    const { patchType, patch } = await readPatchBody(r);
    const current = core.getScale(def, ns, name);
    let patched: Obj;
    try {
      patched = patchType === PATCH_TYPES.json ? applyJsonPatch(current, patch) : applyMergePatch(current, patch);
    } catch (err) {
      throw toStatusError(err, def);
    }
    return sendObject(r, 200, core.updateScale(def, ns, name, patched, writeOptions(r)));
  }
  throw methodNotAllowed(def.resource);
};

/** PUT `namespaces/NAME/finalize` (body already read): replaces the namespace's `spec` (its finalizers) only. */
export const finalizeNamespace = (r: ResourceRequest, name: string, body: unknown): void => {
  const { core } = r.ctx;
  const o = writeOptions(r);
  const live = core.getRaw(r.def, '', name);
  const next = structuredClone(live);
  (next as Obj)['spec'] = isObj(body) && isObj(body['spec']) ? body['spec'] : {};
  respondObject(
    r,
    200,
    core.update(
      r.def,
      r.ns,
      name,
      { ...next, metadata: { ...(next['metadata'] as Obj), resourceVersion: undefined } },
      o,
    ),
    o.warnings,
  );
};
