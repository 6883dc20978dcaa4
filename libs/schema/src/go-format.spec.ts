import { describe, expect, it } from 'vitest';
import { goFloat, goQuote, goSharpV } from './go-format.ts';
import { formatFieldError, type FieldError } from './index.ts';

describe('formatFieldError (field.Error.Error())', () => {
  const cases: [FieldError, string][] = [
    [
      {
        type: 'FieldValueInvalid',
        field: 'spec.interval',
        badValue: 'abc',
        detail: "spec.interval in body should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'",
      },
      `spec.interval: Invalid value: "abc": spec.interval in body should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'`,
    ],
    [{ type: 'FieldValueRequired', field: 'spec.url', badValue: '', detail: '' }, 'spec.url: Required value'],
    [
      { type: 'FieldValueRequired', field: 'spec.x.kind', detail: 'must not be empty' },
      'spec.x.kind: Required value: must not be empty',
    ],
    [
      {
        type: 'FieldValueNotSupported',
        field: 'spec.provider',
        badValue: 'foo',
        detail: 'supported values: "generic", "aws"',
      },
      'spec.provider: Unsupported value: "foo": supported values: "generic", "aws"',
    ],
    [
      { type: 'FieldValueTooLong', field: 'spec.n', badValue: 'abcdef', detail: 'may not be more than 5 bytes' },
      'spec.n: Too long: may not be more than 5 bytes',
    ],
    [
      { type: 'FieldValueTooMany', field: 'spec.l', badValue: 3, detail: 'must have at most 2 items' },
      'spec.l: Too many: 3: must have at most 2 items',
    ],
    [
      { type: 'FieldValueForbidden', field: 'spec.f', badValue: 'x', detail: 'not allowed' },
      'spec.f: Forbidden: not allowed',
    ],
    [{ type: 'FieldValueDuplicate', field: 'spec.l[1]', badValue: 'a', detail: '' }, 'spec.l[1]: Duplicate value: "a"'],
    [{ type: 'FieldValueInvalid', field: 'x', badValue: null, detail: 'd' }, 'x: Invalid value: "null": d'],
    [{ type: 'FieldValueInvalid', field: 'x', badValue: true, detail: 'd' }, 'x: Invalid value: true: d'],
    [{ type: 'FieldValueInvalid', field: 'x', badValue: 1.5, detail: 'd' }, 'x: Invalid value: 1.5: d'],
    [
      { type: 'FieldValueInvalid', field: 'x', badValue: ['a', 1], detail: 'd' },
      'x: Invalid value: []interface {}{"a", 1}: d',
    ],
  ];
  for (const [e, want] of cases) it(want, () => expect(formatFieldError(e)).toBe(want));
});

describe('go fmt helpers', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('line\nnext\ttab')).toBe('"line\\nnext\\ttab"');
    expect(goQuote('\x01\x7f')).toBe('"\\x01\\x7f"');
    expect(goQuote('héllo 😀')).toBe('"héllo 😀"');
    expect(goQuote('\u2028')).toBe('"\\u2028"');
  });

  it('formats float64 like %v', () => {
    expect(goFloat(0.5)).toBe('0.5');
    expect(goFloat(10)).toBe('10');
    expect(goFloat(123456)).toBe('123456');
    expect(goFloat(1e6)).toBe('1e+06');
    expect(goFloat(1234567.5)).toBe('1.2345675e+06');
    expect(goFloat(0.0001)).toBe('0.0001');
    expect(goFloat(0.00001)).toBe('1e-05');
    expect(goFloat(-2.5)).toBe('-2.5');
  });

  it('formats maps like %#v with sorted keys', () => {
    expect(goSharpV({ b: 'x', a: 1, c: null, d: { e: [true] } })).toBe(
      'map[string]interface {}{"a":1, "b":"x", "c":interface {}(nil), "d":map[string]interface {}{"e":[]interface {}{true}}}',
    );
  });
});
