/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl `create`/`run`/
 * `auth can-i` and Helm's storage driver send without a JSON fallback: the envelope is read and the object decoded
 * with the tables generated from Kubernetes' generated.proto files (`protobuf/`).
 */
import { badRequest, StatusError } from './errors.ts';
import { decodeEnvelope, hasProtobufMagic } from './protobuf/codec.ts';
import type { Obj } from './util.ts';

export { encodeEnvelope, PROTOBUF_CT } from './protobuf/codec.ts';

/** Decode a `application/vnd.kubernetes.protobuf` body into the JSON object it represents. */
export const decodeKubernetesProtobuf = (buf: Buffer): Obj => {
  if (!hasProtobufMagic(buf)) throw badRequest('failed to decode protobuf: missing the "k8s\\x00" prefix');
  let env;
  try {
    env = decodeEnvelope(buf);
  } catch (err) {
    throw new StatusError(400, 'BadRequest', `failed to decode protobuf: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
  if (!env.object) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (no protobuf message for ${env.kind || 'this kind'} in ${env.apiVersion || 'this group/version'})`,
      { causes: [{ reason: 'UnsupportedMediaType', message: 'application/vnd.kubernetes.protobuf' }] },
    );
  }
  return env.object;
};
