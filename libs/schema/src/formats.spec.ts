import { describe, expect, it } from 'vitest';
import { formatChecker } from './formats.ts';

describe('formatChecker', () => {
  const cases: [string, string, boolean][] = [
    ['ipv4', '10.0.0.1', true],
    ['ipv4', '10.0.0.256', false],
    ['ipv6', '::1', true],
    ['cidr', '10.0.0.0/8', true],
    ['cidr', '10.0.0.0/33', false],
    ['date', '2024-02-29', true],
    ['date', '2023-02-29', false],
    ['date-time', '2024-01-02T03:04:05.123+02:00', true],
    ['datetime', '2024-13-02T03:04:05Z', false],
    ['duration', '1h30m', true],
    ['duration', '3 days', true],
    ['duration', 'soon', false],
    ['hostname', 'example.com', true],
    ['hostname', '-bad-.com', false],
    ['email', 'a@b.c', true],
    ['email', 'not an email', false],
    ['byte', 'aGVsbG8=', true],
    ['mac', '00:1a:2b:3c:4d:5e', true],
    ['uri', 'https://example.com', true],
    ['uri', '/relative/path', true],
    ['uri', 'no scheme', false],
    ['bsonobjectid', '507f1f77bcf86cd799439011', true],
    ['uuid4', '123e4567-e89b-42d3-a456-426614174000', true],
    ['uuid4', '123e4567-e89b-12d3-a456-426614174000', false],
  ];
  for (const [format, value, ok] of cases) {
    it(`${format} ${JSON.stringify(value)} → ${ok}`, () => expect(formatChecker(format)?.(value)).toBe(ok));
  }

  it('ignores the formats the apiserver strips', () => {
    for (const f of ['int32', 'int64', 'float', 'double', 'int-or-string', ''])
      expect(formatChecker(f)).toBeUndefined();
  });
});
