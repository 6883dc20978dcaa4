import { describe, expect, it } from 'vitest';
import { goBase64Decode, goJsonMapError, goQuote } from './go-decode.ts';

const decoded = (s: string): string => {
  const d = goBase64Decode(s);
  return d.ok ? d.bytes.toString('latin1') : d.error;
};

describe('goBase64Decode (encoding/base64 StdEncoding)', () => {
  it.each([
    ['YWRtaW4=', 'admin'],
    ['', ''],
    ['aGVs\nbG8=\r\n', 'hello'],
    ['YR==', 'a'], // non-zero trailing bits are accepted (not Strict)
    ['admin', 'illegal base64 data at input byte 4'],
    ['billy', 'illegal base64 data at input byte 4'],
    ['abc', 'illegal base64 data at input byte 0'],
    ['YQ=', 'illegal base64 data at input byte 3'],
    ['YQ=x', 'illegal base64 data at input byte 2'],
    ['Y===', 'illegal base64 data at input byte 1'],
    ['YQ==YQ==', 'illegal base64 data at input byte 4'],
    ['YWJj ZA==', 'illegal base64 data at input byte 4'],
    ['<foo>', 'illegal base64 data at input byte 0'],
    ['YWJjé', 'illegal base64 data at input byte 4'],
  ])('%j → %j', (input, want) => {
    expect(decoded(input)).toBe(want);
  });
});

describe('goJsonMapError (json.Unmarshal into map[string]interface{})', () => {
  it.each([
    ['{}', undefined],
    ['null', undefined],
    [' {"auths": {"r": {"auth": "x", "n": [1, -2.5e3, true, null]}}} ', undefined],
    ['', 'unexpected end of JSON input'],
    ['{"auths": ', 'unexpected end of JSON input'],
    ['"open', 'unexpected end of JSON input'],
    ['{auths: {}}', "invalid character 'a' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a": 1 "b": 2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a": 1}}', "invalid character '}' after top-level value"],
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['-', "invalid character ' ' in numeric literal"],
    ['1.', "invalid character ' ' after decimal point in numeric literal"],
    ['1e+', "invalid character ' ' in exponent of numeric literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['{"a": "\x01"}', "invalid character '\\x01' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['\t\n', 'unexpected end of JSON input'],
    ['[]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['"s"', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['12', 'json: cannot unmarshal number into Go value of type map[string]interface {}'],
    ['false', 'json: cannot unmarshal bool into Go value of type map[string]interface {}'],
    ['{"a": 1e400}', 'json: cannot unmarshal number 1e400 into Go value of type float64'],
  ])('%j → %j', (input, want) => {
    expect(goJsonMapError(Buffer.from(input, 'latin1'))).toBe(want);
  });

  it('names bytes above 0x7f as Go quotes them', () => {
    expect(goJsonMapError(Buffer.from([0x7b, 0xa0]))).toBe(
      "invalid character '\\u00a0' looking for beginning of object key string",
    );
    expect(goJsonMapError(Buffer.from([0xe9]))).toBe("invalid character 'é' looking for beginning of value");
  });
});

describe('goQuote (strconv.Quote)', () => {
  it.each([
    ['bad key', '"bad key"'],
    ['tab\there', '"tab\\there"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ['\x01\x7f', '"\\x01\\x7f"'],
    ['café ☃', '"café ☃"'],
    ['\u00a0\u200b', '"\\u00a0\\u200b"'],
  ])('%j → %s', (input, want) => {
    expect(goQuote(input)).toBe(want);
  });
});
