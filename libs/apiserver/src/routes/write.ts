/** The write verbs: create (POST), update (PUT, also of `status` and `namespaces/finalize`) and patch. */
import { boolParam } from '../query.ts';
import { methodNotAllowed, notFoundPath } from '../server/respond.ts';
import { finalizeNamespace } from './subresources.ts';
import { readPatchBody, readWriteBody, respondObject, writeOptions, type ResourceRequest } from './resource-request.ts';

/** POST to a collection: the created object (201). */
export const serveCreate = async (r: ResourceRequest): Promise<void> => {
  if (r.route.name !== undefined) throw methodNotAllowed(r.def.resource);
  if (r.def.namespaced && r.route.namespace === undefined) throw notFoundPath();
  const body = await readWriteBody(r, 'CreateOptions');
  const o = writeOptions(r);
  return respondObject(r, 201, r.ctx.core.create(r.def, r.ns, body, o), o.warnings);
};

/** PUT of an object (or of its status or finalize subresource): the updated object. */
export const serveUpdate = async (r: ResourceRequest): Promise<void> => {
  const name = r.route.name;
  if (name === undefined) throw methodNotAllowed(r.def.resource);
  const body = await readWriteBody(r, 'UpdateOptions');
  const sub = r.route.subresource;
  if (sub === 'finalize') return finalizeNamespace(r, name, body);
  const o = writeOptions(r);
  return respondObject(r, 200, r.ctx.core.update(r.def, r.ns, name, body, o, sub), o.warnings);
};

/** PATCH of an object or its status (server-side apply may create it: 201). */
export const servePatch = async (r: ResourceRequest): Promise<void> => {
  const name = r.route.name;
  if (name === undefined) throw methodNotAllowed(r.def.resource);
  const { patchType, patch } = await readPatchBody(r);
  const o = { ...writeOptions(r), force: boolParam(r.q, 'force') };
  const result = r.ctx.core.patch(r.def, r.ns, name, patchType, patch, o, r.route.subresource);
  return respondObject(r, result.created ? 201 : 200, result.object, o.warnings);
};
