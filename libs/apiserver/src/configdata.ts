/**
 * ConfigMaps and Secrets as kube-apiserver reads and validates them: the typed decoding of their data maps
 * (`map[string]string`, `map[string][]byte` read as base64, with Go's encoding/json errors) and
 * `ValidateConfigMap`/`ValidateSecret` (+ their `…Update`) of k8s.io/kubernetes pkg/apis/core/validation.
 */
import type { StatusCause } from './errors.ts';
import { goBase64Decode, goJsonKind, goJsonMapError, goQuote } from './go-decode.ts';
import { deepEqual, isObj, type Obj } from './util.ts';

/** `core.MaxSecretSize`, the limit of both kinds' data. */
export const MAX_DATA_SIZE = 1024 * 1024;

/** The Go field types of the data maps, per kind. */
const DATA_FIELDS: Record<string, Record<string, 'string' | 'bytes'>> = {
  ConfigMap: { data: 'string', binaryData: 'bytes' },
  Secret: { data: 'bytes', stringData: 'string' },
};

/** Decode one `[]byte` value (a base64 string, or Go's other accepted form, an array of uint8). */
const decodeBytes = (v: unknown, where: string): { bytes: Buffer } | { error: string } => {
  if (typeof v === 'string') {
    const d = goBase64Decode(v);
    return d.ok ? { bytes: d.bytes } : { error: d.error };
  }
  if (Array.isArray(v)) {
    const out: number[] = [];
    for (const x of v) {
      if (x === null) out.push(0);
      else if (typeof x !== 'number')
        return { error: `json: cannot unmarshal ${goJsonKind(x)} into ${where} of type uint8` };
      else if (!Number.isInteger(x) || x < 0 || x > 255)
        return { error: `json: cannot unmarshal number ${x} into ${where} of type uint8` };
      else out.push(x);
    }
    return { bytes: Buffer.from(out) };
  }
  return { error: `json: cannot unmarshal ${goJsonKind(v)} into ${where} of type []uint8` };
};

/**
 * Decode the data maps of a ConfigMap or Secret in place as kube-apiserver's typed decoding does (null values
 * become empty, base64 is re-encoded canonically, empty maps are dropped) and return the first error, worded
 * like Go's encoding/json (`json: cannot unmarshal array into Go struct field ConfigMap.data of type
 * map[string]string`, `illegal base64 data at input byte 4`), or undefined. Other kinds are left alone.
 */
export const decodeConfigData = (group: string, kind: string, o: Obj): string | undefined => {
  const fields = group === '' ? DATA_FIELDS[kind] : undefined;
  if (!fields) return undefined;
  for (const [field, type] of Object.entries(fields)) {
    const m = o[field];
    if (m === undefined) continue;
    // A null or empty map is nil after decoding, and omitted when served (omitempty).
    if (m === null || (isObj(m) && Object.keys(m).length === 0)) {
      delete o[field];
      continue;
    }
    const where = `Go struct field ${kind}.${field}`;
    if (!isObj(m))
      return `json: cannot unmarshal ${goJsonKind(m)} into ${where} of type map[string]${type === 'string' ? 'string' : '[]uint8'}`;
    for (const [key, v] of Object.entries(m)) {
      if (v === null) m[key] = '';
      else if (type === 'string') {
        if (typeof v !== 'string') return `json: cannot unmarshal ${goJsonKind(v)} into ${where} of type string`;
      } else {
        const d = decodeBytes(v, where);
        if ('error' in d) return d.error;
        m[key] = d.bytes.toString('base64');
      }
    }
  }
  return undefined;
};

