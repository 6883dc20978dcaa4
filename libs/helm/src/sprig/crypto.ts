// Sprig's crypto.go: sha*sum and adler32sum, bcrypt and htpasswd, derivePassword (Master Password), private keys and
// certificates (./certs.ts), AES-256-CBC encryptAES/decryptAES, randBytes and uuidv4, with the injected randomness,
// clock and bcrypt.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { GoFunc, type FuncMap, type GoInt, type GoStruct } from '../template/values.ts';
import { buildCustomCert, certFields, createCertificate, parsePrivateKeyPEM, rsaKey } from './certs.ts';
import type { SprigClock } from './date.ts';
import { b64decode } from './encoding.ts';
import type { SprigRandom } from './random.ts';
import { C, I, L, S, goPanic, n } from './util.ts';

/** hash/adler32.Checksum. */
function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

const PASSWORD_TYPES: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};
const TEMPLATE_CHARS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

/** Master Password's site password (scrypt, HMAC-SHA256, the template of the type). */
function derivePassword(counter: GoInt, type: string, password: string, user: string, site: string): string {
  const templates = PASSWORD_TYPES[type];
  if (templates === undefined) return `cannot find password template ${type}`;
  const seedName = Buffer.from('com.lyndir.masterpassword');
  const u32 = (x: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(x >>> 0);
    return b;
  };
  const userB = Buffer.from(user);
  const salt = Buffer.concat([seedName, u32(userB.length), userB]);
  const key = scryptSync(Buffer.from(password), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 128 * 1024 * 1024 });
  const siteB = Buffer.from(site);
  const seed = createHmac('sha256', key)
    .update(Buffer.concat([seedName, u32(siteB.length), siteB, u32(Number(counter.value))]))
    .digest();
  const temp = templates[(seed[0] ?? 0) % templates.length] as string;
  let out = '';
  [...temp].forEach((el, i) => {
    const chars = TEMPLATE_CHARS[el] ?? '';
    out += chars[(seed[i + 1] ?? 0) % chars.length];
  });
  return out;
}

