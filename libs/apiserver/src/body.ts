/**
 * Request bodies: reading them within kube-apiserver's size limit, negotiating their media type and decoding JSON,
 * YAML and Kubernetes protobuf with the nesting and alias limits of Go's decoders.
 */
import type { IncomingMessage } from 'node:http';
import { CST, Lexer, parseAllDocuments } from 'yaml';
import { badRequest, StatusError } from './errors.ts';
import {
  bodyTooLarge,
  jsonDepthError,
  MAX_NESTING_DEPTH,
  MAX_REQUEST_BODY_BYTES,
  MAX_YAML_ALIAS_COUNT,
  MAX_YAML_TOKENS,
  measure,
  requestEntityTooLarge,
} from './limits.ts';
import { decodeKubernetesProtobuf } from './protobuf.ts';

/** The media types a write body may have (kube-apiserver's serializers for built-in and custom resources). */
export const MEDIA_TYPES = {
  json: 'application/json',
  yaml: 'application/yaml',
  protobuf: 'application/vnd.kubernetes.protobuf',
} as const;

/** How a body is decoded. */
export type BodyFormat = keyof typeof MEDIA_TYPES;

/** `mime.ParseMediaType` reduced to what negotiation compares: the lower-cased type without parameters. */
const mediaTypeOf = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

/**
 * The decoder for a write's `Content-Type` (none means JSON), or the 415 kube-apiserver answers
 * (`negotiation.NewUnsupportedMediaTypeError`, no details); `protobuf` is false for custom resources.
 */
export const bodyFormat = (contentType: string | undefined, protobuf = true): BodyFormat => {
  const mt = contentType === undefined || contentType.trim() === '' ? MEDIA_TYPES.json : mediaTypeOf(contentType);
  // custom resources have no protobuf serializer: kube-apiserver lists JSON and YAML only
  const accepted = Object.entries(MEDIA_TYPES).filter(([format]) => protobuf || format !== 'protobuf');
  for (const [format, type] of accepted) if (type === mt) return format as BodyFormat;
  throw new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.map(([, t]) => t).join(', ')}`,
  );
};

/**
 * Reads a request body of at most `limit` bytes. A larger `Content-Length` is refused before anything is read; a
 * larger body (chunked, or longer than it said) is refused as soon as it passes the limit. Either way the rest is
 * read and dropped, not kept (so the client gets the 413 rather than a reset connection), and nothing over the
 * limit is ever held in memory.
 */
export const readBody = (req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> => {
  const drain = (): void => {
    req.removeAllListeners('data');
    req.resume();
  };
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) {
    drain();
    return Promise.reject(bodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        chunks.length = 0;
        drain();
        reject(bodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onClose = (): void => {
      done();
      reject(new Error('the client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
};

/** Go's encoding/json wording for the first syntax error (what the real server puts into the 400 message). */
const jsonErrorText = (text: string, err: unknown): string => {
  const m = String((err as Error).message).match(/position (\d+)/);
  const pos = m ? Number(m[1]) : text.length;
  const ch = text[pos];
  if (ch === undefined || text.trim() === '') return 'unexpected end of JSON input';
  const inObject = /[{,]\s*$/.test(text.slice(0, pos));
  return `invalid character '${ch}' ${inObject ? 'looking for beginning of object key string' : 'looking for beginning of value'}`;
};

const JSON_ERROR_PREFIX = "couldn't get version/kind; json parse error: ";
const YAML_ERROR_PREFIX = 'error converting YAML to JSON: yaml: ';
const yamlError = (message: string, cause?: unknown): StatusError =>
  new StatusError(400, 'BadRequest', `${YAML_ERROR_PREFIX}${message}`, undefined, cause ? { cause } : undefined);
const yamlTooDeep = (): StatusError => yamlError(`exceeded max depth of ${MAX_NESTING_DEPTH}`);
const yamlAliasing = (cause?: unknown): StatusError => yamlError('document contains excessive aliasing', cause);

const parseJson = (text: string): unknown => {
  const deep = jsonDepthError(text);
  if (deep !== undefined) throw badRequest(`${JSON_ERROR_PREFIX}${deep}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`${JSON_ERROR_PREFIX}${jsonErrorText(text, err)}`);
  }
};

/** True when a YAML text is a JSON document (JSON is YAML): it is then parsed as JSON, which costs far less. */
const looksLikeJson = (text: string): boolean => {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
};

/**
 * Walks the YAML tokens once, keeping nothing: refuses more than {@link MAX_YAML_TOKENS} tokens, flow collections
 * nested deeper than {@link MAX_NESTING_DEPTH}, and lines opening that many block collections (indentation plus
 * `-`, `?`, `:` indicators), before the `yaml` package builds anything.
 */
const checkYamlTokens = (text: string): void => {
  let tokens = 0;
  let flow = 0;
  let lineDepth = 0;
  let lineStart = true;
  for (const token of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS)
      throw requestEntityTooLarge(`a YAML body may have at most ${MAX_YAML_TOKENS} tokens`);
    const type = CST.tokenType(token);
    if (type === 'newline') {
      lineDepth = 0;
      lineStart = true;
      continue;
    }
    if (lineStart && type === 'space') lineDepth += token.length;
    lineStart = false;
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++flow > MAX_NESTING_DEPTH) throw yamlTooDeep();
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    else if (
      flow === 0 &&
      (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind') &&
      ++lineDepth > MAX_NESTING_DEPTH
    )
      throw yamlTooDeep();
  }
};

const isStackOverflow = (message: string): boolean => message.includes('Maximum call stack size exceeded');

const parseYaml = (text: string): unknown => {
  if (looksLikeJson(text) && jsonDepthError(text) === undefined) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // not JSON after all (YAML flow style, comments…): decode it as YAML
    }
  }
  checkYamlTokens(text);
  // uniqueKeys off: the check is quadratic in the number of keys, and go-yaml's Unmarshal lets the last one win
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc) return undefined;
  const e = doc.errors[0];
  if (e) {
    if (isStackOverflow(e.message)) throw yamlTooDeep();
    const line = e.linePos?.[0]?.line ?? 1;
    throw yamlError(`line ${line}: ${e.message.split('\n')[0] ?? 'invalid YAML'}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof RangeError && isStackOverflow(err.message)) throw yamlTooDeep();
    if (err instanceof ReferenceError) throw yamlAliasing(err);
    throw yamlError(String((err as Error).message), err);
  }
  // aliases share objects: measure the document as JSON will spell it out
  const size = measure(value);
  if (size === undefined || size.bytes > MAX_REQUEST_BODY_BYTES) throw yamlAliasing();
  if (size.depth > MAX_NESTING_DEPTH) throw yamlTooDeep();
  return value;
};

/** Decodes a body already read, by its format; 400 on malformed input (with Go's decoder messages). */
export const decodeBody = (buf: Buffer, format: BodyFormat): unknown => {
  if (format === 'protobuf') return buf.length === 0 ? undefined : decodeKubernetesProtobuf(buf);
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  return format === 'yaml' ? parseYaml(text) : parseJson(text);
};

/** Parse a request body by Content-Type (JSON, YAML or protobuf); 415 for other types, 400 on malformed input. */
export const parseBody = (buf: Buffer, contentType: string | undefined): unknown =>
  decodeBody(buf, bodyFormat(contentType));