/** `validation.IsConfigMapKey` of k8s.io/apimachinery. */
const configMapKeyErrors = (key: string): string[] => {
  const errs: string[] = [];
  if (Buffer.byteLength(key) > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
};

const keyCauses = (field: string, key: string): StatusCause[] =>
  configMapKeyErrors(key).map((msg) => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${goQuote(key)}: ${msg}`,
    field: `${field}[${key}]`,
  }));

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });

const tooLong = (field: string): StatusCause => ({
  reason: 'FieldValueTooLong',
  message: `Too long: may not be more than ${MAX_DATA_SIZE} bytes`,
  field,
});

const immutableForbidden = (field: string): StatusCause => ({
  reason: 'FieldValueForbidden',
  message: 'Forbidden: field is immutable when `immutable` is set',
  field,
});

const mapOf = (v: unknown): Obj => (isObj(v) ? v : {});

/** The bytes of a decoded (base64) `[]byte` value. */
const bytesOf = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : '', 'base64');

/** `ValidateConfigMap` (and `ValidateConfigMapUpdate` when `old` is given), object metadata aside. */
const validateConfigMap = (o: Obj, old: Obj | undefined): StatusCause[] => {
  const causes: StatusCause[] = [];
  if (old?.['immutable'] === true) {
    if (o['immutable'] !== true) causes.push(immutableForbidden('immutable'));
    for (const f of ['data', 'binaryData']) if (!deepEqual(old[f], o[f])) causes.push(immutableForbidden(f));
  }
  const data = mapOf(o['data']);
  const binary = mapOf(o['binaryData']);
  let size = 0;
  for (const [key, v] of Object.entries(data)) {
    causes.push(...keyCauses('data', key));
    if (Object.hasOwn(binary, key))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goQuote(key)}: duplicate of key present in binaryData`,
        field: `data[${key}]`,
      });
    size += Buffer.byteLength(typeof v === 'string' ? v : '');
  }
  for (const [key, v] of Object.entries(binary)) {
    causes.push(...keyCauses('binaryData', key));
    size += bytesOf(v).length;
  }
  // The whole object: field.NewPath("") prints as "[]".
  if (size > MAX_DATA_SIZE) causes.push(tooLong('[]'));
  return causes;
};

/** The checks of the built-in Secret types (the keys each must carry in `data`). */
const SECRET_TYPES = new Map<string, (data: Obj, o: Obj) => StatusCause[]>(
  Object.entries({
    'kubernetes.io/service-account-token': (_data, o) => {
      const annotations = mapOf(mapOf(o['metadata'])['annotations']);
      const sa = annotations['kubernetes.io/service-account.name'];
      return typeof sa === 'string' && sa !== ''
        ? []
        : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    },
    'kubernetes.io/dockercfg': (data) => dockerConfig(data, '.dockercfg'),
    'kubernetes.io/dockerconfigjson': (data) => dockerConfig(data, '.dockerconfigjson'),
    'kubernetes.io/basic-auth': (data) =>
      Object.hasOwn(data, 'username') || Object.hasOwn(data, 'password')
        ? []
        : [required('data[username]'), required('data[password]')],
    'kubernetes.io/ssh-auth': (data) =>
      bytesOf(data['ssh-privatekey']).length === 0 ? [required('data[ssh-privatekey]')] : [],
    'kubernetes.io/tls': (data) => [
      ...(Object.hasOwn(data, 'tls.crt') ? [] : [required('data[tls.crt]')]),
      ...(Object.hasOwn(data, 'tls.key') ? [] : [required('data[tls.key]')]),
    ],
  }),
);

/** The key must be there and hold JSON Go decodes into `map[string]interface{}`. */
const dockerConfig = (data: Obj, key: string): StatusCause[] => {
  if (!Object.hasOwn(data, key)) return [required(`data[${key}]`)];
  const err = goJsonMapError(bytesOf(data[key]));
  return err === undefined
    ? []
    : [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "<secret contents redacted>": ${err}`,
          field: `data[${key}]`,
        },
      ];
};

/** `ValidateSecret` (and `ValidateSecretUpdate` when `old` is given), object metadata aside. */
const validateSecret = (o: Obj, old: Obj | undefined): StatusCause[] => {
  const causes: StatusCause[] = [];
  if (old) {
    if (old['type'] !== o['type'])
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goQuote(String(o['type'] ?? ''))}: field is immutable`,
        field: 'type',
      });
    if (old['immutable'] === true) {
      if (o['immutable'] !== true) causes.push(immutableForbidden('immutable'));
      if (!deepEqual(old['data'], o['data'])) causes.push(immutableForbidden('data'));
    }
  }
  const data = mapOf(o['data']);
  let size = 0;
  for (const [key, v] of Object.entries(data)) {
    causes.push(...keyCauses('data', key));
    size += bytesOf(v).length;
  }
  if (size > MAX_DATA_SIZE) causes.push(tooLong('data'));
  const typed = SECRET_TYPES.get(String(o['type'] ?? ''));
  if (typed) causes.push(...typed(data, o));
  return causes;
};

/**
 * Validation causes of a ConfigMap or Secret as kube-apiserver reports them (data keys, ConfigMap keys in both
 * maps, the 1 MiB limit, the keys each Secret type requires, Secret `type` and `immutable` on updates). The
 * object is the decoded and defaulted one: Secret `stringData` is already merged into `data`.
 */
export const validateConfigData = (kind: string, o: Obj, old: Obj | undefined): StatusCause[] =>
  kind === 'ConfigMap' ? validateConfigMap(o, old) : kind === 'Secret' ? validateSecret(o, old) : [];
