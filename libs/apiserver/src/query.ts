/**
 * Query parameters as kube-apiserver decodes them (`metainternalversionscheme.ParameterCodec` into ListOptions,
 * GetOptions, DeleteOptions, CreateOptions…): a value that does not convert is a 400 with Go's strconv message, an
 * option the validation refuses is a 422 `<Kind>Options.meta.k8s.io "" is invalid`.
 */
import { StatusError, badRequest, type StatusCause } from './errors.ts';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go `strconv.ParseInt(s, 10, 64)`: the value, or the error text. */
const parseInt64 = (s: string): bigint | string => {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s);
  return n > INT64_MAX || n < INT64_MIN ? `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range` : n;
};

/**
 * An int64 query parameter (`limit`, `timeoutSeconds`, `gracePeriodSeconds`): undefined when absent, 400 BadRequest
 * with `strconv.ParseInt: parsing "abc": invalid syntax` when it is not one (runtime `Convert_Slice_string_To_int64`).
 */
export const int64Param = (q: URLSearchParams, name: string): number | undefined => {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const n = parseInt64(raw);
  if (typeof n === 'string') throw badRequest(n);
  return Number(n);
};

/**
 * The `resourceVersion` of a get, list or watch. kube-apiserver parses it as a uint64 (`APIObjectVersioner
 * .ParseResourceVersion`) and answers a malformed one with a 500 carrying
 * `resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax`
 * (kubernetes/kubernetes#139485, fix proposed in #139525): we keep the message and answer 400 BadRequest.
 */
export const resourceVersionParam = (q: URLSearchParams): string | undefined => {
  const raw = q.get('resourceVersion');
  if (raw === null || raw === '' || raw === '0') return raw ?? undefined;
  let problem: string | undefined;
  if (!/^\d+$/.test(raw)) problem = 'invalid syntax';
  else if (BigInt(raw) > UINT64_MAX) problem = 'value out of range';
  if (problem !== undefined) {
    const q1 = JSON.stringify(raw);
    throw badRequest(`resourceVersion: Invalid value: ${q1}: strconv.ParseUint: parsing ${q1}: ${problem}`);
  }
  return raw;
};

/**
 * A boolean query parameter as Go's `Convert_Slice_string_To_bool` reads it: absent is false, and anything but
 * `0`, `f` or `false` (any case) is true.
 */
export const boolParam = (q: URLSearchParams, name: string): boolean => {
  const raw = q.get(name);
  return raw !== null && !['0', 'f', 'false'].includes(raw.toLowerCase());
};

/** A 422 on the options of a request (`CreateOptions.meta.k8s.io "" is invalid: …`). */
const invalidOptions = (kind: string, causes: StatusCause[]): StatusError => {
  const msgs = causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
  return new StatusError(
    422,
    'Invalid',
    `${kind}.meta.k8s.io "" is invalid: ${msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`}`,
    { group: 'meta.k8s.io', kind, causes },
  );
};

const FIELD_VALIDATION_VALUES = ['', 'Ignore', 'Strict', 'Warn'];
const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

/** Go's `%#v` of a `[]string`. */
const goStrings = (values: string[]): string => `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

/** apimachinery `ValidateDryRun`: only `All`. */
const dryRunCauses = (q: URLSearchParams): StatusCause[] => {
  const values = q.getAll('dryRun');
  return values.every((v) => v === 'All')
    ? []
    : [
        {
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${goStrings(values)}: supported values: "All"`,
          field: 'dryRun',
        },
      ];
};

/**
 * Validates the options of a create, update or patch (apimachinery `ValidateCreateOptions` and friends):
 * `dryRun` and `fieldValidation` values.
 */
export const validateWriteOptions = (
  q: URLSearchParams,
  kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions',
): void => {
  const causes = dryRunCauses(q);
  const fv = q.get('fieldValidation');
  if (fv !== null && !FIELD_VALIDATION_VALUES.includes(fv)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(fv)}: supported values: ${FIELD_VALIDATION_VALUES.map((v) => JSON.stringify(v)).join(', ')}`,
      field: 'fieldValidation',
    });
  }
  if (causes.length > 0) throw invalidOptions(kind, causes);
};

/** Validates the query options of a delete (`gracePeriodSeconds`, `propagationPolicy`, `dryRun`). */
export const validateDeleteOptions = (q: URLSearchParams): void => {
  int64Param(q, 'gracePeriodSeconds');
  const causes = dryRunCauses(q);
  const pp = q.get('propagationPolicy');
  if (pp !== null && !PROPAGATION_POLICIES.includes(pp)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(pp)}: supported values: ${[...PROPAGATION_POLICIES, 'nil'].map((v) => JSON.stringify(v)).join(', ')}`,
      field: 'propagationPolicy',
    });
  }
  if (causes.length > 0) throw invalidOptions('DeleteOptions', causes);
};
