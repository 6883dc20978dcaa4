/**
 * Response content negotiation for Kubernetes protobuf: kube-apiserver's choice of serializer from the Accept
 * header (goautoneg: by quality, then in order), limited to what this server writes (JSON, and protobuf for
 * built-in kinds).
 */
import type { ServerResponse } from 'node:http';
import { StatusError } from '../errors.ts';
import type { Obj } from '../util.ts';
import { encodeEnvelope, PROTOBUF_CT } from './codec.ts';

/** The representation of a response. */
export type ResponseFormat = 'json' | 'protobuf';

interface Accepted {
  type: string;
  q: number;
  params: string[];
}

const parseAccept = (accept: string): Accepted[] =>
  accept
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const q = rest.find((p) => p.startsWith('q='));
      return {
        type: type.toLowerCase(),
        q: q ? Number(q.slice(2)) : 1,
        params: rest.filter((p) => !p.startsWith('q=')),
      };
    })
    .filter((a) => a.type !== '' && a.q > 0)
    .sort((a, b) => b.q - a.q);

/**
 * kube-apiserver's 406 when no accepted media type can be written (custom resources have no protobuf:
 * `negotiation.NewNotAcceptableError`).
 */
export const notAcceptable = (types: readonly string[]): StatusError =>
  new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${types.join(', ')}`);

/**
 * The format of a response for an Accept header: protobuf when the first acceptable type is
 * `application/vnd.kubernetes.protobuf` (without `as=`, which asks for a Table or metadata) and the resource has
 * protobuf, JSON otherwise. A request that accepts only protobuf of a resource without it gets the 406.
 */
export const responseFormat = (accept: string | undefined, protobuf: boolean): ResponseFormat => {
  if (!accept) return 'json';
  const entries = parseAccept(accept);
  let protobufOnly = entries.length > 0;
  for (const a of entries) {
    if (a.type === PROTOBUF_CT) {
      if (protobuf && !a.params.some((p) => p.startsWith('as='))) return 'protobuf';
      continue;
    }
    protobufOnly = false;
    if (a.type === 'application/json' || a.type === '*/*' || a.type === 'application/*') return 'json';
  }
  if (protobufOnly && !protobuf) throw notAcceptable(['application/json', 'application/yaml']);
  return 'json';
};

/**
 * Writes an object as Kubernetes protobuf; false (nothing written) when its kind has no protobuf message, so the
 * caller answers in JSON.
 */
export const sendProtobuf = (
  res: ServerResponse,
  code: number,
  body: Obj,
  headers: Record<string, string> = {},
): boolean => {
  let data: Uint8Array | undefined;
  try {
    data = encodeEnvelope(body);
  } catch (err) {
    process.emitWarning(`flux-ts-apiserver: protobuf encoding of ${String(body['kind'])} failed, answering JSON`, {
      detail: String(err),
    });
    return false;
  }
  if (!data) return false;
  res.writeHead(code, {
    'Content-Type': PROTOBUF_CT,
    'Content-Length': data.length,
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(data);
  return true;
};
