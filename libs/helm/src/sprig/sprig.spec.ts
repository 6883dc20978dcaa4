// What the helm table cannot compare byte for byte: Sprig's non-deterministic functions, tested by shape and by
// their properties with injected I/O (clock, randomness, name resolution, local zone), and Go type behaviour.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { Template } from '../template/exec.ts';
import { sprigFuncs, type SprigOptions } from './index.ts';
import { GoRegexp, translate } from './regex.ts';
import { durationString, loadLocation, parseDuration, parseTime, UTC } from './time.ts';

function run(text: string, opts: SprigOptions = { local: 'UTC' }, data: unknown = {}): string {
  const t = new Template('t').option('missingkey=zero').funcs(sprigFuncs(opts));
  t.parse(text);
  return t.execute(data);
}

const FIXED = { sec: 1700000000, nsec: 123456789 };
const counter = (): ((n: number) => Uint8Array) => {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => i++ & 255);
};

describe('non-deterministic Sprig functions', () => {
  it('now, date of a non-time value, htmlDate and ago use the injected clock', () => {
    const o: SprigOptions = { local: 'UTC', now: () => FIXED };
    expect(run('{{ now | date "2006-01-02T15:04:05.000Z07:00" }}', o)).toBe('2023-11-14T22:13:20.123Z');
    expect(run('{{ date "2006" "not a time" }} {{ htmlDate .x }}', o)).toBe('2023 2023-11-14');
    expect(run('{{ now }}', o)).toBe('2023-11-14 22:13:20.123456789 +0000 UTC');
    expect(run('{{ ago 1699999000 }} {{ durationRound (toDate "2006" "2023") }}', o)).toBe('16m40s 10mo');
    expect(run('{{ now | unixEpoch }}', o)).toBe('1700000000');
  });

  it('the local zone is injectable and defaults to TZ or /etc/localtime', () => {
    const o: SprigOptions = { local: 'Asia/Tokyo', now: () => FIXED };
    expect(run('{{ now | date "15:04 MST" }} {{ toDate "2006-01-02" "2020-01-01" | unixEpoch }}', o)).toBe(
      '07:13 JST 1577804400',
    );
    expect(run('{{ typeOf now }}', {})).toBe('time.Time');
  });

  it('rand*, randBytes, uuidv4 and shuffle draw from the injected randomness', () => {
    const a = run('{{ randAlphaNum 8 }} {{ randBytes 4 }} {{ uuidv4 }}', { randomBytes: counter() });
    expect(a).toBe(run('{{ randAlphaNum 8 }} {{ randBytes 4 }} {{ uuidv4 }}', { randomBytes: counter() }));
    expect(run('{{ uuidv4 }}', { randomBytes: () => new Uint8Array(16) })).toBe('00000000-0000-4000-8000-000000000000');
    const real = run(
      '{{ randAlpha 20 }}\n{{ randNumeric 20 }}\n{{ randAscii 20 }}\n{{ uuidv4 }}\n{{ randAlphaNum 20 }}',
    );
    const [alpha, num, ascii, uuid, alnum] = real.split('\n');
    expect(alpha).toMatch(/^[A-Za-z]{20}$/);
    expect(num).toMatch(/^[0-9]{20}$/);
    expect(ascii).toMatch(/^[ -~]{20}$/);
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(alnum).toMatch(/^[A-Za-z0-9]{20}$/);
    expect([...run('{{ shuffle "abcdefgh" }}')].sort().join('')).toBe('abcdefgh');
    for (let i = 0; i < 20; i++) expect(Number(run('{{ randInt 3 7 }}'))).toBeGreaterThanOrEqual(3);
    expect(() => run('{{ randInt 3 3 }}')).toThrow('error calling randInt: invalid argument to Intn');
  });

  it('encryptAES is AES-256-CBC with a random IV first, as Sprig writes it', () => {
    const iv = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
    expect(run('{{ encryptAES "secretkey" "hello helm" }}', { randomBytes: iv })).toBe(
      'AAECAwQFBgcICQoLDA0OD9W52P9kTbPhjfRJG1vS2Vk=',
    );
    expect(run('{{ encryptAES "k" "x" | decryptAES "k" }}')).toBe('x');
  });

  it('bcrypt and htpasswd give $2a$10$ hashes that verify', () => {
    const h = run('{{ bcrypt "pw" }}');
    expect(h).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptjs.compareSync('pw', h)).toBe(true);
    const [user, hash] = run('{{ htpasswd "me" "secret" }}').split(':');
    expect(user).toBe('me');
    expect(bcryptjs.compareSync('secret', hash ?? '')).toBe(true);
  });

  it('genPrivateKey writes PEM keys of the requested type', () => {
    expect(run('{{ genPrivateKey "ecdsa" }}')).toMatch(
      /^-----BEGIN EC PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END EC PRIVATE KEY-----\n$/,
    );
    expect(run('{{ genPrivateKey "ed25519" }}')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(run('{{ genPrivateKey "x" }}')).toBe('Unknown type x');
  });

  it('genCA, genSelfSignedCert and genSignedCert write X.509 v3 certificates that verify', () => {
    const o: SprigOptions = { local: 'UTC', now: () => FIXED };
    const out = run(
      '{{ $ca := genCA "my-ca" 365 }}{{ $c := genSignedCert "svc" (list "10.0.0.1" "::1") (list "svc.ns" "svc") 30 $ca }}' +
        '{{ $s := genSelfSignedCert "self" nil (list "a.example") 1 }}{{ $ca.Cert }}|{{ $c.Cert }}|{{ $s.Cert }}|{{ $c.Key }}',
      o,
    );
    const [caPem, certPem, selfPem, keyPem] = out.split('|') as [string, string, string, string];
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    const self = new X509Certificate(selfPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=my-ca');
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.validFrom).toBe('Nov 14 22:13:20 2023 GMT');
    expect(ca.validTo).toBe('Nov 13 22:13:20 2024 GMT');
    expect(cert.ca).toBe(false);
    expect(cert.issuer).toBe('CN=my-ca');
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:svc.ns, DNS:svc, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(self.verify(self.publicKey)).toBe(true);
    expect(self.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  });

  it('getHostByName uses the injected resolver', () => {
    expect(run('{{ getHostByName "example.com" }}', { lookupHost: () => ['192.0.2.1'] })).toBe('192.0.2.1');
    expect(() => run('{{ getHostByName "x" }}')).toThrow('getHostByName: no resolver is configured');
  });
});

describe('Go semantics under Sprig', () => {
  it('regexp translation of RE2-only syntax, and rejection of what RE2 lacks', () => {
    expect(translate('(?P<x>a)\\Ab.').source).toBe('(?<x>a)^b[^\\n]');
    expect(new GoRegexp('[[:upper:]]+').findAllString('aBCdE', -1)).toEqual(['BC', 'E']);
    expect(() => new GoRegexp('(?<=a)b')).toThrow('error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
    expect(() => new GoRegexp('a++')).toThrow('invalid nested repetition operator: `++`');
  });

  it('time: TZif zones, Parse, ParseDuration, Duration.String', () => {
    const ny = loadLocation('America/New_York', UTC);
    expect(parseTime('2006-01-02 15:04', '2021-03-14 03:30', ny).format(time())).toBe('2021-03-14 03:30:00 -0400 EDT');
    expect(() => loadLocation('No/Such', UTC)).toThrow('unknown time zone No/Such');
    expect(parseDuration('1h2m3.5s')).toBe(3723500000000n);
    expect(() => parseDuration('3x')).toThrow('time: unknown unit "x" in duration "3x"');
    expect(durationString(1500n)).toBe('1.5µs');
    expect(durationString(-90000000000n)).toBe('-1m30s');
  });
});

function time(): string {
  return '2006-01-02 15:04:05 -0700 MST';
}
