import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress } from './address.ts';

describe('parseListenAddress', () => {
  it.each([
    [':8080', '', 8080],
    [':0', '', 0],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['localhost:9090', 'localhost', 9090],
    ['0.0.0.0:65535', '0.0.0.0', 65535],
    ['[::1]:0', '::1', 0],
    ['[::]:9292', '::', 9292],
    ['[fe80::1%eth0]:80', 'fe80::1%eth0', 80],
  ])('parses %s', (input, host, port) => {
    expect(parseListenAddress(input)).toEqual({ host, port });
  });

  it.each([
    ['8080', 'missing port in address'],
    ['localhost', 'missing port in address'],
    ['::1:80', 'too many colons in address'],
    [':99999', 'invalid port "99999"'],
    [':http', 'invalid port "http"'],
    [':', 'invalid port ""'],
    ['[::1]', 'missing port in address'],
    ['[::1', "missing ']' in address"],
    ['[::1]x:80', "unexpected characters after ']' in address"],
  ])('rejects %j', (input, why) => {
    expect(() => parseListenAddress(input)).toThrow(`address ${input}: ${why}`);
  });

  it('returns a frozen value', () => {
    expect(Object.isFrozen(parseListenAddress(':1'))).toBe(true);
  });
});

describe('formatListenAddress', () => {
  it.each([
    [{ host: '', port: 9090 }, ':9090'],
    [{ host: '127.0.0.1', port: 0 }, '127.0.0.1:0'],
    [{ host: '::1', port: 8080 }, '[::1]:8080'],
  ])('formats %j as %s', (address, text) => {
    expect(formatListenAddress(address)).toBe(text);
    expect(parseListenAddress(text)).toEqual(address);
  });
});
