/**
 * One authorized request on a resource, as the verb handlers see it, and what they share: write options from the
 * query, reading bodies in kube-apiserver's order, and writing an object in the representation the client asked for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PATCH_TYPES, type FieldValidation, type WriteOptions } from '../api.ts';
import { bodyFormat, decodeBody, readBody } from '../body.ts';
import { badRequest, StatusError } from '../errors.ts';
import { validateWriteOptions } from '../query.ts';
import type { ResourceDef } from '../resources.ts';
import { toTable, type IncludeObject } from '../table.ts';
import { getPath, type Obj } from '../util.ts';
import { acceptParams } from '../watch.ts';
import { responseFormat, sendProtobuf } from '../protobuf/negotiate.ts';
import type { UserInfo } from '../wiring/auth.ts';
import type { ServerContext } from '../server/context.ts';
import { JSON_CT, sendJson, TABLE_CT, warningHeaders } from '../server/respond.ts';
import type { Route } from '../server/route.ts';

/** A resource request past authentication, authorization and error injection. */
export interface ResourceRequest {
  readonly ctx: ServerContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: Route;
  readonly q: URLSearchParams;
  readonly user: UserInfo;
  readonly def: ResourceDef;
  readonly method: string;
  /** A watch (`/watch/` prefix or `watch=true`). */
  readonly watch: boolean;
  /** The namespace of the path, `''` for cluster-scoped paths. */
  readonly ns: string;
  /** `dryRun=All`. */
  readonly dryRun: boolean;
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  /** The client asked for a Table. */
  readonly table: boolean;
  /** The client asked for PartialObjectMetadata. */
  readonly partial: boolean;
  /** `includeObject` of Table output. */
  readonly include: IncludeObject;
  /** Objects are answered in Kubernetes protobuf (the Accept header prefers it and the kind has it). */
  readonly protobuf: boolean;
}

/** What a {@link ResourceRequest} is built from: the request, its parsed path, its user and the resolved kind. */
export type ResourceRequestInput = Pick<
  ResourceRequest,
  'ctx' | 'req' | 'res' | 'route' | 'q' | 'user' | 'def' | 'watch'
>;

/** Builds the {@link ResourceRequest} of a request on a kind (query options are read, not validated, here). */
export const resourceRequest = (input: ResourceRequestInput): ResourceRequest => {
  const { req, route, q } = input;
  const fv = q.get('fieldValidation');
  const ua = req.headers['user-agent'] ?? '';
  const { table, partial } = acceptParams(req.headers.accept);
  return {
    ...input,
    method: req.method ?? 'GET',
    ns: route.namespace ?? '',
    dryRun: q.getAll('dryRun').includes('All'),
    fieldManager: q.get('fieldManager') ?? (ua.split('/')[0] ?? '').slice(0, 128),
    fieldValidation: fv === 'Strict' || fv === 'Ignore' ? fv : 'Warn',
    table,
    partial,
    include: (q.get('includeObject') ?? 'Metadata') as IncludeObject,
    protobuf: responseFormat(req.headers.accept, input.def.crd === undefined) === 'protobuf',
  };
};

/** Fresh write options of a request (each write collects its own warnings). */
export const writeOptions = (r: ResourceRequest): WriteOptions => ({
  dryRun: r.dryRun,
  fieldManager: r.fieldManager,
  fieldValidation: r.fieldValidation,
  warnings: [],
});

/**
 * Reads the body of a create or update: media type (415), size (413), query options (400/422), then decoding (a
 * body that does not decode is "unrecognized (must be of type `bodyKind`)").
 */
export const readWriteBody = async (
  r: ResourceRequest,
  kind: 'CreateOptions' | 'UpdateOptions',
  bodyKind = r.def.kind,
): Promise<unknown> => {
  const format = bodyFormat(r.req.headers['content-type'], r.def.crd === undefined);
  const raw = await readBody(r.req);
  validateWriteOptions(r.q, kind);
  try {
    return decodeBody(raw, format);
  } catch (err) {
    throw format === 'protobuf' ? err : unrecognized(err, bodyKind, raw);
  }
};

/** The first bytes of an undecodable body as kube-apiserver's summarizeData prints them (JSON as text, else hex). */
const summarizeData = (data: Buffer, max = 30): string => {
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, max);
  const text = data[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return data.length > max ? `${text} ...` : text;
};

/**
 * transformDecodeError: a body whose kind could not be read is "unrecognized (must be of type <Kind>)", with the
 * decoder's message and a summary of the body.
 */
const unrecognized = (err: unknown, kind: string, raw: Buffer): unknown => {
  if (!(err instanceof StatusError) || err.code !== 400) return err;
  return new StatusError(
    400,
    'BadRequest',
    `the object provided is unrecognized (must be of type ${kind}): ${err.message} (${summarizeData(raw)})`,
    undefined,
    { cause: err },
  );
};

/** Reads and decodes a body that has no query options (reviews, TokenRequest). */
export const readInputBody = async (r: ResourceRequest): Promise<unknown> => {
  const format = bodyFormat(r.req.headers['content-type'], r.def.crd === undefined);
  return decodeBody(await readBody(r.req), format);
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

/** Reads the body of a PATCH: patch type (415), size (413), query options (400/422), then decoding. */
export const readPatchBody = async (r: ResourceRequest): Promise<{ patchType: string; patch: unknown }> => {
  const patchType = patchTypeOf(r.req.headers['content-type'], r.def);
  const raw = await readBody(r.req);
  validateWriteOptions(r.q, 'PatchOptions');
  return { patchType, patch: decodePatch(raw, patchType) };
};

/** Answers with an object in protobuf when the request prefers it (and its kind has it), else in JSON. */
export const sendObject = (r: ResourceRequest, code: number, o: Obj, headers: Record<string, string> = {}): void => {
  if (!(r.protobuf && sendProtobuf(r.res, code, o, headers))) sendJson(r.res, code, o, JSON_CT, headers);
};

/** Answers with one object: a Table or PartialObjectMetadata on reads that ask for one, else the object. */
export const respondObject = (r: ResourceRequest, code: number, o: Obj, warnings: string[] = []): void => {
  if (r.table && r.method === 'GET')
    sendJson(
      r.res,
      code,
      toTable(
        r.def,
        [o],
        { resourceVersion: String(getPath(o, 'metadata.resourceVersion') ?? '') },
        r.include,
        Date.now(),
      ),
      TABLE_CT,
    );
  else if (r.partial && r.method === 'GET')
    sendJson(r.res, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o['metadata'] });
  else sendObject(r, code, o, warningHeaders(warnings));
};
