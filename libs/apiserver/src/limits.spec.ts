import { describe, expect, it } from 'vitest';
import { bodyFormat, decodeBody } from './body.ts';
import { StatusError } from './errors.ts';
import { assertStorable, jsonDepthError, MAX_NESTING_DEPTH, MAX_STORED_OBJECT_BYTES, measure } from './limits.ts';
import { boolParam, int64Param, resourceVersionParam, validateDeleteOptions, validateWriteOptions } from './query.ts';

/** The Status a function throws: code, reason and message. */
const statusOf = (fn: () => unknown): { code: number; reason: string; message: string } | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return { code: err.code, reason: err.reason, message: err.message };
    throw err;
  }
  return undefined;
};

describe('jsonDepthError (Go encoding/json maxNestingDepth)', () => {
  const cases: { name: string; text: string; want: string | undefined }[] = [
    { name: 'at the limit', text: `${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`, want: undefined },
    {
      name: 'one over, with the bracket that crossed it',
      text: `${'['.repeat(MAX_NESTING_DEPTH)}{}${']'.repeat(MAX_NESTING_DEPTH)}`,
      want: `invalid character '{' exceeded max depth`,
    },
    { name: 'brackets inside strings do not count', text: `{"a":"${'['.repeat(5000)}"}`, want: undefined },
    { name: 'escaped quotes stay in the string', text: `{"a":"\\"${'{'.repeat(5000)}"}`, want: undefined },
  ];
  it.each(cases)('$name', ({ text, want }) => expect(jsonDepthError(text)).toBe(want));
});

describe('measure', () => {
  it('counts a shared (aliased) object at every use, and spots cycles', () => {
    const leaf = { a: 'x'.repeat(100) };
    const shared = [leaf, leaf, leaf, leaf];
    expect(measure({ s: shared })).toEqual({ depth: 3, bytes: measure({ s: structuredClone(shared) })?.bytes });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = { back: cyclic };
    expect(measure(cyclic)).toBeUndefined();
    expect(measure('x')).toEqual({ depth: 0, bytes: 3 });
  });

  it('measures 100,000 levels without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(measure(deep)?.depth).toBe(100_000);
  });
});

describe('assertStorable (etcd --max-request-bytes)', () => {
  it('refuses an object whose JSON is over 1.5 MiB with 413 and etcd’s message', () => {
    expect(statusOf(() => assertStorable({ data: 'x'.repeat(MAX_STORED_OBJECT_BYTES) }))).toEqual({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'etcdserver: request is too large',
    });
    expect(statusOf(() => assertStorable({ data: 'x'.repeat(MAX_STORED_OBJECT_BYTES - 100) }))).toBeUndefined();
  });
});

describe('bodyFormat and decodeBody', () => {
  const unknownFormat =
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf';
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/YAML', 'yaml'],
    ['application/vnd.kubernetes.protobuf', 'protobuf'],
  ])('%s is %s', (ct, want) => expect(bodyFormat(ct)).toBe(want));
  it.each(['text/plain', 'application/json-patch+json', 'application/x-yaml', '*/*'])('%s is 415', (ct) =>
    expect(statusOf(() => bodyFormat(ct))).toEqual({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: unknownFormat,
    }),
  );

  it('decodes YAML that is JSON as JSON, and lets the last duplicate key win like go-yaml', () => {
    expect(decodeBody(Buffer.from('{"a": 1}'), 'yaml')).toEqual({ a: 1 });
    expect(decodeBody(Buffer.from('a: 1\na: 2\n'), 'yaml')).toEqual({ a: 2 });
    expect(decodeBody(Buffer.from('{a: [1, 2]}'), 'yaml')).toEqual({ a: [1, 2] });
  });

  it('keeps __proto__ as data in JSON and YAML', () => {
    for (const [text, format] of [
      ['{"__proto__":{"x":1}}', 'json'],
      ['__proto__:\n  x: 1\n', 'yaml'],
    ] as const) {
      const v = decodeBody(Buffer.from(text), format) as Record<string, unknown>;
      expect(Object.hasOwn(v, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    }
  });

  it('refuses YAML nested deeper than the limit however it nests', () => {
    const tooDeep = `error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`;
    const block = Array.from({ length: MAX_NESTING_DEPTH + 1 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    const anchored = `x: &x ${'['.repeat(600)}${']'.repeat(600)}\ny: ${'['.repeat(500)}*x${']'.repeat(500)}\n`;
    for (const text of [`${'{a: '.repeat(1500)}1${'}'.repeat(1500)}`, block, anchored])
      expect(statusOf(() => decodeBody(Buffer.from(text), 'yaml'))?.message).toBe(tooDeep);
  });
});

describe('query parameters', () => {
  const q = (s: string): URLSearchParams => new URLSearchParams(s);
  it('parses int64 like strconv.ParseInt', () => {
    expect(int64Param(q('limit=-5'), 'limit')).toBe(-5);
    expect(int64Param(q(''), 'limit')).toBeUndefined();
    expect(statusOf(() => int64Param(q('limit=1.5'), 'limit'))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'strconv.ParseInt: parsing "1.5": invalid syntax',
    });
    expect(statusOf(() => int64Param(q('limit=9223372036854775808'), 'limit'))?.message).toBe(
      'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    );
  });

  it('parses resourceVersion like APIObjectVersioner (uint64)', () => {
    expect(resourceVersionParam(q('resourceVersion=0'))).toBe('0');
    expect(resourceVersionParam(q('resourceVersion=18446744073709551615'))).toBe('18446744073709551615');
    expect(statusOf(() => resourceVersionParam(q('resourceVersion=18446744073709551616')))?.message).toBe(
      'resourceVersion: Invalid value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of range',
    );
  });

  it('reads booleans like Convert_Slice_string_To_bool', () => {
    expect(['watch=true', 'watch=1', 'watch=yes', 'watch='].map((s) => boolParam(q(s), 'watch'))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['watch=false', 'watch=F', 'watch=0', ''].map((s) => boolParam(q(s), 'watch'))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('validates write and delete options', () => {
    expect(
      statusOf(() => validateWriteOptions(q('dryRun=All&fieldValidation=Strict'), 'PatchOptions')),
    ).toBeUndefined();
    expect(statusOf(() => validateWriteOptions(q('dryRun=All&dryRun=x&fieldValidation=y'), 'UpdateOptions'))).toEqual({
      code: 422,
      reason: 'Invalid',
      message:
        'UpdateOptions.meta.k8s.io "" is invalid: [dryRun: Unsupported value: []string{"All", "x"}: supported values: "All", fieldValidation: Unsupported value: "y": supported values: "", "Ignore", "Strict", "Warn"]',
    });
    expect(statusOf(() => validateDeleteOptions(q('propagationPolicy=Orphan&gracePeriodSeconds=0')))).toBeUndefined();
  });
});