/** genPrivateKey: a PEM private key of the type (rsa 4096, ecdsa P-256, ed25519). */
function genPrivateKey(typ: string): string {
  const pem = (type: string, der: Buffer): string =>
    `-----BEGIN ${type}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;
  switch (typ) {
    case '':
    case 'rsa': {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
      return pem('RSA PRIVATE KEY', privateKey.export({ type: 'pkcs1', format: 'der' }));
    }
    case 'ecdsa': {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return pem('EC PRIVATE KEY', privateKey.export({ type: 'sec1', format: 'der' }));
    }
    case 'ed25519': {
      const { privateKey } = generateKeyPairSync('ed25519');
      return pem('PRIVATE KEY', privateKey.export({ type: 'pkcs8', format: 'der' }));
    }
    default:
      return 'Unknown type ' + typ;
  }
}

/** The AES-256 key of a password: its bytes, zero-padded or cut to 32. */
function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password).copy(key, 0, 0, 32);
  return key;
}

/** decryptAES: the base64 of IV and AES-256-CBC ciphertext, unpadded without checks as Sprig does. */
function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  const crypt = b64decode(crypt64);
  if (crypt.length < 16) goPanic(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  if ((crypt.length - 16) % 16 !== 0) goPanic('crypto/cipher: input not full blocks');
  const d = createDecipheriv('aes-256-cbc', aesKey(password), crypt.subarray(0, 16));
  d.setAutoPadding(false);
  const dec = Buffer.concat([d.update(crypt.subarray(16)), d.final()]);
  if (dec.length === 0) goPanic('runtime error: index out of range [-1]');
  const padLen = dec[dec.length - 1] ?? 0;
  if (padLen > dec.length) goPanic(`runtime error: slice bounds out of range [:${dec.length - padLen}]`);
  return dec.subarray(0, dec.length - padLen).toString('utf8');
}

/** A private key from PEM, with Sprig's error. */
function withKey(pem: string): KeyObject {
  try {
    return parsePrivateKeyPEM(pem);
  } catch (e) {
    throw new Error(`parsing private key: ${(e as Error).message}`, { cause: e });
  }
}

/** golang.org/x/crypto/bcrypt.GenerateFromPassword(password, 10), as Go writes it ($2a$). */
export function bcryptHash(password: string): string {
  return bcryptjs.hashSync(password, 10).replace(/^\$2b\$/, '$2a$');
}

/** crypto.go's functions: random bytes, IVs, UUIDs and serials from random, certificate validity from clock. */
export function cryptoFuncs(random: SprigRandom, clock: SprigClock, bcrypt: (password: string) => string): FuncMap {
  const rnd = random.bytes;
  const encryptAES = (password: string, plaintext: string): string => {
    if (plaintext === '') return '';
    const iv = Buffer.from(rnd(16));
    const c = createCipheriv('aes-256-cbc', aesKey(password), iv);
    return Buffer.concat([iv, c.update(Buffer.from(plaintext)), c.final()]).toString('base64');
  };
  const cert = (
    cn: string,
    ips: unknown[],
    dns: unknown[],
    days: bigint,
    isCA: boolean,
    key: KeyObject,
    parent?: { cert: string; key: string },
  ): GoStruct => {
    const c = clock.instant();
    const serial = Buffer.from(rnd(16));
    return createCertificate(
      { cn, ips, dns, days: n(days), isCA, now: new Date(c.sec * 1000 + Math.floor(c.nsec / 1e6)), serial },
      key,
      parent,
    );
  };

  return {
    sha1sum: new GoFunc([S], (s: string) => createHash('sha1').update(s).digest('hex')),
    sha256sum: new GoFunc([S], (s: string) => createHash('sha256').update(s).digest('hex')),
    sha512sum: new GoFunc([S], (s: string) => createHash('sha512').update(s).digest('hex')),
    adler32sum: new GoFunc([S], (s: string) => String(adler32(Buffer.from(s)))),
    bcrypt: new GoFunc([S], bcrypt),
    htpasswd: new GoFunc([S, S], (u: string, p: string) =>
      u.includes(':') ? `invalid username: ${u}` : `${u}:${bcrypt(p)}`,
    ),
    genPrivateKey: new GoFunc([S], genPrivateKey),
    buildCustomCert: new GoFunc([S, S], (c: string, k: string) => buildCustomCert(c, k, b64decode)),
    genCA: new GoFunc([S, I], (cn: string, days: bigint) => cert(cn, [], [], days, true, rsaKey())),
    genCAWithKey: new GoFunc([S, I, S], (cn: string, days: bigint, key: string) =>
      cert(cn, [], [], days, true, withKey(key)),
    ),
    genSelfSignedCert: new GoFunc([S, L, L, I], (cn: string, ips: unknown[], dns: unknown[], days: bigint) =>
      cert(cn, ips, dns, days, false, rsaKey()),
    ),
    genSelfSignedCertWithKey: new GoFunc(
      [S, L, L, I, S],
      (cn: string, ips: unknown[], dns: unknown[], days: bigint, key: string) =>
        cert(cn, ips, dns, days, false, withKey(key)),
    ),
    genSignedCert: new GoFunc(
      [S, L, L, I, C],
      (cn: string, ips: unknown[], dns: unknown[], days: bigint, ca: unknown) =>
        cert(cn, ips, dns, days, false, rsaKey(), certFields(ca)),
    ),
    genSignedCertWithKey: new GoFunc(
      [S, L, L, I, C, S],
      (cn: string, ips: unknown[], dns: unknown[], days: bigint, ca: unknown, key: string) =>
        cert(cn, ips, dns, days, false, withKey(key), certFields(ca)),
    ),
    derivePassword: new GoFunc(['uint32', S, S, S, S], derivePassword),
    encryptAES: new GoFunc([S, S], encryptAES),
    decryptAES: new GoFunc([S, S], decryptAES),
    randBytes: new GoFunc([I], (c: bigint) => Buffer.from(rnd(n(c))).toString('base64')),
    uuidv4: new GoFunc([], () => random.uuid()),
  };
}
